#pragma once
// Executes one task of a pipeline in this process: what `ldp task run` does. Shell tasks become
// a child process (own process group, killed with its tree on timeout); ingest, sql, check,
// export, http and sensor tasks call ldp's services directly.
//
// Thread-safety: one call at a time per Project.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/pipeline/spec.h"
#include "ldp/services/project.h"

namespace ldp::orchestrator {

struct TaskResult {
  bool skipped = false;
  std::string message;
  std::optional<int64_t> snapshot_id;
  std::string table;                ///< the table written, if any
  std::vector<std::string> inputs;  ///< tables read through ref('ns.table') (lineage)
};

/// Exit code of `ldp task run` for a skipped task (Airflow's BashOperator convention).
inline constexpr int kSkipExitCode = 99;

/// Renders every string of the task's config with the run's template values.
Result<nlohmann::json> RenderConfig(const pipeline::PipelineSpec& spec, const pipeline::TaskSpec& task,
                                    const pipeline::DataInterval& iv, const std::string& run_id);

/// Replaces ref('ns.table') by the table's name, collecting the names in `inputs`.
std::string ResolveRefs(const std::string& sql, std::vector<std::string>* inputs);

/// Runs the task; progress and check results go to `log`. An error Status is a failed task whose
/// message says why (a failed check: how many rows, with a sample in `log`).
Result<TaskResult> ExecuteTask(services::Project& project, const pipeline::PipelineSpec& spec,
                               const pipeline::TaskSpec& task, const pipeline::DataInterval& iv,
                               const std::string& run_id, std::ostream& log);

}  // namespace ldp::orchestrator
