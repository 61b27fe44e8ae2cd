// `ldp maintain compact` and sort orders through the real CLI: many small appends become few
// files with exactly the same rows; position and equality deletes are applied (and the delete
// files dropped); partitions and specs are kept apart; a dry run changes nothing; a concurrent
// delete makes the compaction fail with CommitFailed and no damage, a concurrent append does not;
// bad input fails cleanly; --sort-by is recorded in metadata and the written files are sorted.

#include <filesystem>
#include <set>

#include "integration/cli_fixture.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/row_delta.h"
#include "ldp/iceberg/snapshot_update.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"
#include "ldp/services/compact.h"
#include "ldp/services/ingest.h"
#include "ldp/services/project.h"
#include "ldp/services/tables.h"

namespace ldp::testing {
namespace {
using nlohmann::json;

class CliCompact : public CliTest {
 protected:
  // `n` appends of `rows` rows each; ids are unique across appends; returns the union of sources.
  std::string AppendMany(const std::string& table, int n, int rows, std::vector<std::string> extra = {}) {
    std::string all;
    for (int f = 0; f < n; ++f) {
      std::string src = tmp_.Join(fmt::format("{}-{}.parquet", table, f));
      Copy(fmt::format("SELECT i::BIGINT AS id, 'n' || i AS name, (i * 0.5)::DOUBLE AS v, (i % 3)::INTEGER AS grp, "
                       "TIMESTAMP '2024-01-01' + to_seconds(i * 37) AS ts FROM range({}, {}) t(i)",
                       f * rows, (f + 1) * rows),
           src);
      Ingest(src, table, f == 0 ? extra : std::vector<std::string>{});
      all += (all.empty() ? "" : " UNION ALL ") + fmt::format("SELECT * FROM {}", Parquet(src));
    }
    return "(" + all + ")";
  }

  std::string Export(const std::string& table) {
    const std::string out = tmp_.Join(fmt::format("export{}.parquet", exports_++));
    ProcessResult r = Ldp({"export", table, "--to", out});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Parquet(out);
  }

