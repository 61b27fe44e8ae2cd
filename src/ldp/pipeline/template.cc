#include "ldp/pipeline/template.h"

#include <algorithm>
#include <cstdlib>

namespace ldp::pipeline {

const std::vector<std::string>& TemplateVariables() {
  static const std::vector<std::string> kVars = {"ds",           "ds_nodash", "data_interval_start",
                                                 "data_interval_end", "logical_date", "run_id",
                                                 "pipeline",     "task"};
  return kVars;
}

namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

// Walks the placeholders of `text`; `resolve` returns the replacement or an error.
template <typename F>
Result<std::string> Walk(const std::string& text, F resolve) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) {
      out += text.substr(pos);
      return out;
    }
    out += text.substr(pos, open - pos);
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) return InvalidArgument("unclosed '{{{{' in '{}'", text);
    std::string name = Trim(text.substr(open + 2, close - open - 2));
    LDP_ASSIGN_OR_RAISE(std::string value, resolve(name));
    out += value;
    pos = close + 2;
  }
}

bool ValidName(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

Result<std::string> Render(const std::string& text, const TemplateContext& ctx) {
  return Walk(text, [&](const std::string& name) -> Result<std::string> {
    if (name.rfind("params.", 0) == 0) {
      auto it = ctx.params.find(name.substr(7));
      if (it == ctx.params.end()) return InvalidArgument("unknown template variable '{}' (no such param)", name);
      return it->second;
    }
    if (name.rfind("env.", 0) == 0) {
      const char* v = ctx.use_env ? std::getenv(name.substr(4).c_str()) : nullptr;
      if (!v) return InvalidArgument("template variable '{}': environment variable {} is not set", name, name.substr(4));
      return std::string(v);
    }
    auto it = ctx.vars.find(name);
    if (it == ctx.vars.end()) return InvalidArgument("unknown template variable '{}'", name);
    return it->second;
  });
}

Status CheckTemplate(const std::string& text, const std::map<std::string, std::string>& params) {
  auto r = Walk(text, [&](const std::string& name) -> Result<std::string> {
    if (name.rfind("params.", 0) == 0) {
      if (!params.count(name.substr(7)))
        return InvalidArgument("unknown template variable '{}' (no such param)", name);
      return std::string();
    }
    if (name.rfind("env.", 0) == 0) {
      if (!ValidName(name.substr(4))) return InvalidArgument("bad template variable '{}'", name);
      return std::string();
    }
    const auto& vars = TemplateVariables();
    if (std::find(vars.begin(), vars.end(), name) == vars.end())
      return InvalidArgument("unknown template variable '{}' (known: ds, ds_nodash, data_interval_start, "
                             "data_interval_end, logical_date, run_id, pipeline, task, params.X, env.X)",
                             name);
    return std::string();
  });
  return r.status();
}

}  // namespace ldp::pipeline
