#include "ldp/orchestrator/tasks.h"

#include <glob.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "ldp/engine/engine.h"
#include "ldp/orchestrator/http.h"
#include "ldp/orchestrator/notify.h"
#include "ldp/orchestrator/process.h"
#include "ldp/orchestrator/runner.h"
#include "ldp/pipeline/template.h"
#include "ldp/services/ingest.h"
#include "ldp/services/source_ingest.h"
#include "ldp/services/query.h"
#include "ldp/services/sink_export.h"
#include "ldp/services/tables.h"

namespace ldp::orchestrator {

using engine::QuoteIdent;
using engine::QuoteLiteral;
using nlohmann::json;

namespace {

Result<json> RenderJson(const json& j, const pipeline::TemplateContext& ctx, const std::string& path) {
  if (j.is_string()) {
    auto r = pipeline::Render(j.get<std::string>(), ctx);
    if (!r.ok()) return r.status().WithContext(path);
    return json(*r);
  }
  if (j.is_object()) {
    json out = json::object();
    for (auto& [k, v] : j.items()) {
      LDP_ASSIGN_OR_RAISE(out[k], RenderJson(v, ctx, path.empty() ? k : path + "." + k));
    }
    return out;
  }
  if (j.is_array()) {
    json out = json::array();
    for (size_t i = 0; i < j.size(); ++i) {
      LDP_ASSIGN_OR_RAISE(json v, RenderJson(j[i], ctx, fmt::format("{}[{}]", path, i)));
      out.push_back(std::move(v));
    }
    return out;
  }
  return j;
}

std::string Str(const json& c, const std::string& key, const std::string& fallback = "") {
  if (!c.contains(key) || !c[key].is_string()) return fallback;
  return c[key].get<std::string>();
}

// A field that may be "a, b" or [a, b].
std::vector<std::string> StrList(const json& v) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
    if (!s.empty()) out.push_back(s);
  };
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    size_t start = 0;
    while (true) {
      size_t comma = s.find(',', start);
      add(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (v.is_array()) {
    for (const auto& e : v)
      if (e.is_string()) add(e.get<std::string>());
  }
  return out;
}

bool IsTrue(const std::string& s) { return s == "true" || s == "yes" || s == "on" || s == "True"; }

std::string ProjectPath(const services::Project& project, const std::string& p) {
  if (p.empty() || p[0] == '/' || p.find("://") != std::string::npos) return p;
  return project.root() + "/" + p;
}

Result<TaskResult> RunIngest(services::Project& project, const json& c, std::ostream& log) {
  services::IngestOptions o;
  std::string raw_source = Str(c, "source");
  std::string source_config = c.contains("source_config") ? ProjectPath(project, Str(c, "source_config")) : "";
  bool connector = services::IsConnectorSource(raw_source, source_config);
  o.source = connector ? raw_source : ProjectPath(project, raw_source);
  LDP_ASSIGN_OR_RAISE(o.table, catalog::TableIdentifier::Parse(Str(c, "table")));
  LDP_ASSIGN_OR_RAISE(o.mode, services::ParseIngestMode(Str(c, "mode", "append")));
  LDP_ASSIGN_OR_RAISE(o.format, services::ParseSourceFormat(Str(c, "format")));
  if (c.contains("key")) o.keys = StrList(c["key"]);
  o.where = Str(c, "where");
  if (c.contains("branch")) o.branch = Str(c, "branch");
  if (c.contains("partition_by")) o.partition_by = Str(c, "partition_by");
  o.evolve = IsTrue(Str(c, "evolve"));
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  services::IngestResult r;
  std::string shown = o.source;
  if (connector) {
    // A REST API, PostgreSQL, ... source (services/source_ingest.h): the same options as
    // `ldp ingest --source-config`; the cursor is saved after the commit.
    LDP_ASSIGN_OR_RAISE(auto opts, connectors::ConnectorOptions::Load(raw_source, source_config));
    shown = opts.Describe();
    if (opts.kind() == connectors::SourceKind::kFile) {
      o.source = ProjectPath(project, opts.uri());
      LDP_ASSIGN_OR_RAISE(r, services::Ingest(project, *conn, o));
    } else {
      LDP_ASSIGN_OR_RAISE(auto sr, services::IngestFromSource(project, *conn, o, opts));
      r = sr.ingest;
      log << "source " << sr.source << ": " << sr.records << " records in " << sr.pages << " pages"
          << (sr.cursor ? ", cursor " + *sr.cursor : std::string()) << "\n";
    }
  } else {
    LDP_ASSIGN_OR_RAISE(r, services::Ingest(project, *conn, o));
  }
  TaskResult out;
  out.table = r.table.ToString();
  if (r.committed) out.snapshot_id = r.snapshot_id;
  out.message = r.committed ? fmt::format("{} rows into {} (snapshot {})", r.rows, out.table, r.snapshot_id)
                            : "source had no rows: nothing committed";
  log << "ingest " << shown << " -> " << out.table << ": " << out.message << "\n";
  return out;
}

std::string Preview(const engine::MaterializedResult& r, size_t max_rows) {
  std::string out;
  for (size_t i = 0; i < r.rows.size() && i < max_rows; ++i) {
    std::string row;
    for (size_t k = 0; k < r.rows[i].size(); ++k)
      row += fmt::format("{}{}={}", k ? ", " : "", k < r.columns.size() ? r.columns[k].name : "?",
                         r.rows[i][k].value_or("NULL"));
    out += "    " + row + "\n";
  }
  return out;
}

Result<TaskResult> RunSql(services::Project& project, const json& c, std::ostream& log) {
  TaskResult out;
  std::string sql = ResolveRefs(Str(c, "sql"), &out.inputs);
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  if (!c.contains("table")) {
    LDP_ASSIGN_OR_RAISE(auto r, services::RunQuery(project, *conn, sql));
    log << "statement ran; " << r.result.rows.size() << " result rows\n" << Preview(r.result, 20);
    out.message = fmt::format("{} result rows", r.result.rows.size());
    return out;
  }
  // Materialise: the query's rows go to a Parquet file, which an ingest commits to the table as
  // one snapshot in the declared mode (the ingest path owns atomicity and clean-up).
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(Str(c, "table")));
  std::string mode = Str(c, "mode", "replace");
  LDP_ASSIGN_OR_RAISE(bool exists, project.catalog().TableExists(id));
  if (mode == "create" && exists) return AlreadyExists("table {} exists (mode create)", id.ToString());
  std::string tmp_dir = project.warehouse() + "/_ldp/tmp";
  std::error_code ec;
  std::filesystem::create_directories(tmp_dir, ec);
  std::string tmp = fmt::format("{}/{}-{}.parquet", tmp_dir, id.ToString(),
                                std::chrono::steady_clock::now().time_since_epoch().count());
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      std::error_code e;
      std::filesystem::remove(path, e);
    }
  } cleanup{tmp};
  LDP_ASSIGN_OR_RAISE(auto ex, services::ExportQuery(project, *conn, sql, tmp, services::FileFormat::kParquet));
  services::IngestOptions o;
  o.source = tmp;
  o.table = id;
  o.format = services::SourceFormat::kParquet;
  o.mode = mode == "merge" ? services::IngestMode::kMerge
           : mode == "append" || mode == "create" ? services::IngestMode::kAppend
                                                  : services::IngestMode::kOverwrite;
  if (c.contains("key")) o.keys = StrList(c["key"]);
  LDP_ASSIGN_OR_RAISE(auto r, services::Ingest(project, *conn, o));
  out.table = id.ToString();
  if (r.committed) out.snapshot_id = r.snapshot_id;
  out.message = fmt::format("{} {} rows into {}{}", mode, ex.rows, out.table,
                            r.committed ? fmt::format(" (snapshot {})", r.snapshot_id) : " (no rows: nothing committed)");
  log << "sql: " << out.message << "\n";
  return out;
}