  // count and an order-independent checksum of every column, through `ldp query`.
  std::string Checksum(const std::string& table) {
    ProcessResult r = Ldp({"query",
                           fmt::format("SELECT count(*) AS n, sum(hash(id, name, v, grp, ts)) AS h FROM {}", table),
                           "--format", "csv"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }

  std::shared_ptr<const iceberg::TableMetadata> Metadata(const std::string& ns, const std::string& name) {
    auto row = CatalogTable(ns, name);
    EXPECT_TRUE(row);
    if (!row) return nullptr;
    auto md = iceberg::TableMetadata::FromJsonString(ReadFile(LocalPath(row->metadata_location)));
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return md.ok() ? *md : nullptr;
  }

  // Live entries (data and deletes) of the current snapshot.
  std::vector<iceberg::ManifestEntry> LiveEntries(const iceberg::TableMetadata& md) {
    std::vector<iceberg::ManifestEntry> out;
    auto lfs = io::LocalFileSystem();
    const iceberg::Snapshot* snap = md.CurrentSnapshot();
    if (!snap) return out;
    auto list = iceberg::ReadManifestList(*lfs, snap->manifest_list);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (!list.ok()) return out;
    for (const auto& mf : *list) {
      auto entries = iceberg::ReadManifest(*lfs, mf);
      EXPECT_TRUE(entries.ok()) << entries.status().ToString();
      if (!entries.ok()) continue;
      for (auto& e : *entries)
        if (e.status != iceberg::ManifestEntryStatus::kDeleted) out.push_back(e);
    }
    return out;
  }

  int DataFiles(const iceberg::TableMetadata& md) {
    int n = 0;
    for (const auto& e : LiveEntries(md)) n += e.data_file.content == iceberg::FileContent::kData;
    return n;
  }

  // Commits an equality delete on `id` for `ids` the way another engine would (field id 1).
  void CommitEqualityDelete(const std::string& ns, const std::string& name, const std::string& ids) {
    const std::string eq = TableDir(ns, name) + fmt::format("/data/eq-delete-{}.parquet", eq_files_++);
    Copy(fmt::format("SELECT id::BIGINT AS id FROM (VALUES {}) v(id)", ids), eq, "FORMAT parquet, FIELD_IDS {id: 1}");
    auto project = services::Project::Open(project_);
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    auto table = services::LoadTable(**project, {{ns}, name});
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    iceberg::DataFile del;
    del.content = iceberg::FileContent::kEqualityDeletes;
    del.file_path = "file://" + eq;
    del.record_count = std::stoll(Scalar("SELECT count(*) FROM " + Parquet(eq)));
    del.file_size_in_bytes = static_cast<int64_t>(std::filesystem::file_size(eq));
    del.equality_ids = {1};
    iceberg::RowDelta delta;
    int64_t snapshot_id = iceberg::NewSnapshotId();
    delta.added_deletes = {del};
    auto m = iceberg::WriteAddedDeleteManifest((*project)->fs(), *table->metadata, snapshot_id, delta.added_deletes);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    delta.added_delete_manifest = *m;
    auto pending = iceberg::ProduceRowDelta((*project)->fs(), *table->metadata, snapshot_id, delta, services::NowMs());
    ASSERT_TRUE(pending.ok()) << pending.status().ToString();
    ASSERT_TRUE(services::CommitMetadata(**project, *table, pending->metadata).ok());
  }

  TableState State(const std::string& ns, const std::string& name) {
    return {CatalogTable(ns, name), FilesUnder(TableDir(ns, name))};
  }

  int exports_ = 0;
  int eq_files_ = 0;
};

TEST_F(CliCompact, ManySmallAppendsBecomeOneFileWithTheSameRows) {
  const std::string expected = AppendMany("cp.t", 12, 500);
  const std::string before = Checksum("cp.t");
  auto md0 = Metadata("cp", "t");
  ASSERT_EQ(DataFiles(*md0), 12);

  auto j = LdpJson({"maintain", "compact", "cp.t"});
  EXPECT_TRUE(j.value("committed", false));
  EXPECT_EQ(j.value("data_files_removed", -1), 12);
  EXPECT_EQ(j.value("data_files_added", -1), 1);
  EXPECT_EQ(j.value("target_size", 0), 512LL << 20);
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0].value("output_records", -1), 6000);

  auto md = Metadata("cp", "t");
  EXPECT_EQ(DataFiles(*md), 1);
  const auto& summary = md->CurrentSnapshot()->summary;
  EXPECT_EQ(summary.at("operation"), "replace");
  EXPECT_EQ(summary.at("added-data-files"), "1");
  EXPECT_EQ(summary.at("deleted-data-files"), "12");
  EXPECT_EQ(summary.at("added-records"), "6000");
  EXPECT_EQ(summary.at("deleted-records"), "6000");
  EXPECT_EQ(summary.at("total-records"), "6000");
  EXPECT_EQ(summary.at("total-data-files"), "1");
  EXPECT_EQ(Difference(Export("cp.t"), expected), 0);
  EXPECT_EQ(Checksum("cp.t"), before);
  // The new file carries the schema in its footer, as every ldp write does.
  auto live = LiveEntries(*md);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_NE(Scalar(fmt::format("SELECT count(*) FROM parquet_kv_metadata({}) WHERE key = 'iceberg.schema'",
                               engine::QuoteLiteral(LocalPath(live[0].data_file.file_path)))),
            "0");

