#include "ldp/iceberg/schema.h"

#include <nlohmann/json.hpp>

#include "ldp/engine/engine.h"
#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

NestedField F(int32_t id, std::string name, TypePtr type, bool required = false) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.type = std::move(type);
  f.required = required;
  return f;
}

TypePtr P(TypeId id) { return Type::Primitive(id); }

/// Every kind of type, nested: the schema most tests use.
Schema NestedSchema() {
  return Schema(3,
                {F(1, "id", P(TypeId::kLong), true),
                 F(2, "s",
                   Type::Struct({F(5, "a b", P(TypeId::kInt)),
                                 F(6, "c", Type::List(F(9, "element", P(TypeId::kString))))})),
                 F(3, "l", Type::List(F(7, "element", Type::Decimal(9, 2), true))),
                 F(4, "m",
                   Type::Map(F(10, "key", P(TypeId::kString)),
                             F(11, "value", Type::List(F(12, "element", P(TypeId::kInt))))))},
                {1});
}

TEST(TypeTest, ToStringNamesTypes) {
  EXPECT_EQ(P(TypeId::kLong)->ToString(), "long");
  EXPECT_EQ(Type::Decimal(9, 2)->ToString(), "decimal(9,2)");
  EXPECT_EQ(Type::Fixed(16)->ToString(), "fixed[16]");
  EXPECT_EQ(P(TypeId::kTimestampTz)->ToString(), "timestamptz");
  EXPECT_EQ(Type::Map(F(1, "", P(TypeId::kString)), F(2, "", P(TypeId::kInt)))->ToString(),
            "map<string, int>");
  EXPECT_TRUE(P(TypeId::kUuid)->is_primitive());
  EXPECT_TRUE(Type::List(F(1, "", P(TypeId::kInt)))->is_nested());
}

TEST(TypeTest, MapKeysAreAlwaysRequired) {
  auto m = Type::Map(F(1, "key", P(TypeId::kString), false), F(2, "value", P(TypeId::kInt)));
  EXPECT_TRUE(m->fields()[0].required);
  EXPECT_EQ(m->fields()[1].name, "value");
}

TEST(TypeJsonTest, PrimitivesRoundTrip) {
  for (const std::string s :
       {"boolean", "int", "long", "float", "double", "decimal(38,10)", "date", "time", "timestamp",
        "timestamptz", "timestamp_ns", "timestamptz_ns", "string", "uuid", "fixed[16]", "binary"}) {
    ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromJson(json(s)));
    EXPECT_EQ(TypeToJson(*t), json(s)) << s;
  }
}

TEST(TypeJsonTest, DecimalWithSpacesParses) {
  ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromJson(json("decimal(9, 2)")));
  EXPECT_EQ(t->precision(), 9);
  EXPECT_EQ(t->scale(), 2);
}

