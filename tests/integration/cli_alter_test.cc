// Schema evolution through the real CLI: `ldp alter` for every operation, each followed by queries
// over files written before and after (values checked against DuckDB reading the sources), the
// refusals (one-line error naming the column, exit 2, nothing written), and `ldp ingest --evolve`
// with a 2023 taxi month followed by a 2025-style month.

#include "integration/cli_fixture.h"
#include "ldp/demo/nyc_taxi.h"

namespace ldp::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class CliAlter : public CliTest {
 protected:
  // ev.t from a first file: id, name, price decimal(9,2), qty int, f float, d date, s struct<a int, b string>.
  void MakeTable() {
    first_ = tmp_.Join("first.parquet");
    Copy("SELECT i::INTEGER AS id, 'n' || i AS name, (i * 1.25)::DECIMAL(9,2) AS price, (i % 7)::INTEGER AS qty, "
         "(i / 4)::FLOAT AS f, DATE '2024-01-01' + i::INTEGER AS d, {'a': (i * 10)::INTEGER, 'b': 'b' || i} AS s "
         "FROM range(1, 101) t(i)",
         first_);
    json r = Ingest(first_, "ev.t");
    ASSERT_TRUE(r.value("committed", false)) << r.dump();
  }

  std::string Q(const std::string& sql) {
    json j = LdpJson({"query", sql});
    const json& rows = j.is_object() ? j["rows"] : j;
    if (!rows.is_array() || rows.empty()) {
      ADD_FAILURE() << sql << " -> " << j.dump();
      return "";
    }
    const json& v = rows[0].begin().value();
    return v.is_null() ? "NULL" : v.is_string() ? v.get<std::string>() : v.dump();
  }

  json Alter(std::vector<std::string> args) {
    args.insert(args.begin(), {"alter", "ev.t"});
    return LdpJson(args);
  }