  // Nothing left to do: no new snapshot.
  auto again = LdpJson({"maintain", "compact", "cp.t"});
  EXPECT_FALSE(again.value("committed", true));
  EXPECT_EQ(again["groups"].size(), 0u);
  EXPECT_EQ(Metadata("cp", "t")->current_snapshot_id, md->current_snapshot_id);
  // The snapshot before the compaction still reads the same rows (time travel).
  ProcessResult old = Ldp({"query", "SELECT count(*) FROM cp.t", "--as-of", std::to_string(*md0->current_snapshot_id),
                           "--format", "csv"});
  EXPECT_EQ(old.out, "count_star()\n6000\n") << old.Describe();
}

TEST_F(CliCompact, TargetSizeSplitsTheWorkIntoBins) {
  AppendMany("cp.t", 8, 2000);
  const std::string before = Checksum("cp.t");
  auto md0 = Metadata("cp", "t");
  int64_t file_size = 0;
  for (const auto& e : LiveEntries(*md0)) file_size = std::max(file_size, e.data_file.file_size_in_bytes);
  // A target of ~2.5 files: bins of two files each (first-fit decreasing), 8 -> 4.
  auto j = LdpJson({"maintain", "compact", "cp.t", "--target-size", std::to_string(file_size * 5 / 2)});
  EXPECT_EQ(j.value("data_files_removed", -1), 8);
  EXPECT_EQ(j["groups"].size(), 4u);
  EXPECT_EQ(DataFiles(*Metadata("cp", "t")), 4);
  EXPECT_EQ(Checksum("cp.t"), before);
}

TEST_F(CliCompact, PositionAndEqualityDeletesAreAppliedAndDropped) {
  const std::string expected_all = AppendMany("cp.t", 4, 500);
  ASSERT_EQ(Ldp({"properties", "cp.t", "--set", "write.delete.mode=merge-on-read"}).exit_code, 0);
  LdpJson({"delete", "cp.t", "--where", "id % 10 = 3"});  // position deletes in every file
  CommitEqualityDelete("cp", "t", "(5), (600), (1999)");
  // Appended after the equality delete: id 5 again survives (higher sequence number).
  const std::string again = tmp_.Join("again.parquet");
  Copy("SELECT 5::BIGINT AS id, 'again' AS name, 0.0::DOUBLE AS v, 2 AS grp, TIMESTAMP '2030-01-01' AS ts", again);
  Ingest(again, "cp.t");
  const std::string expected = fmt::format(
      "(SELECT * FROM {} WHERE id % 10 <> 3 AND id NOT IN (5, 600, 1999) UNION ALL SELECT * FROM {})", expected_all,
      Parquet(again));
  ASSERT_EQ(Difference(Export("cp.t"), expected), 0);
  const std::string before = Checksum("cp.t");
  auto md0 = Metadata("cp", "t");
  EXPECT_EQ(md0->CurrentSnapshot()->summary.at("total-delete-files"), "5");  // 4 position + 1 equality

  auto j = LdpJson({"maintain", "compact", "cp.t"});
  EXPECT_EQ(j.value("data_files_removed", -1), 5);
  EXPECT_EQ(j.value("data_files_added", -1), 1);
  EXPECT_EQ(j["removed_delete_files"].size(), 5u);
  EXPECT_EQ(j.value("records_removed", -1), 200 + 3);
  auto md = Metadata("cp", "t");
  const auto& s = md->CurrentSnapshot()->summary;
  EXPECT_EQ(s.at("operation"), "replace");
  EXPECT_EQ(s.at("removed-delete-files"), "5");
  EXPECT_EQ(s.at("removed-position-deletes"), "200");
  EXPECT_EQ(s.at("removed-equality-deletes"), "3");
  EXPECT_EQ(s.at("total-delete-files"), "0");
  EXPECT_EQ(s.at("total-position-deletes"), "0");
  EXPECT_EQ(s.at("total-equality-deletes"), "0");
  EXPECT_EQ(s.at("deleted-records"), "2001");
  EXPECT_EQ(s.at("added-records"), "1798");
  EXPECT_EQ(s.at("total-records"), "1798");
  EXPECT_EQ(Difference(Export("cp.t"), expected), 0);
  EXPECT_EQ(Checksum("cp.t"), before);
  for (const auto& e : LiveEntries(*md)) EXPECT_EQ(e.data_file.content, iceberg::FileContent::kData);
}

TEST_F(CliCompact, EqualityDeleteStaysWhileFilesItAppliesToRemain) {
  // One big file the compaction leaves alone, and small ones: the equality delete still applies
  // to the big file and must stay; rows it removes stay removed.
  const std::string big = tmp_.Join("big.parquet");
  Copy("SELECT i::BIGINT AS id, 'n' || i AS name, (i * 0.5)::DOUBLE AS v, (i % 3)::INTEGER AS grp, "
       "TIMESTAMP '2024-01-01' + to_seconds(i) AS ts FROM range(100000, 160000) t(i)",
       big);
  Ingest(big, "cp.t");
  std::string small;
  for (int f = 0; f < 3; ++f) {
    std::string src = tmp_.Join(fmt::format("s{}.parquet", f));
    Copy(fmt::format("SELECT i::BIGINT AS id, 'n' || i AS name, 1.0::DOUBLE AS v, 1 AS grp, TIMESTAMP '2024-01-01' AS ts "
                     "FROM range({}, {}) t(i)",
                     f * 10, f * 10 + 10),
         src);
    Ingest(src, "cp.t");
  }
  CommitEqualityDelete("cp", "t", "(3), (100007)");
  const std::string before = Checksum("cp.t");
  // --where rules the big file out by its bounds: only the small files are rewritten, and the
  // equality delete, which still applies to the big file, must stay.
  auto j = LdpJson({"maintain", "compact", "cp.t", "--where", "id < 1000"});
  EXPECT_EQ(j.value("files_considered", -1), 3) << "bounds should rule out the big file";
  EXPECT_EQ(j.value("data_files_removed", -1), 3);
  EXPECT_EQ(j["removed_delete_files"].size(), 0u) << "the delete still applies to the big file";
  auto md = Metadata("cp", "t");
  EXPECT_EQ(md->CurrentSnapshot()->summary.at("total-delete-files"), "1");
  EXPECT_EQ(Checksum("cp.t"), before);
  EXPECT_EQ(Ldp({"query", "SELECT count(*) FROM cp.t WHERE id IN (3, 100007)", "--format", "csv"}).out,
            "count_star()\n0\n");
  // Now everything: the big file (with its delete) is rewritten and the delete goes.
  auto all = LdpJson({"maintain", "compact", "cp.t"});
  EXPECT_EQ(all["removed_delete_files"].size(), 1u);
  EXPECT_EQ(Metadata("cp", "t")->CurrentSnapshot()->summary.at("total-delete-files"), "0");
  EXPECT_EQ(Checksum("cp.t"), before);
}

TEST_F(CliCompact, PartitionsAreCompactedApartAndOldSpecFilesKeepTheirSpec) {
  const std::string expected1 = AppendMany("cp.p", 4, 300, {"--partition-by", "grp"});
  auto md0 = Metadata("cp", "p");
  EXPECT_EQ(DataFiles(*md0), 12);  // 4 appends x 3 partitions
  // Evolve the spec and append twice more: those files have spec 1.
  ASSERT_EQ(Ldp({"alter", "cp.p", "--partition-by", "bucket(2, id)"}).exit_code, 0);
  std::string expected2;
  for (int f = 0; f < 2; ++f) {
    std::string src = tmp_.Join(fmt::format("p2-{}.parquet", f));
    Copy(fmt::format("SELECT i::BIGINT AS id, 'n' || i AS name, (i * 0.5)::DOUBLE AS v, (i % 3)::INTEGER AS grp, "
                     "TIMESTAMP '2024-01-01' AS ts FROM range({}, {}) t(i)",
                     5000 + f * 100, 5100 + f * 100),
         src);
    Ingest(src, "cp.p");
    expected2 += fmt::format(" UNION ALL SELECT * FROM {}", Parquet(src));
  }
  const std::string expected = "(SELECT * FROM " + expected1 + expected2 + ")";
  const std::string before = Checksum("cp.p");

  auto dry = LdpJson({"maintain", "compact", "cp.p", "--dry-run"});
  EXPECT_TRUE(dry.value("dry_run", false));
  EXPECT_EQ(dry["groups"].size(), 5u);  // 3 partitions of spec 0, 2 buckets of spec 1

  auto j = LdpJson({"maintain", "compact", "cp.p"});
  EXPECT_EQ(j.value("data_files_removed", -1), 16);
  EXPECT_EQ(j.value("data_files_added", -1), 5);
  auto md = Metadata("cp", "p");
  std::map<int32_t, int> by_spec;
  std::set<std::string> folders;
  for (const auto& e : LiveEntries(*md)) {
    by_spec[e.data_file.spec_id]++;
    const std::string path = LocalPath(e.data_file.file_path);
    folders.insert(std::filesystem::path(path).parent_path().filename().string());
    // Every row of the file belongs to its recorded partition.
    if (e.data_file.spec_id == 0) {
      ASSERT_EQ(e.data_file.partition.size(), 1u);
      int32_t grp = std::get<int32_t>(e.data_file.partition[0]);
      EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM read_parquet({}) WHERE grp <> {}", engine::QuoteLiteral(path), grp)),
                "0");
    }
  }
  EXPECT_EQ(by_spec[0], 3);
  EXPECT_EQ(by_spec[1], 2);
  EXPECT_TRUE(folders.count("grp=0") && folders.count("grp=1") && folders.count("grp=2"));
  EXPECT_TRUE(folders.count("id_bucket=0") && folders.count("id_bucket=1"));
  EXPECT_EQ(Difference(Export("cp.p"), expected), 0);
  EXPECT_EQ(Checksum("cp.p"), before);
  // Partition pruning still works on the compacted files.
  ProcessResult q = Ldp({"query", "SELECT count(*) FROM cp.p WHERE grp = 1", "--format", "csv"});
  EXPECT_EQ(q.out, fmt::format("count_star()\n{}\n", Scalar("SELECT count(*) FROM " + expected + " WHERE grp = 1")));
}

TEST_F(CliCompact, DryRunListsAndChangesNothing) {
  AppendMany("cp.t", 3, 100);
  TableState before = State("cp", "t");
  ProcessResult r = Ldp({"maintain", "compact", "cp.t", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Would compact 3 data files of cp.t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(".parquet"), std::string::npos) << "the input files are listed:\n" << r.out;
  TableState after = State("cp", "t");
  EXPECT_EQ(after.row->metadata_location, before.row->metadata_location);
  EXPECT_EQ(after.files, before.files);
  auto j = LdpJson({"maintain", "compact", "cp.t", "--dry-run"});
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["input_files"].size(), 3u);
  EXPECT_EQ(j["groups"][0]["output_files"].size(), 0u);
  EXPECT_FALSE(j.value("committed", true));
}

TEST_F(CliCompact, SingleSmallFileWithoutDeletesIsLeftAlone) {
  AppendMany("cp.t", 1, 100);
  TableState before = State("cp", "t");
  ProcessResult r = Ldp({"maintain", "compact", "cp.t"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Nothing to compact"), std::string::npos) << r.out;
  EXPECT_EQ(State("cp", "t").files, before.files);
}

TEST_F(CliCompact, ConcurrentDeleteMakesItFailWithNoDamage) {
  const std::string expected_all = AppendMany("cp.t", 4, 200);
  auto project = services::Project::Open(project_);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto db = services::OpenEngine(**project);
  ASSERT_TRUE(db.ok());
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn.ok());
  // The table's files before the compaction plus what the concurrent delete added: all that may
  // be left afterwards.
  std::set<std::string> files_after_delete = FilesUnder(TableDir("cp", "t"));
  services::CompactOptions o;
  o.table = {{"cp"}, "t"};
  o.before_commit = [&]() {
    // Another process deletes rows of an input file (copy-on-write: it rewrites the file).
    std::set<std::string> before_delete = FilesUnder(TableDir("cp", "t"));
    ProcessResult d = Ldp({"delete", "cp.t", "--where", "id = 7"});
    EXPECT_EQ(d.exit_code, 0) << d.Describe();
    for (const auto& f : FilesUnder(TableDir("cp", "t")))
      if (!before_delete.count(f)) files_after_delete.insert(f);
  };
  auto r = services::Compact(**project, **conn, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCommitFailed) << r.status().ToString();
  EXPECT_NE(r.status().message().find("cp.t"), std::string::npos) << r.status().message();
  // Nothing of the compaction is left; the delete's result stands.
  EXPECT_EQ(FilesUnder(TableDir("cp", "t")), files_after_delete);
  EXPECT_EQ(Difference(Export("cp.t"), "(SELECT * FROM " + expected_all + " WHERE id <> 7)"), 0);
  EXPECT_EQ(Metadata("cp", "t")->CurrentSnapshot()->summary.at("operation"), "overwrite");

  // A concurrent merge-on-read delete (a new position delete file for an input) conflicts too.
  ASSERT_EQ(Ldp({"properties", "cp.t", "--set", "write.delete.mode=merge-on-read"}).exit_code, 0);
  o.before_commit = [&]() {
    ProcessResult d = Ldp({"delete", "cp.t", "--where", "id = 8"});
    EXPECT_EQ(d.exit_code, 0) << d.Describe();
  };
  auto r2 = services::Compact(**project, **conn, o);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), ErrorCode::kCommitFailed) << r2.status().ToString();
  EXPECT_EQ(Difference(Export("cp.t"), "(SELECT * FROM " + expected_all + " WHERE id NOT IN (7, 8))"), 0);
}

