#include "ldp/orchestrator/notify.h"

#include <filesystem>
#include <fstream>
#include <mutex>

#include "ldp/orchestrator/airflow.h"
#include "ldp/orchestrator/scheduler.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::orchestrator {
namespace {

// Records the events it is asked to send (filtered by the spec's notifications, as the real one).
class RecordingNotifier final : public Notifier {
 public:
  std::vector<NotificationEvent> sent;
  std::vector<std::string> Notify(const pipeline::PipelineSpec& spec, const NotificationEvent& ev) override {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& n : spec.notifications)
      if (Wants(n, ev)) {
        sent.push_back(ev);
        return {"recorded " + ev.event};
      }
    return {};
  }

 private:
  std::mutex mu_;
};

// Fails the tasks listed in `fail`.
class Executor final : public TaskExecutor {
 public:
  std::set<std::string> fail;
  AttemptOutcome Execute(const AttemptRequest& req) override {
    AttemptOutcome out;
    out.status = fail.count(req.task->id) ? state::kFailed : state::kSuccess;
    out.message = fail.count(req.task->id) ? "exit 3" : "";
    return out;
  }
};

pipeline::PipelineSpec Parse(const std::string& yaml) {
  auto p = pipeline::ParsePipeline(yaml, "p.yaml");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : pipeline::PipelineSpec{};
}

const char* kTwoTasks =
    "tasks:\n  - id: a\n    type: shell\n    command: x\n  - id: b\n    type: shell\n    command: x\n    depends_on: a\n";

int64_t Utc(int y, unsigned m, unsigned d, int h = 0) { return pipeline::DaysFromCivil(y, m, d) * 86400 + h * 3600; }

TEST(NotificationSpecTest, DefaultsAndFields) {
  auto p = Parse(std::string("name: p\nschedule: '@daily'\nnotifications:\n  - type: slack\n    url: https://hooks.example/x\n"
                             "  - type: webhook\n    url: '{{ env.HOOK }}'\n    on: [success, missed_schedule]\n"
                             "    missed_after: 1h\n    headers: {X-Token: '{{ env.T }}'}\n") +
                 kTwoTasks);
  ASSERT_EQ(p.notifications.size(), 2u);
  EXPECT_EQ(p.notifications[0].on, std::vector<std::string>{"failure"});
  EXPECT_EQ(p.notifications[0].missed_after, 300);
  EXPECT_EQ(p.notifications[0].line, 4);
  EXPECT_EQ(p.notifications[1].on, (std::vector<std::string>{"success", "missed_schedule"}));
  EXPECT_EQ(p.notifications[1].missed_after, 3600);
  EXPECT_EQ(p.notifications[1].headers.at("X-Token"), "{{ env.T }}");
  std::vector<std::string> errors;
  auto bad = pipeline::ParsePipeline(std::string("name: p\nschedule: none\nnotifications:\n  - type: slack\n"
                                                 "    url: ftp://x\n  - type: webhook\n    url: 'https://x/{{ nope }}'\n"
                                                 "    missed_after: soon\n") +
                                         kTwoTasks,
                                     "p.yaml", &errors);
  EXPECT_FALSE(bad.ok());
  ASSERT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0].rfind("p.yaml:5: notifications[0].url: must start with http:// or https://", 0), 0u) << errors[0];
  EXPECT_EQ(errors[1].rfind("p.yaml:7: notifications[1].url: unknown template variable 'nope'", 0), 0u) << errors[1];
  EXPECT_EQ(errors[2].rfind("p.yaml:8: notifications[1].missed_after: 'soon' is not a duration", 0), 0u) << errors[2];
}

TEST(NotifyTest, RedactUrlKeepsSchemeHostAndPort) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T0/B0/secret"), "https://hooks.slack.com/...");
  EXPECT_EQ(RedactUrl("http://user:pw@127.0.0.1:8080/x?token=1"), "http://127.0.0.1:8080/...");
  EXPECT_EQ(RedactUrl("http://example.com"), "http://example.com");
  EXPECT_EQ(RedactUrl("not a url secret"), "(a URL)");
}

