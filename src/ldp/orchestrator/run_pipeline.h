#pragma once
// Runs a pipeline of a project like `ldp run`: one interval (the latest complete one, or the one
// at a date) or a backfill, optionally only some tasks (and their downstream). Used by the public
// library (ldp::Project::RunPipeline).
//
// Thread-safety: one call at a time per project object; several processes may run pipelines of
// the same project (the state store serialises them; a running interval is refused).

#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/orchestrator/runner.h"
#include "ldp/services/project.h"

namespace ldp::orchestrator {

struct RunPipelineRequest {
  std::string pipeline;
  std::string date;            ///< YYYY-MM-DD [HH:MM]; empty with from/to empty: the latest complete interval
  std::string from, to;        ///< a backfill: every interval starting in [from, to]
  std::vector<std::string> tasks;
  bool downstream = false;
  std::string ldp_binary;      ///< what runs each non-shell task (`ldp task run`)
  std::string trigger;         ///< default: manual, or backfill for several intervals
};

struct RunPipelineResult {
  pipeline::PipelineSpec spec;
  std::vector<RunSummary> runs;
};

Result<RunPipelineResult> RunPipeline(const services::Project& project, const RunPipelineRequest& request);

}  // namespace ldp::orchestrator
