// Time travel, branches, tags, rollback and maintenance through the real CLI: each version of a
// table reads back exactly the rows written up to it (compared with DuckDB over the source files),
// branch writes stay off main until a fast-forward, and expiry / orphan removal never delete a
// file that a retained snapshot or ref still reads.

#include <filesystem>

#include "integration/cli_fixture.h"
#include "testing/subprocess.h"
#include "ldp/services/tables.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TravelTest : public CliTest {
 protected:
  /// Writes `n` rows with ids [first, first + n) to a new Parquet file; returns its path.
  std::string Batch(int64_t first, int64_t n) {
    std::string path = tmp_.Join("batch_" + std::to_string(first) + "_" + std::to_string(n) + ".parquet");
    Copy(fmt::format("SELECT i AS id, 'row ' || i AS label, i * 0.5 AS amount FROM range({}, {}) t(i)", first,
                     first + n),
         path);
    return path;
  }

  /// Appends a batch to ns.t (optionally on a branch) and returns the snapshot id.
  int64_t Append(int64_t first, int64_t n, const std::string& branch = "") {
    std::vector<std::string> extra;
    if (!branch.empty()) extra = {"--branch", branch};
    json j = Ingest(Batch(first, n), "ns.t", extra);
    return j.value("snapshot_id", int64_t{0});
  }

  /// `SELECT count(*), sum(id)` of SQL through `ldp query --json`, with optional extra flags.
  std::pair<int64_t, int64_t> CountSum(const std::string& from, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"query", "SELECT count(*) AS n, coalesce(sum(id), 0) AS s FROM " + from};
    args.insert(args.end(), extra.begin(), extra.end());
    json j = LdpJson(args);
    if (!j.contains("rows") || j["rows"].empty()) {
      ADD_FAILURE() << "no rows: " << j.dump();
      return {-1, -1};
    }
    return {j["rows"][0]["n"].get<int64_t>(), j["rows"][0]["s"].get<int64_t>()};
  }

  static std::pair<int64_t, int64_t> Pair(int64_t n, int64_t sum) { return {n, sum}; }

  /// count and sum of ids [0, n) — what the table holds after appending batches that cover them.
  static std::pair<int64_t, int64_t> Range(int64_t n) { return {n, n * (n - 1) / 2}; }

  json Snapshots() { return LdpJson({"snapshots", "ns.t"}); }

  std::set<std::string> TableFiles() { return FilesUnder(TableDir("ns", "t")); }

  int64_t SnapshotTimestamp(int64_t id) {
    const json md = CurrentMetadata("ns", "t");
    for (const auto& s : md["snapshots"])
      if (s["snapshot-id"].get<int64_t>() == id) return s["timestamp-ms"].get<int64_t>();
    ADD_FAILURE() << "no snapshot " << id;
    return 0;
  }

  static std::string IsoMs(int64_t ms) {
    time_t secs = static_cast<time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms % 1000));
  }

  /// Every snapshot left in the metadata still reads (its manifest list, manifests and data
  /// files are all there).
  void ExpectEverySnapshotReads() {
    const json md = CurrentMetadata("ns", "t");
    for (const auto& s : md["snapshots"]) {
      ProcessResult r = Ldp({"query", "SELECT count(*) FROM ns.t", "--as-of", s["snapshot-id"].dump()});
      EXPECT_EQ(r.exit_code, 0) << "snapshot " << s["snapshot-id"].dump() << ": " << r.Describe();
    }
  }
};