TEST_F(CliCompact, ConcurrentAppendDoesNotConflict) {
  const std::string expected_all = AppendMany("cp.t", 4, 200);
  auto project = services::Project::Open(project_);
  ASSERT_TRUE(project.ok());
  auto db = services::OpenEngine(**project);
  ASSERT_TRUE(db.ok());
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn.ok());
  const std::string extra = tmp_.Join("extra.parquet");
  Copy("SELECT 99999::BIGINT AS id, 'x' AS name, 0.0::DOUBLE AS v, 0 AS grp, TIMESTAMP '2024-01-01' AS ts", extra);
  services::CompactOptions o;
  o.table = {{"cp"}, "t"};
  o.before_commit = [&]() { Ingest(extra, "cp.t"); };
  auto r = services::Compact(**project, **conn, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(r->commit_attempts, 2);
  EXPECT_EQ(DataFiles(*Metadata("cp", "t")), 2);  // the compacted file and the appended one
  EXPECT_EQ(Difference(Export("cp.t"), "(SELECT * FROM " + expected_all + " UNION ALL SELECT * FROM " + Parquet(extra) + ")"),
            0);
}

TEST_F(CliCompact, BadInputFailsCleanly) {
  AppendMany("cp.t", 3, 50);
  TableState before = State("cp", "t");
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string names;
  };
  for (const Case& c : std::vector<Case>{
           {{"maintain", "compact", "cp.t", "--target-size", "12XB"}, 2, "12XB"},
           {{"maintain", "compact", "cp.t", "--target-size", "0"}, 2, "--target-size"},
           {{"maintain", "compact", "cp.t", "--where", "nope = 1"}, 2, "nope"},
           {{"maintain", "compact", "cp.t", "--where", "id = = 1"}, 2, "cp.t"},
           {{"maintain", "compact", "cp.missing"}, 3, "cp.missing"},
       }) {
    ProcessResult r = Ldp(c.args);
    EXPECT_EQ(r.exit_code, c.code) << r.Describe();
    auto line = OneLine(r.err);
    EXPECT_TRUE(line) << r.Describe();
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.Describe();
    TableState after = State("cp", "t");
    EXPECT_EQ(after.row->metadata_location, before.row->metadata_location);
    EXPECT_EQ(after.files, before.files);
  }
}

