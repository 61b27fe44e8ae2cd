// End to end through the binary: ingest -> tables/describe/snapshots -> query/export, compared
// with DuckDB reading the source files directly.

#include <filesystem>
#include <regex>

#include "integration/cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;

// A source with several types and some NULLs; `offset` shifts the ids so files differ.
std::string SourceSelect(int64_t rows, int64_t offset) {
  return fmt::format(
      "SELECT i AS id, (i * 1.5)::DOUBLE AS amount, CASE WHEN i % 10 = 3 THEN NULL ELSE 'name_' || "
      "i END AS name, "
      "DATE '2024-01-01' + (i % 365)::INTEGER AS day, i % 7 = 0 AS flag, ((i % 1000) / "
      "8)::DECIMAL(10, 3) AS price, "
      "TIMESTAMP '2024-03-01 00:00:00' + INTERVAL (i) SECOND AS ts, (i % 100)::INTEGER AS small "
      "FROM range({}, {}) t(i)",
      offset, offset + rows);
}

// Splits "a,b\n1,2\n" into lines (no quoting needed for the numbers compared here).
std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class CliEndToEnd : public CliTest {
 protected:
  // The same aggregate, rendered by DuckDB as the CLI renders CSV (header, then values).
  std::string ExpectedCsv(const std::string& select) {
    auto r = Sql(select);
    std::string out;
    for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "," : "") + r.columns[c].name;
    out += "\n";
    for (const auto& row : r.rows) {
      for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + row[c].value_or("");
      out += "\n";
    }
    return out;
  }

  // Exports ns.t with the CLI and returns how many rows differ from `relation` (both ways).
  int64_t DiffAfterExport(const std::string& table, const std::string& relation) {
    std::string out = tmp_.Join("export-" + std::to_string(++exports_) + ".parquet");
    auto j = LdpJson({"export", table, "--to", out});
    EXPECT_TRUE(fs::exists(out)) << j.dump();
    EXPECT_EQ(j.value("rows", -1), Count(relation));
    return Difference(Parquet(out), relation);
  }

  int exports_ = 0;
};

