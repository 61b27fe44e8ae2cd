// One write-disposition vocabulary (issue 6): `replace` is the word for ingest --mode, pipeline
// ingest tasks and the C++ API, as it is for export; `overwrite` still works as a deprecated alias.

#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "ldp/pipeline/spec.h"
#include "ldp/services/ingest.h"

namespace ldp::testing {
namespace {

class CliWriteDispositionTest : public CliTest {
 protected:
  std::string Csv(const std::string& name, const std::string& rows) {
    std::string path = tmp_.Join(name);
    WriteFile(path, "id,v\n" + rows);
    return path;
  }
  int64_t Rows(const std::string& table) {
    return LdpJson({"query", "SELECT count(*) AS n FROM " + table})["rows"][0]["n"].get<int64_t>();
  }
};

TEST_F(CliWriteDispositionTest, IngestReplaceAndItsDeprecatedAlias) {
  Ingest(Csv("a.csv", "1,a\n2,b\n3,c\n"), "wd.t");
  Ingest(Csv("b.csv", "4,d\n"), "wd.t", {"--mode", "append"});
  EXPECT_EQ(Rows("wd.t"), 4);
  auto r = Ldp({"ingest", Csv("c.csv", "5,e\n6,f\n"), "--table", "wd.t", "--mode", "replace"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Replaced with 2 rows"), std::string::npos) << r.out;
  EXPECT_EQ(Rows("wd.t"), 2);
  // The old word still works and means the same.
  Ingest(Csv("d.csv", "7,g\n"), "wd.t", {"--mode", "overwrite"});
  EXPECT_EQ(Rows("wd.t"), 1);
  // replace --where replaces only the matching rows.
  Ingest(Csv("e.csv", "8,h\n9,i\n"), "wd.t", {"--mode", "append"});
  Ingest(Csv("f.csv", "9,z\n"), "wd.t", {"--mode", "replace", "--where", "id = 9"});
  EXPECT_EQ(LdpJson({"query", "SELECT string_agg(v, '' ORDER BY id) AS s FROM wd.t"})["rows"][0]["s"], "ghz");
  auto where = Ldp({"ingest", Csv("g.csv", "1,a\n"), "--table", "wd.t", "--where", "id = 1"});
  EXPECT_EQ(where.exit_code, 2);
  EXPECT_NE(where.err.find("--where goes with --mode replace"), std::string::npos) << where.err;
  auto bad = Ldp({"ingest", Csv("h.csv", "1,a\n"), "--table", "wd.t", "--mode", "upsert"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(RunLdp({"help", "ingest"}).out.find("append (default), replace or merge"), std::string::npos);
}

TEST_F(CliWriteDispositionTest, ParsersAcceptReplaceAndTheAlias) {
  auto r = services::ParseIngestMode("replace");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, services::IngestMode::kOverwrite);
  auto o = services::ParseIngestMode("overwrite");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o, services::IngestMode::kOverwrite);
  auto bad = services::ParseIngestMode("truncate");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("use append, replace or merge"), std::string::npos);
  for (const char* mode : {"replace", "overwrite", "append", "merge\n    key: id"}) {
    std::string yaml = std::string("name: p\nschedule: none\ntasks:\n  - id: load\n    type: ingest\n    source: x.csv\n    table: a.b\n    mode: ") +
                       mode + "\n";
    auto p = pipeline::ParsePipeline(yaml, "pipelines/p.yaml");
    EXPECT_TRUE(p.ok()) << mode << ": " << p.status().ToString();
  }
  auto wrong = pipeline::ParsePipeline("name: p\nschedule: none\ntasks:\n  - id: load\n    type: ingest\n    source: x.csv\n    table: a.b\n"
                                       "    mode: upsert\n",
                                       "pipelines/p.yaml");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("'upsert' is not one of append, replace, merge"), std::string::npos)
      << wrong.status().ToString();
}

TEST_F(CliWriteDispositionTest, PipelineIngestTaskSaysReplace) {
  std::filesystem::create_directories(project_ + "/pipelines");
  WriteFile(project_ + "/day.csv", "id,v\n1,a\n2,b\n");
  WriteFile(project_ + "/pipelines/p.yaml", "name: p\nschedule: \"0 0 * * *\"\ntimezone: UTC\ntasks:\n"
                                           "  - id: load\n    type: ingest\n    source: day.csv\n    table: wd.p\n"
                                           "    mode: replace\n");
  for (int i = 0; i < 2; ++i) {
    auto j = LdpJson({"run", "p", "--date", "2024-01-0" + std::to_string(i + 1)});
    ASSERT_EQ(j["runs"].size(), 1u) << j.dump(2);
    EXPECT_EQ(j["runs"][0]["status"], "success") << j.dump(2);
  }
  EXPECT_EQ(Rows("wd.p"), 2);  // replaced, not appended, by the second run
}

}  // namespace
}  // namespace ldp::testing