TEST_F(TravelTest, QueryAnySnapshotByIdTimeTagAndInSql) {
  int64_t s1 = Append(0, 10);
  int64_t s2 = Append(10, 20);
  int64_t s3 = Append(30, 30);
  ASSERT_TRUE(s1 && s2 && s3);
  EXPECT_EQ(CountSum("ns.t"), Range(60));
  EXPECT_EQ(CountSum("ns.t", {"--as-of", std::to_string(s1)}), Range(10));
  EXPECT_EQ(CountSum("ns.t", {"--as-of", std::to_string(s2)}), Range(30));
  EXPECT_EQ(CountSum("ns.\"t@" + std::to_string(s1) + "\""), Range(10));
  EXPECT_EQ(CountSum("\"ns\".\"t@" + std::to_string(s2) + "\""), Range(30));

  // A time: the snapshot current then (the snapshot-log), to the millisecond.
  int64_t t2 = SnapshotTimestamp(s2);
  EXPECT_EQ(CountSum("ns.t", {"--as-of", IsoMs(t2)}), Range(30));
  EXPECT_EQ(CountSum("ns.t", {"--as-of", IsoMs(SnapshotTimestamp(s3) - 1)}), Range(30));
  EXPECT_EQ(CountSum("ns.\"t@" + IsoMs(t2) + "\""), Range(30));

  // A tag, and two versions in one statement (the rows added since the tag).
  ASSERT_EQ(Ldp({"tag", "create", "ns.t", "first", "--snapshot", std::to_string(s1)}).exit_code, 0);
  EXPECT_EQ(CountSum("ns.t", {"--as-of", "first"}), Range(10));
  json j = LdpJson({"query", "SELECT count(*) AS n FROM ns.t WHERE id NOT IN (SELECT id FROM ns.\"t@first\")"});
  EXPECT_EQ(j["rows"][0]["n"].get<int64_t>(), 50);
  // --as-of applies to every table without a suffix of its own.
  j = LdpJson({"query", "SELECT (SELECT count(*) FROM ns.t) AS a, (SELECT count(*) FROM ns.\"t@main\") AS b",
               "--as-of", std::to_string(s2)});
  EXPECT_EQ(j["rows"][0]["a"].get<int64_t>(), 30);
  EXPECT_EQ(j["rows"][0]["b"].get<int64_t>(), 60);
  // The scan report names the snapshot read.
  j = LdpJson({"query", "SELECT count(*) FROM ns.t", "--as-of", std::to_string(s1)});
  EXPECT_EQ(j["scans"][0]["snapshot_id"].get<int64_t>(), s1);
}

TEST_F(TravelTest, TimeTravelErrorsAreClear) {
  int64_t s1 = Append(0, 10);
  ASSERT_TRUE(s1);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string needle;
  };
  std::vector<Case> cases = {
      {{"query", "SELECT count(*) FROM ns.t", "--as-of", "2001-01-01"}, 3, "has no snapshot at 2001-01-01"},
      {{"query", "SELECT count(*) FROM ns.t", "--as-of", "123"}, 3, "table ns.t has no snapshot 123"},
      {{"query", "SELECT count(*) FROM ns.t", "--as-of", "nosuchtag"}, 3, "no branch or tag 'nosuchtag'"},
      {{"query", "SELECT count(*) FROM ns.\"t@nosuchtag\""}, 3, "no branch or tag 'nosuchtag'"},
      {{"query", "SELECT count(*) FROM ns.\"t@2001-01-01\""}, 3, "history starts at"},
  };
  for (const auto& c : cases) {
    ProcessResult r = Ldp(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.Describe();
    auto line = OneLine(r.err);
    ASSERT_TRUE(line.has_value()) << r.err;
    EXPECT_NE(line->find(c.needle), std::string::npos) << *line;
  }
}

