#include "ldp/orchestrator/scheduler.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "ldp/orchestrator/notify.h"
#include "ldp/pipeline/dag.h"

namespace ldp::orchestrator {

using pipeline::DataInterval;
using pipeline::PipelineSpec;

Scheduler::Scheduler(StateStore& store, TaskExecutor& executor, Clock& clock, SchedulerOptions options)
    : store_(store), executor_(executor), clock_(clock), options_(std::move(options)) {}

void Scheduler::Event(const std::string& line) {
  if (options_.on_event) options_.on_event(line);
}

Result<std::vector<DataInterval>> Scheduler::DueIntervals(const PipelineSpec& spec, int64_t now) {
  std::vector<DataInterval> out;
  if (!spec.schedule) return out;
  auto latest = pipeline::LatestCompleteInterval(spec, now);
  if (!latest.ok()) return out;  // nothing has ended yet
  std::vector<DataInterval> candidates;
  if (spec.catchup && spec.start_date) {
    auto from = pipeline::IntervalAt(spec, *spec.start_date);
    if (!from.ok()) return from.status();
    for (DataInterval iv = *from; iv.start <= latest->start;) {
      candidates.push_back(iv);
      auto next = spec.schedule->Next(iv.end, *spec.tz);
      if (!next || candidates.size() > 100000) break;
      iv = DataInterval{iv.end, *next};
    }
  } else {
    candidates.push_back(*latest);
  }
  LDP_ASSIGN_OR_RAISE(auto runs, store_.ListRuns(spec.name, 1000000));
  std::set<int64_t> have;
  for (const auto& r : runs) have.insert(r.interval_start);
  int64_t start_at = 0, end_at = INT64_MAX;
  if (spec.start_date) {
    auto s = spec.tz->FromWall(spec.start_date->WallSeconds());
    start_at = s.empty() ? spec.tz->FirstInstantAfterWall(spec.start_date->WallSeconds()) : s.front();
  }
  if (spec.end_date) {
    auto e = spec.tz->FromWall(spec.end_date->WallSeconds());
    end_at = e.empty() ? spec.tz->FirstInstantAfterWall(spec.end_date->WallSeconds()) : e.front();
  }
  for (const auto& iv : candidates)
    if (!have.count(iv.start) && iv.start >= start_at && iv.start <= end_at) out.push_back(iv);
  return out;
}

Status Scheduler::RunIntervals(const PipelineSpec& spec, RunnerOptions o, const std::vector<DataInterval>& intervals,
                               std::vector<RunSummary>& all) {
  o.log_dir = options_.log_dir;
  o.random = options_.random;
  o.on_event = options_.on_event;
  o.notifier = options_.notifier;
  Runner runner(spec, store_, executor_, clock_, o);
  auto res = runner.Run(intervals);
  if (!res.ok() && res.status().code() == ErrorCode::kAlreadyExists) {
    Event(res.status().message());  // `ldp run` of the same interval holds it: next tick
    return Status::OK();
  }
  if (!res.ok()) return res.status();
  all.insert(all.end(), res->begin(), res->end());
  return Status::OK();
}

void Scheduler::NotifyMissed(const PipelineSpec& spec, const std::vector<DataInterval>& due, int64_t now) {
  if (!options_.notifier) return;
  bool wanted = false;
  for (const auto& n : spec.notifications) wanted = wanted || n.Wants("missed_schedule");
  if (!wanted) return;
  NotificationEvent ev;
  ev.event = "missed_schedule";
  // Without catchup only the latest interval runs: the ones between the last run and it never will.
  if (!spec.catchup && !due.empty()) {
    auto runs = store_.ListRuns(spec.name, 1);
    if (runs.ok() && !runs->empty()) {
      DataInterval iv{(*runs)[0].interval_start, (*runs)[0].interval_end};
      for (int n = 0; n < 1000; ++n) {
        auto next = spec.schedule->Next(iv.end, *spec.tz);
        if (!next) break;
        iv = DataInterval{iv.end, *next};
        if (iv.start >= due.back().start) break;
        ev.missed.push_back({iv, RunIdFor(spec, iv), static_cast<double>(now - iv.end), true});
      }
    }
  }
  for (const auto& iv : due) {
    double late = static_cast<double>(now - iv.end);
    if (late > 0) ev.missed.push_back({iv, RunIdFor(spec, iv), late, false});
  }
  bool any = false;
  for (const auto& n : spec.notifications) any = any || Wants(n, ev);
  if (!any) return;
  std::string dir = options_.log_dir + "/" + spec.name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream log(dir + "/notifications.log", std::ios::app);
  for (const auto& line : options_.notifier->Notify(spec, ev)) {
    log << fmt::format("[{}] {}\n", pipeline::TimeZone::Utc()->FormatIso(now), line);
    Event(spec.name + ": " + line);
  }
}

Result<std::vector<RunSummary>> Scheduler::Tick() {
  std::vector<RunSummary> all;
  for (const auto& file : pipeline::PipelineFiles(options_.pipelines_dir)) {
    auto spec = pipeline::LoadPipelineFile(file);
    if (!spec.ok()) {
      Event("skipping invalid pipeline: " + spec.status().message());
      continue;
    }
    LDP_ASSIGN_OR_RAISE(bool paused, store_.IsPaused(spec->name));
    if (paused) continue;
    // Runs of a scheduler that died: mark them, then resume their unfinished tasks.
    LDP_ASSIGN_OR_RAISE(int marked, store_.FailInterrupted(spec->name, clock_.Now()));
    if (marked > 0) Event(fmt::format("{}: {} interrupted attempt(s) marked failed", spec->name, marked));
    LDP_ASSIGN_OR_RAISE(auto runs, store_.ListRuns(spec->name, 1000));
    for (const auto& r : runs) {
      if (r.status != state::kInterrupted) continue;
      LDP_ASSIGN_OR_RAISE(auto tis, store_.TaskInstances(r.run_id));
      std::set<std::string> done;
      for (const auto& t : tis)
        if (t.status == state::kSuccess || t.status == state::kSkipped) done.insert(t.task_id);
      RunnerOptions o;
      o.trigger = "scheduled";
      o.resume = true;
      for (const auto& id : pipeline::TopologicalOrder(*spec))
        if (!done.count(id)) o.only_tasks.push_back(id);
      Event(fmt::format("{}: resuming interrupted run", r.run_id));
      LDP_RETURN_NOT_OK(RunIntervals(*spec, o, {DataInterval{r.interval_start, r.interval_end}}, all));
    }
    // Runs queued by `ldp pipelines trigger` (manual runs; also for pipelines without a schedule).
    for (const auto& r : runs) {
      if (r.status != state::kQueued) continue;
      RunnerOptions o;
      o.trigger = r.trigger.empty() ? "manual" : r.trigger;
      LDP_RETURN_NOT_OK(RunIntervals(*spec, o, {DataInterval{r.interval_start, r.interval_end}}, all));
    }
    if (!spec->schedule) continue;
    LDP_ASSIGN_OR_RAISE(auto due, DueIntervals(*spec, static_cast<int64_t>(clock_.Now())));
    if (due.empty()) continue;
    NotifyMissed(*spec, due, static_cast<int64_t>(clock_.Now()));
    RunnerOptions o;
    o.trigger = "scheduled";
    LDP_RETURN_NOT_OK(RunIntervals(*spec, o, due, all));
  }
  return all;
}

Status Scheduler::Loop(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    LDP_RETURN_NOT_OK(Tick().status());
    // Sleep until the next interval of any pipeline ends (at most max_sleep), in short slices so
    // that a stop request is seen quickly.
    double now = clock_.Now();
    double wake = now + options_.max_sleep;
    for (const auto& file : pipeline::PipelineFiles(options_.pipelines_dir)) {
      auto spec = pipeline::LoadPipelineFile(file);
      if (!spec.ok() || !spec->schedule) continue;
      auto next = spec->schedule->Next(static_cast<int64_t>(now), *spec->tz);
      if (next) wake = std::min(wake, static_cast<double>(*next));
    }
    while (!stop.load() && clock_.Now() < wake) clock_.SleepFor(std::min(0.5, wake - clock_.Now()));
  }
  return Status::OK();
}

}  // namespace ldp::orchestrator
