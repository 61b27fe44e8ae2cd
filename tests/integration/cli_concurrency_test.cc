// Several `ldp ingest` processes committing to one table at the same time: every commit lands,
// none is lost, and the snapshot history is one line.

#include <set>

#include "integration/cli_fixture.h"

namespace ldp::testing {
namespace {

class CliConcurrency : public CliTest {};

TEST_F(CliConcurrency, ParallelIngestsIntoOneTableAllCommit) {
  constexpr int kWriters = 4;
  const std::string base = tmp_.Join("base.parquet");
  Copy("SELECT i AS id, 'base' AS who FROM range(0, 50) t(i)", base);
  Ingest(base, "cc.t");

  std::vector<std::string> sources;
  std::string all = "(SELECT * FROM " + Parquet(base);
  for (int w = 0; w < kWriters; ++w) {
    std::string src = tmp_.Join(fmt::format("w{}.parquet", w));
    // Different sizes and disjoint ids, so a lost or doubled commit shows in the totals.
    Copy(fmt::format("SELECT i AS id, 'w{}' AS who FROM range({}, {}) t(i)", w, 1000 * (w + 1),
                     1000 * (w + 1) + 100 * (w + 1)),
         src);
    sources.push_back(src);
    all += " UNION ALL SELECT * FROM " + Parquet(src);
  }
  all += ")";

  // Start every writer before waiting for any.
  std::vector<Subprocess> procs;
  for (const auto& src : sources) {
    auto p = Subprocess::Start(
        {LDP_BIN, "ingest", src, "--table", "cc.t", "--json", "--project", project_},
        {{{"LDP_PROJECT", std::nullopt}}, ""});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    procs.push_back(std::move(p).value());
  }
  std::set<int64_t> committed_ids;
  int retried = 0;
  for (auto& p : procs) {
    auto r = p.Wait();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->exit_code, 0) << r->Describe();
    auto j = nlohmann::json::parse(r->out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r->Describe();
    EXPECT_TRUE(j.value("committed", false));
    committed_ids.insert(j.value("snapshot_id", int64_t{0}));
    if (j.value("commit_attempts", 1) > 1) ++retried;
  }
  EXPECT_EQ(committed_ids.size(), static_cast<size_t>(kWriters));

  // 1 + kWriters snapshots in one parent chain, ending at the current one.
  auto snaps = LdpJson({"snapshots", "cc.t"});
  ASSERT_EQ(snaps.size(), static_cast<size_t>(1 + kWriters)) << snaps.dump(2);
  std::set<int64_t> seen;
  for (size_t i = 0; i < snaps.size(); ++i) {
    int64_t id = snaps[i].value("snapshot-id", int64_t{0});
    seen.insert(id);
    EXPECT_EQ(snaps[i].value("sequence-number", -1), static_cast<int>(i + 1));
    if (i == 0) continue;
    EXPECT_EQ(snaps[i].value("parent-snapshot-id", int64_t{0}),
              snaps[i - 1].value("snapshot-id", int64_t{-1}));
    EXPECT_TRUE(committed_ids.count(id)) << "snapshot " << id << " not reported by any writer";
  }
  EXPECT_TRUE(snaps.back().value("current", false));
  EXPECT_EQ(snaps.back()["summary"].value("total-records", ""), std::to_string(Count(all)));

  // Exactly the rows of all sources, each once.
  ProcessResult q =
      Ldp({"query", "SELECT count(*) AS n, count(DISTINCT id) AS d FROM cc.t", "--format", "csv"});
  EXPECT_EQ(q.out, fmt::format("n,d\n{0},{0}\n", Count(all))) << q.Describe();
  const std::string out = tmp_.Join("all.parquet");
  ASSERT_EQ(Ldp({"export", "cc.t", "--to", out}).exit_code, 0);
  EXPECT_EQ(Difference(Parquet(out), all), 0);

  // One metadata file per commit, none left over from lost races.
  auto md = CurrentMetadata("cc", "t");
  // One entry per earlier version: the create, the first ingest and all but the last writer.
  EXPECT_EQ(md["metadata-log"].size(), static_cast<size_t>(1 + kWriters));
  size_t metadata_files = 0, manifest_lists = 0;
  for (const auto& f : FilesUnder(TableDir("cc", "t") + "/metadata")) {
    if (f.find(".metadata.json") != std::string::npos) ++metadata_files;
    if (f.find("/snap-") != std::string::npos) ++manifest_lists;
  }
  EXPECT_EQ(metadata_files, static_cast<size_t>(1 + 1 + kWriters));
  EXPECT_EQ(manifest_lists, snaps.size()) << "manifest lists of lost commits were left behind";
  RecordProperty("writers_that_retried", retried);
}

}  // namespace
}  // namespace ldp::testing
