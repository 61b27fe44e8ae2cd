#pragma once
// `ldp export airflow`: a pipeline as an Airflow 2 DAG file whose tasks run
// `ldp task run PIPELINE TASK --date ...` (docs/user-guide.md "Moving to Airflow",
// docs/adr/0015-orchestrator-notifications-and-airflow.md).
//
// Thread-safety: a function over values.

#include <string>

#include "ldp/core/status.h"
#include "ldp/pipeline/spec.h"

namespace ldp::orchestrator {

struct AirflowOptions {
  std::string project_dir;  ///< --project of every task (the project's path on the workers)
  std::string ldp = "ldp";  ///< the ldp command on the workers
  std::string k8s_image;    ///< non-empty: KubernetesPodOperator with this image, else BashOperator
  std::string source_file;  ///< the pipeline file, for the header comment
  int64_t now = 0;          ///< UTC seconds: start_date when the pipeline has none
};

/// The Python source of the DAG.
Result<std::string> AirflowDag(const pipeline::PipelineSpec& spec, const AirflowOptions& options);

/// The `--date` argument of each task: `{{ ds }}` when that names the interval (UTC pipelines that
/// run at most daily), else the interval's start in the pipeline's zone.
std::string AirflowDateTemplate(const pipeline::PipelineSpec& spec);

}  // namespace ldp::orchestrator
