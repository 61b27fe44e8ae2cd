#include <algorithm>
#include "ldp/orchestrator/runner.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "ldp/orchestrator/state_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::orchestrator {
namespace {

// Scripted outcomes per task: the n-th attempt of a task takes the n-th status (the last one
// repeats); records the order attempts started in and how many ran at once.
class FakeExecutor final : public TaskExecutor {
 public:
  std::map<std::string, std::vector<std::string>> script;
  std::vector<std::string> started;
  int max_parallel = 0;

  AttemptOutcome Execute(const AttemptRequest& req) override {
    std::string status;
    {
      std::lock_guard<std::mutex> l(mu_);
      started.push_back(req.task->id);
      max_parallel = std::max(max_parallel, ++running_);
      auto& s = script[req.task->id];
      int n = counts_[req.task->id]++;
      status = s.empty() ? state::kSuccess : s[std::min<size_t>(n, s.size() - 1)];
    }
    // Let other tasks start while this one "runs".
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard<std::mutex> l(mu_);
    --running_;
    AttemptOutcome out;
    out.status = status;
    out.exit_code = status == state::kFailed ? 1 : 0;
    out.message = status == state::kFailed ? "scripted failure" : "";
    if (req.task->id == "load" && status == state::kSuccess) {
      out.snapshot_id = 42;
      out.table = "ns.t";
    }
    return out;
  }

 private:
  std::mutex mu_;
  int running_ = 0;
  std::map<std::string, int> counts_;
};

pipeline::PipelineSpec Spec(const std::string& extra = "") {
  std::string yaml = "name: p\nschedule: '@daily'\nmax_active_tasks: 2\nretry_delay: 10s\n" + extra +
                     R"(tasks:
  - id: extract
    type: shell
    command: x
  - id: load
    type: shell
    command: x
    depends_on: extract
  - id: side_a
    type: shell
    command: x
    depends_on: extract
  - id: side_b
    type: shell
    command: x
    depends_on: extract
  - id: report
    type: shell
    command: x
    depends_on: [load, side_a]
)";
  auto p = pipeline::ParsePipeline(yaml, "p.yaml");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : pipeline::PipelineSpec{};
}

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = StateStore::Open(tmp_.Join("state.db"));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  RunnerOptions Options() {
    RunnerOptions o;
    o.log_dir = tmp_.Join("logs");
    o.random = [] { return 0.5; };  // no jitter: factor 1
    return o;
  }
  pipeline::DataInterval Day(int d) {
    int64_t s = pipeline::DaysFromCivil(2024, 1, d) * 86400;
    return {s, s + 86400};
  }
  testing::TempDir tmp_;
  std::unique_ptr<StateStore> store_;
  testing::FakeClock clock_;
};

TEST_F(RunnerTest, RunsInDependencyOrderWithinTheParallelLimit) {
  auto spec = Spec();
  FakeExecutor ex;
  Runner runner(spec, *store_, ex, clock_, Options());
  auto runs = runner.Run({Day(1)});
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, state::kSuccess);
  EXPECT_EQ((*runs)[0].run_id, "p@2024-01-01");
  ASSERT_EQ(ex.started.size(), 5u);
  EXPECT_EQ(ex.started.front(), "extract");
  // report needs load and side_a only: side_b may start before or after it.
  auto at = [&](const std::string& id) { return std::find(ex.started.begin(), ex.started.end(), id) - ex.started.begin(); };
  EXPECT_GT(at("report"), at("load"));
  EXPECT_GT(at("report"), at("side_a"));
  EXPECT_LT(at("report"), 5);
  EXPECT_LE(ex.max_parallel, 2);
  EXPECT_EQ(ex.max_parallel, 2);  // load, side_a and side_b were ready together
  auto attempts = store_->Attempts("p@2024-01-01", "load");
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].snapshot_id, 42);
  EXPECT_EQ((*attempts)[0].table, "ns.t");
  EXPECT_EQ((*attempts)[0].status, state::kSuccess);
  auto run = store_->GetRun("p@2024-01-01");
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->status, state::kSuccess);
}

TEST_F(RunnerTest, RetriesWithExponentialBackoff) {
  auto spec = Spec("retries: 3\nbackoff: 2\n");
  FakeExecutor ex;
  ex.script["load"] = {state::kFailed, state::kFailed, state::kSuccess};
  Runner runner(spec, *store_, ex, clock_, Options());
  auto runs = runner.Run({Day(1)});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].status, state::kSuccess);
  // Two retries: 10 s, then 20 s (jitter factor fixed at 1).
  EXPECT_EQ(clock_.sleeps(), (std::vector<double>{10, 20}));
  auto attempts = store_->Attempts("p@2024-01-01", "load");
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 3u);
  EXPECT_EQ((*attempts)[0].status, state::kFailed);
  EXPECT_EQ((*attempts)[2].status, state::kSuccess);
  EXPECT_NE((*attempts)[0].log_path, (*attempts)[1].log_path);
}

