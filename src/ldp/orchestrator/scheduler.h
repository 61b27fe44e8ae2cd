#pragma once
// The scheduler: finds the intervals that are due for every scheduled pipeline of a project and
// runs them (docs/user-guide.md "Pipelines", docs/adr/0014-orchestrator-execution-model.md).
//
// What is due at time `now`, per pipeline with a schedule:
// - the intervals that have ended by `now` and have no run yet: with catchup, every one since
//   start_date; without, only the latest (older missed ones are left out); none after end_date;
// - runs left interrupted by a process that died: their unfinished tasks, with the tries left;
// - runs queued by `ldp pipelines trigger` (with or without a schedule).
// Paused pipelines are skipped entirely.
// An interval that has a run (whatever its outcome) is never started again by the scheduler.
//
// Thread-safety: one Tick or Loop at a time.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "ldp/core/clock.h"
#include "ldp/orchestrator/runner.h"
#include "ldp/orchestrator/state_store.h"

namespace ldp::orchestrator {

struct SchedulerOptions {
  std::string pipelines_dir;
  std::string log_dir;
  /// Longest sleep between ticks (new and changed pipeline files are seen at the next tick).
  double max_sleep = 30;
  std::function<double()> random;  ///< retry jitter (see RunnerOptions)
  std::function<void(const std::string&)> on_event;
  /// Notifications (failure, retry_exhausted, success, missed_schedule); may be null.
  Notifier* notifier = nullptr;
};

class Scheduler {
 public:
  Scheduler(StateStore& store, TaskExecutor& executor, Clock& clock, SchedulerOptions options);

  /// One pass over every pipeline: resumes interrupted runs and runs due intervals. Invalid
  /// pipeline files are reported through on_event and skipped.
  Result<std::vector<RunSummary>> Tick();

  /// The intervals of `spec` due at `now` that have no run in the store.
  Result<std::vector<pipeline::DataInterval>> DueIntervals(const pipeline::PipelineSpec& spec, int64_t now);

  /// Ticks until `stop` becomes true, sleeping until the next fire time in between.
  Status Loop(const std::atomic<bool>& stop);

 private:
  void Event(const std::string& line);
  /// Runs `intervals` of `spec`; a run already going on in another process is reported, not an error.
  Status RunIntervals(const pipeline::PipelineSpec& spec, RunnerOptions o, const std::vector<pipeline::DataInterval>& intervals,
                      std::vector<RunSummary>& all);
  /// Tells about due intervals that start late and, without catchup, the ones left out.
  void NotifyMissed(const pipeline::PipelineSpec& spec, const std::vector<pipeline::DataInterval>& due, int64_t now);
  StateStore& store_;
  TaskExecutor& executor_;
  Clock& clock_;
  SchedulerOptions options_;
};

}  // namespace ldp::orchestrator
