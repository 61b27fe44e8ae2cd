#include "ldp/pipeline/spec.h"

#include <fstream>

#include "ldp/pipeline/dag.h"
#include "testing/temp_dir.h"

namespace ldp::pipeline {
namespace {

using ::testing::HasSubstr;

const char* kGood = R"(name: daily_taxi
description: the example
schedule: "0 6 * * *"
timezone: America/New_York
start_date: 2024-01-01
catchup: true
max_active_runs: 2
retries: 2
retry_delay: 10s
timeout: 5m
params:
  threshold: "0.9"
tasks:
  - id: wait
    type: sensor
    file: "drops/{{ ds }}.parquet"
    poke_interval: 5s
  - id: load
    type: ingest
    depends_on: wait
    source: "drops/{{ ds_nodash }}.parquet"
    table: nyc.trips
    retries: 5
    backoff: 3
  - id: summary
    type: sql
    depends_on: [load]
    sql: "SELECT count(*) FROM ref('nyc.trips') WHERE x > {{ params.threshold }}"
    table: nyc.summary
    mode: replace
  - id: notify
    type: shell
    depends_on: [summary, load]
    command: echo {{ run_id }} {{ env.HOME }}
    timeout: 30s
)";

TEST(PipelineSpecTest, ParsesEveryField) {
  auto p = ParsePipeline(kGood, "pipelines/daily_taxi.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "daily_taxi");
  ASSERT_TRUE(p->schedule);
  EXPECT_EQ(p->schedule->text(), "0 6 * * *");
  EXPECT_EQ(p->tz->name(), "America/New_York");
  EXPECT_TRUE(p->catchup);
  EXPECT_EQ(p->max_active_runs, 2);
  ASSERT_EQ(p->tasks.size(), 4u);
  EXPECT_EQ(p->tasks[0].policy.retries, 2);
  EXPECT_EQ(p->tasks[0].policy.retry_delay, 10);
  EXPECT_EQ(p->tasks[0].policy.timeout, 300);
  EXPECT_EQ(p->tasks[1].policy.retries, 5);
  EXPECT_EQ(p->tasks[1].policy.backoff, 3);
  EXPECT_EQ(p->tasks[1].depends_on, std::vector<std::string>{"wait"});
  EXPECT_EQ(p->tasks[3].policy.timeout, 30);
  EXPECT_EQ(p->tasks[1].config["table"], "nyc.trips");
  EXPECT_EQ(p->tasks[1].line, 18);
  EXPECT_EQ(TopologicalOrder(*p), (std::vector<std::string>{"wait", "load", "summary", "notify"}));
  EXPECT_EQ(WithDownstream(*p, "summary"), (std::vector<std::string>{"summary", "notify"}));
  auto levels = Levels(*p);
  EXPECT_EQ(levels["notify"], 3);
}

// Each broken file gives "FILE:LINE: FIELD: message".
struct BadCase {
  std::string yaml;
  std::string expected;
};

TEST(PipelineSpecTest, ValidationNamesFileLineAndField) {
  std::vector<BadCase> cases = {
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: sqll\n    sql: x\n",
       "p.yaml:4: tasks.a.type: unknown task type 'sqll'"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: x\n    comand: y\n",
       "p.yaml:6: tasks.a.comand: unknown field for a shell task"},
      {"schedule: '@daily'\nowner: me\ntasks:\n  - id: a\n    type: shell\n    command: x\n",
       "p.yaml:2: owner: unknown field"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: x\n    depends_on: [b]\n",
       "p.yaml:6: tasks.a.depends_on: no task 'b' in this pipeline"},
      {"schedule: '61 * * * *'\ntasks:\n  - id: a\n    type: shell\n    command: x\n",
       "p.yaml:1: schedule: cron '61 * * * *': 61 is out of range 0-59 in the minute field"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: echo {{ dss }}\n",
       "p.yaml:5: tasks.a.command: unknown template variable 'dss'"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: echo {{ params.nope }}\n",
       "p.yaml:5: tasks.a.command: unknown template variable 'params.nope'"},
      {"schedule: '@daily'\ntimezone: Europe/Atlantis\ntasks:\n  - id: a\n    type: shell\n    command: x\n",
       "p.yaml:2: timezone: unknown time zone 'Europe/Atlantis'"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: x\n    retries: -1\n",
       "p.yaml:6: tasks.a.retries: '-1' must be a whole number >= 0"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: x\n    timeout: 5 minutes\n",
       "p.yaml:6: tasks.a.timeout: '5 minutes' is not a duration"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: ingest\n    source: x\n",
       "p.yaml:3: tasks.a.table: a task of type ingest needs 'table'"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: sql\n    sql: x\n    mode: upsert\n    table: t.t\n",
       "p.yaml:6: tasks.a.mode: 'upsert' is not one of create, replace, append, merge"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: check\n    table: t.t\n    checks:\n      - not_nul: [a]\n",
       "p.yaml:7: tasks.a.checks[0].not_nul: unknown check 'not_nul'"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: x\n  - id: a\n    type: shell\n    command: y\n",
       "p.yaml:6: tasks.a.id: duplicate task id"},
      {"schedule: '@daily'\ntasks: []\n", "p.yaml:2: tasks: a pipeline needs a list of tasks"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: [echo, hi]\n",
       "p.yaml:5: tasks.a.command: must be a single value"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: x\n    env: [A]\n",
       "p.yaml:6: tasks.a.env: must be a mapping"},
      {"tasks:\n  - id: a\n    type: shell\n    command: x\n", "p.yaml:1: schedule: missing"},
      {"schedule: '@daily'\ntasks:\n  - id: a\n    type: shell\n    command: [x\n", "p.yaml:"},
  };
  for (const auto& c : cases) {
    auto p = ParsePipeline(c.yaml, "p.yaml");
    ASSERT_FALSE(p.ok()) << c.yaml;
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(c.expected)) << c.yaml;
  }
}

