#include "ldp/orchestrator/scheduler.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::orchestrator {
namespace {

// Records which (run, task) attempts ran; fails tasks listed in `fail`.
class RecordingExecutor final : public TaskExecutor {
 public:
  std::vector<std::string> ran;
  std::set<std::string> fail;
  AttemptOutcome Execute(const AttemptRequest& req) override {
    std::lock_guard<std::mutex> l(mu_);
    ran.push_back(req.run_id + "/" + req.task->id);
    AttemptOutcome out;
    out.status = fail.count(req.task->id) ? state::kFailed : state::kSuccess;
    return out;
  }

 private:
  std::mutex mu_;
};

int64_t Utc(int y, unsigned m, unsigned d, int h = 0) { return pipeline::DaysFromCivil(y, m, d) * 86400 + h * 3600; }

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(tmp_.Join("pipelines"));
    auto s = StateStore::Open(tmp_.Join("state.db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  void Write(const std::string& name, const std::string& yaml) {
    std::ofstream(tmp_.Join("pipelines/" + name + ".yaml")) << yaml;
  }
  SchedulerOptions Options() {
    SchedulerOptions o;
    o.pipelines_dir = tmp_.Join("pipelines");
    o.log_dir = tmp_.Join("logs");
    o.random = [] { return 0.5; };
    return o;
  }
  std::vector<std::string> RunIds(const std::vector<RunSummary>& runs) {
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(r.run_id);
    return out;
  }
  testing::TempDir tmp_;
  std::unique_ptr<StateStore> store_;
};

const char* kTasks = "tasks:\n  - id: a\n    type: shell\n    command: x\n  - id: b\n    type: shell\n    command: x\n    depends_on: a\n";

TEST_F(SchedulerTest, CatchupRunsEveryMissedIntervalOnceThenWaitsForTheNext) {
  Write("daily", std::string("name: daily\nschedule: '0 2 * * *'\ntimezone: Europe/Berlin\nstart_date: 2024-03-29\n"
                             "catchup: true\n") + kTasks);
  Write("manual", std::string("name: manual\nschedule: none\n") + kTasks);
  // Sunday 2024-03-31 is the spring-forward day in Berlin: 02:00 does not exist, that run's
  // interval starts at 03:00 CEST.
  testing::FakeClock clock(static_cast<double>(Utc(2024, 4, 1, 12)));
  RecordingExecutor ex;
  Scheduler s(*store_, ex, clock, Options());
  auto runs = s.Tick();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  EXPECT_EQ(RunIds(*runs), (std::vector<std::string>{"daily@2024-03-29T02:00", "daily@2024-03-30T02:00",
                                                      "daily@2024-03-31T03:00"}));
  EXPECT_EQ(ex.ran.size(), 6u);
  // Nothing new until the next interval ends (2024-04-02 02:00 CEST = 00:00 UTC).
  auto again = s.Tick();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  clock.Advance(static_cast<double>(Utc(2024, 4, 2, 0) - Utc(2024, 4, 1, 12)));
  again = s.Tick();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(RunIds(*again), (std::vector<std::string>{"daily@2024-04-01T02:00"}));
  auto listed = store_->ListRuns("daily");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 4u);
  EXPECT_EQ((*listed)[0].trigger, "scheduled");
}

TEST_F(SchedulerTest, WithoutCatchupOnlyTheLatestIntervalRuns) {
  Write("hourly", std::string("name: hourly\nschedule: '@hourly'\nstart_date: 2024-01-01\ncatchup: false\n") + kTasks);
  testing::FakeClock clock(static_cast<double>(Utc(2024, 1, 3, 5) + 600));
  RecordingExecutor ex;
  Scheduler s(*store_, ex, clock, Options());
  auto runs = s.Tick();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(RunIds(*runs), (std::vector<std::string>{"hourly@2024-01-03T04:00"}));
}

TEST_F(SchedulerTest, EndDateStopsScheduling) {
  Write("bounded", std::string("name: bounded\nschedule: '@daily'\nstart_date: 2024-01-01\nend_date: 2024-01-02\n"
                               "catchup: true\n") + kTasks);
  testing::FakeClock clock(static_cast<double>(Utc(2024, 1, 10)));
  RecordingExecutor ex;
  Scheduler s(*store_, ex, clock, Options());
  auto runs = s.Tick();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(RunIds(*runs), (std::vector<std::string>{"bounded@2024-01-01", "bounded@2024-01-02"}));
}

