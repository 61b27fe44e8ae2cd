#pragma once
// Runs pipeline intervals: the task graph of each run in dependency order, up to
// max_active_tasks at once, each task with retries (exponential back-off with jitter) and a
// timeout, recording everything in the StateStore (docs/adr/0014-orchestrator-execution-model.md).
//
// Thread-safety: one Run call at a time per Runner; it starts its own threads.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/core/clock.h"
#include "ldp/core/status.h"
#include "ldp/orchestrator/state_store.h"
#include "ldp/pipeline/spec.h"
#include "ldp/pipeline/template.h"

namespace ldp::orchestrator {

/// One try of one task.
struct AttemptRequest {
  const pipeline::PipelineSpec* spec = nullptr;
  const pipeline::TaskSpec* task = nullptr;
  std::string run_id;
  pipeline::DataInterval interval;
  int attempt = 1;
  std::string log_path;  ///< where the attempt's output goes (the executor appends)
  double timeout = 0;    ///< seconds; 0 = none
};

struct AttemptOutcome {
  std::string status;  ///< state::kSuccess, kFailed or kSkipped
  int exit_code = 0;
  bool timed_out = false;
  std::string message;          ///< one line for the run history
  std::optional<int64_t> snapshot_id;  ///< the snapshot the task committed, if any
  std::string table;
  std::vector<std::string> inputs;  ///< tables read through ref()
};

/// Executes one attempt. Implementations must be thread-safe (attempts run in parallel).
class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  virtual AttemptOutcome Execute(const AttemptRequest& request) = 0;
};

/// Runs every task as a child process in its own process group: shell tasks as `/bin/sh -c`,
/// the others as `ldp task run` of the same binary; output to the attempt's log file.
std::unique_ptr<TaskExecutor> MakeProcessExecutor(std::string ldp_binary, std::string project_dir);

/// The template values of one task in one run.
pipeline::TemplateContext MakeTemplateContext(const pipeline::PipelineSpec& spec, const pipeline::DataInterval& iv,
                                              const std::string& run_id, const std::string& task_id);

/// "daily@2024-01-01" (interval starting at midnight) or "hourly@2024-01-01T06:00".
std::string RunIdFor(const pipeline::PipelineSpec& spec, const pipeline::DataInterval& iv);

class Notifier;
struct NotificationEvent;

struct RunnerOptions {
  std::string log_dir;  ///< <warehouse>/_ldp/logs
  std::string trigger = "manual";
  /// Only these tasks run (with the rest of the run left as it is); empty = all.
  std::vector<std::string> only_tasks;
  /// Resume interrupted runs: tries already made in the run count against `retries`.
  bool resume = false;
  /// Random numbers in [0, 1) for retry jitter (tests fix them).
  std::function<double()> random;
  /// Called with one line per state change (progress on the terminal); may be empty.
  std::function<void(const std::string&)> on_event;
  /// Sends the pipeline's notifications (failure, retry_exhausted, success); may be null.
  Notifier* notifier = nullptr;
};

struct TaskSummary {
  std::string task_id, status, message;
  int attempts = 0;
};

struct RunSummary {
  std::string run_id;
  pipeline::DataInterval interval;
  std::string status;
  std::vector<TaskSummary> tasks;
};

class Runner {
 public:
  Runner(const pipeline::PipelineSpec& spec, StateStore& store, TaskExecutor& executor, Clock& clock,
         RunnerOptions options);

  /// Runs the intervals, up to max_active_runs at once. Errors are only those of the state store;
  /// failed tasks show in the summaries.
  Result<std::vector<RunSummary>> Run(const std::vector<pipeline::DataInterval>& intervals);

  /// The delay before retry number `retry` (1 = the first retry), jitter included.
  static double RetryDelay(const pipeline::RetryPolicy& p, int retry, double random01);

 private:
  Result<RunSummary> RunOne(const pipeline::DataInterval& iv);
  TaskSummary RunTask(const std::string& run_id, const pipeline::DataInterval& iv, const pipeline::TaskSpec& task);
  void Event(const std::string& line);
  /// Sends `ev` through the notifier, logging each delivery to the run's notifications.log.
  void Notify(const NotificationEvent& ev);

  const pipeline::PipelineSpec& spec_;
  StateStore& store_;
  TaskExecutor& executor_;
  Clock& clock_;
  RunnerOptions options_;
  std::mutex event_mu_;
};

}  // namespace ldp::orchestrator
