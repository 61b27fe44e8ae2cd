// Orchestrator behaviour through the real CLI beyond cli_pipeline_test.cc: notifications against
// a local HTTP receiver, `ldp export airflow`, the lock on a running interval and clear-and-rerun.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "cli_fixture.h"

namespace ldp::testing {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool Listening(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

/// tests/testing/http_receiver.py on a free port: records every request it gets.
class Receiver {
 public:
  explicit Receiver(const std::string& record_file) : file_(record_file), port_(FreePort()) {
    auto p = Subprocess::Start({"/usr/bin/python3", std::string(LDP_SOURCE_DIR) + "/tests/testing/http_receiver.py",
                                std::to_string(port_), file_});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (p.ok()) proc_.emplace(std::move(p).value());
    for (int i = 0; i < 200 && !Listening(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ~Receiver() {
    if (proc_) {
      kill(proc_->pid(), SIGTERM);
      (void)proc_->Wait();
    }
  }
  std::string Url(const std::string& path) const { return fmt::format("http://127.0.0.1:{}{}", port_, path); }
  /// Every request so far: {method, path, headers, body}.
  std::vector<nlohmann::json> Requests() const {
    std::vector<nlohmann::json> out;
    std::istringstream in(ReadFile(file_));
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  /// The requests to paths starting with `prefix`.
  std::vector<nlohmann::json> To(const std::string& prefix) const {
    std::vector<nlohmann::json> out;
    for (auto& r : Requests())
      if (r["path"].get<std::string>().rfind(prefix, 0) == 0) out.push_back(r);
    return out;
  }

 private:
  std::string file_;
  int port_;
  std::optional<Subprocess> proc_;
};

class CliOrchestratorTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::create_directories(project_ + "/pipelines");
  }
  void Pipeline(const std::string& name, const std::string& yaml) {
    WriteFile(project_ + "/pipelines/" + name + ".yaml", yaml);
  }
  ProcessResult LdpEnv(std::vector<std::string> args, std::map<std::string, std::optional<std::string>> env) {
    args.push_back("--project");
    args.push_back(project_);
    SubprocessOptions o;
    o.env = std::move(env);
    return RunLdp(args, o);
  }
  std::string AllLogs() {
    std::string all;
    for (const auto& f : FilesUnder(project_ + "/warehouse/_ldp/logs")) all += ReadFile(f);
    return all;
  }
};

const char* kSecret = "s3cr3t-T0KEN-4f9a";

TEST_F(CliOrchestratorTest, NotificationsOnFailureRetryExhaustionAndSuccess) {
  Receiver rx(tmp_.Join("requests.jsonl"));
  int dead_port = FreePort();
  Pipeline("notified", fmt::format(R"(name: notified
schedule: none
retries: 1
retry_delay: 0.1s
notifications:
  - type: slack
    url: "{0}/{{{{ env.LDP_TEST_HOOK }}}}"
    on: [failure, retry_exhausted, success]
  - type: webhook
    url: "{1}"
    headers:
      Authorization: "Bearer {{{{ env.LDP_TEST_HOOK }}}}"
    on: [failure, success]
  - type: webhook
    url: "{2}"
    on: failure
  - type: webhook
    url: "http://127.0.0.1:{3}/nobody-listens"
    on: success
tasks:
  - id: first
    type: shell
    command: "true"
  - id: flaky
    type: shell
    depends_on: first
    command: test -f fixed
  - id: last
    type: shell
    depends_on: flaky
    command: "true"
)",
                                   rx.Url("/slack"), rx.Url("/hook"), rx.Url("/fail/down"), dead_port));
  std::map<std::string, std::optional<std::string>> env = {{"LDP_TEST_HOOK", kSecret}};
  ProcessResult r = LdpEnv({"run", "notified", "--date", "2024-05-01"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.Describe();  // flaky failed; a failed delivery changes nothing

  // Slack: retry exhaustion of `flaky`, then the run's failure, at the secret URL.
  auto slack = rx.To("/slack/");
  ASSERT_EQ(slack.size(), 2u) << nlohmann::json(rx.Requests()).dump(1);
  for (const auto& s : slack) {
    EXPECT_EQ(s["path"], std::string("/slack/") + kSecret);
    EXPECT_EQ(s["method"], "POST");
  }
  auto exhausted = nlohmann::json::parse(slack[0]["body"].get<std::string>())["text"].get<std::string>();
  EXPECT_NE(exhausted.find("task `flaky` of run `notified@2024-05-01` failed after 2 tries"), std::string::npos)
      << exhausted;
  auto failed = nlohmann::json::parse(slack[1]["body"].get<std::string>())["text"].get<std::string>();
  EXPECT_NE(failed.find("run `notified@2024-05-01` failed (1/3 tasks ok"), std::string::npos) << failed;
  EXPECT_NE(failed.find("`flaky` failed after 2 tries: exit 1"), std::string::npos) << failed;
  EXPECT_NE(failed.find("not run (upstream failed): last"), std::string::npos) << failed;

  // The generic webhook: the run as JSON, with the header rendered from the environment.
  auto hook = rx.To("/hook");
  ASSERT_EQ(hook.size(), 1u);
  EXPECT_EQ(hook[0]["headers"]["Authorization"], std::string("Bearer ") + kSecret);
  EXPECT_EQ(hook[0]["headers"]["Content-Type"], "application/json");
  auto body = nlohmann::json::parse(hook[0]["body"].get<std::string>());
  EXPECT_EQ(body["event"], "failure");
  EXPECT_EQ(body["pipeline"], "notified");
  EXPECT_EQ(body["run_id"], "notified@2024-05-01");
  EXPECT_EQ(body["status"], "failed");
  EXPECT_EQ(body["data_interval_start"], "2024-05-01T00:00:00+00:00");
  EXPECT_EQ(body["failed_tasks"], nlohmann::json::array({"flaky"}));
  std::map<std::string, std::string> states;
  for (const auto& t : body["tasks"]) states[t["task"]] = t["status"];
  EXPECT_EQ(states, (std::map<std::string, std::string>{{"first", "success"}, {"flaky", "failed"}, {"last", "upstream_failed"}}));
  // The webhook that answers 500 was tried twice; the failure is logged, not fatal.
  EXPECT_EQ(rx.To("/fail/").size(), 2u);
  std::string notes = ReadFile(project_ + "/warehouse/_ldp/logs/notified/notified@2024-05-01/notifications.log");
  EXPECT_NE(notes.find("notification 3 (webhook, "), std::string::npos) << notes;
  EXPECT_NE(notes.find("not delivered to http://127.0.0.1:"), std::string::npos) << notes;
  EXPECT_NE(notes.find("HTTP 500"), std::string::npos) << notes;
  EXPECT_NE(r.err.find("HTTP 500"), std::string::npos) << r.err;

  // Fixed: a rerun succeeds; success goes to Slack and the webhook; the dead endpoint is logged.
  WriteFile(project_ + "/fixed", "");
  r = LdpEnv({"run", "notified", "--date", "2024-05-01"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  slack = rx.To("/slack/");
  ASSERT_EQ(slack.size(), 3u);
  auto ok = nlohmann::json::parse(slack[2]["body"].get<std::string>())["text"].get<std::string>();
  EXPECT_NE(ok.find("run `notified@2024-05-01` succeeded (3/3 tasks ok"), std::string::npos) << ok;
  hook = rx.To("/hook");
  ASSERT_EQ(hook.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(hook[1]["body"].get<std::string>())["event"], "success");
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
  EXPECT_EQ(rx.To("/fail/").size(), 2u);  // failure only

  // The secret is in no log, no output, no run history.
  auto history = LdpJson({"runs", "notified@2024-05-01"});
  for (const std::string& text : {r.out, r.err, AllLogs(), history.dump()})
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;

  // A missing secret: the run still works, the log says which variable is not set.
  r = LdpEnv({"run", "notified", "--date", "2024-05-02"}, {});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  notes = ReadFile(project_ + "/warehouse/_ldp/logs/notified/notified@2024-05-02/notifications.log");
  EXPECT_NE(notes.find("not sent: url: template variable 'env.LDP_TEST_HOOK': environment variable LDP_TEST_HOOK is "
                       "not set"),
            std::string::npos)
      << notes;
}

TEST_F(CliOrchestratorTest, MissedScheduleIsNotifiedByTheScheduler) {
  Receiver rx(tmp_.Join("requests.jsonl"));
  std::string d4 = Scalar("SELECT CAST(current_date - 4 AS VARCHAR)");
  std::string d3 = Scalar("SELECT CAST(current_date - 3 AS VARCHAR)");
  std::string d2 = Scalar("SELECT CAST(current_date - 2 AS VARCHAR)");
  std::string d1 = Scalar("SELECT CAST(current_date - 1 AS VARCHAR)");
  // Catchup: the scheduler runs the missed days, each started more than `missed_after` late.
  Pipeline("caught", fmt::format(R"(name: caught
schedule: "@daily"
start_date: {}
catchup: true
notifications:
  - type: webhook
    url: "{}"
    on: missed_schedule
    missed_after: 1s
tasks:
  - id: t
    type: shell
    command: "true"
)",
                                 d2, rx.Url("/caught")));
  // No catchup: after a run of d4, the scheduler runs only d1; d3 and d2 are left out.
  Pipeline("latest", fmt::format(R"(name: latest
schedule: "@daily"
catchup: false
notifications:
  - type: slack
    url: "{}"
    on: [missed_schedule]
tasks:
  - id: t
    type: shell
    command: "true"
)",
                                 rx.Url("/latest")));
  ASSERT_EQ(Ldp({"run", "latest", "--date", d4}).exit_code, 0);
  ProcessResult r = Ldp({"scheduler", "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  auto caught = rx.To("/caught");
  ASSERT_EQ(caught.size(), 1u) << nlohmann::json(rx.Requests()).dump(1);
  auto body = nlohmann::json::parse(caught[0]["body"].get<std::string>());
  EXPECT_EQ(body["event"], "missed_schedule");
  ASSERT_EQ(body["missed"].size(), 2u) << body.dump(1);
  EXPECT_EQ(body["missed"][0]["run_id"], "caught@" + d2);
  EXPECT_EQ(body["missed"][1]["run_id"], "caught@" + d1);
  EXPECT_EQ(body["missed"][0]["will_run"], true);
  EXPECT_GT(body["missed"][0]["late_seconds"].get<double>(), 86400);
  auto latest = rx.To("/latest");
  ASSERT_EQ(latest.size(), 1u);
  std::string text = nlohmann::json::parse(latest[0]["body"].get<std::string>())["text"];
  EXPECT_NE(text.find("`latest@" + d3 + "` will not run (catchup is off)"), std::string::npos) << text;
  EXPECT_NE(text.find("`latest@" + d2 + "` will not run (catchup is off)"), std::string::npos) << text;
  // Nothing is due any more: no second message.
  EXPECT_EQ(Ldp({"scheduler", "--once"}).exit_code, 0);
  EXPECT_EQ(rx.Requests().size(), 2u);
}

TEST_F(CliOrchestratorTest, BadNotificationsAreRejectedWithFileLineAndField) {
  Pipeline("bad", R"(name: bad
schedule: none
notifications:
  - type: teams
    url: "https://example.com/x"
  - type: slack
    on: [failure, explosion]
  - type: webhook
    url: "{{ env.HOOK }}"
    colour: red
tasks:
  - id: t
    type: shell
    command: "true"
)");
  ProcessResult r = Ldp({"pipelines", "--validate"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  for (const char* want : {"pipelines/bad.yaml:4: notifications[0].type: 'teams' is not one of slack, webhook",
                           "pipelines/bad.yaml:6: notifications[1].url: missing",
                           "pipelines/bad.yaml:7: notifications[1].on: unknown event 'explosion'",
                           "pipelines/bad.yaml:10: notifications[2].colour: unknown field"})
    EXPECT_NE(r.err.find(want), std::string::npos) << want << "\n" << r.err;
  r = Ldp({"run", "bad", "--date", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(project_ + "/warehouse/_ldp/logs/bad"));
}

const char* kAirflowPipeline = R"(name: nightly
description: nightly load
schedule: "30 2 * * *"
timezone: Europe/Berlin
start_date: 2024-03-01
end_date: 2024-12-31
catchup: true
max_active_runs: 3
max_active_tasks: 2
retries: 2
retry_delay: 45s
max_retry_delay: 10m
tasks:
  - id: wait
    type: sensor
    file: "drops/{{ ds }}.csv"
  - id: load
    type: shell
    depends_on: wait
    command: "true"
    timeout: 15m
  - id: summary
    type: shell
    depends_on: load
    command: "true"
    retries: 0
  - id: check-rows
    type: shell
    depends_on: load
    command: "true"
    backoff: 1
    retry_delay: 2m
  - id: publish
    type: shell
    depends_on: [summary, check-rows]
    command: "true"
)";

nlohmann::json AirflowGraph(const std::string& dag_file) {
  auto r = RunProcess({"/usr/bin/python3", std::string(LDP_SOURCE_DIR) + "/tests/interop/airflow_graph.py", dag_file});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->Describe();
  auto j = nlohmann::json::parse(r->out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r->Describe();
  return j;
}

TEST_F(CliOrchestratorTest, ExportAirflowWritesADagWithTheSameGraphAndSettings) {
  Pipeline("nightly", kAirflowPipeline);
  std::string out = tmp_.Join("dags");
  auto j = LdpJson({"export", "airflow", "nightly", "--out", out});
  std::string file = out + "/nightly.py";
  EXPECT_EQ(j["path"], file);
  auto compiled = RunProcess({"/usr/bin/python3", "-m", "py_compile", file});
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->exit_code, 0) << compiled->Describe();

  auto dag = AirflowGraph(file);
  EXPECT_EQ(dag["dag_id"], "nightly");
  // The task graph equals the pipeline's (as `ldp graph --json` reports it).
  auto graph = LdpJson({"graph", "nightly"});
  std::vector<std::vector<std::string>> edges;
  std::set<std::string> ids;
  for (const auto& t : graph["tasks"]) {
    ids.insert(t["id"].get<std::string>());
    for (const auto& d : t["depends_on"]) edges.push_back({d, t["id"]});
  }
  std::sort(edges.begin(), edges.end());
  EXPECT_EQ(dag["edges"], nlohmann::json(edges));
  std::set<std::string> dag_ids;
  for (auto& [id, op] : dag["tasks"].items()) dag_ids.insert(id);
  EXPECT_EQ(dag_ids, ids);
  // Settings.
  const auto& s = dag["settings"];
  EXPECT_EQ(s["schedule"], "30 2 * * *");
  EXPECT_EQ(s["catchup"], true);
  EXPECT_EQ(s["max_active_runs"], 3);
  EXPECT_EQ(s["max_active_tasks"], 2);
  EXPECT_EQ(s["description"], "nightly load");
  EXPECT_EQ(s["start_date"], nlohmann::json({{"year", 2024}, {"month", 3}, {"day", 1}, {"hour", 0}, {"minute", 0},
                                             {"second", 0}, {"tz", "Europe/Berlin"}}));
  EXPECT_EQ(s["end_date"]["day"], 31);
  EXPECT_EQ(s["end_date"]["tz"], "Europe/Berlin");
  // Per-task retries, back-off and timeouts.
  const auto& load = dag["tasks"]["load"];
  EXPECT_EQ(load["operator"], "BashOperator");
  EXPECT_EQ(load["retries"], 2);
  EXPECT_EQ(load["retry_delay"], 45.0);
  EXPECT_EQ(load["retry_exponential_backoff"], true);
  EXPECT_EQ(load["max_retry_delay"], 600.0);
  EXPECT_EQ(load["execution_timeout"], 900.0);
  EXPECT_EQ(dag["tasks"]["summary"]["retries"], 0);
  EXPECT_FALSE(dag["tasks"]["summary"].contains("execution_timeout"));
  EXPECT_EQ(dag["tasks"]["check-rows"]["retry_delay"], 120.0);
  EXPECT_FALSE(dag["tasks"]["check-rows"].contains("retry_exponential_backoff"));
  // Berlin is not UTC: the date is the interval's start in the pipeline's zone, not ds.
  std::string cmd = load["bash_command"];
  std::string project_abs = std::filesystem::absolute(project_).lexically_normal().string();
  EXPECT_EQ(cmd, "ldp task run nightly load --date \"{{ data_interval_start.in_timezone('Europe/Berlin')"
                 ".strftime('%Y-%m-%dT%H:%M:%S') }}\" --project '" + project_abs + "'");

  // The command it runs works: with Jinja's value put in by hand, `ldp task run` runs the task.
  std::filesystem::create_directories(project_ + "/drops");
  WriteFile(project_ + "/drops/2024-03-05.csv", "x\n1\n");
  std::string rendered = cmd;
  rendered.replace(rendered.find("{{"), rendered.find("}}") + 2 - rendered.find("{{"), "2024-03-05T02:30:00");
  rendered.replace(0, 3, LDP_BIN);
  rendered.replace(rendered.find(" load "), 6, " wait ");
  auto ran = RunProcess({"/bin/sh", "-c", rendered});
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(ran->exit_code, 0) << rendered << "\n" << ran->Describe();

  // Kubernetes, UTC daily: `{{ ds }}` and the image.
  Pipeline("k8s", R"(name: k8s
schedule: "@daily"
tasks:
  - id: a
    type: shell
    command: "true"
  - id: b
    type: shell
    depends_on: a
    command: "true"
)");
  ProcessResult k = Ldp({"export", "airflow", "k8s", "--out", out, "--k8s-image", "registry.example/ldp:1.2",
                         "--project-path", "/srv/project"});
  EXPECT_EQ(k.exit_code, 0) << k.Describe();
  auto kd = AirflowGraph(out + "/k8s.py");
  EXPECT_EQ(kd["edges"], nlohmann::json::array({nlohmann::json::array({"a", "b"})}));
  EXPECT_EQ(kd["settings"]["schedule"], "@daily");
  EXPECT_EQ(kd["settings"]["catchup"], false);
  const auto& a = kd["tasks"]["a"];
  EXPECT_EQ(a["operator"], "KubernetesPodOperator");
  EXPECT_EQ(a["image"], "registry.example/ldp:1.2");
  EXPECT_EQ(a["cmds"], nlohmann::json::array({"ldp"}));
  EXPECT_EQ(a["arguments"], nlohmann::json::array({"task", "run", "k8s", "a", "--date", "{{ ds }}", "--project",
                                                  "/srv/project"}));

  // Errors: an unknown pipeline is exit 3; `ldp export NS.T` keeps working.
  EXPECT_EQ(Ldp({"export", "airflow", "nope", "--out", out}).exit_code, 3);
  ProcessResult t = Ldp({"export", "ns.t", "--to", tmp_.Join("x.csv")});
  EXPECT_EQ(t.exit_code, 3) << t.Describe();  // no such table, but parsed as a table export
  EXPECT_EQ(Ldp({"export", "ns.t"}).exit_code, 2);
}

TEST_F(CliOrchestratorTest, SecondRunOfARunningIntervalIsRefused) {
  Pipeline("slow", R"(name: slow
schedule: none
tasks:
  - id: wait
    type: shell
    command: 'echo {{ ds }} >> started.txt; while [ ! -f release ]; do sleep 0.05; done'
)");
  auto first = Subprocess::Start({LDP_BIN, "run", "slow", "--date", "2024-02-01", "--project", project_},
                                 {{{"LDP_PROJECT", std::nullopt}}, ""});
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 400 && ReadFile(project_ + "/started.txt").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  ASSERT_EQ(ReadFile(project_ + "/started.txt"), "2024-02-01\n");
  ProcessResult second = Ldp({"run", "slow", "--date", "2024-02-01"});
  EXPECT_EQ(second.exit_code, 1) << second.Describe();
  EXPECT_NE(second.err.find(fmt::format("run slow@2024-02-01 is already running in process {}", first->pid())),
            std::string::npos)
      << second.err;
  // Another interval is not blocked.
  WriteFile(project_ + "/release", "");
  EXPECT_EQ(Ldp({"run", "slow", "--date", "2024-02-02"}).exit_code, 0);
  auto done = first->Wait();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->exit_code, 0) << done->Describe();
  EXPECT_EQ(ReadFile(project_ + "/started.txt"), "2024-02-01\n2024-02-02\n");
  auto show = LdpJson({"runs", "slow@2024-02-01"});
  EXPECT_EQ(show["status"], "success");
  EXPECT_EQ(show["attempts"].size(), 1u);  // the refused run left no attempt behind
}

TEST_F(CliOrchestratorTest, ClearAndRerunAFailedTaskAndItsDownstream) {
  Pipeline("chain", R"(name: chain
schedule: none
tasks:
  - id: extract
    type: shell
    command: echo x >> extract.txt
  - id: transform
    type: shell
    depends_on: extract
    command: test -f fixed && echo x >> transform.txt
  - id: load
    type: shell
    depends_on: transform
    command: echo x >> load.txt
  - id: side
    type: shell
    depends_on: extract
    command: echo x >> side.txt
)");
  ProcessResult r = Ldp({"run", "chain", "--date", "2024-03-01", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  auto show = LdpJson({"runs", "chain@2024-03-01"});
  std::map<std::string, std::string> st;
  for (const auto& t : show["tasks"]) st[t["task"]] = t["status"];
  EXPECT_EQ(st["transform"], "failed");
  EXPECT_EQ(st["load"], "upstream_failed");
  EXPECT_EQ(st["side"], "success");
  WriteFile(project_ + "/fixed", "");
  r = Ldp({"run", "chain", "--date", "2024-03-01", "--task", "transform", "--downstream", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  show = LdpJson({"runs", "chain@2024-03-01"});
  EXPECT_EQ(show["status"], "success");
  std::map<std::string, int> attempts;
  for (const auto& t : show["tasks"]) {
    EXPECT_EQ(t["status"], "success") << t.dump();
    attempts[t["task"]] = t["attempts"];
  }
  EXPECT_EQ(attempts, (std::map<std::string, int>{{"extract", 1}, {"transform", 2}, {"load", 1}, {"side", 1}}));
  // Upstream and unrelated tasks did not run again.
  EXPECT_EQ(ReadFile(project_ + "/extract.txt"), "x\n");
  EXPECT_EQ(ReadFile(project_ + "/side.txt"), "x\n");
  EXPECT_EQ(ReadFile(project_ + "/transform.txt"), "x\n");
  EXPECT_EQ(ReadFile(project_ + "/load.txt"), "x\n");
  EXPECT_EQ(LdpJson({"runs", "chain"}).size(), 1u);
}


TEST_F(CliOrchestratorTest, RestaurantMartExampleReportsToSlackAndCatchesTheRevenueDrop) {
  Receiver rx(tmp_.Join("requests.jsonl"));
  std::filesystem::copy(std::string(LDP_SOURCE_DIR) + "/examples/restaurant_mart/pipelines", project_ + "/pipelines",
                        std::filesystem::copy_options::overwrite_existing | std::filesystem::copy_options::recursive);
  auto drops = LdpJson({"run", "restaurant_drops", "--from", "2024-01-01", "--to", "2024-01-05"});
  ASSERT_EQ(drops["runs"].size(), 5u) << drops.dump(2);
  std::map<std::string, std::optional<std::string>> env = {{"RESTAURANT_SLACK_WEBHOOK", rx.Url("/services/T0/B0/xyz")}};
  ProcessResult r = LdpEnv({"run", "restaurant_mart", "--from", "2024-01-01", "--to", "2024-01-05", "--json"}, env);
  // 2024-01-04 is the slow day of the drops: its revenue check fails, so the backfill exits 1.
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.Describe();
  ASSERT_EQ(j["runs"].size(), 5u);
  for (const auto& run : j["runs"]) {
    bool slow = run["run_id"] == "restaurant_mart@2024-01-04";
    EXPECT_EQ(run["status"], slow ? "failed" : "success") << run.dump(2);
    for (const auto& t : run["tasks"])
      EXPECT_EQ(t["status"], slow && t["task"] == "revenue_anomaly" ? "failed" : "success") << run.dump(2);
  }

  // Merge deduplicated the re-delivered rows: one row per sale and per restaurant.
  std::string sales_csv = "read_csv('" + project_ + "/drops/sales_*.csv', header = true)";
  auto q = LdpJson({"query", "SELECT count(*) AS n, count(DISTINCT sale_id) AS d, sum(amount) AS total FROM mart.sales"});
  EXPECT_EQ(q["rows"][0]["n"], std::stoll(Scalar("SELECT count(DISTINCT sale_id) FROM " + sales_csv)));
  EXPECT_EQ(q["rows"][0]["d"], q["rows"][0]["n"]);
  EXPECT_GT(Count(sales_csv), q["rows"][0]["n"].get<int64_t>());  // the drops did repeat rows
  EXPECT_EQ(LdpJson({"query", "SELECT count(*) AS n FROM mart.restaurants"})["rows"][0]["n"], 12);
  auto described = LdpJson({"describe", "mart.sales"});
  EXPECT_NE(described.dump().find("decimal(12,2)"), std::string::npos) << described.dump(1);

  // Slack got one report a day, each with that day's top restaurants from the drops, and the
  // failure of the slow day naming the check.
  std::vector<std::string> reports, failures;
  for (const auto& req : rx.To("/services/T0/B0/xyz")) {
    std::string text = nlohmann::json::parse(req["body"].get<std::string>())["text"];
    (text.find(":bar_chart:") == 0 ? reports : failures).push_back(text);
  }
  ASSERT_EQ(reports.size(), 5u) << nlohmann::json(reports).dump(1);
  for (int day = 1; day <= 5; ++day) {
    std::string ds = fmt::format("2024-01-0{}", day);
    const std::string* report = nullptr;
    for (const auto& t : reports)
      if (t.find("for " + ds + ":") != std::string::npos) report = &t;
    ASSERT_NE(report, nullptr) << ds;
    auto top = Sql(fmt::format("SELECT restaurant_id, CAST(revenue AS VARCHAR) FROM (SELECT restaurant_id, "
                               "sum(CAST(amount AS DECIMAL(12, 2))) AS revenue FROM (SELECT DISTINCT sale_id, "
                               "restaurant_id, amount FROM {} WHERE sale_date = DATE '{}') GROUP BY ALL) "
                               "ORDER BY revenue DESC, restaurant_id LIMIT 5",
                               sales_csv, ds));
    ASSERT_EQ(top.rows.size(), 5u);
    size_t pos = 0;
    for (const auto& row : top.rows) {
      // Each line: name, cuisine, location, revenue, sales; in revenue order.
      size_t at = report->find(" " + *row[0] + " ", pos);
      ASSERT_NE(at, std::string::npos) << "restaurant " << *row[0] << " on " << ds << "\n" << *report;
      size_t line_end = report->find('\n', at);
      EXPECT_NE(report->substr(at, line_end - at).find(*row[1]), std::string::npos) << *report;
      pos = line_end;
    }
  }
  ASSERT_EQ(failures.size(), 1u) << nlohmann::json(failures).dump(1);
  EXPECT_NE(failures[0].find("run `restaurant_mart@2024-01-04` failed"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("`revenue_anomaly` failed after 1 try: 1 of 1 checks failed; first: sql: 1 offending row"),
            std::string::npos)
      << failures[0];
}

}  // namespace
}  // namespace ldp::testing
