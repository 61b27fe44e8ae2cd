// Row-level changes through the real CLI: delete, update, merge and overwrite --where in both
// write modes give exactly the rows DuckDB computes from the sources; copy-on-write leaves files
// that cannot match untouched; merge-on-read writes position delete files with the spec's field
// ids; bad input changes nothing; concurrent row-level operations conflict or retry as they should.

#include <map>
#include <set>

#include "integration/cli_fixture.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/iceberg/transforms.h"
#include "ldp/io/file_system.h"

namespace ldp::testing {
namespace {

class CliRowDelta : public CliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // Three data files with disjoint id ranges: 0..999, 1000..1999, 2000..2999.
  void MakeTable(const std::string& mode) {
    for (int f = 0; f < 3; ++f) {
      std::string src = tmp_.Join(fmt::format("src{}.parquet", f));
      Copy(fmt::format("SELECT i AS id, 'n' || i AS name, i * 1.5 AS v, i % 7 AS grp FROM range({}, {}) t(i)",
                       f * 1000, (f + 1) * 1000),
           src);
      Ingest(src, "rd.t");
      expected_ += (expected_.empty() ? "" : " UNION ALL ") + fmt::format("SELECT * FROM {}", Parquet(src));
    }
    expected_ = "(" + expected_ + ")";
    if (mode == "merge-on-read") {
      auto r = Ldp({"properties", "rd.t", "--set", "write.delete.mode=merge-on-read", "--set",
                    "write.update.mode=merge-on-read", "--set", "write.merge.mode=merge-on-read"});
      ASSERT_EQ(r.exit_code, 0) << r.Describe();
    }
  }

  // The table's rows (through export) minus `expected` both ways.
  int64_t DiffFromTable(const std::string& expected) {
    const std::string out = tmp_.Join(fmt::format("export{}.parquet", exports_++));
    ProcessResult r = Ldp({"export", "rd.t", "--to", out});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Difference(Parquet(out), expected);
  }

  std::set<std::string> TableFiles() { return FilesUnder(TableDir("rd", "t")); }