TEST_F(RunnerTest, RetryDelayIsCappedAndJittered) {
  pipeline::RetryPolicy p;
  p.retry_delay = 10;
  p.backoff = 3;
  p.max_retry_delay = 60;
  EXPECT_DOUBLE_EQ(Runner::RetryDelay(p, 1, 0.5), 10);
  EXPECT_DOUBLE_EQ(Runner::RetryDelay(p, 2, 0.5), 30);
  EXPECT_DOUBLE_EQ(Runner::RetryDelay(p, 3, 0.5), 60);
  EXPECT_DOUBLE_EQ(Runner::RetryDelay(p, 2, 0.0), 22.5);
  EXPECT_DOUBLE_EQ(Runner::RetryDelay(p, 2, 1.0), 37.5);
}

TEST_F(RunnerTest, FailureMarksDownstreamUpstreamFailedAndSkipsPropagate) {
  auto spec = Spec("retries: 1\n");
  FakeExecutor ex;
  ex.script["load"] = {state::kFailed};
  ex.script["side_b"] = {state::kSkipped};
  Runner runner(spec, *store_, ex, clock_, Options());
  auto runs = runner.Run({Day(2)});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].status, state::kFailed);
  std::map<std::string, std::string> st;
  for (const auto& t : (*runs)[0].tasks) st[t.task_id] = t.status;
  EXPECT_EQ(st["load"], state::kFailed);
  EXPECT_EQ(st["report"], state::kUpstreamFailed);
  EXPECT_EQ(st["side_a"], state::kSuccess);
  EXPECT_EQ(st["side_b"], state::kSkipped);
  EXPECT_EQ(std::count(ex.started.begin(), ex.started.end(), "load"), 2);  // retried once
  EXPECT_EQ(std::count(ex.started.begin(), ex.started.end(), "report"), 0);
  auto tis = store_->TaskInstances("p@2024-01-02");
  ASSERT_TRUE(tis.ok());
  std::map<std::string, std::string> stored;
  for (const auto& t : *tis) stored[t.task_id] = t.status;
  EXPECT_EQ(stored, st);
}

TEST_F(RunnerTest, RerunOfFailedTaskAndDownstreamKeepsTheRestAndNumbersAttempts) {
  auto spec = Spec();
  FakeExecutor ex;
  ex.script["load"] = {state::kFailed, state::kSuccess};
  {
    Runner runner(spec, *store_, ex, clock_, Options());
    ASSERT_TRUE(runner.Run({Day(3)}).ok());
  }
  ex.started.clear();
  RunnerOptions o = Options();
  o.only_tasks = {"load", "report"};
  Runner rerun(spec, *store_, ex, clock_, o);
  auto runs = rerun.Run({Day(3)});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].status, state::kSuccess);
  EXPECT_EQ(ex.started, (std::vector<std::string>{"load", "report"}));
  auto attempts = store_->Attempts("p@2024-01-03", "load");
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[1].attempt, 2);
  auto listed = store_->ListRuns("p");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);  // the same interval is one run, not two
}

TEST_F(RunnerTest, BackfillRespectsMaxActiveRuns) {
  auto spec = Spec("max_active_runs: 2\n");
  FakeExecutor ex;
  Runner runner(spec, *store_, ex, clock_, Options());
  auto runs = runner.Run({Day(1), Day(2), Day(3), Day(4)});
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 4u);
  EXPECT_EQ((*runs)[3].run_id, "p@2024-01-04");
  // Two runs, each with up to two tasks at once.
  EXPECT_LE(ex.max_parallel, 4);
  auto listed = store_->ListRuns("p");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 4u);
}

TEST(RunIdTest, NamesTheIntervalInThePipelineZone) {
  auto p = pipeline::ParsePipeline(
      "name: h\nschedule: '@hourly'\ntimezone: Europe/Berlin\ntasks:\n  - id: a\n    type: shell\n    command: x\n", "p.yaml");
  ASSERT_TRUE(p.ok());
  int64_t s = pipeline::DaysFromCivil(2024, 7, 1) * 86400 + 3600 * 4;  // 06:00 CEST
  EXPECT_EQ(RunIdFor(*p, {s, s + 3600}), "h@2024-07-01T06:00");
  auto ctx = MakeTemplateContext(*p, {s, s + 3600}, "h@2024-07-01T06:00", "a");
  EXPECT_EQ(ctx.vars["ds"], "2024-07-01");
  EXPECT_EQ(ctx.vars["data_interval_start"], "2024-07-01T06:00:00+02:00");
  EXPECT_EQ(ctx.vars["data_interval_end"], "2024-07-01T07:00:00+02:00");
}

}  // namespace
}  // namespace ldp::orchestrator
