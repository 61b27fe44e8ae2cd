#include "ldp/pipeline/spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "ldp/pipeline/dag.h"
#include "ldp/pipeline/template.h"

namespace ldp::pipeline {

const TaskSpec* PipelineSpec::FindTask(const std::string& id) const {
  for (const auto& t : tasks)
    if (t.id == id) return &t;
  return nullptr;
}

const std::map<std::string, std::vector<std::string>>& TaskTypeFields() {
  static const std::map<std::string, std::vector<std::string>> kFields = {
      {"ingest", {"source", "source_config", "table", "mode", "key", "where", "format", "branch", "partition_by", "evolve"}},
      {"sql", {"sql", "table", "mode", "key"}},
      {"check", {"table", "query", "checks", "sample"}},
      {"export", {"table", "query", "path", "to", "format", "mode", "key", "target_table", "partition_by"}},
      {"shell", {"command", "env", "cwd"}},
      {"http", {"url", "method", "headers", "body"}},
      {"sensor", {"file", "glob", "url", "table", "poke_interval"}},
      {"notify", {"kind", "url", "text", "query", "max_rows", "headers"}},
  };
  return kFields;
}

namespace {

const std::vector<std::string> kTaskCommon = {"id",      "type",        "depends_on",      "retries",
                                              "retry_delay", "backoff", "max_retry_delay", "timeout",
                                              "description"};
const std::vector<std::string> kPipelineFields = {
    "name",    "description",     "schedule",         "timezone", "start_date",  "end_date",
    "catchup", "max_active_runs", "max_active_tasks", "retries",  "retry_delay", "backoff",
    "max_retry_delay", "timeout", "params",           "tasks",       "notifications"};
const std::vector<std::string> kNotificationFields = {"type", "url", "headers", "on", "missed_after"};
const std::vector<std::string> kCheckKinds = {"not_null",     "unique",    "accepted_values", "relationships",
                                              "row_count", "freshness", "sql"};

struct Ctx {
  std::string file;
  std::vector<std::string> errors;
  void Error(int line, const std::string& field, const std::string& msg) {
    errors.push_back(fmt::format("{}:{}: {}: {}", file, line, field, msg));
  }
};

int Line(const YAML::Node& n) { return n.Mark().line + 1; }

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// YAML to JSON with every scalar as a string; records each field's line.
nlohmann::json ToJson(const YAML::Node& n, const std::string& path, std::map<std::string, int>& lines) {
  if (!path.empty()) lines[path] = Line(n);
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : n) {
      std::string k = kv.first.as<std::string>();
      j[k] = ToJson(kv.second, path.empty() ? k : path + "." + k, lines);
    }
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    int i = 0;
    for (const auto& e : n) j.push_back(ToJson(e, fmt::format("{}[{}]", path, i++), lines));
    return j;
  }
  if (n.IsScalar()) return n.Scalar();
  return nullptr;
}

// Checks the templates of every string under `j`.
void CheckTemplates(Ctx& ctx, const nlohmann::json& j, const std::string& path, const std::map<std::string, int>& lines,
                    int fallback_line, const std::string& prefix, const std::map<std::string, std::string>& params) {
  if (j.is_string()) {
    Status st = CheckTemplate(j.get<std::string>(), params);
    if (!st.ok()) {
      auto it = lines.find(path);
      ctx.Error(it == lines.end() ? fallback_line : it->second, prefix + path, st.message());
    }
  } else if (j.is_object()) {
    for (auto& [k, v] : j.items()) CheckTemplates(ctx, v, path.empty() ? k : path + "." + k, lines, fallback_line, prefix, params);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      CheckTemplates(ctx, j[i], fmt::format("{}[{}]", path, i), lines, fallback_line, prefix, params);
  }
}