// One data test: a query returning the offending rows.
struct Check {
  std::string name;
  std::string sql;
};

Result<std::vector<Check>> BuildChecks(const json& c, const std::string& rel, std::vector<std::string>* inputs) {
  std::vector<Check> out;
  for (const auto& item : c["checks"]) {
    std::string kind = item.begin().key();
    const json& v = item.begin().value();
    if (kind == "not_null") {
      auto cols = StrList(v.is_object() && v.contains("columns") ? v["columns"] : v);
      if (cols.empty()) return InvalidArgument("not_null needs column names");
      std::string cond;
      for (const auto& col : cols) cond += (cond.empty() ? "" : " OR ") + QuoteIdent(col) + " IS NULL";
      std::string names;
      for (const auto& col : cols) names += (names.empty() ? "" : ", ") + col;
      out.push_back({"not_null(" + names + ")", fmt::format("SELECT * FROM {} WHERE {}", rel, cond)});
    } else if (kind == "unique") {
      auto cols = StrList(v.is_object() && v.contains("columns") ? v["columns"] : v);
      if (cols.empty()) return InvalidArgument("unique needs column names");
      std::string list, names;
      for (const auto& col : cols) {
        list += (list.empty() ? "" : ", ") + QuoteIdent(col);
        names += (names.empty() ? "" : ", ") + col;
      }
      out.push_back({"unique(" + names + ")",
                     fmt::format("SELECT {0}, count(*) AS duplicates FROM {1} GROUP BY {0} HAVING count(*) > 1", list,
                                 rel)});
    } else if (kind == "accepted_values") {
      std::string col = Str(v, "column");
      auto values = StrList(v.contains("values") ? v["values"] : json());
      if (col.empty() || values.empty()) return InvalidArgument("accepted_values needs 'column' and 'values'");
      std::string in;
      for (const auto& x : values) in += (in.empty() ? "" : ", ") + QuoteLiteral(x);
      out.push_back({"accepted_values(" + col + ")",
                     fmt::format("SELECT * FROM {} WHERE {} IS NOT NULL AND CAST({} AS VARCHAR) NOT IN ({})", rel,
                                 QuoteIdent(col), QuoteIdent(col), in)});
    } else if (kind == "relationships") {
      std::string col = Str(v, "column"), to = ResolveRefs(Str(v, "to"), inputs), field = Str(v, "field", col);
      if (col.empty() || to.empty()) return InvalidArgument("relationships needs 'column' and 'to' (ns.table)");
      if (inputs && Str(v, "to").find("ref(") == std::string::npos) inputs->push_back(to);
      out.push_back({"relationships(" + col + " -> " + to + "." + field + ")",
                     fmt::format("SELECT * FROM {} WHERE {} IS NOT NULL AND {} NOT IN (SELECT {} FROM {} WHERE {} IS "
                                 "NOT NULL)",
                                 rel, QuoteIdent(col), QuoteIdent(col), QuoteIdent(field), to, QuoteIdent(field))});
    } else if (kind == "row_count") {
      std::string min = Str(v, "min", "0"), max = Str(v, "max");
      for (const auto& n : {min, max})
        if (!n.empty() && n.find_first_not_of("0123456789") != std::string::npos)
          return InvalidArgument("row_count min/max must be whole numbers, not '{}'", n);
      out.push_back({fmt::format("row_count({}..{})", min, max.empty() ? "" : max),
                     fmt::format("SELECT n AS row_count FROM (SELECT count(*) AS n FROM {}) WHERE n < {}{}", rel, min,
                                 max.empty() ? "" : " OR n > " + max)});
    } else if (kind == "freshness") {
      std::string col = Str(v, "column");
      LDP_ASSIGN_OR_RAISE(double age, pipeline::ParseDuration(Str(v, "max_age", "1d")));
      if (col.empty()) return InvalidArgument("freshness needs 'column' (and max_age)");
      out.push_back({"freshness(" + col + ")",
                     fmt::format("SELECT max({0}) AS newest FROM {1} HAVING max({0}) IS NULL OR CAST(max({0}) AS "
                                 "TIMESTAMP) < CAST(now() AS TIMESTAMP) - to_seconds({2})",
                                 QuoteIdent(col), rel, static_cast<int64_t>(age))});
    } else if (kind == "sql") {
      std::string sql = v.is_string() ? v.get<std::string>() : Str(v, "sql");
      out.push_back({"sql", ResolveRefs(sql, inputs)});
    }
  }
  return out;
}

