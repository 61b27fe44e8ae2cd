// `ldp init`, `--version`, `ldp help`: the project layout and the CLI's own surface.

#include <filesystem>

#include "integration/cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;

TEST(CliInit, CreatesConfigAndCatalog) {
  TempDir tmp;
  std::string dir = tmp.Join("p");
  ProcessResult r = RunLdp({"init", dir});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(fs::is_regular_file(dir + "/ldp.yaml"));
  ASSERT_TRUE(fs::is_regular_file(dir + "/warehouse/catalog.db"));
  EXPECT_NE(r.out.find(dir), std::string::npos) << "init should say where the project is:\n"
                                                << r.out;

  // The catalog has the JDBC / pyiceberg tables.
  sqlite3* db = nullptr;
  ASSERT_EQ(
      sqlite3_open_v2((dir + "/warehouse/catalog.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
      SQLITE_OK);
  std::set<std::string> tables;
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &stmt,
                               nullptr),
            SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW)
    tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_TRUE(tables.count("iceberg_tables")) << "tables in catalog.db: " << tables.size();
  EXPECT_TRUE(tables.count("iceberg_namespace_properties"));

  // The written config is one the binary accepts: an empty project lists no tables.
  ProcessResult list = RunLdp({"tables", "--json", "--project", dir});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  auto j = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << list.out;
  EXPECT_TRUE(j.empty());
}

TEST(CliInit, JsonOutputNamesThePaths) {
  TempDir tmp;
  std::string dir = tmp.Join("p");
  ProcessResult r = RunLdp({"init", dir, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j.value("config", ""), fs::absolute(dir + "/ldp.yaml").lexically_normal().string());
  EXPECT_TRUE(fs::exists(j.value("catalog", "")));
}

TEST(CliInit, SecondInitFailsAndKeepsConfig) {
  TempDir tmp;
  std::string dir = tmp.Join("p");
  ASSERT_EQ(RunLdp({"init", dir}).exit_code, 0);
  // Make the file recognisable so that a rewrite would show.
  std::string cfg = ReadFile(dir + "/ldp.yaml") + "# edited by the user\n";
  WriteFile(dir + "/ldp.yaml", cfg);

  ProcessResult again = RunLdp({"init", dir});
  EXPECT_NE(again.exit_code, 0) << again.Describe();
  auto line = OneLine(again.err);
  ASSERT_TRUE(line) << again.Describe();
  EXPECT_NE(line->find("ldp.yaml"), std::string::npos) << *line;
  EXPECT_EQ(ReadFile(dir + "/ldp.yaml"), cfg);

  // Also through --project instead of the positional folder.
  ProcessResult via_flag = RunLdp({"init", "--project", dir});
  EXPECT_NE(via_flag.exit_code, 0) << via_flag.Describe();
  EXPECT_EQ(ReadFile(dir + "/ldp.yaml"), cfg);
}

TEST(CliInit, VersionPrintsAVersion) {
  ProcessResult r = RunLdp({"--version"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  // "ldp X.Y.Z ..." with a dotted version number.
  EXPECT_THAT(r.out, ::testing::ContainsRegex("^ldp [0-9]+\\.[0-9]+\\.[0-9]+")) << r.out;

  ProcessResult j = RunLdp({"--version", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.Describe();
  auto parsed = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << j.out;
  EXPECT_THAT(parsed.value("ldp", ""), ::testing::ContainsRegex("^[0-9]+\\.[0-9]+\\.[0-9]+"));
  EXPECT_FALSE(parsed.value("duckdb", "").empty());
}

TEST(CliInit, HelpIngestPrintsIngestHelp) {
  ProcessResult r = RunLdp({"help", "ingest"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  // The ingest command's own flags, not the top-level help.
  EXPECT_NE(r.out.find("--table"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--mode"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("--explain-scan"), std::string::npos) << "query's flags in ingest help:\n"
                                                             << r.out;

  ProcessResult unknown = RunLdp({"help", "no-such-command"});
  EXPECT_NE(unknown.exit_code, 0);
  auto line = OneLine(unknown.err);
  ASSERT_TRUE(line) << unknown.Describe();
  EXPECT_NE(line->find("no-such-command"), std::string::npos) << *line;
}

TEST(CliInit, UnknownFlagIsAUsageError) {
  ProcessResult r = RunLdp({"tables", "--no-such-flag"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  auto line = OneLine(r.err);
  ASSERT_TRUE(line) << r.Describe();
  EXPECT_NE(line->find("--no-such-flag"), std::string::npos) << *line;
}

}  // namespace
}  // namespace ldp::testing