TEST_F(TravelTest, BranchWritesStayOffMainUntilFastForward) {
  int64_t s1 = Append(0, 10);
  ASSERT_TRUE(s1);
  ProcessResult create = Ldp({"branch", "create", "ns.t", "audit"});
  ASSERT_EQ(create.exit_code, 0) << create.Describe();
  std::string main_metadata_before = CurrentMetadata("ns", "t")["refs"]["main"].dump();

  int64_t b1 = Append(10, 5, "audit");
  ASSERT_TRUE(b1);
  json md = CurrentMetadata("ns", "t");
  EXPECT_EQ(md["refs"]["main"].dump(), main_metadata_before) << "main must not move";
  EXPECT_EQ(md["current-snapshot-id"].get<int64_t>(), s1);
  EXPECT_EQ(md["refs"]["audit"]["snapshot-id"].get<int64_t>(), b1);
  for (const auto& s : md["snapshots"])
    if (s["snapshot-id"].get<int64_t>() == b1) EXPECT_EQ(s["parent-snapshot-id"].get<int64_t>(), s1);
  EXPECT_EQ(CountSum("ns.t"), Range(10));
  EXPECT_EQ(CountSum("ns.\"t@audit\""), Range(15));

  // `snapshots` says which refs point where.
  json snaps = Snapshots();
  bool saw_audit = false;
  for (const auto& s : snaps)
    if (s["snapshot-id"].get<int64_t>() == b1) saw_audit = s["refs"] == json::array({"audit"});
  EXPECT_TRUE(saw_audit) << snaps.dump();
  EXPECT_NE(Ldp({"snapshots", "ns.t"}).out.find("audit"), std::string::npos);

  // Publish: main fast-forwards to the audited branch.
  json ff = LdpJson({"branch", "fast-forward", "ns.t", "main", "audit"});
  EXPECT_EQ(ff["snapshot_id"].get<int64_t>(), b1);
  EXPECT_EQ(CountSum("ns.t"), Range(15));
  EXPECT_EQ(CurrentMetadata("ns", "t")["current-snapshot-id"].get<int64_t>(), b1);

  // Diverged: main gets a commit the branch lacks, the branch one main lacks -> refused, unchanged.
  Append(15, 5);
  Append(100, 5, "audit");
  auto row_before = CatalogTable("ns", "t");
  ProcessResult refused = Ldp({"branch", "fast-forward", "ns.t", "main", "audit"});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_NE(refused.err.find("not an ancestor"), std::string::npos) << refused.err;
  EXPECT_EQ(CatalogTable("ns", "t")->metadata_location, row_before->metadata_location);

  // Branch list / drop.
  json list = LdpJson({"branch", "list", "ns.t"});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "main");
  EXPECT_EQ(list[1]["name"], "audit");
  ASSERT_EQ(Ldp({"branch", "drop", "ns.t", "audit"}).exit_code, 0);
  EXPECT_FALSE(CurrentMetadata("ns", "t")["refs"].contains("audit"));
  EXPECT_EQ(Ldp({"branch", "drop", "ns.t", "main"}).exit_code, 2);
}