Result<TaskResult> RunCheck(services::Project& project, const json& c, std::ostream& log) {
  TaskResult out;
  std::string rel;
  if (c.contains("table")) {
    rel = Str(c, "table");
    out.inputs.push_back(rel);
  } else {
    rel = "(" + ResolveRefs(Str(c, "query"), &out.inputs) + ") AS _checked";
  }
  int sample = 5;
  if (c.contains("sample")) sample = std::max(0, std::atoi(Str(c, "sample").c_str()));
  LDP_ASSIGN_OR_RAISE(auto checks, BuildChecks(c, rel, &out.inputs));
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  int failed = 0;
  std::string first_failure;
  for (const auto& ch : checks) {
    LDP_ASSIGN_OR_RAISE(auto n, services::RunQuery(project, *conn, fmt::format("SELECT count(*) FROM ({}) AS _c", ch.sql)));
    int64_t bad = n.result.rows.empty() ? 0 : std::stoll(n.result.rows[0][0].value_or("0"));
    if (bad == 0) {
      log << "PASS " << ch.name << "\n";
      continue;
    }
    ++failed;
    log << "FAIL " << ch.name << ": " << bad << " offending row" << (bad == 1 ? "" : "s") << "\n";
    if (first_failure.empty()) first_failure = fmt::format("{}: {} offending row{}", ch.name, bad, bad == 1 ? "" : "s");
    if (sample > 0) {
      LDP_ASSIGN_OR_RAISE(auto s, services::RunQuery(project, *conn,
                                                     fmt::format("SELECT * FROM ({}) AS _c LIMIT {}", ch.sql, sample)));
      log << "  sample:\n" << Preview(s.result, sample);
    }
  }
  if (failed > 0)
    return InvalidArgument("{} of {} checks failed; first: {}", failed, checks.size(), first_failure);
  out.message = fmt::format("{} checks passed", checks.size());
  log << out.message << "\n";
  return out;
}