// ---- sort orders ------------------------------------------------------------------------------

TEST_F(CliCompact, SortOrderIsRecordedAndWritesAndCompactionHonourIt) {
  const std::string src = tmp_.Join("unsorted.parquet");
  Copy("SELECT (i * 7919 % 1000)::BIGINT AS id, 'n' || i AS name, CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 97)::DOUBLE END "
       "AS v, (i % 3)::INTEGER AS grp, TIMESTAMP '2024-01-01' + to_seconds(i * 3600) AS ts FROM range(0, 1000) t(i)",
       src);
  auto created = Ingest(src, "cp.s", {"--sort-by", "v desc nulls last, id"});
  auto md = Metadata("cp", "s");
  ASSERT_EQ(md->default_sort_order_id, 1);
  json mdj = CurrentMetadata("cp", "s");
  json order;
  for (const auto& o : mdj["sort-orders"])
    if (o["order-id"] == 1) order = o;
  ASSERT_EQ(order["fields"].size(), 2u) << mdj["sort-orders"].dump();
  EXPECT_EQ(order["fields"][0]["transform"], "identity");
  EXPECT_EQ(order["fields"][0]["direction"], "desc");
  EXPECT_EQ(order["fields"][0]["null-order"], "nulls-last");
  EXPECT_EQ(order["fields"][1]["direction"], "asc");
  EXPECT_EQ(order["fields"][1]["null-order"], "nulls-first");
  auto describe = LdpJson({"describe", "cp.s"});
  EXPECT_EQ(describe.value("sort_order_text", ""), "v desc nulls last, id asc nulls first");
  ProcessResult d = Ldp({"describe", "cp.s"});
  EXPECT_NE(d.out.find("Sort order (id 1): v desc nulls last, id asc nulls first"), std::string::npos) << d.out;

  // The written file is in that order and says so.
  auto files_sorted = [&](const char* order_sql) {
    for (const auto& e : LiveEntries(*Metadata("cp", "s"))) {
      const std::string p = engine::QuoteLiteral(LocalPath(e.data_file.file_path));
      std::string out_of_order = Scalar(fmt::format(
          "SELECT count(*) FROM (SELECT file_row_number AS r, row_number() OVER (ORDER BY {}) - 1 AS s "
          "FROM read_parquet({}, file_row_number = true)) WHERE r <> s",
          order_sql, p));
      EXPECT_EQ(out_of_order, "0") << e.data_file.file_path;
    }
  };
  files_sorted("v DESC NULLS LAST, id ASC NULLS FIRST, file_row_number");
  for (const auto& e : LiveEntries(*Metadata("cp", "s"))) EXPECT_EQ(e.data_file.sort_order_id, std::optional<int32_t>(1));

  // A second append, a new order, then compaction writes one file in the new order.
  const std::string src2 = tmp_.Join("more.parquet");
  Copy("SELECT (1000 + i)::BIGINT AS id, 'm' AS name, 5.0::DOUBLE AS v, 1 AS grp, TIMESTAMP '2025-01-01' AS ts FROM range(0, 50) t(i)",
       src2);
  Ingest(src2, "cp.s");
  auto alter = LdpJson({"alter", "cp.s", "--sort-by", "day(ts) desc, id"});
  EXPECT_EQ(alter.value("sort_order_id", -1), 2);
  EXPECT_EQ(alter.value("previous_sort_order", ""), "v desc nulls last, id asc nulls first");
  const std::string before = Checksum("cp.s");
  auto j = LdpJson({"maintain", "compact", "cp.s"});
  EXPECT_EQ(j.value("sort_order_id", -1), 2);
  EXPECT_EQ(DataFiles(*Metadata("cp", "s")), 1);
  files_sorted("date_trunc('day', ts) DESC NULLS LAST, id ASC NULLS FIRST, file_row_number");
  for (const auto& e : LiveEntries(*Metadata("cp", "s"))) EXPECT_EQ(e.data_file.sort_order_id, std::optional<int32_t>(2));
  EXPECT_EQ(Checksum("cp.s"), before);

  // Back to an earlier order reuses its id; unsorted is order 0.
  EXPECT_EQ(LdpJson({"alter", "cp.s", "--sort-by", "v DESC NULLS LAST, id"}).value("sort_order_id", -1), 1);
  EXPECT_EQ(LdpJson({"alter", "cp.s", "--sort-by", "unsorted"}).value("sort_order_id", -1), 0);
  EXPECT_EQ(Metadata("cp", "s")->default_sort_order_id, 0);
  EXPECT_EQ(Metadata("cp", "s")->sort_orders.size(), 3u);
  auto plain = Ingest(src2, "cp.s");
  for (const auto& e : LiveEntries(*Metadata("cp", "s"))) {
    if (e.snapshot_id == plain.value("snapshot_id", int64_t{0})) EXPECT_FALSE(e.data_file.sort_order_id.has_value());
  }
}

