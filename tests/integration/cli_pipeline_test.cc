// Pipelines through the real CLI: `ldp run`, `ldp task run`, `ldp runs`, `ldp logs`,
// `ldp pipelines`, `ldp graph`, with real child processes for every task.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cli_fixture.h"

namespace ldp::testing {
namespace {

class CliPipelineTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    std::filesystem::create_directories(project_ + "/pipelines");
    std::filesystem::create_directories(project_ + "/drops");
  }
  void Pipeline(const std::string& name, const std::string& yaml) {
    WriteFile(project_ + "/pipelines/" + name + ".yaml", yaml);
  }
  // A day's drop: `n` trips of that day, ids unique across days.
  void Drop(const std::string& day, int base, int n) {
    Copy(fmt::format("SELECT {0} + i AS trip_id, DATE '{1}' AS day, (i % 3) + 1 AS payment_type, "
                     "CAST(i * 1.5 AS DOUBLE) AS fare FROM range({2}) t(i)",
                     base, day, n),
         project_ + "/drops/" + day + ".parquet");
  }
  std::map<std::string, std::string> TaskStates(const nlohmann::json& run) {
    std::map<std::string, std::string> out;
    for (const auto& t : run["tasks"]) out[t["task"]] = t["status"];
    return out;
  }
};

const char* kDaily = R"(name: daily
schedule: "0 0 * * *"
timezone: UTC
max_active_tasks: 3
params:
  min_rows: "1"
tasks:
  - id: wait_for_drop
    type: sensor
    file: "drops/{{ ds }}.parquet"
    poke_interval: 1s
    timeout: 20s
  - id: load
    type: ingest
    depends_on: wait_for_drop
    source: "drops/{{ ds }}.parquet"
    table: taxi.trips
    mode: overwrite
    where: "day = DATE '{{ ds }}'"
  - id: summary
    type: sql
    depends_on: load
    sql: "SELECT day, payment_type, count(*) AS trips, sum(fare) AS revenue FROM ref('taxi.trips') GROUP BY ALL"
    table: taxi.daily_summary
    mode: replace
  - id: quality
    type: check
    depends_on: load
    table: taxi.trips
    checks:
      - not_null: [trip_id, day]
      - unique: trip_id
      - accepted_values: {column: payment_type, values: ["1", "2", "3"]}
      - row_count: {min: "{{ params.min_rows }}"}
  - id: export
    type: export
    depends_on: summary
    query: "SELECT * FROM ref('taxi.daily_summary') WHERE day = DATE '{{ ds }}' ORDER BY payment_type"
    path: "out/summary_{{ ds_nodash }}.csv"
  - id: mark
    type: shell
    depends_on: [quality, export]
    command: echo "$GREETING {{ ds }} {{ run_id }} {{ data_interval_end }}" > marks/{{ ds }}.txt
    env:
      GREETING: done
)";