// `to:` — any target of `ldp export --to`: a DuckDB file, PostgreSQL, files or folders, with a
// write disposition (append, replace, merge on `key`).
Result<TaskResult> RunExportToSink(services::Project& project, const json& c, std::ostream& log) {
  TaskResult out;
  LDP_ASSIGN_OR_RAISE(auto so, connectors::MakeSinkOptions(Str(c, "mode"), c.contains("key") ? StrList(c["key"]) : std::vector<std::string>{},
                                                           c.contains("partition_by") ? StrList(c["partition_by"]) : std::vector<std::string>{},
                                                           Str(c, "target_table"), Str(c, "format")));
  // Relative files, folders and DuckDB files are relative to the project (tasks run in it).
  std::string to = Str(c, "to");
  if (connectors::KindOfTarget(to) == connectors::SinkKind::kFile) {
    to = ProjectPath(project, to);
    // The folder the file or partition folder goes in may not exist yet.
    std::string bare = to;
    while (bare.size() > 1 && bare.back() == '/') bare.pop_back();
    std::error_code ec;
    if (std::filesystem::path(bare).has_parent_path())
      std::filesystem::create_directories(std::filesystem::path(bare).parent_path(), ec);
  }
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  std::optional<catalog::TableIdentifier> id;
  std::string sql;
  if (c.contains("table")) {
    LDP_ASSIGN_OR_RAISE(id, catalog::TableIdentifier::Parse(Str(c, "table")));
    out.inputs.push_back(id->ToString());
  } else {
    sql = ResolveRefs(Str(c, "query"), &out.inputs);
  }
  LDP_ASSIGN_OR_RAISE(auto r, services::ExportToSink(project, *conn, id, sql, to, so));
  out.message = fmt::format("{} rows to {} ({})", r.rows, r.target, connectors::WriteDispositionName(so.disposition));
  log << "export: " << out.message << "\n";
  return out;
}

