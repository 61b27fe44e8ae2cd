// Every supported type survives ingest -> Iceberg -> query/export unchanged, NULLs included;
// nanosecond timestamps are stored as microseconds.

#include <algorithm>
#include <set>

#include "integration/cli_fixture.h"

namespace ldp::testing {
namespace {

// One column per type; row 1 and 2 ordinary values, row 3 edge values, row 4 all NULL.
constexpr const char* kAllTypes = R"sql(
SELECT * FROM (VALUES
  (1, true, 42, 9000000000::BIGINT, 1.5::FLOAT, 2.25::DOUBLE, 1234567.89::DECIMAL(9,2),
   '1234567890123456789012345678.0123456789'::DECIMAL(38,10), DATE '2024-02-29', TIME '13:14:15.123456',
   TIMESTAMP '2024-02-29 13:14:15.123456', TIMESTAMPTZ '2024-02-29 13:14:15.654321+00',
   'hello', '\x00\x01\xFFabc'::BLOB, '0e984725-c51c-4bf4-9960-e1c80e27aba0'::UUID, [1, 2, 3],
   {'a': 1, 'b': 'x'}, MAP {'k1': 1, 'k2': 2}),
  (2, false, -7, -1::BIGINT, -0.25::FLOAT, -1e300::DOUBLE, -0.01::DECIMAL(9,2),
   '-0.0000000001'::DECIMAL(38,10), DATE '1900-01-01', TIME '00:00:00', TIMESTAMP '1969-12-31 23:59:59.999999',
   TIMESTAMPTZ '1970-01-01 00:00:00+00', 'ünïcødé ✓ "quoted", comma', ''::BLOB,
   '00000000-0000-0000-0000-000000000000'::UUID, [], {'a': NULL, 'b': NULL}, MAP {}),
  (3, NULL, 2147483647, 9223372036854775807::BIGINT, 3.4e38::FLOAT, 1.7976931348623157e308::DOUBLE,
   9999999.99::DECIMAL(9,2), '9999999999999999999999999999.9999999999'::DECIMAL(38,10), DATE '9999-12-31',
   TIME '23:59:59.999999', TIMESTAMP '2262-04-11 23:47:16.854775', TIMESTAMPTZ '2000-06-15 12:00:00+05',
   '', 'line1\x0Aline2'::BLOB, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID, [NULL, -2147483648],
   {'a': -1, 'b': ''}, MAP {'': NULL}),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) v(id, c_bool, c_int, c_bigint, c_float, c_double, c_dec9, c_dec38, c_date, c_time, c_ts, c_tstz, c_varchar,
    c_blob, c_uuid, c_list, c_struct, c_map)
)sql";

// Casts that pin the column types (VALUES would otherwise widen or guess).
constexpr const char* kTyped = R"sql(
SELECT id::INTEGER AS id, c_bool::BOOLEAN AS c_bool, c_int::INTEGER AS c_int, c_bigint::BIGINT AS c_bigint,
  c_float::FLOAT AS c_float, c_double::DOUBLE AS c_double, c_dec9::DECIMAL(9,2) AS c_dec9,
  c_dec38::DECIMAL(38,10) AS c_dec38, c_date::DATE AS c_date, c_time::TIME AS c_time, c_ts::TIMESTAMP AS c_ts,
  c_tstz::TIMESTAMPTZ AS c_tstz, c_varchar::VARCHAR AS c_varchar, c_blob::BLOB AS c_blob, c_uuid::UUID AS c_uuid,
  c_list::INTEGER[] AS c_list, c_struct::STRUCT(a INTEGER, b VARCHAR) AS c_struct,
  c_map::MAP(VARCHAR, INTEGER) AS c_map
FROM ({}) s
)sql";

// The Iceberg type names describe must show, in column order.
const std::vector<std::string> kIcebergTypes = {
    "int",           "boolean",         "int",  "long", "float",     "double",
    "decimal(9, 2)", "decimal(38, 10)", "date", "time", "timestamp", "timestamptz",
    "string",        "binary",          "uuid"};

// RFC 4180 CSV rendering of a DuckDB result (what --format csv promises).
std::string ToCsv(const engine::MaterializedResult& r) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out;
  for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "," : "") + quote(r.columns[c].name);
  out += "\n";
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + (row[c] ? quote(*row[c]) : "");
    out += "\n";
  }
  return out;
}