TEST_F(CliPipelineTest, ShellIngestSqlCheckExportRunAndRerunIdempotently) {
  std::filesystem::create_directories(project_ + "/marks");
  Pipeline("daily", kDaily);
  Drop("2024-01-02", 0, 30);
  Drop("2024-01-03", 1000, 12);
  auto j = LdpJson({"run", "daily", "--date", "2024-01-02"});
  ASSERT_EQ(j["runs"].size(), 1u) << j.dump(2);
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["run_id"], "daily@2024-01-02");
  EXPECT_EQ(run["status"], "success") << j.dump(2);
  for (const auto& [task, status] : TaskStates(run)) EXPECT_EQ(status, "success") << task;

  // The tables hold what the source says.
  std::string trips = project_ + "/drops/2024-01-02.parquet";
  auto q = LdpJson({"query", "SELECT count(*) AS n, sum(fare) AS f FROM taxi.trips"});
  EXPECT_EQ(q["rows"][0]["n"], 30) << q.dump();
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_csv('" + project_ + "/out/summary_20240102.csv')"), "3");
  EXPECT_EQ(Scalar("SELECT sum(trips) FROM read_csv('" + project_ + "/out/summary_20240102.csv')"), "30");
  EXPECT_EQ(Scalar("SELECT sum(revenue) FROM read_csv('" + project_ + "/out/summary_20240102.csv')"),
            Scalar("SELECT sum(fare) FROM " + Parquet(trips)));
  EXPECT_EQ(ReadFile(project_ + "/marks/2024-01-02.txt"),
            "done 2024-01-02 daily@2024-01-02 2024-01-03T00:00:00+00:00\n");

  // The run history: every attempt, its log and the snapshot the ingest committed.
  auto show = LdpJson({"runs", "daily@2024-01-02"});
  ASSERT_EQ(show["attempts"].size(), 6u) << show.dump(2);
  int64_t snapshot = 0;
  for (const auto& a : show["attempts"]) {
    EXPECT_TRUE(std::filesystem::exists(a["log_path"].get<std::string>())) << a.dump();
    if (a["task"] == "load") snapshot = a["snapshot_id"];
    if (a["task"] == "summary") EXPECT_EQ(a["inputs"], nlohmann::json::array({"taxi.trips"}));
  }
  auto snaps = LdpJson({"snapshots", "taxi.trips"});
  int64_t current = 0;
  for (const auto& s : snaps)
    if (s.value("current", false)) current = s["snapshot-id"];
  EXPECT_EQ(current, snapshot) << snaps.dump(2);
  ProcessResult logs = Ldp({"logs", "daily@2024-01-02", "quality"});
  EXPECT_EQ(logs.exit_code, 0) << logs.Describe();
  EXPECT_NE(logs.out.find("PASS unique(trip_id)"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("PASS not_null(trip_id, day)"), std::string::npos) << logs.out;

  // A second day, then the first again: overwrite-where keeps each day's rows once.
  EXPECT_EQ(LdpJson({"run", "daily", "--date", "2024-01-03"})["runs"][0]["status"], "success");
  EXPECT_EQ(LdpJson({"run", "daily", "--date", "2024-01-02"})["runs"][0]["status"], "success");
  q = LdpJson({"query", "SELECT count(*) AS n, count(DISTINCT trip_id) AS d FROM taxi.trips"});
  EXPECT_EQ(q["rows"][0]["n"], 42) << q.dump();
  EXPECT_EQ(q["rows"][0]["d"], 42) << q.dump();
  auto runs = LdpJson({"runs", "daily"});
  EXPECT_EQ(runs.size(), 2u) << runs.dump(2);  // the rerun reused its interval's run
  show = LdpJson({"runs", "daily@2024-01-02"});
  EXPECT_EQ(show["attempts"].size(), 12u);

  // `ldp task run` runs one task alone, as an external scheduler would.
  ProcessResult one = Ldp({"task", "run", "daily", "mark", "--date", "2024-01-03"});
  EXPECT_EQ(one.exit_code, 0) << one.Describe();
  EXPECT_EQ(ReadFile(project_ + "/marks/2024-01-03.txt"),
            "done 2024-01-03 daily@2024-01-03 2024-01-04T00:00:00+00:00\n");
}