TEST_F(CliEndToEnd, ParquetAppendOverwriteAndMetadata) {
  const std::string src1 = tmp_.Join("src1.parquet");
  const std::string src2 = tmp_.Join("src2.parquet");
  const std::string src3 = tmp_.Join("src3.parquet");
  Copy(SourceSelect(1500, 0), src1);
  Copy(SourceSelect(1500, 5000), src2);
  Copy(SourceSelect(700, 90000), src3);
  const int64_t n1 = Count(Parquet(src1));

  // ---- first ingest creates the table
  auto ing = Ingest(src1, "ns.t");
  EXPECT_EQ(ing.value("rows", -1), n1);
  EXPECT_TRUE(ing.value("created_table", false));
  EXPECT_TRUE(ing.value("committed", false));
  const int64_t snap1 = ing.value("snapshot_id", int64_t{0});
  EXPECT_NE(snap1, 0);

  // ---- tables
  auto tables = LdpJson({"tables"});
  ASSERT_TRUE(tables.is_array());
  ASSERT_EQ(tables.size(), 1u) << tables.dump(2);
  EXPECT_EQ(tables[0].value("table", ""), "ns.t");
  EXPECT_EQ(tables[0].value("records", -1), n1);
  EXPECT_EQ(tables[0].value("snapshots", -1), 1);
  EXPECT_EQ(tables[0].value("current_snapshot_id", int64_t{0}), snap1);

  // ---- describe: field ids 1..n in source column order, location, current snapshot
  auto desc = LdpJson({"describe", "ns.t"});
  auto source_cols = Sql("DESCRIBE SELECT * FROM " + Parquet(src1));
  const auto& fields = desc["schema"]["fields"];
  ASSERT_EQ(fields.size(), source_cols.rows.size()) << desc.dump(2);
  for (size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(fields[i].value("id", -1), static_cast<int>(i + 1)) << fields[i].dump();
    EXPECT_EQ(fields[i].value("name", ""), source_cols.rows[i][0].value_or("?"));
  }
  EXPECT_EQ(fields[0].value("type", ""), "long");
  EXPECT_EQ(fields[1].value("type", ""), "double");
  EXPECT_EQ(fields[2].value("type", ""), "string");
  EXPECT_EQ(fields[3].value("type", ""), "date");
  EXPECT_EQ(fields[4].value("type", ""), "boolean");
  EXPECT_EQ(fields[6].value("type", ""), "timestamp");
  EXPECT_EQ(fields[7].value("type", ""), "int");
  EXPECT_EQ(LocalPath(desc.value("location", "")), TableDir("ns", "t"));
  EXPECT_EQ(desc.value("format_version", 0), 2);
  EXPECT_EQ(desc["current_snapshot"].value("snapshot-id", int64_t{0}), snap1);
  auto row = CatalogTable("ns", "t");
  ASSERT_TRUE(row);
  EXPECT_EQ(desc.value("metadata_location", ""), row->metadata_location);
  EXPECT_EQ(ing.value("metadata_location", ""), row->metadata_location);

  // ---- snapshots
  auto snaps = LdpJson({"snapshots", "ns.t"});
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].value("snapshot-id", int64_t{0}), snap1);
  EXPECT_FALSE(snaps[0].contains("parent-snapshot-id")) << snaps.dump(2);
  EXPECT_EQ(snaps[0]["summary"].value("operation", ""), "append");
  EXPECT_EQ(snaps[0]["summary"].value("added-records", ""), std::to_string(n1));
  EXPECT_TRUE(snaps[0].value("current", false));

  // ---- query: csv and json agree with DuckDB on the source
  const std::string agg =
      "SELECT count(*) AS n, sum(id) AS s, sum(price) AS p, count(name) AS names, "
      "min(day) AS d0, max(ts) AS t1, count(*) FILTER (WHERE flag) AS flags FROM ";
  ProcessResult csv = Ldp({"query", agg + "ns.t", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.Describe();
  EXPECT_EQ(csv.out, ExpectedCsv(agg + Parquet(src1)));
  ProcessResult json = Ldp({"query", agg + "ns.t", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  auto jrows = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(jrows.is_array() && jrows.size() == 1) << json.out;
  EXPECT_EQ(jrows[0].value("n", int64_t{-1}), n1);
  EXPECT_EQ(jrows[0].value("s", int64_t{-1}),
            std::stoll(Scalar("SELECT sum(id) FROM " + Parquet(src1))));
  EXPECT_NEAR(jrows[0].value("p", 0.0),
              std::stod(Scalar("SELECT sum(price) FROM " + Parquet(src1))), 1e-6);
  EXPECT_EQ(jrows[0].value("d0", ""), Scalar("SELECT min(day) FROM " + Parquet(src1)));
  // Doubles: summation order may differ, so compare with a tolerance.
  ProcessResult dsum = Ldp({"query", "SELECT sum(amount) AS a FROM ns.t", "--format", "json"});
  auto dj = nlohmann::json::parse(dsum.out, nullptr, false);
  ASSERT_TRUE(dj.is_array() && !dj.empty()) << dsum.Describe();
  EXPECT_NEAR(dj[0].value("a", 0.0), std::stod(Scalar("SELECT sum(amount) FROM " + Parquet(src1))),
              1e-3);

  // ---- the whole table equals the source
  EXPECT_EQ(DiffAfterExport("ns.t", Parquet(src1)), 0);

  // ---- second append: twice the rows, a snapshot whose parent is the first
  auto ing2 = Ingest(src2, "ns.t");
  EXPECT_FALSE(ing2.value("created_table", true));
  const int64_t snap2 = ing2.value("snapshot_id", int64_t{0});
  snaps = LdpJson({"snapshots", "ns.t"});
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_EQ(snaps[1].value("snapshot-id", int64_t{0}), snap2);
  EXPECT_EQ(snaps[1].value("parent-snapshot-id", int64_t{0}), snap1);
  EXPECT_GT(snaps[1].value("sequence-number", 0), snaps[0].value("sequence-number", 0));
  EXPECT_TRUE(snaps[1].value("current", false));
  EXPECT_FALSE(snaps[0].value("current", true));
  const std::string both =
      fmt::format("(SELECT * FROM {} UNION ALL SELECT * FROM {})", Parquet(src1), Parquet(src2));
  const int64_t n12 = Count(both);
  EXPECT_EQ(n12, 2 * n1);
  ProcessResult count = Ldp({"query", "SELECT count(*) AS n FROM ns.t", "--format", "csv"});
  EXPECT_EQ(count.out, "n\n" + std::to_string(n12) + "\n") << count.Describe();
  EXPECT_EQ(DiffAfterExport("ns.t", both), 0);

  // ---- overwrite: only the new rows remain; one new snapshot, operation overwrite
  auto ing3 = Ingest(src3, "ns.t", {"--mode", "overwrite"});
  const int64_t snap3 = ing3.value("snapshot_id", int64_t{0});
  snaps = LdpJson({"snapshots", "ns.t"});
  ASSERT_EQ(snaps.size(), 3u);
  EXPECT_EQ(snaps[2].value("snapshot-id", int64_t{0}), snap3);
  EXPECT_EQ(snaps[2].value("parent-snapshot-id", int64_t{0}), snap2);
  EXPECT_EQ(snaps[2]["summary"].value("operation", ""), "overwrite");
  EXPECT_EQ(snaps[2]["summary"].value("total-records", ""), std::to_string(Count(Parquet(src3))));
  EXPECT_EQ(snaps[2]["summary"].value("deleted-records", ""), std::to_string(n12));
  EXPECT_EQ(DiffAfterExport("ns.t", Parquet(src3)), 0);
  tables = LdpJson({"tables", "ns"});
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].value("records", -1), Count(Parquet(src3)));

  // ---- metadata files: NNNNN-<uuid>.metadata.json, one per commit, metadata-log grows
  const std::regex name_re(
      "^([0-9]{5})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.metadata\\."
      "json$");
  std::set<int> versions;
  for (const auto& f : FilesUnder(TableDir("ns", "t") + "/metadata")) {
    std::string base = fs::path(f).filename().string();
    if (base.size() < 14 || base.substr(base.size() - 14) != ".metadata.json") continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(base, m, name_re)) << base;
    versions.insert(std::stoi(m[1]));
  }
  EXPECT_EQ(versions, (std::set<int>{0, 1, 2, 3}));
  row = CatalogTable("ns", "t");
  ASSERT_TRUE(row);
  EXPECT_EQ(fs::path(row->metadata_location).filename().string().substr(0, 6), "00003-");
  ASSERT_TRUE(row->previous_metadata_location);
  EXPECT_EQ(fs::path(*row->previous_metadata_location).filename().string().substr(0, 6), "00002-");
  auto md = CurrentMetadata("ns", "t");
  ASSERT_TRUE(md.contains("metadata-log")) << md.dump(2);
  ASSERT_EQ(md["metadata-log"].size(), 3u) << md["metadata-log"].dump(2);
  EXPECT_EQ(md["metadata-log"][2].value("metadata-file", ""), *row->previous_metadata_location);
  for (int v = 0; v < 3; ++v)
    EXPECT_EQ(
        fs::path(md["metadata-log"][v].value("metadata-file", "")).filename().string().substr(0, 6),
        fmt::format("{:05d}-", v));
  EXPECT_EQ(md.value("current-snapshot-id", int64_t{0}), snap3);

  // ---- the log keeps the newest write.metadata.previous-versions-max entries (default 100)
  ASSERT_EQ(Ldp({"properties", "ns.t", "--set", "write.metadata.previous-versions-max=2"}).exit_code, 0);
  Ingest(src1, "ns.t", {});
  md = CurrentMetadata("ns", "t");
  ASSERT_EQ(md["metadata-log"].size(), 2u) << md["metadata-log"].dump(2);
  EXPECT_EQ(fs::path(md["metadata-log"][0].value("metadata-file", "")).filename().string().substr(0, 6), "00003-");
  EXPECT_EQ(fs::path(md["metadata-log"][1].value("metadata-file", "")).filename().string().substr(0, 6), "00004-");
}