TEST_F(CliCompact, CopyOnWriteRewritesKeepTheSortOrder) {
  // A copy-on-write delete and update rewrite the affected file: the kept and changed rows are
  // written in the table's sort order and the new file says so.
  const std::string src = tmp_.Join("unsorted.parquet");
  Copy("SELECT (i * 7919 % 1000)::BIGINT AS id, CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 97)::DOUBLE END AS v "
       "FROM range(0, 1000) t(i)",
       src);
  Ingest(src, "cp.cow", {"--sort-by", "v desc nulls last, id"});
  auto del = LdpJson({"delete", "cp.cow", "--where", "id % 5 = 0"});
  ASSERT_EQ(del.value("write_mode", ""), "copy-on-write");
  EXPECT_EQ(del.value("rows_deleted", -1), 200);
  auto upd = LdpJson({"update", "cp.cow", "--set", "v = 200 - id", "--where", "id < 150"});
  EXPECT_EQ(upd.value("rows_updated", -1), 120);
  auto live = LiveEntries(*Metadata("cp", "cow"));
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].data_file.sort_order_id, std::optional<int32_t>(1));
  const std::string p = engine::QuoteLiteral(LocalPath(live[0].data_file.file_path));
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM (SELECT file_row_number AS r, row_number() OVER (ORDER BY v DESC "
                               "NULLS LAST, id ASC NULLS FIRST) - 1 AS s FROM read_parquet({}, file_row_number = true)) "
                               "WHERE r <> s",
                               p)),
            "0");
  // The rewrite lost and changed nothing else: 800 rows, the updated ones moved to the front.
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) || ',' || max(v) FROM read_parquet({})", p)), "800,199.0");
}