  std::string expected_;
  int exports_ = 0;
};

TEST_P(CliRowDelta, DeleteUpdateMergeOverwriteGiveTheExpectedRows) {
  const std::string mode = GetParam();
  MakeTable(mode);

  // delete: only the file holding ids 1000..1999 can match
  auto del = LdpJson({"delete", "rd.t", "--where", "id >= 1100 AND id < 1510 AND (id < 1200 OR id >= 1500)"});
  EXPECT_EQ(del.value("rows_deleted", -1), 110);
  EXPECT_EQ(del.value("write_mode", ""), mode);
  EXPECT_EQ(del.value("files_scanned", -1), 1) << "bounds should rule out two of three files";
  if (mode == "copy-on-write") {
    EXPECT_EQ(del.value("files_rewritten", -1), 1);
    EXPECT_EQ(del.value("delete_files_added", -1), 0);
  } else {
    EXPECT_EQ(del.value("files_rewritten", -1), 0);
    EXPECT_EQ(del.value("delete_files_added", -1), 1);
  }
  std::string expected =
      "(SELECT * FROM " + expected_ + " WHERE NOT (id >= 1100 AND id < 1510 AND (id < 1200 OR id >= 1500)))";
  EXPECT_EQ(DiffFromTable(expected), 0);
  auto md = CurrentMetadata("rd", "t");
  const auto& summary = md["snapshots"].back()["summary"];
  EXPECT_EQ(summary.value("operation", ""), mode == "copy-on-write" ? "overwrite" : "delete");
  if (mode == "merge-on-read") {
    EXPECT_EQ(summary.value("added-position-deletes", ""), "110");
    EXPECT_EQ(summary.value("total-position-deletes", ""), "110");
    EXPECT_EQ(summary.value("total-delete-files", ""), "1");
    EXPECT_EQ(summary.value("total-records", ""), "3000");
  } else {
    EXPECT_EQ(summary.value("deleted-records", ""), "1000");
    EXPECT_EQ(summary.value("added-records", ""), "890");
    EXPECT_EQ(summary.value("total-records", ""), "2890");
  }

  // update: rows already deleted stay deleted
  auto upd = LdpJson({"update", "rd.t", "--set", "name = upper(name), v = v * 2", "--where", "grp = 3 AND id < 2000"});
  int64_t n_upd = Count("(SELECT * FROM " + expected + " WHERE grp = 3 AND id < 2000)");
  EXPECT_EQ(upd.value("rows_updated", -1), n_upd);
  expected = fmt::format(
      "(SELECT id, CASE WHEN grp = 3 AND id < 2000 THEN upper(name) ELSE name END AS name, "
      "CASE WHEN grp = 3 AND id < 2000 THEN v * 2 ELSE v END AS v, grp FROM {})",
      expected);
  EXPECT_EQ(DiffFromTable(expected), 0);

  // merge: 50 existing keys (one of them deleted before: inserted again) plus 20 new ones
  const std::string src = tmp_.Join("merge.parquet");
  Copy("SELECT i AS id, 'm' || i AS name, -1.0 * i AS v, 9 AS grp FROM range(1190, 1240) t(i) UNION ALL "
       "SELECT i, 'new' || i, 0.5, 8 FROM range(5000, 5020) t(i)",
       src);
  auto mg = Ingest(src, "rd.t", {"--mode", "merge", "--key", "id"});
  EXPECT_EQ(mg.value("rows_updated", -1), 40);   // 1200..1239 exist; 1190..1199 were deleted
  EXPECT_EQ(mg.value("rows_inserted", -1), 30);
  expected = fmt::format("(SELECT * FROM {} WHERE id NOT IN (SELECT id FROM {}) UNION ALL SELECT * FROM {})", expected,
                         Parquet(src), Parquet(src));
  EXPECT_EQ(DiffFromTable(expected), 0);

  // overwrite --where: replace the rows of group 8
  const std::string ow = tmp_.Join("ow.parquet");
  Copy("SELECT i AS id, 'ow' AS name, 1.0 AS v, 8 AS grp FROM range(7000, 7003) t(i)", ow);
  auto o = Ingest(ow, "rd.t", {"--mode", "overwrite", "--where", "grp = 8"});
  EXPECT_EQ(o.value("rows_deleted", -1), 20);
  EXPECT_EQ(o.value("rows_inserted", -1), 3);
  expected = fmt::format("(SELECT * FROM {} WHERE grp <> 8 UNION ALL SELECT * FROM {})", expected, Parquet(ow));
  EXPECT_EQ(DiffFromTable(expected), 0);

  // query with a WHERE clause (pruned plan) sees the same rows as the full view
  ProcessResult q = Ldp({"query", "SELECT count(*) FROM rd.t WHERE id >= 1000 AND id < 2000", "--format", "csv"});
  EXPECT_EQ(q.out, fmt::format("count_star()\n{}\n", Count("(SELECT * FROM " + expected + " WHERE id >= 1000 AND id < 2000)")))
      << q.Describe();
}

TEST_P(CliRowDelta, BadInputChangesNothing) {
  MakeTable(GetParam());
  auto before_files = TableFiles();
  auto before = CatalogTable("rd", "t");
  ASSERT_TRUE(before.has_value());
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string dup = tmp_.Join("dup.parquet");
  Copy("SELECT 5 AS id, 'a' AS name, 1.0 AS v, 1 AS grp UNION ALL SELECT 5, 'b', 2.0, 1", dup);
  const std::string ok = tmp_.Join("ok.parquet");
  Copy("SELECT 5 AS id, 'a' AS name, 1.0 AS v, 1 AS grp", ok);
  std::vector<Case> cases = {
      {{"delete", "rd.t", "--where", "no_such_column = 1"}, "no_such_column"},
      {{"delete", "rd.t", "--where", "id = = 1"}, "rd.t"},
      {{"update", "rd.t", "--set", "nope = 1", "--where", "id = 1"}, "nope"},
      {{"update", "rd.t", "--set", "v = no_such(1)", "--where", "id = 1"}, "rd.t"},
      {{"update", "rd.t", "--set", "id = 'not a number'", "--where", "id = 1"}, "rd.t"},
      {{"ingest", dup, "--table", "rd.t", "--mode", "merge", "--key", "id"}, "id = 5"},
      {{"ingest", ok, "--table", "rd.t", "--mode", "merge", "--key", "nokey"}, "nokey"},
      {{"ingest", ok, "--table", "rd.t", "--mode", "overwrite", "--where", "grp = 2"}, "do not match"},
      {{"delete", "rd.x", "--where", "id = 1"}, "rd.x"},
  };
  for (const auto& c : cases) {
    ProcessResult r = Ldp(c.args);
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.Describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
  EXPECT_EQ(TableFiles(), before_files) << "a failed operation left files behind";
  EXPECT_EQ(CatalogTable("rd", "t")->metadata_location, before->metadata_location);
  EXPECT_EQ(DiffFromTable(expected_), 0);
}

TEST_P(CliRowDelta, ConcurrentOperations) {
  const std::string mode = GetParam();
  MakeTable(mode);
  // Deletes of disjoint files race with appends that cannot match them: all commit.
  const std::string app = tmp_.Join("app.parquet");
  Copy("SELECT i AS id, 'a' AS name, 0.0 AS v, 100 AS grp FROM range(9000, 9100) t(i)", app);
  std::vector<Subprocess> procs;
  std::vector<std::vector<std::string>> cmds = {
      {"delete", "rd.t", "--where", "id < 100"},
      {"delete", "rd.t", "--where", "id >= 2900 AND id < 3000"},
      {"ingest", app, "--table", "rd.t"},
      {"update", "rd.t", "--set", "v = 0", "--where", "id >= 1000 AND id < 1010"},
  };
  for (auto c : cmds) {
    c.insert(c.begin(), LDP_BIN);
    c.insert(c.end(), {"--json", "--project", project_});
    auto p = Subprocess::Start(c, {{{"LDP_PROJECT", std::nullopt}}, ""});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    procs.push_back(std::move(p).value());
  }
  for (auto& p : procs) {
    auto r = p.Wait();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 0) << r->Describe();
  }
  std::string expected = fmt::format(
      "(SELECT id, name, CASE WHEN id >= 1000 AND id < 1010 THEN 0.0 ELSE v END AS v, grp FROM {} "
      "WHERE NOT (id < 100 OR (id >= 2900 AND id < 3000)) UNION ALL SELECT * FROM {})",
      expected_, Parquet(app));
  EXPECT_EQ(DiffFromTable(expected), 0);

  // Two deletes of the same rows at once: one commits, the other fails with CommitFailed naming
  // the table, or (if it started after the first committed) finds nothing to delete.
  for (int round = 0; round < 2; ++round) {
    std::vector<Subprocess> racers;
    std::string where = fmt::format("id >= {} AND id < {}", 1100 + round * 100, 1150 + round * 100);
    for (int i = 0; i < 3; ++i) {
      auto p = Subprocess::Start({LDP_BIN, "delete", "rd.t", "--where", where, "--json", "--project", project_},
                                 {{{"LDP_PROJECT", std::nullopt}}, ""});
      ASSERT_TRUE(p.ok());
      racers.push_back(std::move(p).value());
    }
    int deleted = 0;
    for (auto& p : racers) {
      auto r = p.Wait();
      ASSERT_TRUE(r.ok());
      if (r->exit_code == 0) {
        auto j = nlohmann::json::parse(r->out, nullptr, false);
        deleted += j.value("rows_deleted", 0) * (j.value("committed", false) ? 1 : 0);
      } else {
        EXPECT_NE(r->err.find("rd.t"), std::string::npos) << r->Describe();
        EXPECT_NE(r->err.find("concurrent"), std::string::npos) << r->Describe();
      }
    }
    EXPECT_EQ(deleted, 50) << "the rows were deleted exactly once";
    expected = fmt::format("(SELECT * FROM {} WHERE NOT ({}))", expected, where);
    EXPECT_EQ(DiffFromTable(expected), 0);
  }
}

// A table partitioned by day(ts), bucket(4, id): copy-on-write delete, update (also moving rows to
// other partitions), merge and overwrite --where give exactly the rows DuckDB computes; files of
// untouched partitions stay; every live file's manifest tuple (spec 0) matches its rows.
class CliRowDeltaPartitioned : public CliTest {
 protected:
  std::shared_ptr<const iceberg::TableMetadata> Metadata() {
    auto row = CatalogTable("rd", "p");
    EXPECT_TRUE(row);
    if (!row) return nullptr;
    auto md = iceberg::TableMetadata::FromJsonString(ReadFile(LocalPath(row->metadata_location)));
    EXPECT_TRUE(md.ok()) << md.status().ToString();
    return md.ok() ? *md : nullptr;
  }