Result<TaskResult> RunExport(services::Project& project, const json& c, std::ostream& log) {
  if (c.contains("to")) return RunExportToSink(project, c, log);
  TaskResult out;
  std::string path = ProjectPath(project, Str(c, "path"));
  std::string fmt_name = Str(c, "format");
  if (fmt_name.empty()) {
    std::string ext = std::filesystem::path(path).extension().string();
    fmt_name = ext.empty() ? "csv" : ext.substr(1);
  }
  LDP_ASSIGN_OR_RAISE(auto format, services::ParseFileFormat(fmt_name));
  std::error_code ec;
  if (std::filesystem::path(path).has_parent_path())
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  services::ExportResult r;
  if (c.contains("table")) {
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(Str(c, "table")));
    out.inputs.push_back(id.ToString());
    LDP_ASSIGN_OR_RAISE(r, services::ExportTable(project, *conn, id, path, format));
  } else {
    LDP_ASSIGN_OR_RAISE(r, services::ExportQuery(project, *conn, ResolveRefs(Str(c, "query"), &out.inputs), path, format));
  }
  out.message = fmt::format("{} rows to {}", r.rows, r.path);
  log << "export: " << out.message << "\n";
  return out;
}

Result<TaskResult> RunShell(services::Project& project, const json& c, double timeout, std::ostream& log) {
  ProcessSpec p;
  p.argv = {"/bin/sh", "-c", Str(c, "command")};
  if (c.contains("env") && c["env"].is_object())
    for (auto& [k, v] : c["env"].items()) p.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  p.cwd = c.contains("cwd") ? ProjectPath(project, Str(c, "cwd")) : project.root();
  p.timeout = timeout;
  log.flush();
  LDP_ASSIGN_OR_RAISE(auto r, RunProcess(p));
  TaskResult out;
  if (r.timed_out) return Timeout("timed out after {:.0f}s; its process group was killed", timeout);
  if (r.exit_code == kSkipExitCode) {
    out.skipped = true;
    out.message = "skipped (exit 99)";
    return out;
  }
  if (r.exit_code != 0) return InvalidArgument("command exited with {}", r.exit_code);
  out.message = fmt::format("exit 0 in {:.2f}s", r.seconds);
  return out;
}

Result<TaskResult> RunHttp(const json& c, double timeout, std::ostream& log) {
  std::map<std::string, std::string> headers;
  if (c.contains("headers") && c["headers"].is_object())
    for (auto& [k, v] : c["headers"].items()) headers[k] = v.is_string() ? v.get<std::string>() : v.dump();
  std::string method = Str(c, "method", c.contains("body") ? "POST" : "GET");
  // Logs, errors and run history name the URL without its credentials and query values.
  const std::string shown = RedactUrlSecrets(Str(c, "url"));
  auto sent = HttpRequest(method, Str(c, "url"), headers, Str(c, "body"), timeout);
  if (!sent.ok()) return Unavailable("{} {}: cannot connect", method, shown);
  const auto& r = *sent;
  log << method << " " << shown << " -> " << r.status << "\n" << r.body.substr(0, 4096) << "\n";
  if (r.status < 200 || r.status > 299) return Unavailable("{} {} answered {}", method, shown, r.status);
  TaskResult out;
  out.message = fmt::format("{} {} -> {}", method, shown, r.status);
  return out;
}

