#include "ldp/iceberg/schema_update.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ldp::iceberg {
namespace {

using ::testing::HasSubstr;
using K = SchemaChange::Kind;
using P = SchemaChange::Position;

NestedField F(int32_t id, std::string name, TypePtr type, bool required = false) {
  return NestedField{id, std::move(name), required, std::move(type), ""};
}
TypePtr T(TypeId id) { return Type::Primitive(id); }

// id long required (1), name string (2), s struct<a int (5), b double (6)> (3), price decimal(9,2) (4)
Schema Base() {
  return Schema(0,
                {F(1, "id", T(TypeId::kLong), true), F(2, "name", T(TypeId::kString)),
                 F(3, "s", Type::Struct({F(5, "a", T(TypeId::kInt)), F(6, "b", T(TypeId::kDouble))})),
                 F(4, "price", Type::Decimal(9, 2)), F(7, "n", T(TypeId::kInt)), F(8, "f", T(TypeId::kFloat)),
                 F(9, "d", T(TypeId::kDate))},
                {1});
}

SchemaChange Add(std::string col, TypePtr type, P pos = P::kLast, std::string ref = "") {
  SchemaChange c;
  c.kind = K::kAdd;
  c.column = std::move(col);
  c.type = std::move(type);
  c.position = pos;
  c.reference = std::move(ref);
  return c;
}
SchemaChange Of(K kind, std::string col) {
  SchemaChange c;
  c.kind = kind;
  c.column = std::move(col);
  return c;
}
SchemaChange Rename(std::string col, std::string to) {
  SchemaChange c = Of(K::kRename, std::move(col));
  c.new_name = std::move(to);
  return c;
}
SchemaChange Move(std::string col, P pos, std::string ref = "") {
  SchemaChange c = Of(K::kMove, std::move(col));
  c.position = pos;
  c.reference = std::move(ref);
  return c;
}
SchemaChange Promote(std::string col, TypePtr t) {
  SchemaChange c = Of(K::kUpdateType, std::move(col));
  c.type = std::move(t);
  return c;
}

Result<SchemaUpdateResult> Apply(std::vector<SchemaChange> changes, SchemaUpdateContext ctx = {}) {
  return ApplySchemaChanges(Base(), 9, changes, ctx);
}

std::vector<std::string> Names(const std::vector<NestedField>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.name);
  return out;
}

void ExpectRefused(Result<SchemaUpdateResult> r, const std::string& column, const std::string& reason) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("'" + column + "'"));
  EXPECT_THAT(r.status().message(), HasSubstr(reason));
}

TEST(SchemaUpdate, AddTopLevelGetsNextIdAndIsOptional) {
  auto r = Apply({Add("tip", T(TypeId::kDouble))});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->last_column_id, 10);
  ASSERT_EQ(r->fields.back().name, "tip");
  EXPECT_EQ(r->fields.back().id, 10);
  EXPECT_FALSE(r->fields.back().required);
}