TEST(TypeJsonTest, BadTypesAreInvalid) {
  for (const std::string s :
       {"integer", "decimal(39,2)", "decimal(9)", "decimal(2,3)", "fixed[0]", "fixed[x]", ""}) {
    EXPECT_THAT(TypeFromJson(json(s)), IsError(ErrorCode::kInvalidArgument)) << s;
  }
  EXPECT_THAT(TypeFromJson(json(5)), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(TypeFromJson(json::parse(R"({"type":"list","element-id":1,"element":"int"})")),
              HasMessage("element-required"));
  EXPECT_THAT(TypeFromJson(json::parse(
                  R"({"type":"map","key-id":1,"key":"int","value-id":2,"value-required":true})")),
              HasMessage("'value'"));
  EXPECT_THAT(TypeFromJson(json::parse(R"({"type":"union"})")),
              IsError(ErrorCode::kInvalidArgument));
}

TEST(TypeJsonTest, ListAndMapUseSpecKeys) {
  auto list = Type::List(F(7, "element", Type::Decimal(9, 2), true));
  EXPECT_EQ(
      TypeToJson(*list),
      json::parse(
          R"j({"type":"list","element-id":7,"element":"decimal(9,2)","element-required":true})j"));
  auto map = Type::Map(F(10, "key", P(TypeId::kString)), F(11, "value", P(TypeId::kDouble), false));
  EXPECT_EQ(TypeToJson(*map), json::parse(R"({"type":"map","key-id":10,"key":"string","value-id":11,
                                             "value":"double","value-required":false})"));
}

TEST(SchemaJsonTest, NestedSchemaRoundTrips) {
  Schema s = NestedSchema();
  json j = s.ToJson();
  EXPECT_EQ(j["type"], "struct");
  EXPECT_EQ(j["schema-id"], 3);
  EXPECT_EQ(j["identifier-field-ids"], json::array({1}));
  EXPECT_EQ(j["fields"][0], json::parse(R"({"id":1,"name":"id","required":true,"type":"long"})"));
  EXPECT_EQ(j["fields"][1]["type"]["fields"][0]["name"], "a b");
  ASSERT_OK_AND_ASSIGN(SchemaPtr back, Schema::FromJson(j));
  EXPECT_EQ(back->ToJson(), j);
  EXPECT_TRUE(back->SameFields(s));
  EXPECT_EQ(back->schema_id(), 3);
  EXPECT_EQ(back->identifier_field_ids(), std::vector<int32_t>{1});
  // The string form parses to the same JSON.
  EXPECT_EQ(json::parse(s.ToJsonString()), j);
}

TEST(SchemaJsonTest, DocIsKeptAndOptional) {
  NestedField f = F(1, "a", P(TypeId::kInt));
  f.doc = "the answer";
  Schema s(0, {f});
  json j = s.ToJson();
  EXPECT_EQ(j["fields"][0]["doc"], "the answer");
  ASSERT_OK_AND_ASSIGN(SchemaPtr back, Schema::FromJson(j));
  EXPECT_EQ(back->fields()[0].doc, "the answer");
  EXPECT_FALSE(NestedSchema().ToJson()["fields"][0].contains("doc"));
}

TEST(SchemaJsonTest, V1SchemaWithoutIdGetsDefault) {
  json j = json::parse(
      R"({"type":"struct","fields":[{"id":1,"name":"x","required":false,"type":"int"}]})");
  ASSERT_OK_AND_ASSIGN(SchemaPtr s, Schema::FromJson(j, 7));
  EXPECT_EQ(s->schema_id(), 7);
  EXPECT_TRUE(s->identifier_field_ids().empty());
}

TEST(SchemaJsonTest, ErrorsNameTheField) {
  EXPECT_THAT(
      Schema::FromJson(json::parse(
          R"({"type":"struct","schema-id":0,"fields":[{"id":1,"name":"x","type":"int"}]})")),
      HasMessage("field 'x': missing required field 'required'"));
  EXPECT_THAT(Schema::FromJson(json::parse(R"({"type":"struct","schema-id":0})")),
              HasMessage("'fields'"));
  EXPECT_THAT(
      Schema::FromJson(json::parse(
          R"({"type":"struct","schema-id":0,"fields":[{"id":1,"name":"x","required":true,"type":"int"},
                                                              {"id":1,"name":"y","required":true,"type":"int"}]})")),
      HasMessage("duplicate field id 1"));
  EXPECT_THAT(
      Schema::FromJson(json::parse(
          R"({"type":"struct","schema-id":0,"fields":[{"id":1,"name":"x","required":true,"type":"int"},
                                                              {"id":2,"name":"x","required":true,"type":"int"}]})")),
      HasMessage("duplicate field name 'x'"));
  EXPECT_THAT(Schema::FromJson(json::parse(
                  R"({"type":"struct","schema-id":0,"identifier-field-ids":[9],
                      "fields":[{"id":1,"name":"x","required":true,"type":"int"}]})")),
              HasMessage("unknown field id 9"));
  EXPECT_THAT(
      Schema::FromJson(json::parse(
          R"({"type":"struct","schema-id":0,"fields":[{"id":"1","name":"x","required":true,"type":"int"}]})")),
      HasMessage("field 'id' must be an integer"));
  EXPECT_THAT(Schema::FromJson(json::parse(R"([1,2])")), IsError(ErrorCode::kInvalidArgument));
}

