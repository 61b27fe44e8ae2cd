#pragma once
// Templating of task strings: `{{ name }}` placeholders, Airflow's names.
//   ds, ds_nodash, data_interval_start, data_interval_end, logical_date, run_id, pipeline, task,
//   params.NAME (the pipeline's params), env.NAME (the process environment).
// Anything else is an error naming the variable, so a typo fails validation instead of running
// with an empty string.
//
// Thread-safety: free functions over values.

#include <map>
#include <string>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::pipeline {

struct TemplateContext {
  std::map<std::string, std::string> vars;    ///< ds, ds_nodash, run_id, ...
  std::map<std::string, std::string> params;  ///< params.NAME
  bool use_env = true;                         ///< env.NAME from the process environment
};

/// The names `Render` accepts besides params.* and env.*.
const std::vector<std::string>& TemplateVariables();

/// Replaces every placeholder. InvalidArgument names an unknown variable, an unset env.X, an
/// unknown params.X or an unclosed `{{`.
Result<std::string> Render(const std::string& text, const TemplateContext& ctx);

/// Checks placeholders without values: syntax, known variables, params present in `params`.
Status CheckTemplate(const std::string& text, const std::map<std::string, std::string>& params);

}  // namespace ldp::pipeline