std::optional<std::string> Scalar(Ctx& ctx, const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) {
    ctx.Error(Line(n), field, "must be a single value");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int> Int(Ctx& ctx, const YAML::Node& n, const std::string& field, int min) {
  auto s = Scalar(ctx, n, field);
  if (!s) return std::nullopt;
  try {
    size_t used = 0;
    int v = std::stoi(*s, &used);
    if (used == s->size() && v >= min) return v;
  } catch (...) {
  }
  ctx.Error(Line(n), field, fmt::format("'{}' must be a whole number >= {}", *s, min));
  return std::nullopt;
}

std::optional<double> Duration(Ctx& ctx, const YAML::Node& n, const std::string& field) {
  auto s = Scalar(ctx, n, field);
  if (!s) return std::nullopt;
  auto d = ParseDuration(*s);
  if (!d.ok()) {
    ctx.Error(Line(n), field, d.status().message());
    return std::nullopt;
  }
  return *d;
}

void ParsePolicy(Ctx& ctx, const YAML::Node& map, const std::string& prefix, RetryPolicy& p) {
  if (auto n = map["retries"]) {
    if (auto v = Int(ctx, n, prefix + "retries", 0)) p.retries = *v;
  }
  if (auto n = map["retry_delay"]) {
    if (auto v = Duration(ctx, n, prefix + "retry_delay")) p.retry_delay = *v;
  }
  if (auto n = map["max_retry_delay"]) {
    if (auto v = Duration(ctx, n, prefix + "max_retry_delay")) p.max_retry_delay = *v;
  }
  if (auto n = map["timeout"]) {
    if (auto v = Duration(ctx, n, prefix + "timeout")) p.timeout = *v;
  }
  if (auto n = map["backoff"]) {
    if (auto s = Scalar(ctx, n, prefix + "backoff")) {
      try {
        size_t used = 0;
        double v = std::stod(*s, &used);
        if (used != s->size() || v < 1) throw std::invalid_argument("");
        p.backoff = v;
      } catch (...) {
        ctx.Error(Line(n), prefix + "backoff", fmt::format("'{}' must be a number >= 1 (the delay multiplier)", *s));
      }
    }
  }
}

bool IsTrue(const std::string& s) { return s == "true" || s == "yes" || s == "on" || s == "True"; }
bool IsBool(const std::string& s) {
  return IsTrue(s) || s == "false" || s == "no" || s == "off" || s == "False";
}

void ValidateTaskConfig(Ctx& ctx, const TaskSpec& t, const std::string& prefix) {
  const auto& c = t.config;
  auto line_of = [&](const std::string& f) {
    auto it = t.field_lines.find(f);
    return it == t.field_lines.end() ? t.line : it->second;
  };
  auto need = [&](const std::string& f) {
    if (!c.contains(f)) ctx.Error(t.line, prefix + f, fmt::format("a task of type {} needs '{}'", t.type, f));
  };
  auto one_of = [&](const std::vector<std::string>& fs) {
    int n = 0;
    for (const auto& f : fs) n += c.contains(f);
    if (n != 1) ctx.Error(t.line, prefix + Join(fs), fmt::format("a {} task needs exactly one of {}", t.type, Join(fs)));
  };
  auto enum_field = [&](const std::string& f, const std::vector<std::string>& allowed) {
    if (c.contains(f) && (!c[f].is_string() || !Contains(allowed, c[f].get<std::string>())))
      ctx.Error(line_of(f), prefix + f, fmt::format("'{}' is not one of {}", c[f].is_string() ? c[f].get<std::string>() : c[f].dump(), Join(allowed)));
  };
  // Shapes: most fields are one value; env and headers are mappings; key may be a list.
  static const std::vector<std::string> kMaps = {"env", "headers"};
  static const std::vector<std::string> kListsOk = {"key", "checks", "partition_by"};
  for (auto& [k, v] : c.items()) {
    if (Contains(kMaps, k)) {
      if (!v.is_object()) ctx.Error(line_of(k), prefix + k, "must be a mapping of NAME: value");
      else
        for (auto& [n, x] : v.items())
          if (!x.is_string()) ctx.Error(line_of(k + "." + n), prefix + k + "." + n, "must be a single value");
    } else if (!Contains(kListsOk, k) && !v.is_string()) {
      ctx.Error(line_of(k), prefix + k, "must be a single value");
    }
  }
  if (t.type == "ingest") {
    if (!c.contains("source_config")) need("source");
    need("table");
    // "overwrite" is the deprecated spelling of "replace".
    enum_field("mode", {"append", "replace", "merge", "overwrite"});
    enum_field("format", {"parquet", "csv", "json"});
    if (c.value("mode", "") == "merge" && !c.contains("key")) ctx.Error(t.line, prefix + "key", "mode merge needs 'key'");
  } else if (t.type == "sql") {
    need("sql");
    enum_field("mode", {"create", "replace", "append", "merge"});
    if (c.contains("mode") && !c.contains("table")) ctx.Error(line_of("mode"), prefix + "table", "'mode' needs a target 'table'");
    if (c.value("mode", "") == "merge" && !c.contains("key")) ctx.Error(t.line, prefix + "key", "mode merge needs 'key'");
  } else if (t.type == "check") {
    one_of({"table", "query"});
    need("checks");
    if (c.contains("checks")) {
      if (!c["checks"].is_array()) {
        ctx.Error(line_of("checks"), prefix + "checks", "must be a list");
      } else {
        for (size_t i = 0; i < c["checks"].size(); ++i) {
          const auto& ch = c["checks"][i];
          std::string f = fmt::format("checks[{}]", i);
          if (!ch.is_object() || ch.size() != 1) {
            ctx.Error(line_of(f), prefix + f, "each check is a mapping with one key: " + Join(kCheckKinds));
            continue;
          }
          std::string kind = ch.begin().key();
          if (!Contains(kCheckKinds, kind))
            ctx.Error(line_of(f + "." + kind), prefix + f + "." + kind,
                      fmt::format("unknown check '{}' (expected {})", kind, Join(kCheckKinds)));
        }
      }
    }
  } else if (t.type == "export") {
    one_of({"table", "query"});
    // `path`: a file; `to`: any sink of `ldp export --to` (file, folder, DuckDB, PostgreSQL).
    one_of({"path", "to"});
    enum_field("format", {"csv", "parquet", "json"});
    enum_field("mode", {"append", "replace", "merge"});
    if (c.contains("mode") && c["mode"].is_string() && c["mode"].get<std::string>() == "merge" && !c.contains("key"))
      ctx.Error(t.line, prefix + "key", "an export with mode: merge needs 'key' (column or list of columns)");
  } else if (t.type == "shell") {
    need("command");
  } else if (t.type == "http") {
    need("url");
    enum_field("method", {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"});
  } else if (t.type == "notify") {
    need("url");
    need("text");
    enum_field("kind", {"slack", "webhook"});
    if (c.contains("max_rows") && (!c["max_rows"].is_string() ||
                                   c["max_rows"].get<std::string>().find_first_not_of("0123456789") != std::string::npos ||
                                   c["max_rows"].get<std::string>().empty()))
      ctx.Error(line_of("max_rows"), prefix + "max_rows", "must be a whole number");
  } else if (t.type == "sensor") {
    one_of({"file", "glob", "url", "table"});
    if (c.contains("poke_interval")) {
      auto d = c["poke_interval"].is_string() ? ParseDuration(c["poke_interval"].get<std::string>())
                                               : Result<double>(InvalidArgument("must be a duration"));
      if (!d.ok()) ctx.Error(line_of("poke_interval"), prefix + "poke_interval", d.status().message());
    }
  }
}

// `notifications:` a list of {type, url, headers, on, missed_after}.
void ParseNotifications(Ctx& ctx, const YAML::Node& list, PipelineSpec& p) {
  if (!list.IsSequence()) {
    ctx.Error(Line(list), "notifications", "must be a list of {type: slack|webhook, url: ..., on: [...]}");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& n = list[i];
    std::string prefix = fmt::format("notifications[{}].", i);
    if (!n.IsMap()) {
      ctx.Error(Line(n), prefix.substr(0, prefix.size() - 1), "each notification is a mapping with type and url");
      continue;
    }
    NotificationSpec ns;
    ns.line = Line(n);
    for (const auto& kv : n) {
      std::string k = kv.first.as<std::string>();
      if (!Contains(kNotificationFields, k))
        ctx.Error(Line(kv.first), prefix + k, fmt::format("unknown field (expected one of {})", Join(kNotificationFields)));
    }
    if (auto t = n["type"]) {
      ns.type = Scalar(ctx, t, prefix + "type").value_or("");
      if (ns.type != "slack" && ns.type != "webhook")
        ctx.Error(Line(t), prefix + "type", fmt::format("'{}' is not one of slack, webhook", ns.type));
    } else {
      ctx.Error(ns.line, prefix + "type", "missing (slack or webhook)");
    }
    if (auto u = n["url"]) {
      ns.url = Scalar(ctx, u, prefix + "url").value_or("");
      Status st = CheckTemplate(ns.url, p.params);
      if (!st.ok()) ctx.Error(Line(u), prefix + "url", st.message());
      else if (ns.url.rfind("http://", 0) != 0 && ns.url.rfind("https://", 0) != 0 && ns.url.rfind("{{", 0) != 0)
        ctx.Error(Line(u), prefix + "url", "must start with http:// or https:// (or be a {{ env.X }} template)");
    } else {
      ctx.Error(ns.line, prefix + "url", "missing (e.g. \"{{ env.SLACK_WEBHOOK_URL }}\")");
    }
    if (auto h = n["headers"]) {
      if (!h.IsMap()) {
        ctx.Error(Line(h), prefix + "headers", "must be a mapping of NAME: value");
      } else {
        for (const auto& kv : h) {
          std::string k = kv.first.as<std::string>();
          auto v = Scalar(ctx, kv.second, prefix + "headers." + k);
          if (!v) continue;
          Status st = CheckTemplate(*v, p.params);
          if (!st.ok()) ctx.Error(Line(kv.second), prefix + "headers." + k, st.message());
          ns.headers[k] = *v;
        }
      }
    }
    if (auto on = n["on"]) {
      std::vector<std::pair<std::string, int>> events;
      if (on.IsScalar()) events.push_back({on.Scalar(), Line(on)});
      else if (on.IsSequence())
        for (const auto& e : on)
          if (auto s = Scalar(ctx, e, prefix + "on")) events.push_back({*s, Line(e)});
      if (!on.IsScalar() && !on.IsSequence()) ctx.Error(Line(on), prefix + "on", "must be an event or a list of them");
      for (const auto& [e, line] : events) {
        if (!Contains(NotificationEvents(), e))
          ctx.Error(line, prefix + "on", fmt::format("unknown event '{}' (expected {})", e, Join(NotificationEvents())));
        else
          ns.on.push_back(e);
      }
    } else {
      ns.on = {"failure"};
    }
    if (auto m = n["missed_after"]) {
      if (auto v = Duration(ctx, m, prefix + "missed_after")) ns.missed_after = *v;
    }
    p.notifications.push_back(std::move(ns));
  }
}

}  // namespace

const std::vector<std::string>& NotificationEvents() {
  static const std::vector<std::string> kEvents = {"failure", "retry_exhausted", "success", "missed_schedule"};
  return kEvents;
}

bool NotificationSpec::Wants(const std::string& event) const { return Contains(on, event); }

Result<double> ParseDuration(const std::string& text) {
  if (text.empty()) return InvalidArgument("empty duration");
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
    if (j == i) return InvalidArgument("'{}' is not a duration (e.g. 30s, 5m, 2h, 1d)", text);
    double v = std::stod(text.substr(i, j - i));
    double unit = 1;
    if (j < text.size()) {
      switch (text[j]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return InvalidArgument("'{}' is not a duration (e.g. 30s, 5m, 2h, 1d)", text);
      }
      ++j;
    } else if (any) {
      return InvalidArgument("'{}' is not a duration (e.g. 30s, 5m, 2h, 1d)", text);
    }
    total += v * unit;
    any = true;
    i = j;
  }
  return total;
}

Result<PipelineSpec> ParsePipeline(const std::string& text, const std::string& path, std::vector<std::string>* all_errors) {
  Ctx ctx{path, {}};
  auto finish = [&](PipelineSpec p) -> Result<PipelineSpec> {
    if (all_errors) *all_errors = ctx.errors;
    if (!ctx.errors.empty()) return InvalidArgument("{}", ctx.errors.front());
    return p;
  };
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ctx.errors.push_back(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
    return finish({});
  }
  PipelineSpec p;
  p.file = path;
  if (!root.IsMap()) {
    ctx.Error(1, "pipeline", "the file must be a mapping with name, schedule and tasks");
    return finish(p);
  }
  for (const auto& kv : root) {
    std::string k = kv.first.as<std::string>();
    if (!Contains(kPipelineFields, k))
      ctx.Error(Line(kv.first), k, fmt::format("unknown field (expected one of {})", Join(kPipelineFields)));
  }
  if (auto n = root["name"]) {
    if (auto s = Scalar(ctx, n, "name")) p.name = *s;
  }
  if (p.name.empty()) {
    p.name = std::filesystem::path(path).stem().string();
  }
  for (char ch : p.name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-')) {
      ctx.Error(root["name"] ? Line(root["name"]) : 1, "name",
                fmt::format("'{}' may only have letters, digits, '_' and '-'", p.name));
      break;
    }
  if (auto n = root["description"]) p.description = Scalar(ctx, n, "description").value_or("");
  if (auto n = root["timezone"]) {
    if (auto s = Scalar(ctx, n, "timezone")) {
      p.timezone = *s;
      auto tz = TimeZone::Load(*s);
      if (!tz.ok())
        ctx.Error(Line(n), "timezone", tz.status().message());
      else
        p.tz = *tz;
    }
  }
  if (!p.tz) p.tz = TimeZone::Utc();
  if (auto n = root["schedule"]) {
    if (auto s = Scalar(ctx, n, "schedule")) {
      if (*s != "none" && *s != "null" && !s->empty()) {
        auto c = CronSchedule::Parse(*s);
        if (!c.ok())
          ctx.Error(Line(n), "schedule", c.status().message());
        else
          p.schedule = *c;
      }
    }
  } else {
    ctx.Error(1, "schedule", "missing (a cron expression, @daily, ... or none)");
  }
  for (const char* f : {"start_date", "end_date"}) {
    if (auto n = root[f]) {
      if (auto s = Scalar(ctx, n, f)) {
        auto c = ParseCivil(*s);
        if (!c.ok())
          ctx.Error(Line(n), f, c.status().message());
        else
          (std::string(f) == "start_date" ? p.start_date : p.end_date) = *c;
      }
    }
  }
  if (auto n = root["catchup"]) {
    if (auto s = Scalar(ctx, n, "catchup")) {
      if (!IsBool(*s)) ctx.Error(Line(n), "catchup", fmt::format("'{}' must be true or false", *s));
      p.catchup = IsTrue(*s);
    }
  }
  if (auto n = root["max_active_runs"]) p.max_active_runs = Int(ctx, n, "max_active_runs", 1).value_or(1);
  if (auto n = root["max_active_tasks"]) p.max_active_tasks = Int(ctx, n, "max_active_tasks", 1).value_or(4);
  ParsePolicy(ctx, root, "", p.defaults);
  if (auto n = root["params"]) {
    if (!n.IsMap()) {
      ctx.Error(Line(n), "params", "must be a mapping of name: value");
    } else {
      for (const auto& kv : n) {
        std::string k = kv.first.as<std::string>();
        if (auto s = Scalar(ctx, kv.second, "params." + k)) p.params[k] = *s;
      }
    }
  }
  if (auto n = root["notifications"]) ParseNotifications(ctx, n, p);
  auto tasks = root["tasks"];
  if (!tasks || !tasks.IsSequence() || tasks.size() == 0) {
    ctx.Error(tasks ? Line(tasks) : 1, "tasks", "a pipeline needs a list of tasks");
    return finish(p);
  }
  std::set<std::string> ids;
  const auto& types = TaskTypeFields();
  for (size_t i = 0; i < tasks.size(); ++i) {
    const YAML::Node& tn = tasks[i];
    std::string prefix = fmt::format("tasks[{}].", i);
    if (!tn.IsMap()) {
      ctx.Error(Line(tn), prefix.substr(0, prefix.size() - 1), "each task is a mapping with id and type");
      continue;
    }
    TaskSpec t;
    t.line = Line(tn);
    t.policy = p.defaults;
    if (auto n = tn["id"]) t.id = Scalar(ctx, n, prefix + "id").value_or("");
    if (t.id.empty()) {
      ctx.Error(t.line, prefix + "id", "missing");
    } else {
      prefix = "tasks." + t.id + ".";
      if (!ids.insert(t.id).second) ctx.Error(Line(tn["id"]), prefix + "id", "duplicate task id");
      for (char ch : t.id)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-')) {
          ctx.Error(Line(tn["id"]), prefix + "id", "may only have letters, digits, '_' and '-'");
          break;
        }
    }
    if (auto n = tn["type"]) t.type = Scalar(ctx, n, prefix + "type").value_or("");
    auto type_it = types.find(t.type);
    if (!tn["type"]) {
      ctx.Error(t.line, prefix + "type", "missing");
    } else if (type_it == types.end()) {
      std::vector<std::string> names;
      for (const auto& [k, v] : types) names.push_back(k);
      ctx.Error(Line(tn["type"]), prefix + "type", fmt::format("unknown task type '{}' (expected {})", t.type, Join(names)));
    }
    if (auto n = tn["depends_on"]) {
      t.field_lines["depends_on"] = Line(n);
      if (n.IsScalar()) {
        t.depends_on.push_back(n.Scalar());
      } else if (n.IsSequence()) {
        for (const auto& d : n)
          if (auto s = Scalar(ctx, d, prefix + "depends_on")) t.depends_on.push_back(*s);
      } else {
        ctx.Error(Line(n), prefix + "depends_on", "must be a task id or a list of them");
      }
    }
    ParsePolicy(ctx, tn, prefix, t.policy);
    for (const auto& kv : tn) {
      std::string k = kv.first.as<std::string>();
      if (Contains(kTaskCommon, k)) continue;
      if (type_it != types.end() && !Contains(type_it->second, k)) {
        ctx.Error(Line(kv.first), prefix + k,
                  fmt::format("unknown field for a {} task (expected {})", t.type, Join(type_it->second)));
        continue;
      }
      t.config[k] = ToJson(kv.second, k, t.field_lines);
    }
    if (type_it != types.end()) ValidateTaskConfig(ctx, t, prefix);
    CheckTemplates(ctx, t.config, "", t.field_lines, t.line, prefix, p.params);
    p.tasks.push_back(std::move(t));
  }
  for (const auto& t : p.tasks) {
    for (const auto& d : t.depends_on) {
      if (!p.FindTask(d)) {
        int line = t.field_lines.count("depends_on") ? t.field_lines.at("depends_on") : t.line;
        ctx.Error(line, "tasks." + t.id + ".depends_on", fmt::format("no task '{}' in this pipeline", d));
      }
      if (d == t.id) ctx.Error(t.line, "tasks." + t.id + ".depends_on", "a task cannot depend on itself");
    }
  }
  if (ctx.errors.empty()) {
    auto cycle = FindCycle(p);
    if (!cycle.empty()) {
      std::string text;
      for (const auto& id : cycle) text += (text.empty() ? "" : " -> ") + id;
      const TaskSpec* first = p.FindTask(cycle.front());
      ctx.Error(first ? first->line : 1, "tasks." + cycle.front() + ".depends_on", "dependency cycle: " + text);
    }
  }
  return finish(std::move(p));
}

