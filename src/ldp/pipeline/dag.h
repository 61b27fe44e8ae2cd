#pragma once
// The task graph of a pipeline: order, cycles, levels and drawings.
//
// Thread-safety: free functions over values.

#include <map>
#include <string>
#include <vector>

namespace ldp::pipeline {

struct PipelineSpec;

/// A dependency cycle as task ids, first repeated at the end ("a -> b -> a"); empty when none.
/// REQUIRES: every depends_on names a task.
std::vector<std::string> FindCycle(const PipelineSpec& p);

/// Tasks in an order where every task comes after its dependencies (declaration order among
/// ready tasks). REQUIRES: no cycle.
std::vector<std::string> TopologicalOrder(const PipelineSpec& p);

/// Level of each task: 0 for tasks without dependencies, else 1 + the deepest dependency.
std::map<std::string, int> Levels(const PipelineSpec& p);

/// `task` and every task that depends on it, directly or not.
std::vector<std::string> WithDownstream(const PipelineSpec& p, const std::string& task);

/// The DAG drawn for a terminal: one block per level, each task with its type and its inputs.
std::string DrawText(const PipelineSpec& p);
/// The DAG as a Mermaid flowchart.
std::string DrawMermaid(const PipelineSpec& p);

}  // namespace ldp::pipeline
