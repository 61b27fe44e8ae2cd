// `ldp clone`: a table (or a slice of it) from this project's catalog, from a table folder or
// metadata file of another project, or from another project's `ldp serve` (REST catalog), becomes a
// new local table with the same schema (field ids), partition spec, sort order and properties and
// the source's live rows (deletes applied). Rows are compared with the source through `ldp query`;
// failures (missing data file, bad or failing predicate, existing target) leave nothing behind.
#include <signal.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CliClone : public CliTest {
 protected:
  void TearDown() override {
    if (server_) {
      kill(server_->pid(), SIGTERM);
      (void)server_->Wait();
      server_.reset();
    }
  }

  // prod.trips: 3 ingests (3 snapshots) of `per` rows each, partitioned by cat, sorted by id desc,
  // then merge-on-read deletes of every 7th id (a position delete file), and a custom property.
  void MakeSource(const std::string& project, int per = 2000) {
    for (int i = 0; i < 3; ++i) {
      std::string src = tmp_.Join(fmt::format("trips{}.parquet", i));
      Copy(fmt::format("SELECT i AS id, ['a','b','c'][i % 3 + 1] AS cat, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS ts, "
                       "(i * 37 % 1000) / 10.0 AS amount, {{'k': i % 5, 'v': 'x' || i}} AS s FROM range({}, {}) t(i)",
                       i * per, (i + 1) * per),
           src);
      std::vector<std::string> args = {"ingest", src, "--table", "prod.trips", "--project", project, "--quiet"};
      if (i == 0) {
        args.insert(args.end(), {"--partition-by", "cat", "--sort-by", "id desc"});
      }
      ProcessResult r = RunLdp(args);
      ASSERT_EQ(r.exit_code, 0) << r.Describe();
    }
    ProcessResult r = RunLdp({"properties", "prod.trips", "--set", "write.delete.mode=merge-on-read", "--set",
                              "owner=team-a", "--project", project});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    r = RunLdp({"delete", "prod.trips", "--where", "id % 7 = 0", "--project", project, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  int64_t QueryInt(const std::string& sql) {
    auto j = LdpJson({"query", sql});
    if (!j.contains("rows") || j["rows"].empty()) {
      ADD_FAILURE() << "no rows from " << sql;
      return -1;
    }
    return j["rows"][0].begin()->get<int64_t>();
  }
  // Rows in one table but not the other, both ways (duplicates counted), through `ldp query`.
  int64_t TableDifference(const std::string& a, const std::string& b) {
    return QueryInt(fmt::format(
        "SELECT count(*) AS n FROM ((SELECT * FROM {0} EXCEPT ALL SELECT * FROM {1}) UNION ALL "
        "(SELECT * FROM {1} EXCEPT ALL SELECT * FROM {0}))",
        a, b));
  }
  bool Registered(const std::string& table) {
    for (const auto& t : LdpJson({"tables"}))
      if (t.value("table", "") == table) return true;
    return false;
  }
  json Describe(const std::string& table) { return LdpJson({"describe", table}); }

  void StartServer(const std::string& project) {
    auto p = Subprocess::Start({LDP_BIN, "--project", project, "serve", "--port", "0"});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_.emplace(std::move(*p));
    port_ = WaitForServePort(*server_);
    if (port_ == 0) FAIL() << "ldp serve did not start";
  }

  std::optional<Subprocess> server_;
  int port_ = 0;
};

TEST_F(CliClone, PartitionedSortedTableWithDeletesKeepsDefinitionAndLiveRows) {
  MakeSource(project_);
  const int64_t live = QueryInt("SELECT count(*) FROM prod.trips");
  ASSERT_EQ(live, 6000 - (6000 + 6) / 7);
  auto src = Describe("prod.trips");
  ASSERT_GT(src["current_snapshot"]["summary"].value("total-position-deletes", "0"), "0") << "source has MoR deletes";

  auto j = LdpJson({"clone", "prod.trips", "--to", "dev.trips"});
  EXPECT_EQ(j.value("rows", -1), live);
  EXPECT_EQ(j.value("source_snapshot_id", int64_t{0}), src["current_snapshot"].value("snapshot-id", int64_t{-1}));
  EXPECT_EQ(j.value("partitions", -1), 3);
  EXPECT_GT(j.value("bytes", 0), 0);
  EXPECT_EQ(TableDifference("prod.trips", "dev.trips"), 0);

  auto c = Describe("dev.trips");
  EXPECT_EQ(c["schema"], src["schema"]) << "same fields with the same ids";
  EXPECT_EQ(c.value("partition_spec_text", ""), "cat");
  EXPECT_EQ(c.value("partition_spec_text", "?"), src.value("partition_spec_text", ""));
  EXPECT_EQ(c.value("sort_order_text", ""), src.value("sort_order_text", "?"));
  EXPECT_NE(c.value("sort_order_text", ""), "unsorted");
  EXPECT_EQ(c["properties"].value("owner", ""), "team-a");
  EXPECT_EQ(c["properties"].value("write.delete.mode", ""), "merge-on-read");
  EXPECT_EQ(c["properties"].value("ldp.clone.source", ""), "prod.trips");
  EXPECT_EQ(c["properties"].value("ldp.clone.snapshot-id", ""),
            std::to_string(src["current_snapshot"].value("snapshot-id", int64_t{-1})));
  EXPECT_EQ(c["current_snapshot"]["summary"].value("total-position-deletes", "0"), "0") << "deletes applied";
  EXPECT_NE(c.value("location", "").find("/warehouse/dev.db/trips"), std::string::npos);
  // Every data file is a new one in the clone's own folder.
  for (const auto& f : FilesUnder(TableDir("dev", "trips") + "/data")) EXPECT_NE(f.find("cat="), std::string::npos) << f;

  ProcessResult text = Ldp({"describe", "dev.trips"});
  EXPECT_NE(text.out.find("cloned from prod.trips at snapshot " +
                          std::to_string(src["current_snapshot"].value("snapshot-id", int64_t{-1}))),
            std::string::npos)
      << text.out;
  ProcessResult human = Ldp({"clone", "prod.trips", "--to", "dev.trips2"});
  EXPECT_EQ(human.exit_code, 0) << human.Describe();
  EXPECT_NE(human.out.find("Cloned dev.trips2 from prod.trips"), std::string::npos) << human.out;
}

TEST_F(CliClone, SampleIsDeterministicBySeed) {
  Copy("SELECT i AS id, i % 13 AS k, 'v' || i AS v FROM range(100000) t(i)", tmp_.Join("big.parquet"));
  Ingest(tmp_.Join("big.parquet"), "prod.big");
  auto a = LdpJson({"clone", "prod.big", "--to", "dev.a", "--sample", "10", "--seed", "1"});
  auto b = LdpJson({"clone", "prod.big", "--to", "dev.b", "--sample", "10", "--seed", "1"});
  auto c = LdpJson({"clone", "prod.big", "--to", "dev.c", "--sample", "10", "--seed", "2"});
  const int64_t na = a.value("rows", int64_t{-1});
  // Binomial(100000, 0.1): standard deviation ~95 rows; 1% is more than 10 of them.
  EXPECT_NEAR(na, 10000, 1000);
  EXPECT_NEAR(c.value("rows", int64_t{-1}), 10000, 1000);
  EXPECT_EQ(b.value("rows", int64_t{-2}), na);
  EXPECT_EQ(TableDifference("dev.a", "dev.b"), 0) << "same seed, same rows";
  EXPECT_GT(TableDifference("dev.a", "dev.c"), 1000) << "another seed, other rows";
  // A sample is a subset of the source, and the filter is recorded.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM (SELECT * FROM dev.a EXCEPT ALL SELECT * FROM prod.big)"), 0);
  EXPECT_EQ(Describe("dev.a")["properties"].value("ldp.clone.filter", ""), "sample 10% seed 1");
  // 100% is everything; out of range is bad input.
  EXPECT_EQ(LdpJson({"clone", "prod.big", "--to", "dev.all", "--sample", "100"}).value("rows", -1), 100000);
  ProcessResult bad = Ldp({"clone", "prod.big", "--to", "dev.bad", "--sample", "0"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  EXPECT_FALSE(Registered("dev.bad"));
}

TEST_F(CliClone, WhereLimitSnapshotAndTag) {
  MakeSource(project_, 500);
  auto j = LdpJson({"clone", "prod.trips", "--to", "dev.w", "--where", "amount > 50 AND cat <> 'b'"});
  EXPECT_EQ(j.value("rows", -1), QueryInt("SELECT count(*) FROM prod.trips WHERE amount > 50 AND cat <> 'b'"));
  EXPECT_EQ(TableDifference("(SELECT * FROM prod.trips WHERE amount > 50 AND cat <> 'b')", "dev.w"), 0);
  EXPECT_EQ(Describe("dev.w")["properties"].value("ldp.clone.filter", ""), "where amount > 50 AND cat <> 'b'");

  EXPECT_EQ(LdpJson({"clone", "prod.trips", "--to", "dev.l", "--limit", "123"}).value("rows", -1), 123);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM (SELECT * FROM dev.l EXCEPT ALL SELECT * FROM prod.trips)"), 0);
  // Combined: where, then sample, then limit.
  auto combo = LdpJson({"clone", "prod.trips", "--to", "dev.combo", "--where", "cat = 'a'", "--sample", "50",
                        "--seed", "7", "--limit", "50"});
  EXPECT_EQ(combo.value("rows", -1), 50);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM dev.combo WHERE cat <> 'a'"), 0);

  // The first snapshot (500 rows, before the deletes), by id and through a tag.
  auto snaps = LdpJson({"snapshots", "prod.trips"});
  ASSERT_GE(snaps.size(), 4u);
  const int64_t first = snaps[0].value("snapshot-id", int64_t{0});
  auto s = LdpJson({"clone", "prod.trips", "--to", "dev.s1", "--snapshot", std::to_string(first)});
  EXPECT_EQ(s.value("rows", -1), 500);
  EXPECT_EQ(s.value("source_snapshot_id", int64_t{0}), first);
  EXPECT_EQ(TableDifference(fmt::format("prod.\"trips@{}\"", first), "dev.s1"), 0);
  ASSERT_EQ(Ldp({"tag", "create", "prod.trips", "v1", "--snapshot", std::to_string(first)}).exit_code, 0);
  EXPECT_EQ(LdpJson({"clone", "prod.trips", "--to", "dev.s2", "--snapshot", "v1"}).value("rows", -1), 500);
  ProcessResult r = Ldp({"clone", "prod.trips", "--to", "dev.s3", "--snapshot", "nope"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_FALSE(Registered("dev.s3"));
}

TEST_F(CliClone, ErrorsLeaveNothingBehind) {
  MakeSource(project_, 300);
  auto nothing_of = [&](const std::string& name) {
    EXPECT_FALSE(Registered("dev." + name)) << name;
    EXPECT_TRUE(FilesUnder(TableDir("dev", name)).empty()) << name;
    EXPECT_FALSE(fs::exists(TableDir("dev", name))) << name;
  };
  // Bad predicate: caught before anything is created.
  ProcessResult r = Ldp({"clone", "prod.trips", "--to", "dev.x", "--where", "no_such_column > 1"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("--where"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no_such_column"), std::string::npos) << r.err;
  nothing_of("x");
  // A predicate that fails while rows are copied (after the table was created): all undone.
  r = Ldp({"clone", "prod.trips", "--to", "dev.y", "--where", "CAST(cat AS INTEGER) >= 0"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find("prod.trips"), std::string::npos) << r.err;
  nothing_of("y");
  EXPECT_FALSE(fs::exists(warehouse() + "/dev.db")) << "no namespace folder is left either";
  // Source missing.
  r = Ldp({"clone", "prod.nope", "--to", "dev.z"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_NE(r.err.find("prod.nope"), std::string::npos) << r.err;
  r = Ldp({"clone", tmp_.Join("no/such/folder"), "--to", "dev.z"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  nothing_of("z");
  // Target exists: refused, then --replace swaps it.
  LdpJson({"clone", "prod.trips", "--to", "dev.t", "--limit", "10"});
  r = Ldp({"clone", "prod.trips", "--to", "dev.t"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("--replace"), std::string::npos) << r.err;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM dev.t"), 10);
  auto rep = LdpJson({"clone", "prod.trips", "--to", "dev.t", "--replace", "--limit", "20"});
  EXPECT_TRUE(rep.value("replaced", false));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM dev.t"), 20);
  int tables_in_dev = 0;
  for (const auto& t : LdpJson({"tables"})) tables_in_dev += t.value("table", "").rfind("dev.", 0) == 0;
  EXPECT_EQ(tables_in_dev, 1) << "the build name of --replace is gone";

  // A data file of the source is missing: named, nothing created.
  std::string victim;
  for (const auto& f : FilesUnder(TableDir("prod", "trips") + "/data"))
    if (f.ends_with(".parquet") && f.find("delete") == std::string::npos) victim = f;
  ASSERT_FALSE(victim.empty());
  fs::rename(victim, victim + ".moved");
  r = Ldp({"clone", "prod.trips", "--to", "dev.m"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_NE(r.err.find(fs::path(victim).filename().string()), std::string::npos) << r.err;
  nothing_of("m");
  fs::rename(victim + ".moved", victim);
  // A damaged data file fails the copy midway: the partly written clone is removed again.
  std::string content = ReadFile(victim);
  WriteFile(victim, content.substr(0, content.size() / 2));
  r = Ldp({"clone", "prod.trips", "--to", "dev.m"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(OneLine(r.err)) << r.err;
  nothing_of("m");
}

TEST_F(CliClone, FromAnotherProjectsFolderMetadataFileAndRestCatalog) {
  const std::string other = tmp_.Join("other");
  ASSERT_EQ(RunLdp({"init", other}).exit_code, 0);
  MakeSource(other, 400);
  const std::string dir = other + "/warehouse/prod.db/trips";
  const auto before = FilesUnder(dir);
  // Register it too, only to compare rows with (clone itself needs no registration).
  LdpJson({"register", "ref.trips", dir});
  auto j = LdpJson({"clone", dir, "--to", "dev.trips"});
  EXPECT_EQ(j.value("rows", -1), QueryInt("SELECT count(*) FROM ref.trips"));
  EXPECT_EQ(TableDifference("ref.trips", "dev.trips"), 0);
  auto c = Describe("dev.trips");
  EXPECT_EQ(c["properties"].value("ldp.clone.source", ""), dir);
  EXPECT_EQ(c.value("partition_spec_text", ""), "cat");
  // A metadata file, of an older version.
  std::vector<std::string> mds;
  for (const auto& f : FilesUnder(dir + "/metadata"))
    if (f.ends_with(".metadata.json")) mds.push_back(f);
  std::sort(mds.begin(), mds.end());
  std::string first_snapshot_md;  // the oldest metadata file with one snapshot (the first ingest)
  for (const auto& f : mds)
    if (first_snapshot_md.empty() && json::parse(ReadFile(f)).value("snapshots", json::array()).size() == 1)
      first_snapshot_md = f;
  ASSERT_FALSE(first_snapshot_md.empty());
  auto m = LdpJson({"clone", first_snapshot_md, "--to", "dev.v1"});
  EXPECT_EQ(m.value("rows", -1), 400);
  EXPECT_EQ(Describe("dev.v1")["properties"].value("ldp.clone.source-metadata", ""), first_snapshot_md);
  EXPECT_EQ(FilesUnder(dir), before) << "the source is only read";

  // Through `ldp serve` of the other project.
  StartServer(other);
  const std::string uri = "http://127.0.0.1:" + std::to_string(port_);
  auto r = LdpJson({"clone", "prod.trips", "--from-catalog", uri, "--to", "dev.rest", "--sample", "50", "--seed", "3"});
  EXPECT_GT(r.value("rows", 0), 0);
  EXPECT_LT(r.value("rows", 0), QueryInt("SELECT count(*) FROM ref.trips"));
  // The same rows as the same sample of the folder: sampling depends on the rows, not the route.
  LdpJson({"clone", dir, "--to", "dev.folder50", "--sample", "50", "--seed", "3"});
  EXPECT_EQ(TableDifference("dev.rest", "dev.folder50"), 0);
  EXPECT_EQ(Describe("dev.rest")["properties"].value("ldp.clone.source", ""), uri + " prod.trips");
  ProcessResult missing = Ldp({"clone", "prod.nope", "--from-catalog", uri, "--to", "dev.nope"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
  EXPECT_NE(missing.err.find("prod.nope"), std::string::npos) << missing.err;
  EXPECT_FALSE(Registered("dev.nope"));
}

}  // namespace
}  // namespace ldp::testing