  std::vector<iceberg::DataFile> LiveFiles() {
    std::vector<iceberg::DataFile> out;
    auto md = Metadata();
    if (!md || !md->CurrentSnapshot()) return out;
    auto lfs = io::LocalFileSystem();
    auto list = iceberg::ReadManifestList(*lfs, md->CurrentSnapshot()->manifest_list);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (!list.ok()) return out;
    for (const auto& mf : *list) {
      auto entries = iceberg::ReadManifest(*lfs, mf);
      EXPECT_TRUE(entries.ok()) << entries.status().ToString();
      if (!entries.ok()) continue;
      for (auto& e : *entries)
        if (e.status != iceberg::ManifestEntryStatus::kDeleted) out.push_back(e.data_file);
    }
    return out;
  }

  // Each live data file: spec `want_spec` (-1: any), and the tuple in its manifest entry equals
  // the transforms of its spec of every one of its rows, computed by ldp's C++ transforms.
  void ExpectTuplesMatchRows(int32_t want_spec = 0) {
    auto md = Metadata();
    ASSERT_TRUE(md);
    auto schema = md->CurrentSchema();
    for (const auto& f : LiveFiles()) {
      if (want_spec >= 0) EXPECT_EQ(f.spec_id, want_spec) << f.file_path;
      const iceberg::PartitionSpec* spec = md->SpecById(f.spec_id);
      ASSERT_TRUE(spec);
      if (f.content != iceberg::FileContent::kData) continue;  // position deletes: tuple of their data file
      ASSERT_EQ(f.partition.size(), 2u) << f.file_path;
      auto rows = Sql(fmt::format("SELECT CAST(ts AS VARCHAR), CAST(id AS VARCHAR) FROM read_parquet({})",
                                  engine::QuoteLiteral(LocalPath(f.file_path))));
      EXPECT_EQ(static_cast<int64_t>(rows.rows.size()), f.record_count) << f.file_path;
      for (const auto& row : rows.rows) {
        for (size_t i = 0; i < 2; ++i) {
          const auto& pf = spec->fields[i];
          const iceberg::Type& st = *schema->FindFieldById(pf.source_id)->type;
          auto t = iceberg::ParseTransform(pf.transform);
          auto rt = iceberg::TransformResultType(*t, st);
          auto lit = iceberg::ParseLiteral(st, *row[i]);
          ASSERT_TRUE(lit) << *row[i];
          auto v = iceberg::ApplyTransform(*t, st, *lit);
          ASSERT_TRUE(v.ok()) << v.status().ToString();
          EXPECT_TRUE(iceberg::ToPartitionValue(**rt, *v) == f.partition[i])
              << pf.transform << " of " << *row[i] << " in " << f.file_path;
        }
      }
    }
  }