// delete, update, merge and overwrite --where with --branch change the branch's rows only: main's
// ref, current snapshot and rows stay; the new snapshot's parent is the branch head.
TEST_F(TravelTest, RowLevelChangesOnABranch) {
  int64_t s1 = Append(0, 10);
  ASSERT_EQ(Ldp({"branch", "create", "ns.t", "audit"}).exit_code, 0);
  int64_t b1 = Append(10, 5, "audit");
  const std::string main_ref = CurrentMetadata("ns", "t")["refs"]["main"].dump();
  auto expect_main_unchanged = [&]() {
    json md = CurrentMetadata("ns", "t");
    EXPECT_EQ(md["refs"]["main"].dump(), main_ref);
    EXPECT_EQ(md["current-snapshot-id"].get<int64_t>(), s1);
    EXPECT_EQ(CountSum("ns.t"), Range(10));
  };
  auto parent_of = [&](int64_t id) {
    const json md = CurrentMetadata("ns", "t");
    for (const auto& s : md["snapshots"])
      if (s["snapshot-id"].get<int64_t>() == id) return s.value("parent-snapshot-id", int64_t{0});
    return int64_t{-1};
  };

  json del = LdpJson({"delete", "ns.t", "--where", "id >= 12", "--branch", "audit"});
  ASSERT_TRUE(del.value("committed", false)) << del.dump();
  EXPECT_EQ(del.value("rows_deleted", -1), 3);  // ids 12..14 exist only on the branch
  int64_t b2 = del["snapshot_id"].get<int64_t>();
  EXPECT_EQ(parent_of(b2), b1);
  EXPECT_EQ(CurrentMetadata("ns", "t")["refs"]["audit"]["snapshot-id"].get<int64_t>(), b2);
  EXPECT_EQ(CountSum("ns.\"t@audit\""), Range(12));
  expect_main_unchanged();

  ASSERT_EQ(Ldp({"properties", "ns.t", "--set", "write.update.mode=merge-on-read"}).exit_code, 0);
  json upd = LdpJson({"update", "ns.t", "--set", "id = id + 1000", "--where", "id = 11", "--branch", "audit"});
  EXPECT_EQ(upd.value("rows_updated", -1), 1) << upd.dump();
  EXPECT_EQ(upd.value("delete_files_added", -1), 1);
  EXPECT_EQ(parent_of(upd["snapshot_id"].get<int64_t>()), b2);
  EXPECT_EQ(CountSum("ns.\"t@audit\""), Pair(12, 66 + 1000));
  expect_main_unchanged();

  json merge = Ingest(Batch(5, 10), "ns.t", {"--mode", "merge", "--key", "id", "--branch", "audit"});
  EXPECT_TRUE(merge.value("committed", false)) << merge.dump();
  // ids 5..14 replaced or inserted; 1011 stays
  EXPECT_EQ(CountSum("ns.\"t@audit\""), Pair(16, 105 + 1011));
  expect_main_unchanged();

  json over = Ingest(Batch(1000, 20), "ns.t", {"--mode", "overwrite", "--where", "id >= 1000", "--branch", "audit"});
  EXPECT_TRUE(over.value("committed", false)) << over.dump();
  EXPECT_EQ(CountSum("ns.\"t@audit\""), Pair(35, 105 + 20 * 1000 + 190));
  expect_main_unchanged();

  // a delete on main afterwards leaves the branch as it was
  auto audit_before = CountSum("ns.\"t@audit\"");
  json del_main = LdpJson({"delete", "ns.t", "--where", "id < 2"});
  EXPECT_EQ(del_main.value("rows_deleted", -1), 2);
  EXPECT_EQ(CountSum("ns.t"), Pair(8, 45 - 1));
  EXPECT_EQ(CountSum("ns.\"t@audit\""), audit_before);

  // a missing branch or a tag: refused, nothing written
  ASSERT_EQ(Ldp({"tag", "create", "ns.t", "v1"}).exit_code, 0);
  auto files = TableFiles();
  auto row = CatalogTable("ns", "t");
  ProcessResult missing = Ldp({"delete", "ns.t", "--where", "id = 3", "--branch", "nope"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
  EXPECT_NE(missing.err.find("no branch 'nope'"), std::string::npos) << missing.err;
  ProcessResult tag = Ldp({"update", "ns.t", "--set", "id = 0", "--where", "id = 3", "--branch", "v1"});
  EXPECT_EQ(tag.exit_code, 2) << tag.Describe();
  ProcessResult merge_missing = Ldp({"ingest", Batch(5, 10), "--table", "ns.t", "--mode", "merge", "--key", "id", "--branch", "nope"});
  EXPECT_EQ(merge_missing.exit_code, 3) << merge_missing.Describe();
  EXPECT_EQ(TableFiles(), files);
  EXPECT_EQ(CatalogTable("ns", "t")->metadata_location, row->metadata_location);
}

TEST_F(TravelTest, WritesToAMissingBranchOrATagChangeNothing) {
  Append(0, 10);
  ASSERT_EQ(Ldp({"tag", "create", "ns.t", "v1"}).exit_code, 0);
  auto files = TableFiles();
  auto row = CatalogTable("ns", "t");
  ProcessResult missing = Ldp({"ingest", Batch(10, 5), "--table", "ns.t", "--branch", "nope"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
  EXPECT_NE(missing.err.find("no branch 'nope'"), std::string::npos) << missing.err;
  ProcessResult tag = Ldp({"ingest", Batch(10, 5), "--table", "ns.t", "--branch", "v1"});
  EXPECT_EQ(tag.exit_code, 2) << tag.Describe();
  EXPECT_NE(tag.err.find("tag"), std::string::npos) << tag.err;
  ProcessResult new_table = Ldp({"ingest", Batch(10, 5), "--table", "ns.other", "--branch", "b"});
  EXPECT_NE(new_table.exit_code, 0);
  EXPECT_FALSE(CatalogTable("ns", "other").has_value());
  EXPECT_EQ(TableFiles(), files);
  EXPECT_EQ(CatalogTable("ns", "t")->metadata_location, row->metadata_location);
}

TEST_F(TravelTest, TagsWithRetentionAndBadNames) {
  int64_t s1 = Append(0, 10);
  Append(10, 10);
  json created = LdpJson({"tag", "create", "ns.t", "v1", "--snapshot", std::to_string(s1), "--retain", "30d"});
  EXPECT_EQ(created["created"]["snapshot_id"].get<int64_t>(), s1);
  json ref = CurrentMetadata("ns", "t")["refs"]["v1"];
  EXPECT_EQ(ref["type"], "tag");
  EXPECT_EQ(ref["snapshot-id"].get<int64_t>(), s1);
  EXPECT_EQ(ref["max-ref-age-ms"].get<int64_t>(), 30LL * 86400000);
  ASSERT_EQ(Ldp({"branch", "create", "ns.t", "b", "--min-snapshots", "3", "--max-snapshot-age", "7d"}).exit_code, 0);
  json b = CurrentMetadata("ns", "t")["refs"]["b"];
  EXPECT_EQ(b["min-snapshots-to-keep"].get<int64_t>(), 3);
  EXPECT_EQ(b["max-snapshot-age-ms"].get<int64_t>(), 7LL * 86400000);

  json tags = LdpJson({"tag", "list", "ns.t"});
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0]["name"], "v1");
  EXPECT_EQ(Ldp({"tag", "create", "ns.t", "v1"}).exit_code, 1);     // exists
  EXPECT_EQ(Ldp({"tag", "create", "ns.t", "12345"}).exit_code, 2);  // reads as an id
  EXPECT_EQ(Ldp({"tag", "create", "ns.t", "a@b"}).exit_code, 2);
  EXPECT_EQ(Ldp({"tag", "create", "ns.t", "v2", "--snapshot", "42"}).exit_code, 3);
  EXPECT_EQ(Ldp({"tag", "drop", "ns.t", "b"}).exit_code, 2);  // a branch, not a tag
  EXPECT_EQ(Ldp({"tag", "drop", "ns.t", "v1"}).exit_code, 0);
  EXPECT_EQ(Ldp({"tag", "drop", "ns.t", "v1"}).exit_code, 3);
}

TEST_F(TravelTest, RollbackToAnAncestorOrATime) {
  int64_t s1 = Append(0, 10);
  int64_t s2 = Append(10, 10);
  int64_t s3 = Append(20, 10);
  ASSERT_TRUE(s1 && s2 && s3);
  json r = LdpJson({"rollback", "ns.t", "--to", std::to_string(s1)});
  EXPECT_EQ(r["snapshot_id"].get<int64_t>(), s1);
  EXPECT_EQ(r["from_snapshot_id"].get<int64_t>(), s3);
  EXPECT_EQ(CountSum("ns.t"), Range(10));
  // s3 is no longer an ancestor of main: refused.
  ProcessResult refused = Ldp({"rollback", "ns.t", "--to", std::to_string(s3)});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_EQ(Ldp({"rollback", "ns.t", "--to", "777"}).exit_code, 3);
  // The discarded snapshots are still readable by id until they expire.
  EXPECT_EQ(CountSum("ns.t", {"--as-of", std::to_string(s3)}), Range(30));
  // A new write goes on top of the rolled-back main.
  int64_t s4 = Append(40, 5);
  EXPECT_EQ(CountSum("ns.t").first, 15);
  // By time: the latest ancestor of main committed before it.
  r = LdpJson({"rollback", "ns.t", "--to-timestamp", IsoMs(SnapshotTimestamp(s4))});
  EXPECT_EQ(r["snapshot_id"].get<int64_t>(), s1);
  EXPECT_EQ(Ldp({"rollback", "ns.t", "--to-timestamp", "2001-01-01"}).exit_code, 3);
  EXPECT_EQ(Ldp({"rollback", "ns.t"}).exit_code, 2);
}

TEST_F(TravelTest, ExpireKeepsWhatRefsNeedAndDryRunMatchesTheRealRun) {
  // main: s1 (0..10) <- s2 (+10) <- s3 overwrite (100..120) <- s4 (+5). Branch "old" at s2 and
  // tag "t1" at s1: their data files are no longer live on main but must survive expiry.
  int64_t s1 = Append(0, 10);
  int64_t s2 = Append(10, 10);
  ASSERT_TRUE(s1 && s2);
  json over = Ingest(Batch(100, 20), "ns.t", {"--mode", "overwrite"});
  int64_t s3 = over.value("snapshot_id", int64_t{0});
  int64_t s4 = Append(120, 5);
  ASSERT_EQ(Ldp({"branch", "create", "ns.t", "old", "--snapshot", std::to_string(s2)}).exit_code, 0);
  ASSERT_EQ(Ldp({"tag", "create", "ns.t", "t1", "--snapshot", std::to_string(s1)}).exit_code, 0);

  auto before = TableFiles();
  json dry = LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d", "--retain-last", "1", "--dry-run"});
  EXPECT_EQ(TableFiles(), before) << "a dry run deletes nothing";
  // s3 is the only snapshot no ref needs: main keeps s4, "old" keeps s2 (its head), t1 keeps s1.
  EXPECT_EQ(dry["expired_snapshots"], json::array({s3}));
  std::set<std::string> listed;
  for (const auto& f : dry["files"]) listed.insert(f["path"].get<std::string>());
  // s3's manifest list and the manifest of the files it deleted; none of the data files (each is
  // live in s1, s2 or s4).
  int lists = 0;
  for (const auto& f : dry["files"]) {
    lists += f["kind"] == "manifest-list";
    EXPECT_NE(f["kind"], "data") << f.dump();
  }
  EXPECT_EQ(lists, 1);

  json real = LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d", "--retain-last", "1"});
  EXPECT_EQ(real["expired_snapshots"], dry["expired_snapshots"]);
  EXPECT_EQ(real["files"], dry["files"]);
  auto after = TableFiles();
  for (const auto& p : listed) EXPECT_FALSE(after.count(p)) << p;
  EXPECT_EQ(after.size() + listed.size(), before.size() + 1) << "one new metadata file";
  EXPECT_EQ(CountSum("ns.t"), Pair(25, (100 + 124) * 25 / 2));
  EXPECT_EQ(CountSum("ns.\"t@old\""), Range(20));
  EXPECT_EQ(CountSum("ns.\"t@t1\""), Range(10));
  EXPECT_EQ(Ldp({"query", "SELECT 1 FROM ns.t", "--as-of", std::to_string(s3)}).exit_code, 3);
  ExpectEverySnapshotReads();

  // Without the refs, everything but main's head goes, and so do the files only they read.
  ASSERT_EQ(Ldp({"branch", "drop", "ns.t", "old"}).exit_code, 0);
  ASSERT_EQ(Ldp({"tag", "drop", "ns.t", "t1"}).exit_code, 0);
  json last = LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d"});
  EXPECT_EQ(last["expired_snapshots"].size(), 2u);
  int data = 0;
  for (const auto& f : last["files"]) data += f["kind"] == "data";
  EXPECT_EQ(data, 2) << "the two files of s1 and s2, replaced by the overwrite";
  EXPECT_EQ(CountSum("ns.t"), Pair(25, (100 + 124) * 25 / 2));
  json md = CurrentMetadata("ns", "t");
  EXPECT_EQ(md["snapshots"].size(), 1u);
  EXPECT_EQ(md["current-snapshot-id"].get<int64_t>(), s4);
  // The data folder holds exactly the live files of s4.
  int64_t parquet = 0;
  for (const auto& p : TableFiles()) parquet += p.size() > 8 && p.compare(p.size() - 8, 8, ".parquet") == 0;
  EXPECT_EQ(parquet, 2);
}

TEST_F(TravelTest, ExpireHonoursRefRetentionAndTableProperties) {
  Append(0, 10);
  Append(10, 10);
  Append(20, 10);
  // Defaults: snapshots younger than 5 days stay.
  json j = LdpJson({"maintain", "expire-snapshots", "ns.t", "--dry-run"});
  EXPECT_TRUE(j["expired_snapshots"].empty()) << j.dump();
  // A main branch with min-snapshots-to-keep 2 keeps two even when everything is old.
  j = LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d", "--retain-last", "2", "--dry-run"});
  EXPECT_EQ(j["expired_snapshots"].size(), 1u);
  EXPECT_EQ(Ldp({"maintain", "expire-snapshots", "ns.t", "--retain-last", "0"}).exit_code, 2);
  EXPECT_EQ(Ldp({"maintain", "expire-snapshots", "ns.t", "--older-than", "soon"}).exit_code, 2);
  EXPECT_EQ(Ldp({"maintain", "expire-snapshots", "ns.nope"}).exit_code, 3);
}

TEST_F(TravelTest, RemoveOrphansDeletesOnlyOldUnreferencedFiles) {
  Append(0, 10);
  Append(10, 10);
  Ingest(Batch(50, 5), "ns.t", {"--mode", "overwrite"});
  std::string dir = TableDir("ns", "t");
  auto referenced = TableFiles();
  // Junk: an old stray data file, an old stray manifest, an old file in a sub-folder, and a young
  // stray file (as a write in progress would leave).
  std::vector<std::string> old_junk = {dir + "/data/stray-1.parquet", dir + "/metadata/stray-m0.avro",
                                       dir + "/data/sub/left.txt"};
  fs::create_directories(dir + "/data/sub");
  for (const auto& p : old_junk) {
    WriteFile(p, "junk");
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(24 * 10));
  }
  std::string young = dir + "/data/in-progress.parquet";
  WriteFile(young, "junk");
  // Referenced files may be old too: they must stay.
  for (const auto& p : referenced) fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(24 * 10));

  json dry = LdpJson({"maintain", "remove-orphans", "ns.t", "--dry-run"});
  std::set<std::string> listed;
  for (const auto& f : dry["files"]) listed.insert(f["path"].get<std::string>());
  EXPECT_EQ(listed, std::set<std::string>(old_junk.begin(), old_junk.end()));
  EXPECT_EQ(dry["young_unreferenced_files"].get<int64_t>(), 1);
  EXPECT_TRUE(fs::exists(old_junk[0]));

  json real = LdpJson({"maintain", "remove-orphans", "ns.t"});
  EXPECT_EQ(real["files"], dry["files"]);
  for (const auto& p : old_junk) EXPECT_FALSE(fs::exists(p)) << p;
  EXPECT_TRUE(fs::exists(young));
  for (const auto& p : referenced) EXPECT_TRUE(fs::exists(p)) << p;
  EXPECT_EQ(CountSum("ns.t"), Pair(5, 50 + 51 + 52 + 53 + 54));
  ExpectEverySnapshotReads();
  // A cutoff in the future takes the young file too.
  json all = LdpJson({"maintain", "remove-orphans", "ns.t", "--older-than", "2100-01-01"});
  ASSERT_EQ(all["files"].size(), 1u);
  EXPECT_EQ(all["files"][0]["path"], young);
  for (const auto& p : referenced) EXPECT_TRUE(fs::exists(p)) << p;
}