TEST(NotifyTest, RedactUrlSecretsKeepsPathHidesCredentialsAndQueryValues) {
  EXPECT_EQ(RedactUrlSecrets("https://api.example.com/v1/refresh?api_key=s3cr3t&full=1"),
            "https://api.example.com/v1/refresh?api_key=***&full=***");
  EXPECT_EQ(RedactUrlSecrets("http://user:pw@127.0.0.1:8080/x#frag"), "http://127.0.0.1:8080/x");
  EXPECT_EQ(RedactUrlSecrets("http://example.com"), "http://example.com");
  EXPECT_EQ(RedactUrlSecrets("http://example.com/a?flag&t=x"), "http://example.com/a?flag&t=***");
  EXPECT_EQ(RedactUrlSecrets("no scheme?token=1"), "(a URL)");
}

class NotifyRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = StateStore::Open(tmp_.Join("state.db"));
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
  }
  testing::TempDir tmp_;
  std::unique_ptr<StateStore> store_;
  testing::FakeClock clock_{static_cast<double>(Utc(2024, 1, 10))};
};

TEST_F(NotifyRunTest, RunnerSendsRetryExhaustedFailureAndSuccess) {
  auto spec = Parse(std::string("name: p\nschedule: '@daily'\nretries: 2\nretry_delay: 1s\nnotifications:\n"
                                "  - type: webhook\n    url: http://x\n    on: [failure, retry_exhausted, success]\n") +
                    kTwoTasks);
  Executor ex;
  ex.fail = {"a"};
  RecordingNotifier rec;
  RunnerOptions o;
  o.log_dir = tmp_.Join("logs");
  o.random = [] { return 0.5; };
  o.notifier = &rec;
  Runner runner(spec, *store_, ex, clock_, o);
  pipeline::DataInterval day{Utc(2024, 1, 2), Utc(2024, 1, 3)};
  ASSERT_TRUE(runner.Run({day}).ok());
  ASSERT_EQ(rec.sent.size(), 2u);
  EXPECT_EQ(rec.sent[0].event, "retry_exhausted");
  EXPECT_EQ(rec.sent[0].task_id, "a");
  EXPECT_EQ(rec.sent[0].attempts, 3);
  EXPECT_EQ(rec.sent[0].message, "exit 3");
  EXPECT_EQ(rec.sent[1].event, "failure");
  EXPECT_EQ(rec.sent[1].run_id, "p@2024-01-02");
  ASSERT_EQ(rec.sent[1].tasks.size(), 2u);
  EXPECT_EQ(rec.sent[1].tasks[1].status, state::kUpstreamFailed);
  EXPECT_NEAR(rec.sent[1].seconds, 3.0, 1e-6);  // the retry delays: 1 s + 2 s on the fake clock
  // Each delivery line is in the run's notifications.log.
  std::ifstream log(tmp_.Join("logs/p/p@2024-01-02/notifications.log"));
  std::string all((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(all.find("recorded retry_exhausted"), std::string::npos) << all;
  EXPECT_NE(all.find("recorded failure"), std::string::npos) << all;
  // The payload of a webhook says the same.
  auto j = WebhookPayload(spec, rec.sent[1]);
  EXPECT_EQ(j["failed_tasks"], nlohmann::json::array({"a"}));
  EXPECT_EQ(j["data_interval_end"], "2024-01-03T00:00:00+00:00");
  EXPECT_NE(j["text"].get<std::string>().find("not run (upstream failed): b"), std::string::npos);

  ex.fail.clear();
  ASSERT_TRUE(runner.Run({day}).ok());
  ASSERT_EQ(rec.sent.size(), 3u);
  EXPECT_EQ(rec.sent[2].event, "success");
  EXPECT_NE(SlackText(spec, rec.sent[2]).find("succeeded (2/2 tasks ok"), std::string::npos);
}

TEST_F(NotifyRunTest, SchedulerReportsLateAndLeftOutIntervals) {
  std::filesystem::create_directories(tmp_.Join("pipelines"));
  std::ofstream(tmp_.Join("pipelines/late.yaml"))
      << std::string("name: late\nschedule: '@daily'\nstart_date: 2024-01-07\ncatchup: true\nnotifications:\n"
                     "  - type: webhook\n    url: http://x\n    on: missed_schedule\n    missed_after: 2h\n") +
             kTwoTasks;
  std::ofstream(tmp_.Join("pipelines/skip.yaml"))
      << std::string("name: skip\nschedule: '@daily'\nnotifications:\n  - type: slack\n    url: http://x\n"
                     "    on: missed_schedule\n") +
             kTwoTasks;
  Executor ex;
  RecordingNotifier rec;
  SchedulerOptions o;
  o.pipelines_dir = tmp_.Join("pipelines");
  o.log_dir = tmp_.Join("logs");
  o.random = [] { return 0.5; };
  o.notifier = &rec;
  // An earlier run of `skip` on 2024-01-05; now is 2024-01-10 01:00.
  {
    RunnerOptions ro;
    ro.log_dir = o.log_dir;
    auto earlier = Parse(std::string("name: skip\nschedule: '@daily'\n") + kTwoTasks);  // the Runner keeps a reference
    Runner r(earlier, *store_, ex, clock_, ro);
    ASSERT_TRUE(r.Run({{Utc(2024, 1, 5), Utc(2024, 1, 6)}}).ok());
  }
  clock_.Advance(3600);
  Scheduler s(*store_, ex, clock_, o);
  auto runs = s.Tick();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(rec.sent.size(), 2u);
  // late: 2024-01-07 .. 09 run now; the 09th ended 1 h ago (< 2 h) but is listed with the others.
  const auto& late = rec.sent[0];
  EXPECT_EQ(late.event, "missed_schedule");
  ASSERT_EQ(late.missed.size(), 3u);
  EXPECT_EQ(late.missed[0].run_id, "late@2024-01-07");
  EXPECT_EQ(late.missed[0].late_seconds, 2 * 86400 + 3600);
  EXPECT_EQ(late.missed[2].late_seconds, 3600);
  EXPECT_FALSE(late.missed[0].left_out);
  // skip: only the 9th runs; the 6th, 7th and 8th are left out.
  const auto& skip = rec.sent[1];
  ASSERT_EQ(skip.missed.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(skip.missed[i].left_out);
    EXPECT_EQ(skip.missed[i].run_id, fmt::format("skip@2024-01-0{}", 6 + i));
  }
  EXPECT_EQ(skip.missed[3].run_id, "skip@2024-01-09");
  EXPECT_FALSE(skip.missed[3].left_out);
  // Only one hour late with missed_after 2h would not be sent on its own.
  NotificationEvent only_recent;
  only_recent.event = "missed_schedule";
  only_recent.missed = {late.missed[2]};
  auto late_spec = Parse(std::string("name: late\nschedule: '@daily'\nnotifications:\n  - type: webhook\n    url: http://x\n"
                                     "    on: missed_schedule\n    missed_after: 2h\n") +
                         kTwoTasks);
  EXPECT_FALSE(Wants(late_spec.notifications[0], only_recent));
  // Nothing due: nothing sent.
  ASSERT_TRUE(s.Tick().ok());
  EXPECT_EQ(rec.sent.size(), 2u);
}

TEST(AirflowTest, DateTemplateIsDsOnlyWhenItNamesTheInterval) {
  auto utc_daily = Parse(std::string("name: p\nschedule: '0 6 * * 1-5'\n") + kTwoTasks);
  EXPECT_EQ(AirflowDateTemplate(utc_daily), "{{ ds }}");
  auto utc_hourly = Parse(std::string("name: p\nschedule: '@hourly'\n") + kTwoTasks);
  EXPECT_EQ(AirflowDateTemplate(utc_hourly),
            "{{ data_interval_start.in_timezone('UTC').strftime('%Y-%m-%dT%H:%M:%S') }}");
  auto berlin = Parse(std::string("name: p\nschedule: '@daily'\ntimezone: Europe/Berlin\n") + kTwoTasks);
  EXPECT_EQ(AirflowDateTemplate(berlin),
            "{{ data_interval_start.in_timezone('Europe/Berlin').strftime('%Y-%m-%dT%H:%M:%S') }}");
  AirflowOptions o;
  o.project_dir = "/p";
  auto none = Parse(std::string("name: p\nschedule: none\n") + kTwoTasks);
  o.now = Utc(2025, 6, 7, 12);
  auto text = AirflowDag(none, o);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("schedule=None,"), std::string::npos) << *text;
  EXPECT_NE(text->find("start_date=pendulum.datetime(2025, 6, 7, 0, 0, 0, tz=\"UTC\"),"), std::string::npos) << *text;
  EXPECT_NE(text->find("tasks[\"a\"] >> tasks[\"b\"]"), std::string::npos) << *text;
}

}  // namespace
}  // namespace ldp::orchestrator