  std::set<std::string> LivePaths() {
    std::set<std::string> out;
    for (const auto& f : LiveFiles()) out.insert(f.file_path);
    return out;
  }

  int64_t DiffFromTable(const std::string& expected) {
    const std::string out = tmp_.Join(fmt::format("export{}.parquet", exports_++));
    ProcessResult r = Ldp({"export", "rd.p", "--to", out});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Difference(Parquet(out), expected);
  }
  int exports_ = 0;
};

TEST_F(CliRowDeltaPartitioned, CopyOnWriteRewritesOnlyTouchedPartitions) {
  // 2000 rows over 14 days (one row every 10 minutes).
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id, 'n' || i AS name, i * 1.5 AS v, TIMESTAMP '2024-03-01' + INTERVAL (i * 600) SECOND AS ts "
       "FROM range(0, 2000) t(i)",
       src);
  Ingest(src, "rd.p", {"--partition-by", "day(ts), bucket(4, id)"});
  std::string expected = "(SELECT * FROM " + Parquet(src) + ")";
  auto before = LivePaths();
  ASSERT_GE(before.size(), 40u);

  // delete: rows of 2024-03-01 only (ids 0..143 lie on that day)
  auto del = LdpJson({"delete", "rd.p", "--where", "id >= 100 AND id < 150"});
  EXPECT_EQ(del.value("write_mode", ""), "copy-on-write");
  EXPECT_EQ(del.value("rows_deleted", -1), 50);
  EXPECT_GE(del.value("files_rewritten", -1), 1);
  EXPECT_LE(del.value("files_rewritten", -1), 8);  // buckets of the two days ids 100..149 span
  expected = "(SELECT * FROM " + expected + " WHERE NOT (id >= 100 AND id < 150))";
  EXPECT_EQ(DiffFromTable(expected), 0);
  auto after = LivePaths();
  int untouched = 0;
  for (const auto& f : before) {
    if (f.find("ts_day=2024-03-01/") == std::string::npos && f.find("ts_day=2024-03-02/") == std::string::npos) {
      EXPECT_TRUE(after.count(f)) << "file of an untouched partition was rewritten: " << f;
      ++untouched;
    }
  }
  EXPECT_GE(untouched, 40);
  // one file per partition was written, rows stay in their partitions: one changed partition per rewritten file
  auto md = CurrentMetadata("rd", "p");
  EXPECT_EQ(md["snapshots"].back()["summary"].value("changed-partition-count", ""),
            std::to_string(del.value("files_rewritten", -1)));
  for (const auto& f : after)
    if (!before.count(f)) EXPECT_NE(f.find("/ts_day=2024-03-0"), std::string::npos) << "new file outside a partition folder: " << f;
  ExpectTuplesMatchRows();