TEST_F(TravelTest, RewriteManifestsMergesThemWithIdenticalData) {
  for (int i = 0; i < 5; ++i) Append(i * 10, 10);
  json before = CountSum("ns.t").first == 50 ? json(true) : json(false);
  EXPECT_TRUE(before.get<bool>());
  json r = LdpJson({"maintain", "rewrite-manifests", "ns.t"});
  EXPECT_TRUE(r["committed"].get<bool>());
  EXPECT_EQ(r["manifests_before"].get<int64_t>(), 5);
  EXPECT_EQ(r["manifests_after"].get<int64_t>(), 1);
  EXPECT_EQ(r["entries"].get<int64_t>(), 5);
  EXPECT_EQ(CountSum("ns.t"), Range(50));
  json md = CurrentMetadata("ns", "t");
  const json& last = md["snapshots"].back();
  EXPECT_EQ(last["summary"]["operation"], "replace");
  EXPECT_EQ(last["summary"]["total-records"], "50");
  // Nothing left to merge.
  json again = LdpJson({"maintain", "rewrite-manifests", "ns.t"});
  EXPECT_FALSE(again["committed"].get<bool>());
  // A later append and an expiry: the old manifests go, the table still reads the same.
  Append(50, 10);
  json expired = LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d"});
  int manifests = 0;
  for (const auto& f : expired["files"]) manifests += f["kind"] == "manifest";
  EXPECT_EQ(manifests, 5);
  EXPECT_EQ(CountSum("ns.t"), Range(60));
}

