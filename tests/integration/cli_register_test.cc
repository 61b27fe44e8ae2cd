// `ldp register` / `ldp unregister`: a table written elsewhere (here: by another ldp project, in
// its own folder) is added to this project's catalog without copying, found from a metadata file
// (plain or gzip), a folder with version-hint.text or a folder's newest metadata file; bad tables
// register nothing; unregister keeps every file.
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;

class CliRegister : public CliTest {
 protected:
  // A table of 300 rows in 3 snapshots, written by another project; returns its folder.
  std::string ForeignTable() {
    other_ = tmp_.Join("other");
    ProcessResult r = RunLdp({"init", other_});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    for (int i = 0; i < 3; ++i) {
      std::string src = tmp_.Join("src" + std::to_string(i) + ".parquet");
      Copy(fmt::format("SELECT i AS id, 'r' || i AS name FROM range({}, {}) t(i)", i * 100, i * 100 + 100), src);
      r = RunLdp({"ingest", src, "--table", "prod.events", "--project", other_, "--quiet"});
      EXPECT_EQ(r.exit_code, 0) << r.Describe();
    }
    return other_ + "/warehouse/prod.db/events";
  }
  std::vector<std::string> MetadataFiles(const std::string& table_dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(table_dir + "/metadata"))
      if (e.path().string().ends_with(".metadata.json")) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  bool Registered(const std::string& table) {
    auto j = LdpJson({"tables"});
    for (const auto& t : j)
      if (t.value("table", "") == table) return true;
    return false;
  }
  std::string other_;
};

TEST_F(CliRegister, RegistersFromTheNewestMetadataFileOfAFolderAndUnregisterKeepsFiles) {
  const std::string dir = ForeignTable();
  auto before = FilesUnder(dir);
  auto j = LdpJson({"register", "dev.events", dir});
  EXPECT_EQ(j.value("records", -1), 300);
  EXPECT_EQ(j.value("snapshots", -1), 3);
  EXPECT_EQ(j.value("data_files", -1), 3);
  EXPECT_EQ(j.value("format_version", -1), 2);
  EXPECT_EQ(j.value("metadata_location", ""), MetadataFiles(dir).back()) << "the newest of "
                                                                          << MetadataFiles(dir).size();
  EXPECT_EQ(LdpJson({"query", "SELECT count(*) AS n, sum(id) AS s FROM dev.events"})["rows"][0].value("s", int64_t{-1}),
            299 * 300 / 2);
  // Time travel works on the registered history too.
  EXPECT_EQ(LdpJson({"snapshots", "dev.events"}).size(), 3u);
  EXPECT_EQ(FilesUnder(dir), before) << "register writes nothing into the table's folder";

  ProcessResult again = Ldp({"register", "dev.events", dir});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.Describe();
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.Describe();

  auto u = LdpJson({"unregister", "dev.events"});
  EXPECT_EQ(u.value("metadata_location", ""), MetadataFiles(dir).back());
  EXPECT_FALSE(Registered("dev.events"));
  EXPECT_EQ(FilesUnder(dir), before) << "unregister deletes nothing";
  ProcessResult gone = Ldp({"query", "SELECT count(*) FROM dev.events"});
  EXPECT_NE(gone.exit_code, 0);
  ProcessResult twice = Ldp({"unregister", "dev.events"});
  EXPECT_EQ(twice.exit_code, 3) << twice.Describe();
}

