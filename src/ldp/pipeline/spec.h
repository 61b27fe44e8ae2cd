#pragma once
// A pipeline: what a YAML file in the project's `pipelines/` folder declares (docs/user-guide.md
// "Pipelines"). Loading validates everything before anything runs: unknown fields and task types,
// missing dependencies, cycles, bad cron, bad template variables, each reported as
// "FILE:LINE: FIELD: what is wrong".
//
// Thread-safety: values.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/core/status.h"
#include "ldp/pipeline/cron.h"
#include "ldp/pipeline/timezone.h"

namespace ldp::pipeline {

/// How often and how long a task is tried.
struct RetryPolicy {
  int retries = 0;             ///< extra attempts after the first
  double retry_delay = 30;     ///< seconds before the first retry
  double backoff = 2;          ///< each further retry waits this many times longer
  double max_retry_delay = 3600;
  double timeout = 0;          ///< seconds per attempt; 0 = none
};

struct TaskSpec {
  std::string id;
  std::string type;  ///< ingest, sql, check, export, shell, http, sensor
  std::vector<std::string> depends_on;
  RetryPolicy policy;
  /// The type's own fields (strings, lists and maps of strings), templates not yet rendered.
  nlohmann::json config = nlohmann::json::object();
  int line = 0;  ///< line of the task in the file
  /// Line of each field of config ("field" or "field.sub"), for error messages at run time.
  std::map<std::string, int> field_lines;
};

/// Where to tell people about a run (docs/user-guide.md "Notifications").
struct NotificationSpec {
  std::string type;  ///< slack (incoming webhook) or webhook (generic JSON POST)
  std::string url;   ///< template; secrets come from {{ env.X }} and are never logged
  std::map<std::string, std::string> headers;  ///< templates (webhook only)
  /// Events: failure, retry_exhausted, success, missed_schedule (default: failure).
  std::vector<std::string> on;
  double missed_after = 300;  ///< a scheduled interval started this many seconds late is missed
  int line = 0;

  bool Wants(const std::string& event) const;
};

/// The notification events.
const std::vector<std::string>& NotificationEvents();

struct PipelineSpec {
  std::string name;
  std::string file;  ///< the YAML file it came from
  std::string description;
  std::optional<CronSchedule> schedule;  ///< nullopt: `schedule: none` (manual runs only)
  std::string timezone = "UTC";
  std::shared_ptr<const TimeZone> tz;
  std::optional<CivilTime> start_date, end_date;
  bool catchup = false;
  int max_active_runs = 1;
  int max_active_tasks = 4;  ///< tasks of one run in parallel
  RetryPolicy defaults;
  std::map<std::string, std::string> params;
  std::vector<TaskSpec> tasks;  ///< in declaration order
  std::vector<NotificationSpec> notifications;

  const TaskSpec* FindTask(const std::string& id) const;
};

/// The task types and their own fields.
const std::map<std::string, std::vector<std::string>>& TaskTypeFields();

/// Parses and validates one pipeline file. InvalidArgument "FILE:LINE: FIELD: ..." for the first
/// problem; `all_errors` (when given) receives every problem found.
Result<PipelineSpec> LoadPipelineFile(const std::string& path, std::vector<std::string>* all_errors = nullptr);
/// Same, from text (`path` names it in messages).
Result<PipelineSpec> ParsePipeline(const std::string& yaml_text, const std::string& path,
                                   std::vector<std::string>* all_errors = nullptr);

/// Every *.yaml / *.yml file in `dir`, sorted.
std::vector<std::string> PipelineFiles(const std::string& dir);

/// Finds pipeline NAME in `dir` (by its `name`, or by file name). NotFound lists what exists.
Result<PipelineSpec> FindPipeline(const std::string& dir, const std::string& name);

/// "30s", "5m", "2h", "1d", "1h30m" or a number of seconds.
Result<double> ParseDuration(const std::string& text);

/// One data interval: [start, end) as UTC seconds.
struct DataInterval {
  int64_t start = 0;
  int64_t end = 0;
};

/// The interval that starts at the first fire time at or after `date` (wall time in the
/// pipeline's zone); with no schedule, the day of `date`.
Result<DataInterval> IntervalAt(const PipelineSpec& p, const CivilTime& date);
/// Every interval whose start lies in [from, to + 1 day) (wall times).
Result<std::vector<DataInterval>> IntervalsBetween(const PipelineSpec& p, const CivilTime& from, const CivilTime& to);
/// The last interval that ended at or before `now` (UTC seconds); with no schedule, today.
Result<DataInterval> LatestCompleteInterval(const PipelineSpec& p, int64_t now);

}  // namespace ldp::pipeline