class CliTypes : public CliTest {
 protected:
  // Writes the all-types source and ingests it into ty.all.
  std::string IngestAllTypes() {
    const std::string src = tmp_.Join("types.parquet");
    Copy(fmt::format(kTyped, kAllTypes), src);
    auto ing = Ingest(src, "ty.all");
    EXPECT_EQ(ing.value("rows", -1), 4);
    return src;
  }

  // `SELECT * FROM relation ORDER BY id` with every column cast to VARCHAR by DuckDB, so the
  // expected text does not depend on how a client renders values.
  engine::MaterializedResult AsText(const std::string& relation) {
    std::string cols;
    for (const auto& row : Sql("DESCRIBE SELECT * FROM " + relation).rows) {
      std::string c = engine::QuoteIdent(row[0].value_or(""));
      cols += (cols.empty() ? "" : ", ") + fmt::format("CAST({0} AS VARCHAR) AS {0}", c);
    }
    return Sql(fmt::format("SELECT {} FROM {} ORDER BY id", cols, relation));
  }
};

TEST_F(CliTypes, AllTypesSchema) {
  IngestAllTypes();
  // One field per column with the Iceberg type for it; nested ones are structured.
  auto desc = LdpJson({"describe", "ty.all"});
  const auto& fields = desc["schema"]["fields"];
  ASSERT_EQ(fields.size(), 18u) << desc.dump(2);
  for (size_t i = 0; i < kIcebergTypes.size(); ++i) {
    // The spec writes decimal(P,S); Java writes decimal(P, S); readers accept both.
    std::string t = fields[i].value("type", "");
    t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
    std::string want = kIcebergTypes[i];
    want.erase(std::remove(want.begin(), want.end(), ' '), want.end());
    EXPECT_EQ(t, want) << fields[i].dump();
  }
  EXPECT_EQ(fields[15]["type"].value("type", ""), "list") << fields[15].dump();
  EXPECT_EQ(fields[16]["type"].value("type", ""), "struct") << fields[16].dump();
  EXPECT_EQ(fields[17]["type"].value("type", ""), "map") << fields[17].dump();
  // Top-level fields take ids 1..18; nested ones follow, all distinct.
  std::set<int> ids;
  for (size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(fields[i].value("id", -1), static_cast<int>(i + 1));
    ids.insert(fields[i].value("id", -1));
  }
  for (const auto& id :
       {fields[15]["type"].value("element-id", -1), fields[16]["type"]["fields"][0].value("id", -1),
        fields[16]["type"]["fields"][1].value("id", -1), fields[17]["type"].value("key-id", -1),
        fields[17]["type"].value("value-id", -1)}) {
    EXPECT_GT(id, 18);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate field id " << id;
  }
}

TEST_F(CliTypes, AllTypesRoundTripThroughExport) {
  const std::string src = IngestAllTypes();
  // Export to Parquet: same column types and identical rows (EXCEPT both ways).
  const std::string out = tmp_.Join("out.parquet");
  ProcessResult ex = Ldp({"export", "ty.all", "--to", out});
  ASSERT_EQ(ex.exit_code, 0) << ex.Describe();
  auto want = Sql("DESCRIBE SELECT * FROM " + Parquet(src));
  auto got = Sql("DESCRIBE SELECT * FROM " + Parquet(out));
  ASSERT_EQ(got.rows.size(), want.rows.size());
  for (size_t i = 0; i < want.rows.size(); ++i) {
    EXPECT_EQ(got.rows[i][0], want.rows[i][0]);
    EXPECT_EQ(got.rows[i][1], want.rows[i][1]) << "column " << want.rows[i][0].value_or("?");
  }
  EXPECT_EQ(Difference(Parquet(out), Parquet(src)), 0);
  // Column by column, so a failure names the column; NULLs must stay where they were.
  for (const auto& col : want.rows) {
    std::string c = engine::QuoteIdent(col[0].value_or(""));
    EXPECT_EQ(
        Difference(fmt::format("(SELECT id, {0}, {0} IS NULL AS n FROM {1})", c, Parquet(out)),
                   fmt::format("(SELECT id, {0}, {0} IS NULL AS n FROM {1})", c, Parquet(src))),
        0)
        << "column " << c;
  }

  // A second ingest of the same file into the existing table keeps every value.
  Ingest(src, "ty.all");
  const std::string out2 = tmp_.Join("out2.parquet");
  ASSERT_EQ(Ldp({"export", "ty.all", "--to", out2}).exit_code, 0);
  EXPECT_EQ(Difference(Parquet(out2), fmt::format("(SELECT * FROM {0} UNION ALL SELECT * FROM {0})",
                                                  Parquet(src))),
            0);
}