Result<PipelineSpec> LoadPipelineFile(const std::string& path, std::vector<std::string>* all_errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read pipeline file {}", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParsePipeline(ss.str(), path, all_errors);
}

std::vector<std::string> PipelineFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    auto ext = it->path().extension().string();
    if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<PipelineSpec> FindPipeline(const std::string& dir, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& f : PipelineFiles(dir)) {
    std::string stem = std::filesystem::path(f).stem().string();
    if (stem == name) return LoadPipelineFile(f);
    // A file whose `name` differs from its file name: read the name without failing on errors.
    try {
      YAML::Node n = YAML::LoadFile(f);
      if (n.IsMap() && n["name"] && n["name"].IsScalar()) {
        if (n["name"].Scalar() == name) return LoadPipelineFile(f);
        names.push_back(n["name"].Scalar());
        continue;
      }
    } catch (const YAML::Exception&) {
    }
    names.push_back(stem);
  }
  return NotFound("no pipeline '{}' in {} (found: {})", name, dir, names.empty() ? "none" : Join(names));
}

Result<DataInterval> IntervalAt(const PipelineSpec& p, const CivilTime& date) {
  const TimeZone& tz = *p.tz;
  int64_t wall = date.WallSeconds();
  auto instants = tz.FromWall(wall);
  int64_t at = instants.empty() ? tz.FirstInstantAfterWall(wall) : instants.front();
  if (!p.schedule) {
    CivilTime next = CivilTime::FromWallSeconds(wall + 86400);
    auto ni = tz.FromWall(next.WallSeconds());
    return DataInterval{at, ni.empty() ? tz.FirstInstantAfterWall(next.WallSeconds()) : ni.front()};
  }
  auto start = p.schedule->Next(at - 1, tz);
  if (!start) return InvalidArgument("schedule '{}' never fires after {}", p.schedule->text(), tz.FormatIso(at));
  auto end = p.schedule->Next(*start, tz);
  if (!end) return InvalidArgument("schedule '{}' never fires after {}", p.schedule->text(), tz.FormatIso(*start));
  return DataInterval{*start, *end};
}