TEST(SchemaTest, LookUps) {
  Schema s = NestedSchema();
  EXPECT_EQ(s.HighestFieldId(), 12);
  ASSERT_NE(s.FindFieldById(12), nullptr);
  EXPECT_EQ(s.FindFieldById(12)->name, "element");
  EXPECT_EQ(s.FindFieldById(5)->name, "a b");
  EXPECT_EQ(s.FindFieldById(11)->name, "value");
  EXPECT_EQ(s.FindFieldById(99), nullptr);
  ASSERT_NE(s.FindTopLevelField("m"), nullptr);
  EXPECT_EQ(s.FindTopLevelField("m")->id, 4);
  EXPECT_EQ(s.FindTopLevelField("M"), nullptr);    // case-sensitive
  EXPECT_EQ(s.FindTopLevelField("a b"), nullptr);  // nested names are not top-level
  EXPECT_EQ(Schema(0, {}).HighestFieldId(), 0);
}

TEST(SchemaTest, SameFieldsIgnoresSchemaIdOnly) {
  Schema a = NestedSchema();
  Schema b(9, a.fields(), a.identifier_field_ids());
  EXPECT_TRUE(a.SameFields(b));
  std::vector<NestedField> renamed = a.fields();
  renamed[0].name = "id2";
  EXPECT_FALSE(a.SameFields(Schema(3, renamed, {1})));
  EXPECT_FALSE(a.SameFields(Schema(3, a.fields(), {})));
}

// ---- DuckDB type strings --------------------------------------------------------------------

TEST(DuckTypeTest, PrimitiveMapping) {
  struct Case {
    const char* duck;
    const char* iceberg;
  };
  const Case cases[] = {
      {"BOOLEAN", "boolean"},
      {"TINYINT", "int"},
      {"SMALLINT", "int"},
      {"INTEGER", "int"},
      {"BIGINT", "long"},
      {"UTINYINT", "int"},
      {"USMALLINT", "int"},
      {"UINTEGER", "long"},
      {"UBIGINT", "decimal(20,0)"},
      {"HUGEINT", "decimal(38,0)"},
      {"FLOAT", "float"},
      {"DOUBLE", "double"},
      {"DECIMAL(18,3)", "decimal(18,3)"},
      {"DECIMAL(4, 1)", "decimal(4,1)"},
      {"DECIMAL", "decimal(18,3)"},
      {"DATE", "date"},
      {"TIME", "time"},
      {"TIMESTAMP", "timestamp"},
      {"TIMESTAMP_MS", "timestamp"},
      {"TIMESTAMP_S", "timestamp"},
      {"TIMESTAMP_NS", "timestamp"},
      {"TIMESTAMP WITH TIME ZONE", "timestamptz"},
      {"timestamptz", "timestamptz"},
      {"VARCHAR", "string"},
      {"JSON", "string"},
      {"ENUM('a', 'b''c)')", "string"},
      {"UUID", "uuid"},
      {"BLOB", "binary"},
  };
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromDuckType(c.duck));
    EXPECT_EQ(t->ToString(), c.iceberg) << c.duck;
  }
}

TEST(DuckTypeTest, RefusedTypesNameColumnAndType) {
  for (const char* t : {"INTERVAL", "BIT", "UNION(a INTEGER, b VARCHAR)", "UHUGEINT", "VARINT",
                        "BIGNUM", "TIME WITH TIME ZONE", "STRUCT(a INTERVAL)", "INTERVAL[]"}) {
    auto r = SchemaFromDuckColumns({{"good", "INTEGER"}, {"bad col", t}});
    EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument)) << t;
    EXPECT_THAT(r, HasMessage("'bad col'")) << t;
    EXPECT_THAT(r, HasMessage(t)) << t;
  }
  EXPECT_THAT(SchemaFromDuckColumns({{"t", "TIMESTAMP_NS"}}, NanosRule::kError),
              HasMessage("nanosecond"));
  EXPECT_THAT(SchemaFromDuckColumns({{"x", "STRUCT(a INTEGER"}}), HasMessage("cannot parse"));
  EXPECT_THAT(SchemaFromDuckColumns({{"x", "INTEGER"}, {"x", "BIGINT"}}),
              HasMessage("duplicate column"));
}

