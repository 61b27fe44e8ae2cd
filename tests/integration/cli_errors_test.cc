// Bad input: every failure exits non-zero with one line on stderr that names what is at fault,
// and leaves the catalog and the table's files exactly as they were.

#include <filesystem>
#include <random>

#include "integration/cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;

class CliErrors : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (HasFatalFailure()) return;
    good_ = tmp_.Join("good.parquet");
    Copy("SELECT i AS id, 'n' || i AS name, i / 4 AS v FROM range(1000) t(i)", good_);
    Ingest(good_, "ns.t");
    before_ = State("ns", "t");
    ASSERT_TRUE(before_.row);
    ASSERT_FALSE(before_.files.empty());
  }

  TableState State(const std::string& ns, const std::string& name) {
    return {CatalogTable(ns, name), FilesUnder(TableDir(ns, name))};
  }

  // Runs `args`, which must exit with `code` (docs/user-guide.md: 2 bad input, 3 something named
  // does not exist, 1 anything else) and one line naming every one of `names`; then ns.t is
  // unchanged and (when given) the table `fresh` that did not exist still does not.
  void ExpectFailure(const std::vector<std::string>& args, int code,
                     const std::vector<std::string>& names, const std::string& fresh = "") {
    const auto namespaces_before = Namespaces();
    ProcessResult r = Ldp(args);
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.exit_code, code) << r.Describe();
    EXPECT_FALSE(r.signaled) << r.Describe();
    auto line = OneLine(r.err);
    EXPECT_TRUE(line) << "stderr is not one line:\n" << r.Describe();
    for (const auto& n : names)
      EXPECT_NE(r.err.find(n), std::string::npos) << "stderr does not name '" << n << "':\n"
                                                  << r.err;
    EXPECT_EQ(r.out, "") << "stdout of a failed command";
    TableState after = State("ns", "t");
    ASSERT_TRUE(after.row) << "catalog row of ns.t is gone";
    EXPECT_EQ(after.row->metadata_location, before_.row->metadata_location);
    EXPECT_EQ(after.files, before_.files) << "files under " << TableDir("ns", "t") << " changed";
    if (!fresh.empty()) {
      auto dot = fresh.find('.');
      std::string ns = fresh.substr(0, dot), name = fresh.substr(dot + 1);
      EXPECT_FALSE(CatalogTable(ns, name)) << fresh << " was left in the catalog";
      EXPECT_EQ(FilesUnder(TableDir(ns, name)), std::set<std::string>{})
          << fresh << " left files behind";
    }
    EXPECT_EQ(Namespaces(), namespaces_before) << "the namespaces in the catalog changed";
  }

  std::vector<std::string> Namespaces() {
    return CatalogQuery("SELECT DISTINCT namespace FROM iceberg_namespace_properties ORDER BY 1");
  }

  // After all the failures, the table still reads and holds exactly its first rows.
  void TearDown() override {
    if (good_.empty()) return;
    ProcessResult q =
        Ldp({"query", "SELECT count(*) AS n, sum(id) AS s FROM ns.t", "--format", "csv"});
    EXPECT_EQ(q.out, fmt::format("n,s\n{},{}\n", Count(Parquet(good_)),
                                 Scalar("SELECT sum(id) FROM " + Parquet(good_))))
        << q.Describe();
  }

  // Ingest `source` into the existing ns.t and into a new table (with `new_namespace`, also in
  // a namespace that does not exist yet); each must fail naming `names`.
  void ExpectIngestFailure(const std::string& source, int code,
                           const std::vector<std::string>& names, bool new_namespace = false) {
    {
      SCOPED_TRACE("into existing ns.t");
      std::vector<std::string> args = {"ingest", source, "--table", "ns.t"};
      ExpectFailure(args, code, names);
    }
    {
      SCOPED_TRACE("into new table ns.fresh");
      std::vector<std::string> args = {"ingest", source, "--table", "ns.fresh"};
      ExpectFailure(args, code, names, "ns.fresh");
    }
    if (new_namespace) {
      SCOPED_TRACE("into new table in a new namespace");
      std::vector<std::string> args = {"ingest", source, "--table", "newns.fresh"};
      ExpectFailure(args, code, names, "newns.fresh");
    }
  }

  std::string good_;
  TableState before_;
};

TEST_F(CliErrors, MissingSourceFile) {
  const std::string missing = tmp_.Join("no_such_file.parquet");
  ExpectIngestFailure(missing, 3, {missing}, /*new_namespace=*/true);
  const std::string glob = tmp_.Join("nothing_here_*.parquet");
  ExpectIngestFailure(glob, 3, {glob});
  const std::string folder = tmp_.Join("no_such_folder");
  ExpectIngestFailure(folder + "/", 3, {folder});
}

