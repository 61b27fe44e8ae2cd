// Row-level changes through the real CLI: delete, update, merge and overwrite --where in both
// write modes give exactly the rows DuckDB computes from the sources; copy-on-write leaves files
// that cannot match untouched; merge-on-read writes position delete files with the spec's field
// ids; bad input changes nothing; concurrent row-level operations conflict or retry as they should.

#include <set>

#include "integration/cli_fixture.h"

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

INSTANTIATE_TEST_SUITE_P(Modes, CliRowDelta, ::testing::Values("copy-on-write", "merge-on-read"),
                         [](const auto& info) { return info.param == "copy-on-write" ? "CopyOnWrite" : "MergeOnRead"; });

}  // namespace
}  // namespace ldp::testing
