#include "ldp/orchestrator/run_pipeline.h"

#include <algorithm>
#include <filesystem>

#include "ldp/core/clock.h"
#include "ldp/orchestrator/notify.h"
#include "ldp/orchestrator/state_store.h"
#include "ldp/pipeline/dag.h"

namespace ldp::orchestrator {

Result<RunPipelineResult> RunPipeline(const services::Project& project, const RunPipelineRequest& req) {
  RunPipelineResult out;
  LDP_ASSIGN_OR_RAISE(out.spec, pipeline::FindPipeline(project.root() + "/pipelines", req.pipeline));
  const auto& spec = out.spec;
  if (!req.date.empty() && (!req.from.empty() || !req.to.empty())) return InvalidArgument("date goes without from/to");
  if (req.from.empty() != req.to.empty()) return InvalidArgument("from and to go together");
  SystemClock clock;
  std::vector<pipeline::DataInterval> intervals;
  if (!req.date.empty()) {
    LDP_ASSIGN_OR_RAISE(auto d, pipeline::ParseCivil(req.date));
    LDP_ASSIGN_OR_RAISE(auto iv, pipeline::IntervalAt(spec, d));
    intervals.push_back(iv);
  } else if (!req.from.empty()) {
    LDP_ASSIGN_OR_RAISE(auto a, pipeline::ParseCivil(req.from));
    LDP_ASSIGN_OR_RAISE(auto b, pipeline::ParseCivil(req.to));
    LDP_ASSIGN_OR_RAISE(intervals, pipeline::IntervalsBetween(spec, a, b));
  } else {
    LDP_ASSIGN_OR_RAISE(auto iv, pipeline::LatestCompleteInterval(spec, static_cast<int64_t>(clock.Now())));
    intervals.push_back(iv);
  }
  std::vector<std::string> only;
  for (const auto& t : req.tasks) {
    if (!spec.FindTask(t)) return NotFound("pipeline {} has no task '{}'", spec.name, t);
    auto add = req.downstream ? pipeline::WithDownstream(spec, t) : std::vector<std::string>{t};
    for (const auto& x : add)
      if (std::find(only.begin(), only.end(), x) == only.end()) only.push_back(x);
  }
  std::string state_dir = project.warehouse() + "/_ldp";
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  LDP_ASSIGN_OR_RAISE(auto store, StateStore::Open(state_dir + "/orchestrator.db"));
  auto executor = MakeProcessExecutor(req.ldp_binary, project.root());
  auto notifier = MakeHttpNotifier();
  RunnerOptions o;
  o.log_dir = state_dir + "/logs";
  o.trigger = !req.trigger.empty() ? req.trigger : intervals.size() > 1 ? "backfill" : "manual";
  o.only_tasks = only;
  o.notifier = notifier.get();
  Runner runner(spec, *store, *executor, clock, o);
  LDP_ASSIGN_OR_RAISE(out.runs, runner.Run(intervals));
  return out;
}

}  // namespace ldp::orchestrator