  // update that moves rows to other days and buckets
  auto upd = LdpJson({"update", "rd.p", "--set", "ts = ts + INTERVAL 3 DAY, id = id + 10000, name = upper(name)",
                      "--where", "id >= 600 AND id < 700"});
  EXPECT_EQ(upd.value("rows_updated", -1), 100);
  expected = fmt::format(
      "(SELECT CASE WHEN id >= 600 AND id < 700 THEN id + 10000 ELSE id END AS id, "
      "CASE WHEN id >= 600 AND id < 700 THEN upper(name) ELSE name END AS name, v, "
      "CASE WHEN id >= 600 AND id < 700 THEN ts + INTERVAL 3 DAY ELSE ts END AS ts FROM {})",
      expected);
  EXPECT_EQ(DiffFromTable(expected), 0);
  ExpectTuplesMatchRows();

  // merge: 50 existing keys and 20 new ones on a day the table did not have
  const std::string mg_src = tmp_.Join("merge.parquet");
  Copy("SELECT i AS id, 'm' || i AS name, -1.0 * i AS v, TIMESTAMP '2024-03-08 12:00:00' AS ts FROM range(1000, 1050) t(i) "
       "UNION ALL SELECT i, 'new' || i, 0.5, TIMESTAMP '2024-05-01 00:00:00' + INTERVAL (i) MINUTE FROM range(5000, 5020) t(i)",
       mg_src);
  auto mg = Ingest(mg_src, "rd.p", {"--mode", "merge", "--key", "id"});
  EXPECT_EQ(mg.value("rows_updated", -1), 50);
  EXPECT_EQ(mg.value("rows_inserted", -1), 20);
  expected = fmt::format("(SELECT * FROM {} WHERE id NOT IN (SELECT id FROM {}) UNION ALL SELECT * FROM {})", expected,
                         Parquet(mg_src), Parquet(mg_src));
  EXPECT_EQ(DiffFromTable(expected), 0);
  bool may_folder = false;
  for (const auto& f : LivePaths())
    if (f.find("/ts_day=2024-05-04/") != std::string::npos) may_folder = true;
  EXPECT_TRUE(may_folder);
  ExpectTuplesMatchRows();

  // overwrite --where
  const std::string ow = tmp_.Join("ow.parquet");
  Copy("SELECT i AS id, 'ow' AS name, 1.0 AS v, TIMESTAMP '2024-03-10 01:00:00' AS ts FROM range(1900, 1905) t(i)", ow);
  auto o = Ingest(ow, "rd.p", {"--mode", "overwrite", "--where", "id >= 1900 AND id < 2000"});
  EXPECT_EQ(o.value("rows_deleted", -1), 100);
  EXPECT_EQ(o.value("rows_inserted", -1), 5);
  expected = fmt::format("(SELECT * FROM {} WHERE NOT (id >= 1900 AND id < 2000) UNION ALL SELECT * FROM {})", expected,
                         Parquet(ow));
  EXPECT_EQ(DiffFromTable(expected), 0);
  ExpectTuplesMatchRows();