TEST_F(CliCompact, PartitionedSortedTableIsSortedByCompaction) {
  // Partitioned ingests cannot keep row order (DuckDB's PARTITION_BY writer): their files claim no
  // order; compaction writes each partition sorted and records the order.
  AppendMany("cp.ps", 3, 400, {"--partition-by", "grp", "--sort-by", "v desc, id"});
  for (const auto& e : LiveEntries(*Metadata("cp", "ps"))) EXPECT_FALSE(e.data_file.sort_order_id.has_value());
  const std::string before = Checksum("cp.ps");
  auto j = LdpJson({"maintain", "compact", "cp.ps"});
  EXPECT_EQ(j.value("data_files_added", -1), 3);
  auto live = LiveEntries(*Metadata("cp", "ps"));
  ASSERT_EQ(live.size(), 3u);
  for (const auto& e : live) {
    EXPECT_EQ(e.data_file.sort_order_id, std::optional<int32_t>(1));
    EXPECT_EQ(Scalar(fmt::format(
                  "SELECT count(*) FROM (SELECT file_row_number AS r, row_number() OVER (ORDER BY v DESC NULLS LAST, "
                  "id ASC NULLS FIRST) - 1 AS s FROM read_parquet({}, file_row_number = true)) WHERE r <> s",
                  engine::QuoteLiteral(LocalPath(e.data_file.file_path)))),
              "0");
  }
  EXPECT_EQ(Checksum("cp.ps"), before);
}