TEST_F(CliTypes, AllTypesQueryOutput) {
  const std::string src = IngestAllTypes();
  // The CLI's CSV equals DuckDB's VARCHAR rendering of the source, value for value.
  ProcessResult q = Ldp({"query", "SELECT * FROM ty.all ORDER BY id", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, ToCsv(AsText(Parquet(src))));

  // JSON: row 1 has a value in every column, row 4 only its id.
  ProcessResult j =
      Ldp({"query", "SELECT * FROM ty.all WHERE id IN (1, 4) ORDER BY id", "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.Describe();
  auto rows = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_TRUE(rows.is_array() && rows.size() == 2) << j.Describe();
  ASSERT_EQ(rows[0].size(), 18u);
  for (const auto& [k, v] : rows[0].items()) EXPECT_FALSE(v.is_null()) << "row 1, column " << k;
  for (const auto& [k, v] : rows[1].items()) {
    if (k == "id") continue;
    EXPECT_TRUE(v.is_null()) << "row 4, column " << k << " = " << v.dump();
  }
  EXPECT_EQ(rows[0].value("c_bigint", int64_t{0}), 9000000000LL);
  EXPECT_EQ(rows[0].value("c_bool", false), true);
  EXPECT_EQ(rows[0].value("c_uuid", ""), "0e984725-c51c-4bf4-9960-e1c80e27aba0");
}

TEST_F(CliTypes, NanosecondTimestampsBecomeMicroseconds) {
  const std::string src = tmp_.Join("ns.parquet");
  Copy(
      "SELECT * FROM (VALUES (1, '2024-05-06 07:08:09.123456789'::TIMESTAMP_NS), "
      "(2, '2024-05-06 07:08:09.000000001'::TIMESTAMP_NS), (3, '1970-01-01 "
      "00:00:00.000000999'::TIMESTAMP_NS), "
      "(4, NULL::TIMESTAMP_NS), (5, '1969-12-31 23:59:59.999999999'::TIMESTAMP_NS)) v(id, ts)",
      src);
  ASSERT_EQ(Scalar("SELECT typeof(ts) FROM " + Parquet(src) + " LIMIT 1"), "TIMESTAMP_NS");
  Ingest(src, "ty.nanos");
  auto desc = LdpJson({"describe", "ty.nanos"});
  ASSERT_EQ(desc["schema"]["fields"].size(), 2u);
  EXPECT_EQ(desc["schema"]["fields"][1]["type"], "timestamp") << desc.dump(2);

  ProcessResult q =
      Ldp({"query", "SELECT id, ts, typeof(ts) AS t FROM ty.nanos ORDER BY id", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out,
            "id,ts,t\n"
            "1,2024-05-06 07:08:09.123456,TIMESTAMP\n"
            "2,2024-05-06 07:08:09,TIMESTAMP\n"
            "3,1970-01-01 00:00:00,TIMESTAMP\n"
            "4,,TIMESTAMP\n"
            // Before 1970 too the rule is towards minus infinity (iceberg/schema.h NanosRule).
            "5,1969-12-31 23:59:59.999999,TIMESTAMP\n");
  // And the stored values are exactly the source's, floored to whole microseconds.
  const std::string out = tmp_.Join("nanos_out.parquet");
  ASSERT_EQ(Ldp({"export", "ty.nanos", "--to", out}).exit_code, 0);
  EXPECT_EQ(Difference(fmt::format("(SELECT id, ts FROM {})", Parquet(out)),
                       fmt::format("(SELECT id, make_timestamp((epoch_ns(ts) - ((epoch_ns(ts) % "
                                   "1000) + 1000) % 1000) // 1000) AS ts FROM {})",
                                   Parquet(src))),
            0);
}

}  // namespace
}  // namespace ldp::testing