TEST_F(CliEndToEnd, CsvAndJsonSources) {
  const std::string select = SourceSelect(400, 0);
  struct Case {
    std::string file, table, copy_options, read;
  };
  std::vector<Case> cases = {
      {"in.csv", "fmt.csv_t", "FORMAT csv, HEADER true", "read_csv"},
      {"in.json", "fmt.ndjson_t", "FORMAT json", "read_json"},
      {"in_array.json", "fmt.array_t", "FORMAT json, ARRAY true", "read_json"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    std::string path = tmp_.Join(c.file);
    Copy(select, path, c.copy_options);
    if (c.file == "in_array.json") {
      ASSERT_EQ(ReadFile(path).substr(0, 1), "[");
    } else if (c.file == "in.json") {
      ASSERT_EQ(ReadFile(path).substr(0, 1), "{");
    }
    auto ing = Ingest(path, c.table);
    std::string relation = c.read + "(" + engine::QuoteLiteral(path) + ")";
    EXPECT_EQ(ing.value("rows", -1), Count(relation));
    EXPECT_EQ(ing.value("source_files", -1), 1);
    EXPECT_EQ(DiffAfterExport(c.table, relation), 0);
    // Same inferred types as DuckDB gives the file.
    auto desc = LdpJson({"describe", c.table});
    EXPECT_EQ(desc["schema"]["fields"].size(),
              Sql("DESCRIBE SELECT * FROM " + relation).rows.size());
  }
  auto tables = LdpJson({"tables", "fmt"});
  EXPECT_EQ(tables.size(), cases.size());
}

TEST_F(CliEndToEnd, GlobAndFolderSources) {
  const std::string dir = tmp_.Join("parts");
  fs::create_directories(dir + "/sub");
  Copy(SourceSelect(300, 0), dir + "/a.parquet");
  Copy(SourceSelect(200, 1000), dir + "/b.parquet");
  Copy(SourceSelect(100, 2000), dir + "/sub/c.parquet");
  Copy(SourceSelect(50, 3000), dir + "/skip.csv", "FORMAT csv, HEADER true");

  // The glob matches a.parquet and b.parquet only (not the sub folder, not the csv).
  auto g = Ingest(dir + "/*.parquet", "multi.globbed");
  const std::string glob_rel = "read_parquet(" + engine::QuoteLiteral(dir + "/*.parquet") + ")";
  EXPECT_EQ(g.value("source_files", -1), 2);
  EXPECT_EQ(g.value("rows", -1), Count(glob_rel));
  EXPECT_EQ(DiffAfterExport("multi.globbed", glob_rel), 0);

  // A folder is read recursively; --format picks the parquet files out of a mixed folder.
  auto f = Ingest(dir, "multi.folder", {"--format", "parquet"});
  const std::string all_rel = "read_parquet(" + engine::QuoteLiteral(dir + "/**/*.parquet") + ")";
  EXPECT_EQ(f.value("source_files", -1), 3);
  EXPECT_EQ(f.value("rows", -1), Count(all_rel));
  EXPECT_EQ(DiffAfterExport("multi.folder", all_rel), 0);

  // A folder with mixed formats and no --format is refused, naming the folder.
  ProcessResult mixed = Ldp({"ingest", dir, "--table", "multi.mixed"});
  EXPECT_NE(mixed.exit_code, 0) << mixed.Describe();
  auto line = OneLine(mixed.err);
  ASSERT_TRUE(line) << mixed.Describe();
  EXPECT_NE(line->find(dir), std::string::npos) << *line;
  EXPECT_FALSE(CatalogTable("multi", "mixed"));
}

TEST_F(CliEndToEnd, GlobalFlagsBeforeTheCommand) {
  const std::string src = tmp_.Join("s.parquet");
  Copy(SourceSelect(10, 0), src);
  ProcessResult r = RunLdp({"--project", project_, "--json", "ingest", src, "--table", "pre.t"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j.value("rows", -1), 10);
  // And LDP_PROJECT instead of --project.
  SubprocessOptions env;
  env.env["LDP_PROJECT"] = project_;
  ProcessResult q = RunLdp({"query", "SELECT count(*) AS n FROM pre.t", "--format", "csv"}, env);
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(Lines(q.out), (std::vector<std::string>{"n", "10"}));
}

TEST_F(CliEndToEnd, QuietPrintsNothingOnSuccess) {
  const std::string src = tmp_.Join("q.parquet");
  Copy(SourceSelect(20, 0), src);
  // Created, appended to, overwritten, emptied (no snapshot), exported: silent each time, and
  // the work is still done.
  for (const std::string mode : {"append", "append", "overwrite"}) {
    ProcessResult r = Ldp({"ingest", src, "--table", "quiet.t", "--mode", mode, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.out, "") << mode;
    EXPECT_EQ(r.err, "") << mode;
  }
  const std::string empty = tmp_.Join("empty.parquet");
  Copy(SourceSelect(0, 0), empty);
  ProcessResult none = Ldp({"-q", "ingest", empty, "--table", "quiet.t"});
  ASSERT_EQ(none.exit_code, 0) << none.Describe();
  EXPECT_EQ(none.out + none.err, "");
  const std::string out = tmp_.Join("quiet.csv");
  ProcessResult ex = Ldp({"export", "quiet.t", "--to", out, "--quiet"});
  ASSERT_EQ(ex.exit_code, 0) << ex.Describe();
  EXPECT_EQ(ex.out + ex.err, "");
  EXPECT_EQ(Lines(ReadFile(out)).size(), 21u);  // header + 20 rows: overwrite left one copy

  // Without --quiet the same commands say what they did; errors still print under --quiet.
  ProcessResult loud = Ldp({"ingest", src, "--table", "quiet.t"});
  ASSERT_EQ(loud.exit_code, 0) << loud.Describe();
  EXPECT_NE(loud.out.find("Appended 20 rows"), std::string::npos) << loud.out;
  ProcessResult bad = Ldp({"ingest", tmp_.Join("missing.parquet"), "--table", "quiet.t", "--quiet"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(OneLine(bad.err)) << bad.Describe();
}

}  // namespace
}  // namespace ldp::testing