TEST(SchemaUpdate, AddWithPositions) {
  auto r = Apply({Add("x", T(TypeId::kInt), P::kFirst), Add("y", T(TypeId::kInt), P::kAfter, "id"),
                  Add("z", T(TypeId::kInt), P::kBefore, "price")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Names(r->fields), (std::vector<std::string>{"x", "id", "y", "name", "s", "z", "price", "n", "f", "d"}));
  EXPECT_EQ(r->last_column_id, 12);
}

TEST(SchemaUpdate, AddNestedInsideStructAndNestedTypeGetsFreshIds) {
  auto st = Type::Struct({F(0, "p", T(TypeId::kInt)), F(0, "q", Type::List(F(0, "element", T(TypeId::kString))))});
  auto r = Apply({Add("s.c", T(TypeId::kString), P::kAfter, "a"), Add("t", st)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& s = r->fields[2];
  EXPECT_EQ(Names(s.type->fields()), (std::vector<std::string>{"a", "c", "b"}));
  EXPECT_EQ(s.type->fields()[1].id, 10);
  const auto& t = r->fields.back();
  EXPECT_EQ(t.id, 11);
  EXPECT_EQ(t.type->fields()[0].id, 12);
  EXPECT_EQ(t.type->fields()[1].id, 13);
  EXPECT_EQ(t.type->fields()[1].type->fields()[0].id, 14);
  EXPECT_EQ(r->last_column_id, 14);
}

TEST(SchemaUpdate, AddRefusals) {
  ExpectRefused(Apply({Add("name", T(TypeId::kInt))}), "name", "name clash");
  ExpectRefused(Apply({Add("NAME", T(TypeId::kInt))}), "NAME", "differ only in case");
  ExpectRefused(Apply({Add("s.a", T(TypeId::kInt))}), "s.a", "name clash");
  ExpectRefused(Apply({Add("nope.x", T(TypeId::kInt))}), "nope", "no column");
  ExpectRefused(Apply({Add("name.x", T(TypeId::kInt))}), "name", "not a struct");
  ExpectRefused(Apply({Add("x", T(TypeId::kInt), P::kAfter, "missing")}), "x", "missing");
}

TEST(SchemaUpdate, DropTopLevelAndNested) {
  auto r = Apply({Of(K::kDrop, "name"), Of(K::kDrop, "s.a")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Names(r->fields), (std::vector<std::string>{"id", "s", "price", "n", "f", "d"}));
  EXPECT_EQ(Names(r->fields[1].type->fields()), (std::vector<std::string>{"b"}));
  EXPECT_EQ(r->last_column_id, 9);  // ids are never reused
}

TEST(SchemaUpdate, DropRefusals) {
  ExpectRefused(Apply({Of(K::kDrop, "nope")}), "nope", "unknown column");
  ExpectRefused(Apply({Of(K::kDrop, "id")}), "id", "identifier column");
  SchemaUpdateContext ctx;
  ctx.partition_source_ids = {5};
  ExpectRefused(Apply({Of(K::kDrop, "s.a")}, ctx), "s.a", "partition source");
  ExpectRefused(Apply({Of(K::kDrop, "s")}, ctx), "s", "partition source");
  ExpectRefused(Apply({Of(K::kDrop, "s.a"), Of(K::kDrop, "s.b")}), "s.b", "last field of a struct");
  Schema one(0, {F(1, "only", T(TypeId::kInt))});
  auto r = ApplySchemaChanges(one, 1, {Of(K::kDrop, "only")}, {});
  ExpectRefused(r, "only", "last column");
}

TEST(SchemaUpdate, RenameKeepsIdAndPosition) {
  auto r = Apply({Rename("name", "full_name"), Rename("s.a", "alpha")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fields[1].name, "full_name");
  EXPECT_EQ(r->fields[1].id, 2);
  EXPECT_EQ(r->fields[2].type->fields()[0].name, "alpha");
  EXPECT_EQ(r->fields[2].type->fields()[0].id, 5);
}

TEST(SchemaUpdate, LaterChangesSeeEarlierOnes) {
  auto r = Apply({Rename("name", "n2"), Move("n2", P::kFirst), Add("name", T(TypeId::kLong))});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fields[0].name, "n2");
  EXPECT_EQ(r->fields[0].id, 2);
  EXPECT_EQ(r->fields.back().name, "name");
  EXPECT_EQ(r->fields.back().id, 10);  // a new column: never the old id
}

TEST(SchemaUpdate, RenameRefusals) {
  ExpectRefused(Apply({Rename("nope", "x")}), "nope", "unknown column");
  ExpectRefused(Apply({Rename("name", "price")}), "name", "name clash");
  ExpectRefused(Apply({Rename("name", "Price")}), "name", "differ only in case");
  ExpectRefused(Apply({Rename("s.a", "b")}), "s.a", "name clash");
}

TEST(SchemaUpdate, RenameToOtherCaseOfItself) {
  auto r = Apply({Rename("name", "Name")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fields[1].name, "Name");
}

TEST(SchemaUpdate, Move) {
  auto r = Apply({Move("price", P::kFirst), Move("id", P::kAfter, "d"), Move("s.b", P::kBefore, "a")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Names(r->fields), (std::vector<std::string>{"price", "name", "s", "n", "f", "d", "id"}));
  EXPECT_EQ(Names(r->fields[2].type->fields()), (std::vector<std::string>{"b", "a"}));
  ExpectRefused(Apply({Move("nope", P::kFirst)}), "nope", "unknown column");
  ExpectRefused(Apply({Move("id", P::kAfter, "id")}), "id", "itself");
  ExpectRefused(Apply({Move("s.a", P::kAfter, "name")}), "s.a", "no such column next to it");
}

TEST(SchemaUpdate, MakeOptionalAndRequired) {
  Schema s(0, {F(1, "k", T(TypeId::kLong), true), F(2, "v", T(TypeId::kLong), true)}, {1});
  auto r = ApplySchemaChanges(s, 2, {Of(K::kMakeOptional, "v")}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->fields[1].required);
  ExpectRefused(ApplySchemaChanges(s, 2, {Of(K::kMakeOptional, "k")}, {}), "k", "identifier column");
  ExpectRefused(Apply({Of(K::kMakeRequired, "name")}), "name", "cannot make an optional column required");
  // Already required: nothing to change, not an error.
  EXPECT_TRUE(ApplySchemaChanges(s, 2, {Of(K::kMakeRequired, "v")}, {}).ok());
}

TEST(SchemaUpdate, AllowedPromotions) {
  auto r = Apply({Promote("n", T(TypeId::kLong)), Promote("f", T(TypeId::kDouble)), Promote("price", Type::Decimal(18, 2)),
                  Promote("s.a", T(TypeId::kLong))});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fields[4].type->id(), TypeId::kLong);
  EXPECT_EQ(r->fields[5].type->id(), TypeId::kDouble);
  EXPECT_EQ(r->fields[3].type->ToString(), "decimal(18,2)");
  EXPECT_EQ(r->fields[2].type->fields()[0].type->id(), TypeId::kLong);
  EXPECT_EQ(r->fields[4].id, 7);
}

TEST(SchemaUpdate, PromotionRefusals) {
  ExpectRefused(Apply({Promote("id", T(TypeId::kInt))}), "id", "narrowing long to int");
  ExpectRefused(Apply({Promote("s.b", T(TypeId::kFloat))}), "s.b", "narrowing");
  ExpectRefused(Apply({Promote("price", Type::Decimal(7, 2))}), "price", "narrowing");
  ExpectRefused(Apply({Promote("price", Type::Decimal(18, 4))}), "price", "scale");
  ExpectRefused(Apply({Promote("name", T(TypeId::kLong))}), "name", "not an allowed promotion");
  ExpectRefused(Apply({Promote("d", T(TypeId::kTimestamp))}), "d", "format version 3; this table is v2");
  ExpectRefused(Apply({Promote("s", T(TypeId::kLong))}), "s", "nested");
  SchemaUpdateContext v3;
  v3.format_version = 3;
  EXPECT_TRUE(Apply({Promote("d", T(TypeId::kTimestamp))}, v3).ok());
}

TEST(SchemaUpdate, SetCurrentSchemaAddsOrReuses) {
  auto md = TableMetadata::NewTable("file:///tmp/t", std::make_shared<const Schema>(Base()), PartitionSpec{}, {}, 1);
  md->last_column_id = 9;
  auto r = ApplySchemaChanges(*md->CurrentSchema(), md->last_column_id, {Add("x", T(TypeId::kInt))}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(SetCurrentSchema(*md, r->fields, r->identifier_field_ids, r->last_column_id), 1);
  EXPECT_EQ(md->schemas.size(), 2u);
  EXPECT_EQ(md->current_schema_id, 1);
  EXPECT_EQ(md->last_column_id, 10);
  // Back to the original fields: schema 0 is reused, not duplicated; last-column-id stays.
  EXPECT_EQ(SetCurrentSchema(*md, Base().fields(), Base().identifier_field_ids(), 9), 0);
  EXPECT_EQ(md->schemas.size(), 2u);
  EXPECT_EQ(md->current_schema_id, 0);
  EXPECT_EQ(md->last_column_id, 10);
  EXPECT_TRUE(md->Validate().ok());
}

TEST(SchemaUpdate, ContextCollectsPartitionSources) {
  auto md = TableMetadata::NewTable("file:///tmp/t", std::make_shared<const Schema>(Base()),
                                    PartitionSpec{0, {{5, 1000, "a", "identity"}}}, {}, 1);
  auto ctx = ContextFor(*md);
  EXPECT_EQ(ctx.format_version, 2);
  EXPECT_TRUE(ctx.partition_source_ids.count(5));
}

TEST(SchemaUpdate, ParseTypeString) {
  auto t = ParseTypeString("struct<a: int, b: list<string>, m: map<string, decimal(9, 2)>>");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->ToString(), "struct<a: int, b: list<string>, m: map<string, decimal(9,2)>>");
  EXPECT_EQ((*ParseTypeString("long"))->id(), TypeId::kLong);
  EXPECT_EQ((*ParseTypeString("fixed[16]"))->ToString(), "fixed[16]");
  EXPECT_EQ((*ParseTypeString("BIGINT"))->id(), TypeId::kLong);  // DuckDB spelling
  auto bad = ParseTypeString("lng");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("lng"));
}

TEST(SchemaMerge, AddsNewColumnsPromotesAndMatchesCase) {
  Schema table(0, {F(1, "VendorID", T(TypeId::kInt)), F(2, "airport_fee", T(TypeId::kDouble)),
                   F(3, "fare", Type::Decimal(9, 2))});
  Schema source(0, {F(1, "VendorID", T(TypeId::kLong)), F(2, "Airport_fee", T(TypeId::kDouble)),
                    F(3, "fare", Type::Decimal(12, 2)), F(4, "cbd_congestion_fee", T(TypeId::kDouble))});
  auto m = MergeSourceSchema(table, source, {});
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->changes.size(), 3u);
  EXPECT_EQ(m->changes[0].kind, K::kUpdateType);
  EXPECT_EQ(m->changes[0].column, "VendorID");
  EXPECT_EQ(m->changes[1].kind, K::kUpdateType);
  EXPECT_EQ(m->changes[1].type->ToString(), "decimal(12,2)");
  EXPECT_EQ(m->changes[2].kind, K::kAdd);
  EXPECT_EQ(m->changes[2].column, "cbd_congestion_fee");
  EXPECT_EQ(m->source_names.at("airport_fee"), "Airport_fee");
  auto r = ApplySchemaChanges(table, 3, m->changes, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->fields[3].id, 4);
  EXPECT_EQ(r->fields[1].name, "airport_fee");  // the table keeps its name and id
  EXPECT_EQ(r->fields[1].id, 2);
}

TEST(SchemaMerge, AmbiguousCaseMatchIsNotGuessed) {
  Schema table(0, {F(1, "fee", T(TypeId::kDouble)), F(2, "FEE", T(TypeId::kDouble))});
  Schema source(0, {F(1, "Fee", T(TypeId::kDouble))});
  auto m = MergeSourceSchema(table, source, {});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->source_names.empty());
  ASSERT_EQ(m->changes.size(), 1u);
  EXPECT_EQ(m->changes[0].kind, K::kAdd);
  // ... and adding it is refused as a clash, naming the column.
  ExpectRefused(ApplySchemaChanges(table, 2, m->changes, {}), "Fee", "differ only in case");
}

TEST(SchemaMerge, NarrowerSourceIsNoChangeAndNestedAdditions) {
  Schema table(0, {F(1, "n", T(TypeId::kLong)), F(2, "s", Type::Struct({F(3, "a", T(TypeId::kInt))}))});
  Schema source(0, {F(1, "n", T(TypeId::kInt)),
                    F(2, "s", Type::Struct({F(3, "a", T(TypeId::kInt)), F(4, "b", T(TypeId::kString))}))});
  auto m = MergeSourceSchema(table, source, {});
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->changes.size(), 1u);
  EXPECT_EQ(m->changes[0].column, "s.b");
}

}  // namespace
}  // namespace ldp::iceberg
