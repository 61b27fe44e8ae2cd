// Data file layout seen from the CLI: files split at the configured target size, and queries
// that plan only the data files whose column bounds can match.

#include <filesystem>

#include "integration/cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;

class CliFiles : public CliTest {};

TEST_F(CliFiles, TargetFileSizeSplitsDataFiles) {
  // write.target-file-size-bytes in ldp.yaml (Project::ParseConfig), 1 MiB.
  const std::string cfg_path = project_ + "/ldp.yaml";
  std::string cfg = ReadFile(cfg_path);
  const std::string key = "target-file-size-bytes: 536870912";
  auto pos = cfg.find(key);
  ASSERT_NE(pos, std::string::npos) << cfg;
  cfg.replace(pos, key.size(), "target-file-size-bytes: 1048576");
  WriteFile(cfg_path, cfg);

  // About 10 MB of poorly compressible data in narrow rows. DuckDB closes a file only between row
  // groups (122880 rows by default), so the rows must be narrow for 1 MiB files to be possible.
  const std::string src = tmp_.Join("big.parquet");
  Copy("SELECT i AS id, random() AS r, (random() * 1e9)::INTEGER AS k FROM range(700000) t(i)",
       src);
  const auto src_size = fs::file_size(src);
  ASSERT_GT(src_size, 7u << 20);
  ASSERT_LT(src_size, 20u << 20);

  auto ing = Ingest(src, "big.t");
  const int64_t n = Count(Parquet(src));
  EXPECT_EQ(ing.value("rows", -1), n);
  const int64_t data_files = ing.value("data_files", -1);
  // Files close only between row groups (122880 rows here), and parallel writers may put two row
  // groups in one file, so ~8 MB written at a 1 MiB target gives 3 to 7 files, not 8.
  EXPECT_GE(data_files, 3) << ing.dump(2) << "\nsource bytes " << src_size;

  // The files on disk are the ones the snapshot lists, and their rows add up.
  std::vector<std::string> on_disk;
  for (const auto& f : FilesUnder(TableDir("big", "t") + "/data"))
    if (f.size() > 8 && f.substr(f.size() - 8) == ".parquet") on_disk.push_back(f);
  EXPECT_EQ(static_cast<int64_t>(on_disk.size()), data_files);
  std::string list;
  for (const auto& f : on_disk) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(f);
  EXPECT_EQ(Scalar("SELECT sum(num_rows) FROM parquet_file_metadata([" + list + "])"),
            std::to_string(n));
  auto desc = LdpJson({"describe", "big.t"});
  EXPECT_EQ(desc["current_snapshot"]["summary"].value("total-data-files", ""),
            std::to_string(data_files));
  EXPECT_EQ(desc["current_snapshot"]["summary"].value("total-records", ""), std::to_string(n));

  // Every row arrived once: the query over all files agrees with the source.
  ProcessResult q =
      Ldp({"query", "SELECT count(*) AS n, count(DISTINCT id) AS d, sum(id) AS s FROM big.t",
           "--format", "csv", "--explain-scan"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out,
            fmt::format("n,d,s\n{0},{0},{1}\n", n, Scalar("SELECT sum(id) FROM " + Parquet(src))));
  EXPECT_NE(q.err.find(fmt::format("{0} of {0} data files planned", data_files)), std::string::npos)
      << q.err;
}

TEST_F(CliFiles, PruningByColumnBounds) {
  const std::string lo = tmp_.Join("lo.parquet");
  const std::string hi = tmp_.Join("hi.parquet");
  Copy("SELECT i AS id, 'lo' || i AS s FROM range(0, 100) t(i)", lo);
  Copy("SELECT i AS id, 'hi' || i AS s FROM range(100, 200) t(i)", hi);
  Ingest(lo, "pr.t");
  Ingest(hi, "pr.t");
  const std::string both =
      fmt::format("(SELECT * FROM {} UNION ALL SELECT * FROM {})", Parquet(lo), Parquet(hi));

  struct Case {
    std::string where;
    int planned;
  };
  for (const Case& c : std::vector<Case>{{"id = 5", 1},
                                         {"id = 150", 1},
                                         {"id = 1000", 0},
                                         {"id >= 0", 2},
                                         {"id BETWEEN 120 AND 130", 1},
                                         {"id IN (1, 2, 3)", 1},
                                         {"s = 'lo5'", 1}}) {
    SCOPED_TRACE(c.where);
    const std::string sql = "SELECT count(*) AS n FROM pr.t WHERE " + c.where;
    ProcessResult r = Ldp({"query", sql, "--format", "csv", "--explain-scan"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.err.find(fmt::format("{} of 2 data files planned", c.planned)), std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, fmt::format("n\n{}\n", Scalar(fmt::format("SELECT count(*) FROM {} WHERE {}",
                                                               both, c.where))));
  }

  // Without --explain-scan nothing is said on stderr.
  ProcessResult quiet = Ldp({"query", "SELECT count(*) FROM pr.t WHERE id = 5", "--format", "csv"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.Describe();
  EXPECT_EQ(quiet.err, "");

  // --json carries the scans with planned and total files next to the rows.
  auto j = LdpJson({"query", "SELECT count(*) AS n FROM pr.t WHERE id = 5"});
  ASSERT_TRUE(j.contains("scans") && j["scans"].is_array() && j["scans"].size() == 1) << j.dump(2);
  EXPECT_EQ(j["scans"][0].value("table", ""), "pr.t");
  EXPECT_EQ(j["scans"][0].value("planned_files", -1), 1);
  EXPECT_EQ(j["scans"][0].value("total_files", -1), 2);
  auto desc = LdpJson({"describe", "pr.t"});
  EXPECT_EQ(j["scans"][0].value("snapshot_id", int64_t{0}),
            desc["current_snapshot"].value("snapshot-id", int64_t{-1}));
  ASSERT_EQ(j["rows"].size(), 1u);
  EXPECT_EQ(j["rows"][0].value("n", -1), 1);
}

}  // namespace
}  // namespace ldp::testing