  // the table keeps its one spec (every new file above was checked to be written with spec 0)
  auto d = LdpJson({"describe", "rd.p"});
  EXPECT_EQ(d.value("default_spec_id", -1), 0);
  EXPECT_EQ(d["partition_specs"].size(), 1u);

  // merge-on-read: update writes its new rows partitioned, with position deletes for the old
  auto r = Ldp({"properties", "rd.p", "--set", "write.update.mode=merge-on-read"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto mor = LdpJson({"update", "rd.p", "--set", "ts = ts + INTERVAL 30 DAY", "--where", "id >= 300 AND id < 320"});
  EXPECT_EQ(mor.value("write_mode", ""), "merge-on-read");
  EXPECT_EQ(mor.value("rows_updated", -1), 20);
  EXPECT_EQ(mor.value("files_rewritten", -1), 0);
  EXPECT_GE(mor.value("delete_files_added", -1), 1);
  expected = fmt::format(
      "(SELECT id, name, v, CASE WHEN id >= 300 AND id < 320 THEN ts + INTERVAL 30 DAY ELSE ts END AS ts FROM {})",
      expected);
  EXPECT_EQ(DiffFromTable(expected), 0);
  ExpectTuplesMatchRows();

  // After a spec change, a copy-on-write delete rewrites spec-0 files into spec-1 files and removes
  // the old ones in the same snapshot.
  auto alt = LdpJson({"alter", "rd.p", "--partition-by", "month(ts), bucket(4, id)"});
  EXPECT_EQ(alt.value("spec_id", -1), 1);
  auto old_files = LiveFiles();
  auto del2 = LdpJson({"delete", "rd.p", "--where", "id >= 800 AND id < 810"});
  EXPECT_EQ(del2.value("rows_deleted", -1), 10);
  EXPECT_GE(del2.value("files_rewritten", -1), 1);
  expected = "(SELECT * FROM " + expected + " WHERE NOT (id >= 800 AND id < 810))";
  EXPECT_EQ(DiffFromTable(expected), 0);
  auto now = LivePaths();
  int removed = 0;
  for (const auto& f : old_files)
    if (!now.count(f.file_path)) {
      EXPECT_EQ(f.spec_id, 0);
      ++removed;
    }
  EXPECT_EQ(removed, del2.value("files_rewritten", -1));
  int spec1 = 0;
  for (const auto& f : LiveFiles())
    if (f.content == iceberg::FileContent::kData && f.spec_id == 1) {
      EXPECT_NE(f.file_path.find("/ts_month=2024-03/"), std::string::npos) << f.file_path;
      ++spec1;
    }
  EXPECT_GE(spec1, 1);
  ExpectTuplesMatchRows(-1);
}

// Merge-on-read deletes of rows in files written under an older partition spec: the delete files
// carry the data file's spec id and partition and sit in a delete manifest of that spec (a
// manifest holds one spec), and the table then reads the expected rows.
TEST_F(CliRowDeltaPartitioned, MergeOnReadDeletesInFilesOfAnOlderSpec) {
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id, 'n' || i AS name, i * 1.5 AS v, TIMESTAMP '2024-03-01' + INTERVAL (i * 600) SECOND AS ts "
       "FROM range(0, 2000) t(i)",
       src);
  Ingest(src, "rd.p", {"--partition-by", "day(ts), bucket(4, id)"});
  auto r = Ldp({"properties", "rd.p", "--set", "write.delete.mode=merge-on-read", "--set",
                "write.update.mode=merge-on-read"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto alt = LdpJson({"alter", "rd.p", "--partition-by", "month(ts)"});
  ASSERT_EQ(alt.value("spec_id", -1), 1);
  // new rows under spec 1 (April), then one delete over both specs
  const std::string more = tmp_.Join("more.parquet");
  Copy("SELECT i AS id, 'n' || i AS name, i * 1.5 AS v, TIMESTAMP '2024-04-01' + INTERVAL (i * 600) SECOND AS ts "
       "FROM range(2000, 2100) t(i)",
       more);
  Ingest(more, "rd.p");
  std::map<std::string, iceberg::DataFile> data_by_path;
  for (const auto& f : LiveFiles()) data_by_path[f.file_path] = f;
  auto del = LdpJson({"delete", "rd.p", "--where", "id % 100 = 7"});
  ASSERT_EQ(del.value("write_mode", ""), "merge-on-read") << del.dump();
  EXPECT_EQ(del.value("rows_deleted", -1), 21);
  EXPECT_EQ(del.value("files_rewritten", -1), 0);
  std::string expected = "(SELECT * FROM (SELECT * FROM " + Parquet(src) + " UNION ALL SELECT * FROM " + Parquet(more) +
                         ") WHERE id % 100 <> 7)";
  EXPECT_EQ(DiffFromTable(expected), 0);
  int old_spec_deletes = 0, new_spec_deletes = 0;
  for (const auto& f : LiveFiles()) {
    if (f.content != iceberg::FileContent::kPositionDeletes) continue;
    ASSERT_TRUE(f.referenced_data_file);
    auto target = data_by_path.find(*f.referenced_data_file);
    ASSERT_NE(target, data_by_path.end()) << *f.referenced_data_file;
    EXPECT_EQ(f.spec_id, target->second.spec_id) << f.file_path;
    EXPECT_TRUE(f.partition == target->second.partition) << f.file_path;
    (f.spec_id == 0 ? old_spec_deletes : new_spec_deletes)++;
  }
  EXPECT_GE(old_spec_deletes, 1);
  EXPECT_GE(new_spec_deletes, 1);
  // the delete manifests: one per spec, each entry of the manifest's spec
  auto md = Metadata();
  ASSERT_TRUE(md);
  auto lfs = io::LocalFileSystem();
  auto list = iceberg::ReadManifestList(*lfs, md->CurrentSnapshot()->manifest_list);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::set<int32_t> delete_manifest_specs;
  for (const auto& mf : *list) {
    if (mf.content != iceberg::ManifestContent::kDeletes) continue;
    delete_manifest_specs.insert(mf.partition_spec_id);
    auto entries = iceberg::ReadManifest(*lfs, mf);
    ASSERT_TRUE(entries.ok());
    for (const auto& e : *entries) EXPECT_EQ(e.data_file.spec_id, mf.partition_spec_id);
  }
  EXPECT_EQ(delete_manifest_specs, (std::set<int32_t>{0, 1}));
  // an update over both specs reads and writes the expected rows too
  auto upd = LdpJson({"update", "rd.p", "--set", "v = -1", "--where", "id % 100 = 8"});
  EXPECT_EQ(upd.value("rows_updated", -1), 21);
  expected = "(SELECT id, name, CASE WHEN id % 100 = 8 THEN -1 ELSE v END AS v, ts FROM " + expected + ")";
  EXPECT_EQ(DiffFromTable(expected), 0);
}

// A table partitioned into more partitions than DuckDB keeps writers open for (200 days x 4
// buckets): the rows are written sorted by partition, one file per partition.
TEST_F(CliRowDeltaPartitioned, ManyPartitionsWriteOneFilePerPartition) {
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id, 'n' || i AS name, i * 1.5 AS v, TIMESTAMP '2024-01-01' + INTERVAL ((i * 7919) % 4800) HOUR AS ts "
       "FROM range(0, 20000) t(i)",
       src);
  auto ing = LdpJson({"ingest", src, "--table", "rd.p", "--partition-by", "day(ts), bucket(4, id)"});
  ASSERT_TRUE(ing.contains("partitions")) << ing.dump();
  const int64_t partitions = ing.value("partitions", -1);
  EXPECT_GT(partitions, 700);
  auto files = LiveFiles();
  EXPECT_EQ(static_cast<int64_t>(files.size()), partitions) << "one file per partition";
  EXPECT_EQ(DiffFromTable("(SELECT * FROM " + Parquet(src) + ")"), 0);
  ExpectTuplesMatchRows();
}

INSTANTIATE_TEST_SUITE_P(Modes, CliRowDelta, ::testing::Values("copy-on-write", "merge-on-read"),
                         [](const auto& info) { return info.param == "copy-on-write" ? "CopyOnWrite" : "MergeOnRead"; });

}  // namespace
}  // namespace ldp::testing