TEST_F(CliCompact, BadSortOrdersFailCleanly) {
  const std::string src = tmp_.Join("s.parquet");
  Copy("SELECT i::BIGINT AS id, 'n' AS name FROM range(0, 10) t(i)", src);
  // On create: no table is left behind.
  for (const auto& [text, names] : std::vector<std::pair<std::string, std::string>>{
           {"nope", "nope"}, {"id sideways", "sideways"}, {"day(name)", "name"}, {"id nulls middle", "nulls"}}) {
    ProcessResult r = Ldp({"ingest", src, "--table", "cp.bad", "--sort-by", text});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_TRUE(OneLine(r.err)) << r.Describe();
    EXPECT_NE(r.err.find(names), std::string::npos) << r.Describe();
    EXPECT_FALSE(CatalogTable("cp", "bad"));
    EXPECT_EQ(FilesUnder(TableDir("cp", "bad")), std::set<std::string>{});
  }
  Ingest(src, "cp.s", {"--sort-by", "id"});
  TableState before = State("cp", "s");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"alter", "cp.s", "--sort-by", "nope desc"},
           {"alter", "cp.s", "--sort-by", "id", "--partition-by", "id"},
           {"ingest", src, "--table", "cp.s", "--sort-by", "name"},
       }) {
    ProcessResult r = Ldp(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_TRUE(OneLine(r.err)) << r.Describe();
    EXPECT_EQ(State("cp", "s").files, before.files);
  }
  // The same order on an existing table is fine.
  Ingest(src, "cp.s", {"--sort-by", "id asc"});
}

}  // namespace
}  // namespace ldp::testing
