// ldp::Project::RunPipeline (the public C++ API, include/ldp/project.h): runs a pipeline like
// `ldp run`, with the tasks as `ldp task run` child processes of the binary it finds.
#include <cstdlib>
#include <filesystem>

#include "cli_fixture.h"
#include "ldp/project.h"

namespace ldp::testing {
namespace {

class ApiPipelineTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::create_directories(project_ + "/pipelines");
    WriteFile(project_ + "/pipelines/daily.yaml", R"Y(name: daily
schedule: "@daily"
tasks:
  - id: make
    type: export
    query: "SELECT i AS id, DATE '{{ ds }}' AS day FROM range(5) t(i)"
    path: "drops/{{ ds }}.parquet"
  - id: load
    type: ingest
    depends_on: make
    source: "drops/{{ ds }}.parquet"
    table: api.days
    mode: overwrite
    where: "day = DATE '{{ ds }}'"
  - id: gate
    type: shell
    depends_on: load
    command: test -f open
)Y");
  }
};

// Restores an environment variable when the test ends.
struct EnvGuard {
  std::string name;
  std::optional<std::string> old;
  EnvGuard(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    if (value) setenv(name.c_str(), value, 1);
    else unsetenv(name.c_str());
  }
  ~EnvGuard() {
    if (old) setenv(name.c_str(), old->c_str(), 1);
    else unsetenv(name.c_str());
  }
};

TEST_F(ApiPipelineTest, RunsIntervalsAndReportsTaskStates) {
  auto project = ldp::Project::Open(project_);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  ldp::PipelineRunOptions o;
  o.date = "2024-01-02";
  o.ldp_binary = LDP_BIN;
  auto r = project->RunPipeline("daily", o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->pipeline, "daily");
  EXPECT_EQ(r->failed_runs, 1);
  ASSERT_EQ(r->runs.size(), 1u);
  EXPECT_EQ(r->runs[0].run_id, "daily@2024-01-02");
  EXPECT_EQ(r->runs[0].status, "failed");
  EXPECT_EQ(r->runs[0].data_interval_end, "2024-01-03T00:00:00+00:00");
  std::map<std::string, std::string> st;
  for (const auto& t : r->runs[0].tasks) st[t.task] = t.status;
  EXPECT_EQ(st, (std::map<std::string, std::string>{{"make", "success"}, {"load", "success"}, {"gate", "failed"}}));
  auto rows = project->Query("SELECT count(*) FROM api.days");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows->ReadAll()->rows[0][0], "5");

  // The failed task alone, with the binary from LDP_BINARY; then a backfill.
  WriteFile(project_ + "/open", "");
  {
    EnvGuard env("LDP_BINARY", LDP_BIN);
    ldp::PipelineRunOptions rerun;
    rerun.date = "2024-01-02";
    rerun.tasks = {"gate"};
    r = project->RunPipeline("daily", rerun);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->runs[0].tasks.size(), 1u);
    EXPECT_EQ(r->runs[0].tasks[0].status, "success");
    EXPECT_EQ(r->runs[0].tasks[0].attempts, 1);  // tries in this call (the history has 2)
    ldp::PipelineRunOptions backfill;
    backfill.from = "2024-01-03";
    backfill.to = "2024-01-04";
    r = project->RunPipeline("daily", backfill);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->failed_runs, 0);
    EXPECT_EQ(r->runs.size(), 2u);
  }
  rows = project->Query("SELECT count(*), count(DISTINCT day) FROM api.days");
  auto all = rows->ReadAll();
  EXPECT_EQ(*all->rows[0][0], "15");
  EXPECT_EQ(*all->rows[0][1], "3");
  // The CLI sees the same history.
  auto runs = LdpJson({"runs", "daily"});
  ASSERT_EQ(runs.size(), 3u);
  for (const auto& run : runs) EXPECT_EQ(run["status"], "success");
}

TEST_F(ApiPipelineTest, FindsTheBinaryOnThePathOrSaysHowToGiveIt) {
  auto project = ldp::Project::Open(project_);
  ASSERT_TRUE(project.ok());
  ldp::PipelineRunOptions o;
  o.date = "2024-01-02";
  {
    EnvGuard no_env("LDP_BINARY", nullptr);
    EnvGuard path("PATH", std::filesystem::path(LDP_BIN).parent_path().c_str());
    auto r = project->RunPipeline("daily", o);  // build/ldp, through PATH
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->runs[0].tasks[0].status, "success");
  }
  {
    EnvGuard no_env("LDP_BINARY", nullptr);
    EnvGuard path("PATH", "/nonexistent");
    auto r = project->RunPipeline("daily", o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ldp::ErrorCode::kNotFound);
    EXPECT_NE(r.status().message().find("pass ldp_binary, set LDP_BINARY, or install ldp"), std::string::npos)
        << r.status().ToString();
  }
  {
    EnvGuard bad("LDP_BINARY", "/nonexistent/ldp");
    auto r = project->RunPipeline("daily", o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("LDP_BINARY=/nonexistent/ldp is not an executable file"), std::string::npos);
  }
  o.ldp_binary = LDP_BIN;
  auto missing = project->RunPipeline("nope", o);
  EXPECT_EQ(missing.status().code(), ldp::ErrorCode::kNotFound);
  o.tasks = {"nope"};
  EXPECT_EQ(project->RunPipeline("daily", o).status().code(), ldp::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace ldp::testing