TEST_F(CliErrors, EmptyFile) {
  for (const char* name : {"empty.parquet", "empty.csv", "empty.json"}) {
    SCOPED_TRACE(name);
    const std::string path = tmp_.Join(name);
    WriteFile(path, "");
    ExpectIngestFailure(path, 2, {path});
  }
}

TEST_F(CliErrors, TruncatedParquet) {
  std::string bytes = ReadFile(good_);
  ASSERT_GT(bytes.size(), 100u);
  const std::string path = tmp_.Join("truncated.parquet");
  WriteFile(path, bytes.substr(0, bytes.size() / 2));
  ExpectIngestFailure(path, 2, {path}, /*new_namespace=*/true);
}

TEST_F(CliErrors, CorruptParquet) {
  std::mt19937 rng(42);
  std::string noise(64 * 1024, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  const std::string path = tmp_.Join("corrupt.parquet");
  WriteFile(path, noise);
  ExpectIngestFailure(path, 2, {path});

  // A real footer with garbage pages: the damage is only found while the data is read.
  std::string bytes = ReadFile(good_);
  std::string damaged = bytes;
  for (size_t i = 4; i < bytes.size() / 2; ++i) damaged[i] = static_cast<char>(rng());
  const std::string path2 = tmp_.Join("damaged_pages.parquet");
  WriteFile(path2, damaged);
  ExpectIngestFailure(path2, 2, {path2}, /*new_namespace=*/true);
}

TEST_F(CliErrors, DamagedFileInsideAGlob) {
  // Several good files and one whose pages are garbage: the message must name the bad file, not
  // only the pattern.
  const std::string dir = tmp_.Join("batch");
  fs::create_directories(dir);
  for (int i = 0; i < 3; ++i)
    Copy(fmt::format("SELECT i AS id, 'n' || i AS name, i / 4 AS v FROM range({}, {}) t(i)",
                     i * 1000, i * 1000 + 1000),
         fmt::format("{}/part-{}.parquet", dir, i));
  std::string bytes = ReadFile(good_);
  std::mt19937 rng(7);
  for (size_t i = 4; i < bytes.size() / 2; ++i) bytes[i] = static_cast<char>(rng());
  const std::string bad = dir + "/part-1b.parquet";
  WriteFile(bad, bytes);
  ExpectIngestFailure(dir + "/*.parquet", 2, {bad});
}

TEST_F(CliErrors, MalformedCsvRowDeepInTheFile) {
  // 30000 good rows (beyond DuckDB's sniffing sample), then one bad row, then more good rows.
  constexpr int kBadLine = 30002;  // line 1 is the header
  // `quoted` puts every name in quotes, so that DuckDB's sniffer settles on '"' as the quote.
  auto make = [&](const std::string& name, const std::string& bad_row, bool quoted) {
    auto row = [&](int i) {
      return quoted ? fmt::format("{},\"n,{}\",{}\n", i, i, i / 4)
                    : fmt::format("{},n{},{}\n", i, i, i / 4);
    };
    std::string text = "id,name,v\n";
    for (int i = 0; i < 30000; ++i) text += row(i);
    text += bad_row + "\n";
    for (int i = 30001; i < 30100; ++i) text += row(i);
    std::string path = tmp_.Join(name);
    WriteFile(path, text);
    return path;
  };
  {
    SCOPED_TRACE("too many fields");
    std::string path = make("extra_fields.csv", "30000,n30000,7500,surplus,fields", false);
    ExpectIngestFailure(path, 2, {path, std::to_string(kBadLine)});
  }
  {
    SCOPED_TRACE("unterminated quote");
    std::string path = make("open_quote.csv", "30000,\"n30000,7500", true);
    ExpectIngestFailure(path, 2, {path, std::to_string(kBadLine)}, /*new_namespace=*/true);
  }
}

TEST_F(CliErrors, JsonFileThatIsNotJson) {
  const std::string path = tmp_.Join("not.json");
  WriteFile(path, "this is { not: json at all\n");
  ExpectIngestFailure(path, 2, {path});
  // Valid JSON lines, then a broken one far down.
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += fmt::format("{{\"id\": {}, \"name\": \"n{}\", \"v\": {}}}\n", i, i, i / 4);
  text += "{\"id\": 5000, \"name\": \"broken\n";
  const std::string path2 = tmp_.Join("broken_tail.json");
  WriteFile(path2, text);
  ExpectIngestFailure(path2, 2, {path2});
}

TEST_F(CliErrors, SchemaDoesNotMatchTheTable) {
  const std::string extra = tmp_.Join("extra_col.parquet");
  Copy("SELECT i AS id, 'n' || i AS name, i / 4 AS v, i AS surprise FROM range(10) t(i)", extra);
  ExpectFailure({"ingest", extra, "--table", "ns.t"}, 2, {"ns.t", "surprise"});

  const std::string wrong_type = tmp_.Join("varchar_id.parquet");
  Copy("SELECT 'id-' || i AS id, 'n' || i AS name, i / 4 AS v FROM range(10) t(i)", wrong_type);
  ExpectFailure({"ingest", wrong_type, "--table", "ns.t"}, 2, {"ns.t", "'id'"});

  const std::string missing_col = tmp_.Join("missing_col.parquet");
  Copy("SELECT i AS id, i / 4 AS v FROM range(10) t(i)", missing_col);
  ExpectFailure({"ingest", missing_col, "--table", "ns.t"}, 2, {"ns.t", "name"});

  // Overwrite is held to the same schema.
  ExpectFailure({"ingest", extra, "--table", "ns.t", "--mode", "overwrite"}, 2,
                {"ns.t", "surprise"});
}

TEST_F(CliErrors, QueryErrors) {
  ExpectFailure({"query", "SELECT * FROM ns.no_such_table"}, 3, {"ns.no_such_table"});
  ExpectFailure({"query", "SELECT * FROM no_such_ns.t"}, 3, {"no_such_ns"});
  ExpectFailure({"query", "SELEC 1 FROM ns.t"}, 2, {"SELEC"});
  ExpectFailure({"query", "SELECT no_such_column FROM ns.t"}, 2, {"no_such_column"});
  ExpectFailure({"query", "SELECT * FROM ns.t WHERE"}, 2, {"syntax error"});
  ExpectFailure({"query", "SELECT * FROM ns.t", "--json", "--format", "bogus"}, 2, {"bogus"});
}

TEST_F(CliErrors, UnknownTablesAndNamespacesInOtherCommands) {
  ExpectFailure({"describe", "ns.no_such_table"}, 3, {"ns.no_such_table"});
  ExpectFailure({"snapshots", "ns.no_such_table"}, 3, {"ns.no_such_table"});
  ExpectFailure({"describe", "no_such_ns.t"}, 3, {"no_such_ns"});
  ExpectFailure({"tables", "no_such_ns"}, 3, {"no_such_ns"});
  ExpectFailure({"export", "ns.no_such_table", "--to", tmp_.Join("x.parquet")}, 3,
                {"ns.no_such_table"});
  EXPECT_FALSE(fs::exists(tmp_.Join("x.parquet")));
}

TEST_F(CliErrors, TableWithoutNamespace) {
  ExpectFailure({"ingest", good_, "--table", "lonely"}, 2, {"lonely"});
  // Nothing was registered under any namespace.
  EXPECT_EQ(CatalogQuery("SELECT count(*) FROM iceberg_tables"), std::vector<std::string>{"1"});
  ExpectFailure({"ingest", good_, "--table", "ns."}, 2, {"ns."});
  ExpectFailure({"describe", "lonely"}, 2, {"lonely"});
}

TEST_F(CliErrors, ProjectFolderWithoutConfig) {
  const std::string empty_dir = tmp_.Join("not_a_project");
  fs::create_directories(empty_dir);
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"tables"},
                                             {"query", "SELECT 1"},
                                             {"ingest", good_, "--table", "ns.x"},
                                             {"describe", "ns.t"}}) {
    SCOPED_TRACE(args[0]);
    std::vector<std::string> full = args;
    full.push_back("--project");
    full.push_back(empty_dir);
    ProcessResult r = RunLdp(full);
    EXPECT_EQ(r.exit_code, 3) << r.Describe();
    auto line = OneLine(r.err);
    ASSERT_TRUE(line) << r.Describe();
    EXPECT_NE(line->find(empty_dir), std::string::npos) << *line;
    EXPECT_NE(line->find("ldp.yaml"), std::string::npos) << *line;
    // Nothing was created there.
    EXPECT_TRUE(fs::is_empty(empty_dir)) << "files appeared in " << empty_dir;
  }
  // A folder that does not exist at all.
  ProcessResult r = RunLdp({"tables", "--project", tmp_.Join("no_such_dir")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(OneLine(r.err)) << r.Describe();
  EXPECT_FALSE(fs::exists(tmp_.Join("no_such_dir")));
}

class CliConfigErrors : public CliTest {};

TEST_F(CliConfigErrors, BrokenConfig) {
  WriteFile(project_ + "/ldp.yaml", "name: x\nwrite:\n  target-file-size-bytes: lots\n");
  ProcessResult r = Ldp({"tables"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  auto line = OneLine(r.err);
  ASSERT_TRUE(line) << r.Describe();
  EXPECT_NE(line->find("ldp.yaml"), std::string::npos) << *line;
  EXPECT_NE(line->find("target-file-size-bytes"), std::string::npos) << *line;
}

}  // namespace
}  // namespace ldp::testing