TEST(DuckTypeTest, NestedTypesAndQuotedNames) {
  ASSERT_OK_AND_ASSIGN(
      SchemaPtr s,
      SchemaFromDuckColumns(
          {{"id", "INTEGER"},
           {"a b", R"(STRUCT("x y" INTEGER, "q""z" VARCHAR[], "select" INTEGER, plain DOUBLE))"},
           {"m", "MAP(VARCHAR, INTEGER[])"},
           {"arr", "INTEGER[3]"},
           {"nest", "STRUCT(a INTEGER)[][2]"}}));
  EXPECT_EQ(s->schema_id(), 0);
  const auto& f = s->fields();
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[1].type->ToString(),
            "struct<x y: int, q\"z: list<string>, select: int, plain: double>");
  EXPECT_EQ(f[2].type->ToString(), "map<string, list<int>>");
  EXPECT_EQ(f[3].type->ToString(), "list<int>");
  // INTEGER[][2] is an array of two lists.
  EXPECT_EQ(f[4].type->ToString(), "list<list<struct<a: int>>>");
  for (const auto& field : f) EXPECT_FALSE(field.required);
  EXPECT_TRUE(f[2].type->fields()[0].required);   // map key
  EXPECT_FALSE(f[2].type->fields()[1].required);  // map value
  EXPECT_FALSE(f[3].type->fields()[0].required);  // list element
}

TEST(DuckTypeTest, FieldIdsFollowAssignFreshIds) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr s, SchemaFromDuckColumns(
                                        {{"a", "INTEGER"},
                                         {"s", "STRUCT(x INTEGER, y STRUCT(p INTEGER, q INTEGER))"},
                                         {"m", "MAP(VARCHAR, STRUCT(v INTEGER))"},
                                         {"l", "INTEGER[]"},
                                         {"z", "VARCHAR"}}));
  const auto& f = s->fields();
  // Top-level fields first.
  EXPECT_EQ(f[0].id, 1);
  EXPECT_EQ(f[1].id, 2);
  EXPECT_EQ(f[2].id, 3);
  EXPECT_EQ(f[3].id, 4);
  EXPECT_EQ(f[4].id, 5);
  // Then s's fields together, then y's children, before m.
  const auto& sf = f[1].type->fields();
  EXPECT_EQ(sf[0].id, 6);
  EXPECT_EQ(sf[1].id, 7);
  EXPECT_EQ(sf[1].type->fields()[0].id, 8);
  EXPECT_EQ(sf[1].type->fields()[1].id, 9);
  // Map: key, value, then the value's struct.
  const auto& mf = f[2].type->fields();
  EXPECT_EQ(mf[0].id, 10);
  EXPECT_EQ(mf[1].id, 11);
  EXPECT_EQ(mf[1].type->fields()[0].id, 12);
  EXPECT_EQ(f[3].type->fields()[0].id, 13);
  EXPECT_EQ(s->HighestFieldId(), 13);
}

TEST(DuckTypeTest, AssignFreshFieldIdsContinuesFromLastId) {
  std::vector<NestedField> fields = {F(0, "n", Type::List(F(0, "element", P(TypeId::kInt))))};
  int32_t last = 20;
  auto out = AssignFreshFieldIds(fields, &last);
  EXPECT_EQ(out[0].id, 21);
  EXPECT_EQ(out[0].type->fields()[0].id, 22);
  EXPECT_EQ(last, 22);
}