TEST_F(CliRegister, VersionHintAndGzipMetadataAndOverwrite) {
  const std::string dir = ForeignTable();
  auto files = MetadataFiles(dir);
  ASSERT_GE(files.size(), 3u);
  // A Hadoop-style folder: metadata/vN.metadata.json named by version-hint.text, here pointing at
  // the second-newest state (200 rows), so the hint (not the newest file) must be what is used.
  const std::string hadoop = tmp_.Join("hadoop_table");
  fs::create_directories(hadoop + "/metadata");
  fs::copy_file(files[files.size() - 2], hadoop + "/metadata/v2.metadata.json");
  fs::copy_file(files.back(), hadoop + "/metadata/v3.metadata.json");
  { std::ofstream(hadoop + "/metadata/version-hint.text") << "2\n"; }
  auto j = LdpJson({"register", "dev.hinted", hadoop});
  EXPECT_EQ(j.value("metadata_location", ""), hadoop + "/metadata/v2.metadata.json");
  EXPECT_EQ(j.value("records", -1), 200);
  EXPECT_EQ(LdpJson({"query", "SELECT count(*) AS n FROM dev.hinted"})["rows"][0].value("n", int64_t{-1}), 200);

  // A gzip metadata file (Java's write.metadata.compression-codec=gzip naming).
  std::string text = ReadFile(files.back());
  const std::string gz = dir + "/metadata/00099-0123.gz.metadata.json";
  gzFile out = gzopen(gz.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(gzwrite(out, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
  gzclose(out);
  // --overwrite re-points dev.hinted at it: 300 rows now.
  auto o = LdpJson({"register", "dev.hinted", gz, "--overwrite"});
  EXPECT_TRUE(o.value("replaced", false));
  EXPECT_EQ(LdpJson({"query", "SELECT count(*) AS n FROM dev.hinted"})["rows"][0].value("n", int64_t{-1}), 300);
  EXPECT_EQ(LdpJson({"describe", "dev.hinted"}).value("metadata_location", ""), gz);
}

TEST_F(CliRegister, BadTablesRegisterNothingAndNameTheFile) {
  const std::string dir = ForeignTable();
  const std::string newest = MetadataFiles(dir).back();
  struct Case {
    std::string what, location, expect;
    int exit_code;
  };
  // A metadata file from the future.
  std::string text = ReadFile(newest);
  const std::string future = tmp_.Join("future.metadata.json");
  auto md = nlohmann::json::parse(text);
  md["format-version"] = 9;
  { std::ofstream(future) << md.dump(); }
  // Not JSON at all.
  const std::string garbage = tmp_.Join("garbage.metadata.json");
  { std::ofstream(garbage) << "{ not json"; }
  std::vector<Case> cases = {
      {"missing folder", tmp_.Join("nope"), "nope", 3},
      {"folder without metadata", tmp_.path().string(), "metadata", 3},
      {"future format version", future, "format-version 9", 0},
      {"not json", garbage, "garbage.metadata.json", 0},
  };
  for (const auto& c : cases) {
    ProcessResult r = Ldp({"register", "dev.bad", c.location});
    EXPECT_NE(r.exit_code, 0) << c.what;
    if (c.exit_code) {
      EXPECT_EQ(r.exit_code, c.exit_code) << c.what << "\n" << r.Describe();
    }
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.what << "\n" << r.Describe();
    EXPECT_FALSE(Registered("dev.bad")) << c.what;
  }

  // A data file of the current snapshot is gone: the error names it, nothing is registered.
  auto live = nlohmann::json::parse(text);
  std::string victim;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/data"))
    if (e.path().extension() == ".parquet") victim = e.path().string();
  ASSERT_FALSE(victim.empty());
  fs::rename(victim, victim + ".moved");
  ProcessResult r = Ldp({"register", "dev.bad", dir});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_NE(r.err.find(fs::path(victim).filename().string()), std::string::npos) << r.Describe();
  EXPECT_FALSE(Registered("dev.bad"));
  fs::rename(victim + ".moved", victim);

  // A damaged manifest list.
  std::string list_path = LocalPath(live["snapshots"].back()["manifest-list"].get<std::string>());
  std::string list = ReadFile(list_path);
  { std::ofstream(list_path, std::ios::trunc | std::ios::binary) << list.substr(0, list.size() / 2); }
  r = Ldp({"register", "dev.bad", dir});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(fs::path(list_path).filename().string()), std::string::npos) << r.Describe();
  EXPECT_FALSE(Registered("dev.bad"));
}

}  // namespace
}  // namespace ldp::testing