TEST_F(TravelTest, AnOldSnapshotIsReadWithItsOwnSchema) {
  int64_t s1 = Append(0, 10);
  ASSERT_TRUE(s1);
  // Rename `label` to `name` in a new current schema (what `ldp alter` will do), committed
  // in-process through the services layer; no snapshot is written.
  {
    auto project = services::Project::Open(project_);
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    auto t = services::LoadTable(**project, {{"ns"}, "t"});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    auto next = std::make_shared<iceberg::TableMetadata>(*t->metadata);
    std::vector<iceberg::NestedField> fields = next->CurrentSchema()->fields();
    for (auto& f : fields)
      if (f.name == "label") f.name = "name";
    next->schemas.push_back(std::make_shared<iceberg::Schema>(1, fields));
    next->current_schema_id = 1;
    auto committed = services::CommitMetadata(**project, *t, next);
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  }
  std::string renamed = tmp_.Join("renamed.parquet");
  Copy("SELECT i AS id, 'new ' || i AS name, i * 0.5 AS amount FROM range(10, 15) t(i)", renamed);
  ASSERT_TRUE(Ingest(renamed, "ns.t").value("snapshot_id", int64_t{0}));  // written with the new name
  json now = LdpJson({"query", "SELECT count(name) AS n FROM ns.t"});
  EXPECT_EQ(now["rows"][0]["n"].get<int64_t>(), 15);
  // At s1 the column is still called label (schema 0), and holds the same values by field id.
  json then = LdpJson({"query", "SELECT count(label) AS n, max(label) AS m FROM ns.t", "--as-of", std::to_string(s1)});
  EXPECT_EQ(then["rows"][0]["n"].get<int64_t>(), 10);
  EXPECT_EQ(then["rows"][0]["m"], "row 9");
  ProcessResult old_name_now = Ldp({"query", "SELECT label FROM ns.t"});
  EXPECT_NE(old_name_now.exit_code, 0);
  ProcessResult new_name_then = Ldp({"query", "SELECT name FROM ns.\"t@" + std::to_string(s1) + "\""});
  EXPECT_NE(new_name_then.exit_code, 0);
}