TEST_F(CliPipelineTest, FailingCheckCountsAndSamplesOffendingRows) {
  Drop("2024-01-02", 0, 10);
  Copy("SELECT * FROM (VALUES (1, 'a'), (1, 'b'), (2, NULL), (3, 'z')) t(id, code)", project_ + "/drops/bad.parquet");
  Pipeline("checks", R"(name: checks
schedule: none
tasks:
  - id: load
    type: ingest
    source: drops/bad.parquet
    table: t.bad
  - id: test
    type: check
    depends_on: load
    table: t.bad
    sample: 2
    checks:
      - unique: id
      - not_null: code
      - accepted_values: {column: code, values: [a, b]}
      - row_count: {min: 1, max: 10}
      - sql: "SELECT * FROM t.bad WHERE id > 2"
)");
  ProcessResult r = Ldp({"run", "checks", "--date", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  auto line = OneLine(r.err.substr(r.err.rfind("ldp run:")));
  ASSERT_TRUE(line) << r.err;
  EXPECT_NE(line->find("4 of 5 checks failed; first: unique(id): 1 offending row"), std::string::npos) << *line;
  ProcessResult logs = Ldp({"logs", "checks@2024-01-01", "test"});
  EXPECT_NE(logs.out.find("FAIL unique(id): 1 offending row"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("duplicates=2"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("FAIL not_null(code): 1 offending row"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("FAIL accepted_values(code): 1 offending row"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("PASS row_count(1..10)"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("FAIL sql: 1 offending row"), std::string::npos) << logs.out;
}

TEST_F(CliPipelineTest, RetriesThenUpstreamFailed) {
  Pipeline("flaky", R"(name: flaky
schedule: "@daily"
retries: 2
retry_delay: 0.2s
tasks:
  - id: first
    type: shell
    command: echo "try $LDP_ATTEMPT" >> tries.txt; exit 3
  - id: after
    type: shell
    depends_on: first
    command: touch after.txt
  - id: independent
    type: shell
    command: "true"
)");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = Ldp({"run", "flaky", "--date", "2024-05-01", "--json"});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  auto j = nlohmann::json::parse(r.out);
  auto st = TaskStates(j["runs"][0]);
  EXPECT_EQ(st["first"], "failed");
  EXPECT_EQ(st["after"], "upstream_failed");
  EXPECT_EQ(st["independent"], "success");
  EXPECT_EQ(ReadFile(project_ + "/tries.txt"), "try 1\ntry 2\ntry 3\n");
  EXPECT_FALSE(std::filesystem::exists(project_ + "/after.txt"));
  EXPECT_GE(secs, 0.2 * 0.75 + 0.4 * 0.75);  // two back-off waits: ~0.2 s then ~0.4 s
  auto show = LdpJson({"runs", "flaky@2024-05-01"});
  int first_attempts = 0;
  for (const auto& a : show["attempts"])
    if (a["task"] == "first") {
      ++first_attempts;
      EXPECT_EQ(a["exit_code"], 3);
      EXPECT_NE(ReadFile(a["log_path"]).find("attempt " + std::to_string(first_attempts) + " ended: failed"),
                std::string::npos);
    }
  EXPECT_EQ(first_attempts, 3);

  // Fix the task and rerun it with its downstream: the rest of the run is kept.
  WriteFile(project_ + "/pipelines/flaky.yaml", ReadFile(project_ + "/pipelines/flaky.yaml").replace(
      ReadFile(project_ + "/pipelines/flaky.yaml").find("exit 3"), 6, "exit 0"));
  auto again = LdpJson({"run", "flaky", "--date", "2024-05-01", "--task", "first", "--downstream"});
  st = TaskStates(again["runs"][0]);
  EXPECT_EQ(st.size(), 2u);
  EXPECT_EQ(st["after"], "success");
  EXPECT_TRUE(std::filesystem::exists(project_ + "/after.txt"));
  EXPECT_EQ(LdpJson({"runs", "flaky"})[0]["status"], "success");
}

TEST_F(CliPipelineTest, TimeoutKillsTheWholeProcessTree) {
  Pipeline("slow", R"(name: slow
schedule: none
tasks:
  - id: hang
    type: shell
    timeout: 1s
    command: "sleep 60 & echo $! > child.pid; sleep 60"
)");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = Ldp({"run", "slow", "--date", "2024-01-01"});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_LT(secs, 30);
  EXPECT_NE(r.err.find("timed out after 1s"), std::string::npos) << r.err;
  std::string pid_text = ReadFile(project_ + "/child.pid");
  ASSERT_FALSE(pid_text.empty());
  pid_t pid = std::stoi(pid_text);
  // The background child was killed too (gone, or a zombie waiting for its reaper).
  bool alive = false;
  for (int i = 0; i < 50; ++i) {
    std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    alive = !stat.empty() && stat.find(") Z") == std::string::npos;
    if (!alive) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(alive) << "pid " << pid << " survived the timeout";
  if (alive) kill(pid, SIGKILL);
}

TEST_F(CliPipelineTest, BackfillRunsEveryDayOnce) {
  Pipeline("fill", R"(name: fill
schedule: "0 0 * * *"
max_active_runs: 2
tasks:
  - id: write
    type: shell
    command: echo {{ ds }} >> days.txt
)");
  auto j = LdpJson({"run", "fill", "--from", "2024-02-27", "--to", "2024-03-02"});
  ASSERT_EQ(j["runs"].size(), 5u) << j.dump(2);
  std::string days = ReadFile(project_ + "/days.txt");
  for (const char* d : {"2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"})
    EXPECT_NE(days.find(d), std::string::npos) << d;
  EXPECT_EQ(std::count(days.begin(), days.end(), '\n'), 5);
  auto runs = LdpJson({"runs", "fill"});
  ASSERT_EQ(runs.size(), 5u);
  EXPECT_EQ(runs[0]["run_id"], "fill@2024-03-02");
  EXPECT_EQ(runs[0]["trigger"], "backfill");
  auto pipelines = LdpJson({"pipelines"});
  ASSERT_EQ(pipelines.size(), 1u);
  EXPECT_EQ(pipelines[0]["last_status"], "success");
}

TEST_F(CliPipelineTest, InvalidPipelineIsRejectedBeforeAnythingRuns) {
  Pipeline("bad", "name: bad\nschedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: touch ran.txt\n"
                  "  - id: b\n    type: sqll\n    depends_on: a\n");
  ProcessResult r = Ldp({"run", "bad", "--date", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  auto line = OneLine(r.err);
  ASSERT_TRUE(line) << r.err;
  EXPECT_NE(line->find("pipelines/bad.yaml:8: tasks.b.type: unknown task type 'sqll'"), std::string::npos) << *line;
  EXPECT_FALSE(std::filesystem::exists(project_ + "/ran.txt"));
  ProcessResult v = Ldp({"pipelines", "--validate"});
  EXPECT_EQ(v.exit_code, 2) << v.Describe();
  ProcessResult missing = Ldp({"run", "nope"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
}

TEST_F(CliPipelineTest, GraphDrawsTheDag) {
  Pipeline("daily", kDaily);
  ProcessResult m = Ldp({"graph", "daily", "--format", "mermaid"});
  EXPECT_EQ(m.exit_code, 0) << m.Describe();
  EXPECT_NE(m.out.find("wait_for_drop --> load"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("export --> mark"), std::string::npos) << m.out;
  ProcessResult t = Ldp({"graph", "daily"});
  EXPECT_NE(t.out.find("[shell] mark  ◀── quality, export"), std::string::npos) << t.out;
  auto j = LdpJson({"graph", "daily"});
  EXPECT_EQ(j["order"][0], "wait_for_drop");
  EXPECT_EQ(j["order"].back(), "mark");
}

// A port nothing listens on right now (bound, then released).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(CliPipelineTest, HttpTasksAndSensorsAgainstALocalServer) {
  std::filesystem::create_directories(project_ + "/www");
  WriteFile(project_ + "/www/ready.txt", "ok");
  int port = FreePort();
  auto server = Subprocess::Start({"/usr/bin/python3", "-m", "http.server", std::to_string(port), "--bind",
                                   "127.0.0.1", "--directory", project_ + "/www"});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  std::string base = fmt::format("http://127.0.0.1:{}", port);
  Pipeline("web", fmt::format(R"(name: web
schedule: none
tasks:
  - id: wait_url
    type: sensor
    url: "{0}/ready.txt"
    poke_interval: 0.2s
    timeout: 20s
  - id: wait_glob
    type: sensor
    glob: "www/*.txt"
  - id: get
    type: http
    depends_on: [wait_url, wait_glob]
    url: "{0}/ready.txt?api_key=hunter2"
    headers:
      X-Run: "{{{{ run_id }}}}"
  - id: missing
    type: http
    depends_on: get
    method: GET
    url: "{0}/nope-{{{{ ds }}}}.txt"
  - id: never
    type: sensor
    depends_on: get
    file: "www/never.txt"
    poke_interval: 0.2s
    timeout: 1s
)",
                              base));
  ProcessResult r = Ldp({"run", "web", "--date", "2024-01-01", "--json"});
  kill(server->pid(), SIGTERM);
  (void)server->Wait();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.Describe();
  auto st = TaskStates(j["runs"][0]);
  EXPECT_EQ(st["wait_url"], "success");
  EXPECT_EQ(st["wait_glob"], "success");
  EXPECT_EQ(st["get"], "success");
  EXPECT_EQ(st["missing"], "failed");
  EXPECT_EQ(st["never"], "failed");
  auto show = LdpJson({"runs", "web@2024-01-01"});
  for (const auto& a : show["attempts"]) {
    if (a["task"] == "missing") EXPECT_NE(a["message"].get<std::string>().find("nope-2024-01-01.txt answered 404"), std::string::npos) << a.dump();
    // The sensor gives up by itself, or (on a busy machine, when its process started late) the
    // runner's timeout kills it: either way the message says so.
    if (a["task"] == "never") EXPECT_NE(a["message"].get<std::string>().find("timed out after 1s"), std::string::npos) << a.dump();
  }
  ProcessResult logs = Ldp({"logs", "web@2024-01-01", "get"});
  EXPECT_NE(logs.out.find("/ready.txt?api_key=*** -> 200"), std::string::npos) << logs.out;
  // The key in the URL is in no log, message or run record.
  EXPECT_EQ(logs.out.find("hunter2"), std::string::npos) << logs.out;
  EXPECT_EQ(show.dump().find("hunter2"), std::string::npos) << show.dump();
}

TEST_F(CliPipelineTest, PauseUnpauseAndTriggerThroughTheScheduler) {
  Pipeline("adhoc", R"(name: adhoc
schedule: none
tasks:
  - id: write
    type: shell
    command: echo {{ ds }} >> adhoc.txt
)");
  EXPECT_EQ(Ldp({"pipelines", "pause", "adhoc"}).exit_code, 0);
  EXPECT_EQ(LdpJson({"pipelines"})[0]["paused"], true);
  EXPECT_EQ(LdpJson({"pipelines", "trigger", "adhoc", "--date", "2024-06-01"})["run_id"], "adhoc@2024-06-01");
  ProcessResult once = Ldp({"scheduler", "--once"});
  EXPECT_EQ(once.exit_code, 0) << once.Describe();
  EXPECT_FALSE(std::filesystem::exists(project_ + "/adhoc.txt"));  // paused: queued, not run
  EXPECT_EQ(LdpJson({"runs", "adhoc"})[0]["status"], "queued");
  EXPECT_EQ(Ldp({"pipelines", "unpause", "adhoc"}).exit_code, 0);
  once = Ldp({"scheduler", "--once"});
  EXPECT_EQ(once.exit_code, 0) << once.Describe();
  EXPECT_EQ(ReadFile(project_ + "/adhoc.txt"), "2024-06-01\n");
  auto runs = LdpJson({"runs", "adhoc"});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "success");
  EXPECT_EQ(runs[0]["trigger"], "manual");
  EXPECT_EQ(Ldp({"pipelines", "pause", "nope"}).exit_code, 3);
}

TEST_F(CliPipelineTest, NycTaxiExampleBackfillsAWeek) {
  std::filesystem::copy(std::string(LDP_SOURCE_DIR) + "/examples/nyc_taxi/pipelines", project_ + "/pipelines",
                        std::filesystem::copy_options::overwrite_existing | std::filesystem::copy_options::recursive);
  auto drops = LdpJson({"run", "taxi_drops", "--from", "2023-01-01", "--to", "2023-01-07"});
  ASSERT_EQ(drops["runs"].size(), 7u) << drops.dump(2);
  auto week = LdpJson({"run", "nyc_taxi_daily", "--from", "2023-01-01", "--to", "2023-01-07"});
  ASSERT_EQ(week["runs"].size(), 7u);
  for (const auto& r : week["runs"]) EXPECT_EQ(r["status"], "success") << r.dump(2);
  std::string all_drops = "read_parquet('" + project_ + "/drops/*.parquet')";
  auto q = LdpJson({"query", "SELECT count(*) AS n FROM nyc.yellow_trips"});
  EXPECT_EQ(q["rows"][0]["n"], Count(all_drops) > 0 ? Count(all_drops) : -1);
  // The summary agrees with the drops, day by day and payment type by payment type.
  auto summary = LdpJson({"query", "SELECT day, payment_type, trips, revenue FROM nyc.daily_summary ORDER BY ALL"});
  auto expected = Sql("SELECT CAST(CAST(tpep_pickup_datetime AS DATE) AS VARCHAR), payment_type, count(*), "
                      "round(sum(fare_amount + tip_amount), 2) FROM " + all_drops + " GROUP BY ALL ORDER BY ALL");
  ASSERT_EQ(summary["rows"].size(), expected.rows.size());
  for (size_t i = 0; i < expected.rows.size(); ++i) {
    EXPECT_EQ(summary["rows"][i]["day"], *expected.rows[i][0]);
    EXPECT_EQ(summary["rows"][i]["trips"], std::stoll(*expected.rows[i][2]));
    EXPECT_NEAR(summary["rows"][i]["revenue"].get<double>(), std::stod(*expected.rows[i][3]), 0.01);
  }
  for (const char* d : {"20230101", "20230104", "20230107"})
    EXPECT_TRUE(std::filesystem::exists(project_ + "/out/daily_summary_" + std::string(d) + ".csv")) << d;
  auto described = LdpJson({"describe", "nyc.yellow_trips"});
  EXPECT_NE(described.dump().find("day"), std::string::npos);
  // Rerunning a day changes neither table's contents.
  int64_t trips = q["rows"][0]["n"];
  EXPECT_EQ(LdpJson({"run", "nyc_taxi_daily", "--date", "2023-01-03"})["runs"][0]["status"], "success");
  EXPECT_EQ(LdpJson({"query", "SELECT count(*) AS n FROM nyc.yellow_trips"})["rows"][0]["n"], trips);
  EXPECT_EQ(LdpJson({"query", "SELECT count(*) AS n FROM nyc.daily_summary"})["rows"][0]["n"],
            summary["rows"].size());
}

TEST_F(CliPipelineTest, SchedulerKilledMidRunResumesWithoutRunningAnIntervalTwice) {
  // Three missed days (catchup); the second day's task is slow, so the scheduler is killed while
  // it runs. Started again, it marks that attempt failed, retries it, and runs the third day.
  std::string start = Scalar("SELECT CAST(current_date - 3 AS VARCHAR)");
  std::string slow_day = Scalar("SELECT CAST(current_date - 2 AS VARCHAR)");
  Pipeline("daily", fmt::format(R"(name: daily
schedule: "@daily"
start_date: {}
catchup: true
retries: 1
retry_delay: 0.1s
tasks:
  - id: work
    type: shell
    command: 'echo $$ > work.pid; echo "{{{{ ds }}}} $LDP_ATTEMPT" >> work.txt; if [ "{{{{ ds }}}}" = "{}" ] && [ ! -f resumed ]; then sleep 30; fi'
)",
                                start, slow_day));
  auto proc = Subprocess::Start({LDP_BIN, "scheduler", "--project", project_}, {{{"LDP_PROJECT", std::nullopt}}, ""});
  ASSERT_TRUE(proc.ok()) << proc.status().ToString();
  // Wait until the slow day has started.
  for (int i = 0; i < 300 && ReadFile(project_ + "/work.txt").find(slow_day) == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_NE(ReadFile(project_ + "/work.txt").find(slow_day), std::string::npos) << ReadFile(project_ + "/work.txt");
  kill(proc->pid(), SIGKILL);
  auto killed = proc->Wait();
  ASSERT_TRUE(killed.ok());
  // The task's process group outlived the scheduler (as after a crash); end it, and let the
  // resumed attempt finish at once.
  std::string pgid = ReadFile(project_ + "/work.pid");
  ASSERT_FALSE(pgid.empty());
  kill(-std::stoi(pgid), SIGKILL);
  WriteFile(project_ + "/resumed", "");
  ProcessResult r = Ldp({"scheduler", "--once"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("interrupted attempt(s) marked failed"), std::string::npos) << r.err;
  std::string work = ReadFile(project_ + "/work.txt");
  // Day 1 once, the slow day twice (attempt 1 interrupted, attempt 2 after the restart), day 3 once.
  EXPECT_EQ(work, fmt::format("{} 1\n{} 1\n{} 2\n{} 1\n", start, slow_day, slow_day,
                              Scalar("SELECT CAST(current_date - 1 AS VARCHAR)")))
      << work;
  auto runs = LdpJson({"runs", "daily"});
  ASSERT_EQ(runs.size(), 3u) << runs.dump(2);
  for (const auto& run : runs) EXPECT_EQ(run["status"], "success") << run.dump();
  auto show = LdpJson({"runs", "daily@" + slow_day});
  ASSERT_EQ(show["attempts"].size(), 2u);
  EXPECT_EQ(show["attempts"][0]["status"], "failed");
  EXPECT_NE(show["attempts"][0]["message"].get<std::string>().find("interrupted"), std::string::npos);
  // Nothing more is due.
  ProcessResult again = Ldp({"scheduler", "--once", "--json"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(nlohmann::json::parse(again.out)["runs"].size(), 0u) << again.out;
}

}  // namespace
}  // namespace ldp::testing