// A fixed-width text table of a query result (a Slack code block).
std::string TextTable(const engine::MaterializedResult& r, size_t max_rows) {
  std::vector<size_t> w(r.columns.size(), 0);
  for (size_t k = 0; k < r.columns.size(); ++k) w[k] = r.columns[k].name.size();
  for (size_t i = 0; i < r.rows.size() && i < max_rows; ++i)
    for (size_t k = 0; k < r.rows[i].size() && k < w.size(); ++k) w[k] = std::max(w[k], r.rows[i][k].value_or("NULL").size());
  auto line = [&](auto cell) {
    std::string out;
    for (size_t k = 0; k < w.size(); ++k) out += fmt::format("{}{:<{}}", k ? "  " : "", cell(k), w[k]);
    out.erase(out.find_last_not_of(' ') + 1);
    return out + "\n";
  };
  std::string out = line([&](size_t k) { return r.columns[k].name; });
  for (size_t i = 0; i < r.rows.size() && i < max_rows; ++i)
    out += line([&](size_t k) { return k < r.rows[i].size() ? r.rows[i][k].value_or("NULL") : std::string(); });
  if (r.rows.size() > max_rows) out += fmt::format("... {} more rows\n", r.rows.size() - max_rows);
  return out;
}

// A message to Slack (incoming webhook) or a generic webhook, with a query's result as a table.
Result<TaskResult> RunNotify(services::Project& project, const json& c, const pipeline::PipelineSpec& spec,
                             const std::string& run_id, const std::string& task_id, double timeout, std::ostream& log) {
  TaskResult out;
  std::string kind = Str(c, "kind", "slack"), text = Str(c, "text");
  size_t max_rows = c.contains("max_rows") ? std::stoul(Str(c, "max_rows")) : 20;
  json body;
  if (c.contains("query")) {
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
    LDP_ASSIGN_OR_RAISE(auto q, services::RunQuery(project, *conn, ResolveRefs(Str(c, "query"), &out.inputs)));
    std::string table = TextTable(q.result, max_rows);
    log << text << "\n" << table;
    if (kind == "slack") {
      body = {{"text", text + "\n```\n" + table + "```"}};
    } else {
      json cols = json::array(), rows = json::array();
      for (const auto& col : q.result.columns) cols.push_back(col.name);
      for (size_t i = 0; i < q.result.rows.size() && i < max_rows; ++i) {
        json row = json::array();
        for (const auto& v : q.result.rows[i]) row.push_back(v ? json(*v) : json(nullptr));
        rows.push_back(row);
      }
      body = {{"text", text}, {"columns", cols}, {"rows", rows}};
    }
  } else {
    log << text << "\n";
    body = {{"text", text}};
  }
  if (kind != "slack") {
    body["pipeline"] = spec.name;
    body["run_id"] = run_id;
    body["task"] = task_id;
  }
  std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
  if (c.contains("headers") && c["headers"].is_object())
    for (auto& [k, v] : c["headers"].items()) headers[k] = v.is_string() ? v.get<std::string>() : v.dump();
  std::string url = Str(c, "url");
  // The URL carries the webhook's secret: logs name its host only.
  auto r = HttpRequest("POST", url, headers, body.dump(), timeout > 0 ? timeout : 30);
  if (!r.ok()) return Unavailable("cannot reach {}", RedactUrl(url));
  log << "POST " << RedactUrl(url) << " -> " << r->status << "\n";
  if (r->status < 200 || r->status > 299) return Unavailable("{} answered {}", RedactUrl(url), r->status);
  out.message = fmt::format("{} message sent to {}", kind, RedactUrl(url));
  return out;
}

// One poke of a sensor: true when its condition holds.
Result<bool> Poke(services::Project& project, const json& c, const pipeline::DataInterval& iv, std::string& what) {
  if (c.contains("file")) {
    what = "file " + ProjectPath(project, Str(c, "file"));
    std::error_code ec;
    return std::filesystem::exists(ProjectPath(project, Str(c, "file")), ec);
  }
  if (c.contains("glob")) {
    std::string pattern = ProjectPath(project, Str(c, "glob"));
    what = "glob " + pattern;
    glob_t g{};
    int rc = glob(pattern.c_str(), 0, nullptr, &g);
    bool found = rc == 0 && g.gl_pathc > 0;
    globfree(&g);
    return found;
  }
  if (c.contains("url")) {
    what = "url " + RedactUrlSecrets(Str(c, "url"));
    auto r = HttpRequest("GET", Str(c, "url"), {}, "", 30);
    return r.ok() && r->status == 200;
  }
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(Str(c, "table")));
  what = "a snapshot of " + id.ToString() + " committed after the interval's end";
  LDP_ASSIGN_OR_RAISE(bool exists, project.catalog().TableExists(id));
  if (!exists) return false;
  LDP_ASSIGN_OR_RAISE(auto t, services::LoadTable(project, id));
  const auto* snap = t.metadata->CurrentSnapshot();
  return snap && snap->timestamp_ms >= iv.end * 1000;
}