Result<std::vector<DataInterval>> IntervalsBetween(const PipelineSpec& p, const CivilTime& from, const CivilTime& to) {
  if (to.WallSeconds() < from.WallSeconds()) return InvalidArgument("--to is before --from");
  std::vector<DataInterval> out;
  CivilTime stop = CivilTime::FromWallSeconds(to.WallSeconds() + 86400);
  auto stop_i = p.tz->FromWall(stop.WallSeconds());
  int64_t stop_at = stop_i.empty() ? p.tz->FirstInstantAfterWall(stop.WallSeconds()) : stop_i.front();
  LDP_ASSIGN_OR_RAISE(DataInterval iv, IntervalAt(p, from));
  while (iv.start < stop_at) {
    out.push_back(iv);
    if (out.size() > 100000) return InvalidArgument("more than 100000 intervals between the dates");
    if (!p.schedule) {
      CivilTime next = CivilTime::FromWallSeconds(p.tz->ToWall(iv.start) + 86400);
      LDP_ASSIGN_OR_RAISE(iv, IntervalAt(p, next));
    } else {
      auto end = p.schedule->Next(iv.end, *p.tz);
      if (!end) break;
      iv = DataInterval{iv.end, *end};
    }
  }
  return out;
}

Result<DataInterval> LatestCompleteInterval(const PipelineSpec& p, int64_t now) {
  const TimeZone& tz = *p.tz;
  if (!p.schedule) {
    CivilTime c = CivilTime::FromWallSeconds(tz.ToWall(now));
    c.hour = c.minute = c.second = 0;
    return IntervalAt(p, c);
  }
  // Walk back a day at a time until an interval that ended by `now` is found.
  for (int64_t back = 86400; back <= 400LL * 86400; back *= 2) {
    auto s = p.schedule->Next(now - back, tz);
    if (!s) continue;
    std::optional<DataInterval> best;
    int64_t cur = *s;
    while (true) {
      auto e = p.schedule->Next(cur, tz);
      if (!e || *e > now) break;
      best = DataInterval{cur, *e};
      cur = *e;
    }
    if (best) return *best;
  }
  return InvalidArgument("schedule '{}' has no complete interval before now", p.schedule->text());
}

}  // namespace ldp::pipeline
