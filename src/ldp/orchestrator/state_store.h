#pragma once
// The orchestrator's state: runs, task instances and attempts in a SQLite file under the
// warehouse (<warehouse>/_ldp/orchestrator.db; docs/adr/0014-orchestrator-execution-model.md).
//
// Thread-safety: thread-safe (one connection behind a mutex); several processes may share the
// file (WAL, busy timeout).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"

struct sqlite3;

namespace ldp::orchestrator {

/// States of runs, task instances and attempts (Airflow's names).
namespace state {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kSuccess = "success";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kUpstreamFailed = "upstream_failed";
inline constexpr const char* kSkipped = "skipped";
inline constexpr const char* kUpForRetry = "up_for_retry";
/// A run whose process died; the scheduler resumes it (tasks not yet done, tries left).
inline constexpr const char* kInterrupted = "interrupted";
}  // namespace state

struct RunRecord {
  std::string run_id;
  std::string pipeline;
  std::string logical_date;  ///< ISO with offset (the interval start)
  int64_t interval_start = 0, interval_end = 0;  ///< UTC seconds
  std::string status;
  std::string trigger;  ///< manual, backfill, scheduled
  double started_at = 0, ended_at = 0;
};

struct TaskInstanceRecord {
  std::string run_id, task_id, status;
  int attempts = 0;
  double started_at = 0, ended_at = 0;
  std::string message;
};

struct AttemptRecord {
  std::string run_id, task_id;
  int attempt = 0;
  std::string status;
  double started_at = 0, ended_at = 0;
  int exit_code = -1;
  std::string log_path;
  std::string message;
  std::optional<int64_t> snapshot_id;
  std::string table;  ///< the table the attempt committed to
  std::vector<std::string> inputs;  ///< tables it read through ref() (lineage)
};

class StateStore {
 public:
  /// Opens (creating when missing) the store at `path`.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& path);
  ~StateStore();

  /// Creates the run or, when it exists (a rerun of the same interval), sets it running again.
  Status UpsertRun(const RunRecord& run);
  Status FinishRun(const std::string& run_id, const std::string& status, double ended_at);
  Result<std::optional<RunRecord>> GetRun(const std::string& run_id);
  /// Runs, newest interval first; `pipeline` empty = all.
  Result<std::vector<RunRecord>> ListRuns(const std::string& pipeline, int limit = 100);

  Status SetTaskState(const std::string& run_id, const std::string& task_id, const std::string& status,
                      double at, const std::string& message = "");
  /// SetTaskState for several tasks in one transaction.
  Status SetTaskStates(const std::string& run_id, const std::vector<std::string>& task_ids, const std::string& status,
                       double at);
  Result<std::vector<TaskInstanceRecord>> TaskInstances(const std::string& run_id);

  /// The next attempt number of a task instance (1 + the highest so far).
  Result<int> NextAttempt(const std::string& run_id, const std::string& task_id);
  Status StartAttempt(const AttemptRecord& a);
  Status FinishAttempt(const AttemptRecord& a);
  Result<std::vector<AttemptRecord>> Attempts(const std::string& run_id, const std::string& task_id = "");

  /// Queues a run of an interval for the scheduler (`ldp pipelines trigger`); a run of the
  /// interval that exists and is not running is queued again. False when it is running.
  Result<bool> QueueRun(const RunRecord& run);

  /// Paused pipelines are left alone by the scheduler.
  Status SetPaused(const std::string& pipeline, bool paused);
  Result<bool> IsPaused(const std::string& pipeline);

  /// Marks attempts and task instances of `pipeline` left "running" by a process that is gone as
  /// failed, and their runs as interrupted. Returns how many attempts it marked.
  Result<int> FailInterrupted(const std::string& pipeline, double now);

 private:
  explicit StateStore(sqlite3* db) : db_(db) {}
  Status Exec(const std::string& sql);
  sqlite3* db_;
  std::mutex mu_;
};

}  // namespace ldp::orchestrator