TEST_F(TravelTest, ExpiryRacingAppendsLosesNoRowAndNoNeededFile) {
  Append(0, 10);
  constexpr int kWriters = 4;
  std::vector<std::string> sources;
  for (int w = 0; w < kWriters; ++w) sources.push_back(Batch(1000 * (w + 1), 10 * (w + 1)));
  std::vector<Subprocess> procs;
  auto start = [&](std::vector<std::string> args) {
    args.insert(args.begin(), LDP_BIN);
    args.insert(args.end(), {"--json", "--project", project_});
    auto p = Subprocess::Start(args, {{{"LDP_PROJECT", std::nullopt}}, ""});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    procs.push_back(std::move(p).value());
  };
  // Writers and aggressive expiries (keep only main's head) at the same time.
  for (int w = 0; w < kWriters; ++w) {
    start({"ingest", sources[w], "--table", "ns.t"});
    start({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d"});
  }
  for (auto& p : procs) {
    auto r = p.Wait();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->exit_code, 0) << r->Describe();
  }
  // Every row of every writer, each once, and every remaining snapshot fully readable.
  json j = LdpJson({"query", "SELECT count(*) AS n, count(DISTINCT id) AS d FROM ns.t"});
  EXPECT_EQ(j["rows"][0]["n"].get<int64_t>(), 10 + 10 + 20 + 30 + 40);
  EXPECT_EQ(j["rows"][0]["d"].get<int64_t>(), 110);
  ExpectEverySnapshotReads();
  // A final expiry leaves exactly main's head and its live data files.
  LdpJson({"maintain", "expire-snapshots", "ns.t", "--older-than", "0d"});
  EXPECT_EQ(CurrentMetadata("ns", "t")["snapshots"].size(), 1u);
  int64_t parquet = 0;
  for (const auto& p : TableFiles()) parquet += p.size() > 8 && p.compare(p.size() - 8, 8, ".parquet") == 0;
  EXPECT_EQ(parquet, 1 + kWriters);
  EXPECT_EQ(CountSum("ns.t").first, 110);
}

}  // namespace
}  // namespace ldp::testing