  void ExpectRefused(std::vector<std::string> args, const std::string& column, const std::string& reason) {
    SCOPED_TRACE(::testing::PrintToString(args));
    auto before = CatalogTable("ev", "t");
    auto files_before = FilesUnder(TableDir("ev", "t"));
    args.insert(args.begin(), {"alter", "ev.t"});
    ProcessResult r = Ldp(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    auto line = OneLine(r.err);
    ASSERT_TRUE(line) << r.Describe();
    EXPECT_THAT(*line, HasSubstr("'" + column + "'"));
    EXPECT_THAT(*line, HasSubstr(reason));
    auto after = CatalogTable("ev", "t");
    ASSERT_TRUE(before && after);
    EXPECT_EQ(before->metadata_location, after->metadata_location);
    EXPECT_EQ(files_before, FilesUnder(TableDir("ev", "t")));
  }

  std::string first_;
};

// Deletes (merge-on-read, so the read applies position deletes) on a table whose struct field was
// renamed: the renamed nested field keeps its values in files written before the rename.
TEST_F(CliAlter, RenamedNestedFieldWithDeletes) {
  MakeTable();
  ASSERT_EQ(Ldp({"properties", "ev.t", "--set", "write.delete.mode=merge-on-read", "--set",
                 "write.update.mode=merge-on-read"})
                .exit_code,
            0);
  json a = Alter({"--rename-column", "s.a:alpha", "--rename-column", "name:title"});
  ASSERT_TRUE(a.value("committed", false)) << a.dump();
  json d = LdpJson({"delete", "ev.t", "--where", "id <= 10"});
  ASSERT_EQ(d.value("delete_files_added", -1), 1) << d.dump();
  EXPECT_EQ(Q("SELECT count(*) FROM ev.t WHERE s.alpha IS NULL"), "0");
  EXPECT_EQ(Q("SELECT sum(s.alpha) FROM ev.t"), Scalar("SELECT sum(i * 10) FROM range(11, 101) t(i)"));
  EXPECT_EQ(Q("SELECT title || ':' || s.b FROM ev.t WHERE id = 42"), "n42:b42");
  // an update reads the old file through the same path and rewrites rows with the new names
  json u = LdpJson({"update", "ev.t", "--set", "qty = 99", "--where", "id = 50"});
  ASSERT_EQ(u.value("rows_updated", -1), 1) << u.dump();
  EXPECT_EQ(Q("SELECT s.alpha FROM ev.t WHERE id = 50 AND qty = 99"), "500");
  EXPECT_EQ(Q("SELECT sum(s.alpha) FROM ev.t"), Scalar("SELECT sum(i * 10) FROM range(11, 101) t(i)"));
}

TEST_F(CliAlter, RenameThenQueryOldAndNewFiles) {
  MakeTable();
  json a = Alter({"--rename-column", "name:title", "--rename-column", "s.a:alpha"});
  EXPECT_TRUE(a.value("committed", false)) << a.dump();
  EXPECT_EQ(a.value("schema_id", -1), 1);
  EXPECT_EQ(Q("SELECT title FROM ev.t WHERE id = 7"), "n7");
  EXPECT_EQ(Q("SELECT sum(s.alpha) FROM ev.t"), Scalar("SELECT sum(i * 10) FROM range(1, 101) t(i)"));
  // New file written with the new names.
  std::string second = tmp_.Join("second.parquet");
  Copy("SELECT 1000::INTEGER AS id, 'new' AS title, 1.5::DECIMAL(9,2) AS price, 3::INTEGER AS qty, 2.5::FLOAT AS f, "
       "DATE '2025-01-01' AS d, {'alpha': 5, 'b': 'x'} AS s",
       second);
  Ingest(second, "ev.t");
  EXPECT_EQ(Q("SELECT count(*) FROM ev.t WHERE title IS NOT NULL"), "101");
  EXPECT_EQ(Q("SELECT sum(s.alpha) FROM ev.t"), std::to_string(50500 + 5));
  EXPECT_EQ(Q("SELECT string_agg(title, ',' ORDER BY id) FROM ev.t WHERE id IN (1, 1000)"), "n1,new");
}

TEST_F(CliAlter, AddColumnsAreNullInOldFiles) {
  MakeTable();
  json a = Alter({"--add-column", "note string after name", "--add-column", "s.c long", "--add-column",
                  "tags list<string> first"});
  ASSERT_TRUE(a.value("committed", false)) << a.dump();
  EXPECT_EQ(a.value("last_column_id", 0), 13);  // 9 columns + note, s.c, tags, tags.element
  json d = LdpJson({"describe", "ev.t"});
  EXPECT_EQ(d["schema_count"], 2);
  EXPECT_EQ(d["current_schema_id"], 1);
  ASSERT_EQ(d["schema"]["fields"][0]["name"], "tags");
  EXPECT_EQ(d["schema"]["fields"][3]["name"], "note");
  EXPECT_EQ(d["schema"]["fields"][3]["id"], 10);
  EXPECT_EQ(Q("SELECT count(*) FROM ev.t WHERE note IS NULL AND s.c IS NULL AND tags IS NULL"), "100");
  EXPECT_EQ(Q("SELECT s.b FROM ev.t WHERE id = 3"), "b3");
  std::string second = tmp_.Join("second.parquet");
  Copy("SELECT ['x', 'y'] AS tags, 500::INTEGER AS id, 'm' AS name, 'hello' AS note, 1.00::DECIMAL(9,2) AS price, "
       "1::INTEGER AS qty, 1::FLOAT AS f, DATE '2025-01-01' AS d, {'a': 1, 'b': 'z', 'c': 42::BIGINT} AS s",
       second);
  Ingest(second, "ev.t");
  EXPECT_EQ(Q("SELECT note || '/' || s.c || '/' || len(tags) FROM ev.t WHERE id = 500"), "hello/42/2");
  EXPECT_EQ(Q("SELECT count(note) FROM ev.t"), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM ev.t"), "101");
}

TEST_F(CliAlter, DropColumnIsNotReadFromOldFilesAndNameCanBeReused) {
  MakeTable();
  ASSERT_TRUE(Alter({"--drop-column", "qty", "--drop-column", "s.b"}).value("committed", false));
  json d = LdpJson({"describe", "ev.t"});
  for (const auto& f : d["schema"]["fields"]) EXPECT_NE(f["name"], "qty");
  EXPECT_EQ(Q("SELECT count(*) FROM (SELECT * FROM ev.t) WHERE s.a IS NOT NULL"), "100");
  ProcessResult gone = Ldp({"query", "SELECT qty FROM ev.t"});
  EXPECT_NE(gone.exit_code, 0);
  // A new column with the dropped name is a new field id: NULL in the old files, not the old values.
  json a = Alter({"--add-column", "qty int"});
  EXPECT_EQ(a.value("last_column_id", 0), 10);
  EXPECT_EQ(Q("SELECT count(qty) FROM ev.t"), "0");
}

TEST_F(CliAlter, PromotionsReadOldFilesWithTheWiderType) {
  MakeTable();
  json a = Alter({"--change-type", "qty long", "--change-type", "f double", "--change-type", "price decimal(18,2)",
                  "--change-type", "s.a long"});
  ASSERT_TRUE(a.value("committed", false)) << a.dump();
  std::string second = tmp_.Join("second.parquet");
  Copy("SELECT 2000::INTEGER AS id, 'big' AS name, 12345678901.25::DECIMAL(18,2) AS price, 5000000000::BIGINT AS qty, "
       "0.1::DOUBLE AS f, DATE '2025-01-01' AS d, {'a': 9000000000::BIGINT, 'b': 'z'} AS s",
       second);
  Ingest(second, "ev.t");
  EXPECT_EQ(Q("SELECT sum(qty) FROM ev.t"),
            std::to_string(std::stoll(Scalar("SELECT sum(i % 7) FROM range(1, 101) t(i)")) + 5000000000LL));
  EXPECT_EQ(Q("SELECT typeof(qty) || ',' || typeof(f) || ',' || typeof(price) || ',' || typeof(s.a) FROM ev.t LIMIT 1"),
            "BIGINT,DOUBLE,DECIMAL(18,2),BIGINT");
  EXPECT_EQ(Q("SELECT max(price)::VARCHAR FROM ev.t"), "12345678901.25");
  EXPECT_EQ(Q("SELECT price::VARCHAR FROM ev.t WHERE id = 3"), "3.75");
  EXPECT_EQ(Q("SELECT f FROM ev.t WHERE id = 2"), "0.5");
  EXPECT_EQ(Q("SELECT sum(s.a) FROM ev.t"), std::to_string(50500 + 9000000000LL));
  // Pruning by the promoted column's bounds (old files have int bounds) still finds old rows.
  EXPECT_EQ(Q("SELECT count(*) FROM ev.t WHERE qty = 6"), Scalar("SELECT count(*) FROM range(1, 101) t(i) WHERE i % 7 = 6"));
}

TEST_F(CliAlter, MoveAndMakeOptional) {
  MakeTable();
  json a = Alter({"--move-column", "price first", "--move-column", "id after qty", "--move-column", "s.b before a"});
  ASSERT_TRUE(a.value("committed", false)) << a.dump();
  json cols = LdpJson({"query", "SELECT column_name FROM (DESCRIBE SELECT * FROM ev.t)"})["rows"];
  std::vector<std::string> order;
  for (const auto& c : cols) order.push_back(c["column_name"]);
  EXPECT_EQ(order, (std::vector<std::string>{"price", "name", "qty", "id", "f", "d", "s"}));
  EXPECT_EQ(Q("SELECT price::VARCHAR || s.b FROM ev.t WHERE id = 4"), "5.00b4");
  EXPECT_EQ(Q("SELECT typeof(s) FROM ev.t LIMIT 1"), "STRUCT(b VARCHAR, a INTEGER)");
  // Every ingested column is optional already: nothing to change, no commit.
  json o = Alter({"--make-optional", "qty"});
  EXPECT_FALSE(o.value("committed", true));
  ExpectRefused({"--make-required", "qty"}, "qty", "cannot make an optional column required");
}

TEST_F(CliAlter, SeveralChangesAreOneCommitAndAnIdenticalSchemaIsReused) {
  MakeTable();
  json md0 = CurrentMetadata("ev", "t");
  json a = Alter({"--rename-column", "name:title", "--add-column", "x int", "--drop-column", "f"});
  ASSERT_TRUE(a.value("committed", false));
  json md1 = CurrentMetadata("ev", "t");
  EXPECT_EQ(md1["metadata-log"].size(), md0["metadata-log"].size() + 1);
  EXPECT_EQ(md1["schemas"].size(), 2u);
  EXPECT_EQ(md1["current-schema-id"], 1);
  EXPECT_EQ(md1["last-column-id"], 10);
  EXPECT_EQ(md1["snapshots"], md0["snapshots"]);  // a schema change is not a snapshot
  // Renaming back is a third schema; going back to exactly schema 1 reuses its id.
  ASSERT_TRUE(Alter({"--rename-column", "title:name"}).value("new_schema", false));
  json b = Alter({"--rename-column", "name:title"});
  EXPECT_FALSE(b.value("new_schema", true));
  EXPECT_EQ(b.value("schema_id", -1), 1);
  json md3 = CurrentMetadata("ev", "t");
  EXPECT_EQ(md3["schemas"].size(), 3u);
  EXPECT_EQ(md3["current-schema-id"], 1);
  EXPECT_EQ(Q("SELECT title FROM ev.t WHERE id = 9"), "n9");
}

TEST_F(CliAlter, RefusalsNameTheColumnAndWriteNothing) {
  MakeTable();
  ExpectRefused({"--drop-column", "nope"}, "nope", "unknown column");
  ExpectRefused({"--rename-column", "nme:x"}, "nme", "unknown column");
  ExpectRefused({"--rename-column", "name:price"}, "name", "name clash");
  ExpectRefused({"--add-column", "Price int"}, "Price", "differ only in case");
  ExpectRefused({"--change-type", "qty string"}, "qty", "not an allowed promotion");
  ExpectRefused({"--change-type", "price decimal(5,2)"}, "price", "narrowing");
  ExpectRefused({"--change-type", "d timestamp"}, "d", "format version 3");
  ExpectRefused({"--add-column", "s.a.z int"}, "s.a.z", "not a struct");
  // A refusal anywhere in the list stops all of them.
  ExpectRefused({"--add-column", "ok int", "--drop-column", "nope"}, "nope", "unknown column");
  ProcessResult bad_type = Ldp({"alter", "ev.t", "--add-column", "z lnog"});
  EXPECT_EQ(bad_type.exit_code, 2);
  EXPECT_THAT(bad_type.err, HasSubstr("lnog"));
  ProcessResult none = Ldp({"alter", "ev.t"});
  EXPECT_EQ(none.exit_code, 2);
  ProcessResult missing = Ldp({"alter", "ev.nope", "--drop-column", "x"});
  EXPECT_EQ(missing.exit_code, 3);
}

// Files whose writing schema the metadata does not tell (a foreign writer's snapshot without
// schema-id, or an expired snapshot) are read by the field ids in their own Parquet schema.
TEST_F(CliAlter, FilesOfAnUnknownWritingSchemaAreReadByTheirOwnFieldIds) {
  MakeTable();
  ASSERT_TRUE(Alter({"--rename-column", "s.a:alpha", "--add-column", "s.c int", "--rename-column", "name:title",
                     "--change-type", "qty long"})
                  .value("committed", false));
  // Take schema-id out of every snapshot, as a writer that does not record it would leave them.
  auto row = CatalogTable("ev", "t");
  ASSERT_TRUE(row);
  json md = json::parse(ReadFile(LocalPath(row->metadata_location)));
  for (auto& snap : md["snapshots"]) snap.erase("schema-id");
  WriteFile(LocalPath(row->metadata_location), md.dump(2));
  EXPECT_EQ(Q("SELECT sum(s.alpha) FROM ev.t"), Scalar("SELECT sum(i * 10) FROM range(1, 101) t(i)"));
  EXPECT_EQ(Q("SELECT count(*) FROM ev.t WHERE s.c IS NULL AND title IS NOT NULL"), "100");
  EXPECT_EQ(Q("SELECT title || ':' || s.b || ':' || typeof(qty) FROM ev.t WHERE id = 5"), "n5:b5:BIGINT");
}

// ---- ingest --evolve --------------------------------------------------------------------------

class CliEvolve : public CliAlter {};

TEST_F(CliEvolve, TaxiMonthThenA2025StyleMonth) {
  const std::string m2023 = tmp_.Join("yellow_2023-01.parquet");
  const std::string base2025 = tmp_.Join("base_2025.parquet");
  const std::string m2025 = tmp_.Join("yellow_2025-01.parquet");
  ASSERT_OK(demo::GenerateTaxiMonth(duck(), {.rows = 3000}, m2023));
  ASSERT_OK(demo::GenerateTaxiMonth(duck(), {.rows = 2000, .seed = 9, .year = 2025, .month = 1}, base2025));
  // 2025's files spell the column Airport_fee and add cbd_congestion_fee.
  Copy(fmt::format("SELECT * EXCLUDE (airport_fee), airport_fee AS Airport_fee, "
                   "CASE WHEN trip_distance > 2 THEN 0.75::DOUBLE END AS cbd_congestion_fee FROM {}",
                   Parquet(base2025)),
       m2025);
  Ingest(m2023, "nyc.yellow");
  json md0 = CurrentMetadata("nyc", "yellow");
  auto files0 = FilesUnder(TableDir("nyc", "yellow"));

  // Without --evolve: the existing clear error, nothing changes.
  ProcessResult plain = Ldp({"ingest", m2025, "--table", "nyc.yellow"});
  EXPECT_EQ(plain.exit_code, 2) << plain.Describe();
  EXPECT_THAT(plain.err, HasSubstr("cbd_congestion_fee"));
  EXPECT_EQ(CurrentMetadata("nyc", "yellow"), md0);
  EXPECT_EQ(FilesUnder(TableDir("nyc", "yellow")), files0);

  // With --evolve: one commit adds the column, matches Airport_fee to airport_fee, and the data.
  ProcessResult human = Ldp({"ingest", m2025, "--table", "nyc.yellow", "--evolve"});
  ASSERT_EQ(human.exit_code, 0) << human.Describe();
  EXPECT_THAT(human.out, HasSubstr("added column 'cbd_congestion_fee' (double)"));
  EXPECT_THAT(human.out, HasSubstr("source column 'Airport_fee' matched table column 'airport_fee'"));
  json md1 = CurrentMetadata("nyc", "yellow");
  EXPECT_EQ(md1["schemas"].size(), 2u);
  EXPECT_EQ(md1["metadata-log"].size(), md0["metadata-log"].size() + 1);  // schema and data: one commit
  EXPECT_EQ(md1["last-column-id"], md0["last-column-id"].get<int>() + 1);
  EXPECT_EQ(md1["snapshots"].back()["schema-id"], 1);
  json fields = md1["schemas"][1]["fields"];
  EXPECT_EQ(fields.back()["name"], "cbd_congestion_fee");
  EXPECT_EQ(fields.back()["id"], md1["last-column-id"]);
  int airport_id = -1;
  for (const auto& f : fields)
    if (f["name"] == "airport_fee") airport_id = f["id"];
  int airport_id0 = -1;
  for (const auto& f : md0["schemas"][0]["fields"])
    if (f["name"] == "airport_fee") airport_id0 = f["id"];
  EXPECT_EQ(airport_id, airport_id0);

  json q = LdpJson({"query", "SELECT count(*) AS n, count(cbd_congestion_fee) AS cbd, sum(airport_fee) AS af FROM nyc.yellow"})["rows"];
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["n"], 5000);
  EXPECT_EQ(q[0]["cbd"].dump(), Scalar(fmt::format("SELECT count(cbd_congestion_fee) FROM {}", Parquet(m2025))));
  double expected_af = std::stod(Scalar(fmt::format(
      "SELECT (SELECT sum(airport_fee) FROM {}) + (SELECT sum(Airport_fee) FROM {})", Parquet(m2023), Parquet(m2025))));
  EXPECT_NEAR(q[0]["af"].get<double>(), expected_af, 1e-6);
  // Row for row: the 2023 rows are read unchanged.
  json all = LdpJson({"query", "SELECT count(*) AS n FROM (SELECT * EXCLUDE (cbd_congestion_fee) FROM nyc.yellow "
                               "EXCEPT ALL SELECT * FROM read_parquet('" + m2023 + "'))"})["rows"];
  EXPECT_EQ(all[0]["n"], 2000);  // exactly the 2025 rows are not in the 2023 file
}

TEST_F(CliEvolve, PromotionAndRefusalLeaveNothingBehind) {
  const std::string a = tmp_.Join("a.parquet"), b = tmp_.Join("b.parquet"), c = tmp_.Join("c.parquet");
  Copy("SELECT i::INTEGER AS n, i::FLOAT AS x, 'k' || i AS k FROM range(10) t(i)", a);
  Copy("SELECT (i + 5000000000)::BIGINT AS n, i::DOUBLE AS x, 'k' AS k, i AS extra FROM range(5) t(i)", b);
  Copy("SELECT i::INTEGER AS n, 1.5::FLOAT AS x, 42 AS k, 1 AS more FROM range(5) t(i)", c);
  Ingest(a, "ev.p");
  json md0 = CurrentMetadata("ev", "p");
  auto files0 = FilesUnder(TableDir("ev", "p"));
  // k is a string in the table and an integer here (and 'more' would be new): refused as a whole.
  ProcessResult bad = Ldp({"ingest", c, "--table", "ev.p", "--evolve"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  auto line = OneLine(bad.err);
  ASSERT_TRUE(line) << bad.Describe();
  EXPECT_THAT(*line, HasSubstr("'k'"));
  EXPECT_EQ(CurrentMetadata("ev", "p"), md0);
  EXPECT_EQ(FilesUnder(TableDir("ev", "p")), files0);

  json r = Ingest(b, "ev.p", {"--evolve"});
  EXPECT_TRUE(r.value("schema_evolved", false)) << r.dump();
  json types = LdpJson({"query", "SELECT typeof(n) AS tn, typeof(x) AS tx, sum(n) AS s, count(extra) AS e FROM ev.p GROUP BY ALL"})["rows"];
  ASSERT_EQ(types.size(), 1u);
  EXPECT_EQ(types[0]["tn"], "BIGINT");
  EXPECT_EQ(types[0]["tx"], "DOUBLE");
  EXPECT_EQ(types[0]["s"], 45 + 5 * 5000000000LL + 10);
  EXPECT_EQ(types[0]["e"], 5);
  // A source that lacks a table column under --evolve: NULL in the new rows.
  Ingest(a, "ev.p", {"--evolve"});
  EXPECT_EQ(Q("SELECT count(*) FROM ev.p WHERE extra IS NULL"), "20");
}

}  // namespace
}  // namespace ldp::testing