Result<TaskResult> RunSensor(services::Project& project, const json& c, const pipeline::DataInterval& iv,
                             double timeout, std::ostream& log) {
  double poke = 30;
  if (c.contains("poke_interval")) {
    LDP_ASSIGN_OR_RAISE(poke, pipeline::ParseDuration(Str(c, "poke_interval")));
  }
  auto start = std::chrono::steady_clock::now();
  for (int n = 1;; ++n) {
    std::string what;
    LDP_ASSIGN_OR_RAISE(bool ok, Poke(project, c, iv, what));
    if (ok) {
      TaskResult out;
      out.message = fmt::format("found {} after {} poke{}", what, n, n == 1 ? "" : "s");
      log << out.message << "\n";
      return out;
    }
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log << fmt::format("poke {}: waiting for {} ({:.0f}s)\n", n, what, elapsed) << std::flush;
    if (timeout > 0 && elapsed + poke > timeout)
      return Timeout("sensor timed out after {:.0f}s waiting for {}", timeout, what);
    std::this_thread::sleep_for(std::chrono::duration<double>(poke));
  }
}

}  // namespace

std::string ResolveRefs(const std::string& sql, std::vector<std::string>* inputs) {
  static const std::regex kRef(R"(ref\(\s*['"]([A-Za-z0-9_.\-]+)['"]\s*\))");
  std::string out;
  auto begin = std::sregex_iterator(sql.begin(), sql.end(), kRef);
  size_t pos = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += sql.substr(pos, it->position() - pos);
    std::string name = (*it)[1];
    out += name;
    if (inputs && std::find(inputs->begin(), inputs->end(), name) == inputs->end()) inputs->push_back(name);
    pos = it->position() + it->length();
  }
  out += sql.substr(pos);
  return out;
}

Result<json> RenderConfig(const pipeline::PipelineSpec& spec, const pipeline::TaskSpec& task,
                          const pipeline::DataInterval& iv, const std::string& run_id) {
  auto ctx = MakeTemplateContext(spec, iv, run_id, task.id);
  auto r = RenderJson(task.config, ctx, "");
  if (!r.ok()) return r.status().WithContext(fmt::format("{}: tasks.{}", spec.file, task.id));
  return r;
}

Result<TaskResult> ExecuteTask(services::Project& project, const pipeline::PipelineSpec& spec,
                               const pipeline::TaskSpec& task, const pipeline::DataInterval& iv,
                               const std::string& run_id, std::ostream& log) {
  LDP_ASSIGN_OR_RAISE(json c, RenderConfig(spec, task, iv, run_id));
  const std::string& t = task.type;
  if (t == "ingest") return RunIngest(project, c, log);
  if (t == "sql") return RunSql(project, c, log);
  if (t == "check") return RunCheck(project, c, log);
  if (t == "export") return RunExport(project, c, log);
  if (t == "shell") return RunShell(project, c, task.policy.timeout, log);
  if (t == "http") return RunHttp(c, task.policy.timeout, log);
  if (t == "sensor") return RunSensor(project, c, iv, task.policy.timeout, log);
  if (t == "notify") return RunNotify(project, c, spec, run_id, task.id, task.policy.timeout, log);
  return InvalidArgument("unknown task type '{}'", t);
}

}  // namespace ldp::orchestrator
