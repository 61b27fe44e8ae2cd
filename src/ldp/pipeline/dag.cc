#include "ldp/pipeline/dag.h"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "ldp/pipeline/spec.h"

namespace ldp::pipeline {

std::vector<std::string> FindCycle(const PipelineSpec& p) {
  std::map<std::string, int> state;  // 0 new, 1 on stack, 2 done
  std::vector<std::string> stack;
  std::vector<std::string> cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& id) {
    state[id] = 1;
    stack.push_back(id);
    const TaskSpec* t = p.FindTask(id);
    for (const auto& d : t ? t->depends_on : std::vector<std::string>{}) {
      if (state[d] == 1) {
        auto it = std::find(stack.begin(), stack.end(), d);
        cycle.assign(it, stack.end());
        cycle.push_back(d);
        return true;
      }
      if (state[d] == 0 && visit(d)) return true;
    }
    stack.pop_back();
    state[id] = 2;
    return false;
  };
  for (const auto& t : p.tasks)
    if (state[t.id] == 0 && visit(t.id)) {
      // The walk follows depends_on (downstream to upstream); print in run order.
      std::reverse(cycle.begin(), cycle.end());
      return cycle;
    }
  return {};
}

std::vector<std::string> TopologicalOrder(const PipelineSpec& p) {
  std::vector<std::string> out;
  std::set<std::string> done;
  while (out.size() < p.tasks.size()) {
    bool progressed = false;
    for (const auto& t : p.tasks) {
      if (done.count(t.id)) continue;
      bool ready = std::all_of(t.depends_on.begin(), t.depends_on.end(), [&](const auto& d) { return done.count(d); });
      if (ready) {
        out.push_back(t.id);
        done.insert(t.id);
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return out;
}

std::map<std::string, int> Levels(const PipelineSpec& p) {
  std::map<std::string, int> level;
  for (const auto& id : TopologicalOrder(p)) {
    int l = 0;
    for (const auto& d : p.FindTask(id)->depends_on) l = std::max(l, level[d] + 1);
    level[id] = l;
  }
  return level;
}

std::vector<std::string> WithDownstream(const PipelineSpec& p, const std::string& task) {
  std::set<std::string> in = {task};
  for (const auto& id : TopologicalOrder(p)) {
    for (const auto& d : p.FindTask(id)->depends_on)
      if (in.count(d)) in.insert(id);
  }
  std::vector<std::string> out;
  for (const auto& id : TopologicalOrder(p))
    if (in.count(id)) out.push_back(id);
  return out;
}

std::string DrawText(const PipelineSpec& p) {
  auto levels = Levels(p);
  int max_level = 0;
  for (const auto& [id, l] : levels) max_level = std::max(max_level, l);
  std::string out = fmt::format("{}  (schedule: {}, timezone: {})\n", p.name,
                                p.schedule ? p.schedule->text() : "none", p.timezone);
  for (int l = 0; l <= max_level; ++l) {
    std::vector<const TaskSpec*> row;
    for (const auto& t : p.tasks)
      if (levels[t.id] == l) row.push_back(&t);
    for (size_t i = 0; i < row.size(); ++i) {
      const TaskSpec* t = row[i];
      std::string deps;
      for (const auto& d : t->depends_on) deps += (deps.empty() ? "" : ", ") + d;
      out += fmt::format("  {} [{}] {}{}\n", i + 1 == row.size() ? "└─" : "├─", t->type, t->id,
                         deps.empty() ? "" : "  ◀── " + deps);
    }
    if (l < max_level) out += "  │\n  ▼\n";
  }
  return out;
}

std::string DrawMermaid(const PipelineSpec& p) {
  std::string out = "flowchart LR\n";
  for (const auto& t : p.tasks) out += fmt::format("  {}[\"{} ({})\"]\n", t.id, t.id, t.type);
  for (const auto& t : p.tasks)
    for (const auto& d : t.depends_on) out += fmt::format("  {} --> {}\n", d, t.id);
  return out;
}

}  // namespace ldp::pipeline