TEST_F(SchedulerTest, InterruptedRunIsResumedWithTheTriesLeft) {
  Write("daily", std::string("name: daily\nschedule: '@daily'\nstart_date: 2024-01-01\ncatchup: true\nretries: 1\n") +
                     kTasks);
  // A run that a dead process left behind: a succeeded, b running in its first attempt.
  RunRecord r;
  r.run_id = "daily@2024-01-01";
  r.pipeline = "daily";
  r.logical_date = "2024-01-01T00:00:00+00:00";
  r.interval_start = Utc(2024, 1, 1);
  r.interval_end = Utc(2024, 1, 2);
  r.status = state::kRunning;
  r.trigger = "scheduled";
  ASSERT_TRUE(store_->UpsertRun(r).ok());
  ASSERT_TRUE(store_->SetTaskState(r.run_id, "a", state::kSuccess, 1).ok());
  ASSERT_TRUE(store_->SetTaskState(r.run_id, "b", state::kRunning, 1).ok());
  AttemptRecord a;
  a.run_id = r.run_id;
  a.task_id = "b";
  a.attempt = 1;
  a.started_at = 1;
  ASSERT_TRUE(store_->StartAttempt(a).ok());

  testing::FakeClock clock(static_cast<double>(Utc(2024, 1, 2, 1)));
  RecordingExecutor ex;
  Scheduler s(*store_, ex, clock, Options());
  auto runs = s.Tick();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  // Only b runs again (its second and last try); the interval is not started a second time.
  EXPECT_EQ(ex.ran, (std::vector<std::string>{"daily@2024-01-01/b"}));
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, state::kSuccess);
  auto attempts = store_->Attempts(r.run_id, "b");
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].status, state::kFailed);
  EXPECT_THAT((*attempts)[0].message, ::testing::HasSubstr("interrupted"));
  EXPECT_EQ((*attempts)[1].status, state::kSuccess);
  auto listed = store_->ListRuns("daily");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);
}

TEST_F(SchedulerTest, LoopSleepsUntilTheNextFireTimeAndStops) {
  Write("hourly", std::string("name: hourly\nschedule: '@hourly'\n") + kTasks);
  testing::FakeClock clock(static_cast<double>(Utc(2024, 1, 1, 0) + 1800));
  RecordingExecutor ex;
  SchedulerOptions o = Options();
  o.max_sleep = 3600 * 10;
  std::atomic<bool> stop{false};
  int ticks = 0;
  o.on_event = [&](const std::string& line) {
    if (line == "hourly@2024-01-01T01:00: success" && ++ticks >= 1) stop = true;
  };
  Scheduler s(*store_, ex, clock, o);
  ASSERT_TRUE(s.Loop(stop).ok());
  // 00:30 -> first tick runs 23:00..00:00 of the day before; the loop wakes at 01:00 and runs
  // 00:00..01:00, then at 02:00 runs 01:00..02:00 and stops.
  auto listed = store_->ListRuns("hourly");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 3u);
  EXPECT_EQ(clock.Now(), static_cast<double>(Utc(2024, 1, 1, 2)));
}

TEST_F(SchedulerTest, PausedPipelinesAreLeftAloneAndTriggeredRunsRun) {
  Write("daily", std::string("name: daily\nschedule: '@daily'\nstart_date: 2024-01-01\ncatchup: true\n") + kTasks);
  Write("manual", std::string("name: manual\nschedule: none\n") + kTasks);
  testing::FakeClock clock(static_cast<double>(Utc(2024, 1, 3, 1)));
  RecordingExecutor ex;
  Scheduler s(*store_, ex, clock, Options());
  ASSERT_TRUE(store_->SetPaused("daily", true).ok());
  RunRecord r;
  r.run_id = "manual@2024-01-02";
  r.pipeline = "manual";
  r.logical_date = "2024-01-02T00:00:00+00:00";
  r.interval_start = Utc(2024, 1, 2);
  r.interval_end = Utc(2024, 1, 3);
  r.trigger = "manual";
  ASSERT_TRUE(*store_->QueueRun(r));
  auto runs = s.Tick();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  EXPECT_EQ(RunIds(*runs), (std::vector<std::string>{"manual@2024-01-02"}));
  // Unpaused, the missed days run (catchup).
  ASSERT_TRUE(store_->SetPaused("daily", false).ok());
  runs = s.Tick();
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(RunIds(*runs), (std::vector<std::string>{"daily@2024-01-01", "daily@2024-01-02"}));
  auto listed = store_->ListRuns("manual");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].status, state::kSuccess);
  EXPECT_EQ((*listed)[0].trigger, "manual");
}

}  // namespace
}  // namespace ldp::orchestrator