TEST(PipelineSpecTest, CycleIsPrintedInOrder) {
  const char* yaml = R"(schedule: none
tasks:
  - id: a
    type: shell
    command: x
    depends_on: c
  - id: b
    type: shell
    command: x
    depends_on: a
  - id: c
    type: shell
    command: x
    depends_on: b
  - id: d
    type: shell
    command: x
)";
  auto p = ParsePipeline(yaml, "p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("dependency cycle: "));
  // The cycle a -> b -> c -> a in some rotation.
  const std::string& m = p.status().message();
  EXPECT_TRUE(m.find("a -> b -> c -> a") != std::string::npos || m.find("b -> c -> a -> b") != std::string::npos ||
              m.find("c -> a -> b -> c") != std::string::npos)
      << m;
}

TEST(PipelineSpecTest, AllErrorsAreCollected) {
  std::vector<std::string> errors;
  auto p = ParsePipeline("schedule: bad\ntasks:\n  - id: a\n    type: nope\n  - id: b\n    type: shell\n", "p.yaml", &errors);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(errors.size(), 3u) << ::testing::PrintToString(errors);
}

TEST(PipelineSpecTest, Durations) {
  EXPECT_EQ(*ParseDuration("30"), 30);
  EXPECT_EQ(*ParseDuration("30s"), 30);
  EXPECT_EQ(*ParseDuration("5m"), 300);
  EXPECT_EQ(*ParseDuration("1h30m"), 5400);
  EXPECT_EQ(*ParseDuration("2d"), 172800);
  EXPECT_FALSE(ParseDuration("5 m").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
}

TEST(PipelineSpecTest, IntervalsFollowTheSchedule) {
  auto p = ParsePipeline("schedule: '0 6 * * *'\ntimezone: America/New_York\ntasks:\n  - id: a\n    type: shell\n    command: x\n", "p.yaml");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto iv = IntervalAt(*p, *ParseCivil("2024-03-09"));
  ASSERT_TRUE(iv.ok());
  EXPECT_EQ(p->tz->FormatIso(iv->start), "2024-03-09T06:00:00-05:00");
  EXPECT_EQ(p->tz->FormatIso(iv->end), "2024-03-10T06:00:00-04:00");
  auto ivs = IntervalsBetween(*p, *ParseCivil("2024-03-09"), *ParseCivil("2024-03-12"));
  ASSERT_TRUE(ivs.ok());
  ASSERT_EQ(ivs->size(), 4u);
  EXPECT_EQ(p->tz->FormatIso((*ivs)[3].start), "2024-03-12T06:00:00-04:00");
  // Latest complete interval at 2024-03-12 07:00 EDT: the one that ended at 06:00 that day.
  auto latest = LatestCompleteInterval(*p, DaysFromCivil(2024, 3, 12) * 86400 + 11 * 3600);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(p->tz->FormatIso(latest->start), "2024-03-11T06:00:00-04:00");

  auto manual = ParsePipeline("schedule: none\ntasks:\n  - id: a\n    type: shell\n    command: x\n", "p.yaml");
  ASSERT_TRUE(manual.ok());
  auto day = IntervalAt(*manual, *ParseCivil("2024-02-28"));
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->end - day->start, 86400);
  auto days = IntervalsBetween(*manual, *ParseCivil("2024-02-28"), *ParseCivil("2024-03-01"));
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 3u);
}

TEST(PipelineSpecTest, FindPipelineByNameOrFile) {
  testing::TempDir tmp;
  std::string dir = tmp.Join("pipelines");
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/one.yaml") << "name: first\nschedule: none\ntasks:\n  - id: a\n    type: shell\n    command: x\n";
    std::ofstream(dir + "/two.yml") << "schedule: none\ntasks:\n  - id: a\n    type: shell\n    command: x\n";
  }
  EXPECT_EQ(FindPipeline(dir, "first")->name, "first");
  EXPECT_EQ(FindPipeline(dir, "two")->name, "two");
  auto missing = FindPipeline(dir, "three");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("first, two"));
}

TEST(DagTest, DrawingsShowEveryEdge) {
  auto p = ParsePipeline(kGood, "p.yaml");
  ASSERT_TRUE(p.ok());
  std::string mermaid = DrawMermaid(*p);
  EXPECT_THAT(mermaid, HasSubstr("flowchart LR"));
  EXPECT_THAT(mermaid, HasSubstr("wait --> load"));
  EXPECT_THAT(mermaid, HasSubstr("load --> summary"));
  EXPECT_THAT(mermaid, HasSubstr("summary --> notify"));
  EXPECT_THAT(mermaid, HasSubstr("load --> notify"));
  std::string text = DrawText(*p);
  EXPECT_THAT(text, HasSubstr("[shell] notify  ◀── summary, load"));
  EXPECT_LT(text.find("wait"), text.find("[ingest] load"));
}

}  // namespace
}  // namespace ldp::pipeline