TEST(DuckTypeTest, ToDuckType) {
  EXPECT_EQ(ToDuckType(*P(TypeId::kLong)), "BIGINT");
  EXPECT_EQ(ToDuckType(*P(TypeId::kTimestampTz)), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(ToDuckType(*P(TypeId::kUuid)), "UUID");
  EXPECT_EQ(ToDuckType(*Type::Fixed(3)), "BLOB");
  EXPECT_EQ(ToDuckType(*Type::Decimal(9, 2)), "DECIMAL(9,2)");
  Schema s = NestedSchema();
  EXPECT_EQ(ToDuckType(*s.fields()[1].type), R"(STRUCT("a b" INTEGER, "c" VARCHAR[]))");
  EXPECT_EQ(ToDuckType(*s.fields()[3].type), "MAP(VARCHAR, INTEGER[])");
  EXPECT_EQ(ToDuckType(*Type::Struct({F(1, "q\"z", P(TypeId::kInt))})),
            R"(STRUCT("q""z" INTEGER))");
}

TEST(DuckTypeTest, ToDuckTypeRoundTripsThroughTheParser) {
  Schema s = NestedSchema();
  for (const auto& f : s.fields()) {
    ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromDuckType(ToDuckType(*f.type)));
    EXPECT_EQ(t->ToString(), f.type->ToString());
  }
}

TEST(DuckTypeTest, FieldIdsClauseAndSchemaMapText) {
  Schema s = NestedSchema();
  EXPECT_EQ(
      DuckFieldIdsClause(s),
      R"({"id": 1, "s": {__duckdb_field_id: 2, "a b": 5, "c": {__duckdb_field_id: 6, element: 9}}, )"
      R"("l": {__duckdb_field_id: 3, element: 7}, )"
      R"("m": {__duckdb_field_id: 4, key: 10, value: {__duckdb_field_id: 11, element: 12}}})");
  EXPECT_EQ(DuckReadSchemaMap(Schema(0, {F(1, "it's", P(TypeId::kLong)),
                                         F(2, "s", Type::Struct({F(3, "x", P(TypeId::kInt))}))})),
            R"(MAP{1: {name: 'it''s', type: 'BIGINT', default_value: NULL}, )"
            R"(2: {name: 's', type: 'STRUCT("x" INTEGER)', default_value: NULL}})");
}

// ---- against real DuckDB ----------------------------------------------------------------------

class DuckDBSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open();
    ASSERT_OK(db.status());
    db_ = std::move(db).value();
    auto conn = db_->Connect();
    ASSERT_OK(conn.status());
    conn_ = std::move(conn).value();
  }

  std::vector<DuckColumn> Describe(const std::string& relation) {
    std::vector<DuckColumn> cols;
    auto res = conn_->Query("DESCRIBE " + relation);
    EXPECT_OK(res.status());
    if (!res.ok()) return cols;
    for (const auto& row : res->rows) cols.push_back({*row[0], *row[1]});
    return cols;
  }

  testing::TempDir dir_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(DuckDBSchemaTest, DescribeOutputParsesAndToDuckTypeIsAccepted) {
  ASSERT_OK(conn_->Execute(
      R"(CREATE TABLE t (id INTEGER, "a b" STRUCT("x y" INTEGER, "q""z" VARCHAR[], "select" INTEGER),
                         m MAP(VARCHAR, INTEGER[]), arr INTEGER[3], d DECIMAL(18,3), ts TIMESTAMPTZ,
                         tn TIMESTAMP_NS, tm TIMESTAMP_MS, tsec TIMESTAMP_S, t TIME, u UUID, b BLOB,
                         e ENUM('a', 'b''c'), hi HUGEINT, ub UBIGINT, nest STRUCT(a INTEGER)[][2], j JSON,
                         f REAL, dt DATE, "Weird""Name" VARCHAR))"));
  ASSERT_OK_AND_ASSIGN(SchemaPtr s, SchemaFromDuckColumns(Describe("t")));
  ASSERT_EQ(s->fields().size(), 20u);
  EXPECT_EQ(s->fields()[1].type->ToString(), "struct<x y: int, q\"z: list<string>, select: int>");
  EXPECT_EQ(s->fields()[5].type->ToString(), "timestamptz");
  EXPECT_EQ(s->fields()[12].type->ToString(), "string");
  EXPECT_EQ(s->fields()[15].type->ToString(), "list<list<struct<a: int>>>");
  EXPECT_EQ(s->fields()[19].name, "Weird\"Name");

  // Every ToDuckType string is a valid DuckDB type, and DuckDB prints it back so that it maps to
  // the same Iceberg type.
  std::string cols;
  for (const auto& f : s->fields()) {
    if (!cols.empty()) cols += ", ";
    cols += engine::QuoteIdent(f.name) + " " + ToDuckType(*f.type);
  }
  ASSERT_OK(conn_->Execute("CREATE TABLE back (" + cols + ")"));
  ASSERT_OK_AND_ASSIGN(SchemaPtr again, SchemaFromDuckColumns(Describe("back")));
  EXPECT_TRUE(again->SameFields(*s)) << again->ToJsonString() << "\n" << s->ToJsonString();
}

TEST_F(DuckDBSchemaTest, FieldIdsReachParquetAndReadSchemaMapResolvesById) {
  ASSERT_OK(conn_->Execute(
      R"(CREATE TABLE src AS SELECT 1::BIGINT AS id, {'a b': 2, 'c': ['x', 'y']} AS s,
                                   [1.50::DECIMAL(9,2)] AS l, MAP {'k': [1, 2]} AS m)"));
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, SchemaFromDuckColumns(Describe("src")));
  // id=1 s=2 l=3 m=4 | s.a b=5 s.c=6 | c.element=7 | l.element=8 | m.key=9 m.value=10 |
  // value.element=11
  const std::string file = dir_.Join("data.parquet");
  ASSERT_OK(conn_->Execute(fmt::format("COPY src TO {} (FORMAT parquet, FIELD_IDS {})",
                                       engine::QuoteLiteral(file), DuckFieldIdsClause(*schema))));

  ASSERT_OK_AND_ASSIGN(
      auto ids,
      conn_->Query(fmt::format(
          "SELECT name, field_id::VARCHAR FROM parquet_schema({}) WHERE field_id IS NOT NULL",
          engine::QuoteLiteral(file))));
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& row : ids.rows) got.emplace_back(*row[0], *row[1]);
  std::vector<std::pair<std::string, std::string>> want = {
      {"id", "1"},      {"s", "2"}, {"a b", "5"}, {"c", "6"},      {"element", "7"}, {"l", "3"},
      {"element", "8"}, {"m", "4"}, {"key", "9"}, {"value", "10"}, {"element", "11"}};
  EXPECT_EQ(got, want);

  // Rename `id` and `m` in the Iceberg schema and add a column: the schema map still finds the
  // data by field id, and the new column reads as NULL.
  std::vector<NestedField> fields = schema->fields();
  fields[0].name = "ident";
  fields[3].name = "renamed map";
  int32_t last = schema->HighestFieldId();
  auto added = AssignFreshFieldIds({F(0, "extra", P(TypeId::kInt))}, &last);
  fields.push_back(added[0]);
  Schema evolved(1, fields);
  ASSERT_OK_AND_ASSIGN(
      auto rows, conn_->Query(fmt::format(
                     "SELECT ident::VARCHAR, s::VARCHAR, l::VARCHAR, \"renamed map\"::VARCHAR, "
                     "extra::VARCHAR FROM read_parquet({}, schema={})",
                     engine::QuoteLiteral(file), DuckReadSchemaMap(evolved))));
  ASSERT_EQ(rows.rows.size(), 1u);
  const auto& r = rows.rows[0];
  EXPECT_EQ(r[0], "1");
  EXPECT_EQ(r[1], "{'a b': 2, 'c': [x, y]}");
  EXPECT_EQ(r[2], "[1.50]");
  EXPECT_EQ(r[3], "{k=[1, 2]}");
  EXPECT_EQ(r[4], std::nullopt);
}

}  // namespace
}  // namespace ldp::iceberg
