#include "ldp/connectors/bigquery_source.h"

#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "ldp/connectors/http_client.h"
#include "ldp/core/base64.h"
#include "ldp/engine/engine.h"

namespace ldp::connectors {
namespace {

using nlohmann::json;

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string TypeOf(const json& field) { return Upper(field.value("type", "STRING")); }
bool IsRepeated(const json& field) { return Upper(field.value("mode", "NULLABLE")) == "REPEATED"; }
bool IsRecord(const std::string& t) { return t == "RECORD" || t == "STRUCT"; }
const json& SubFields(const json& field) {
  static const json kNone = json::array();
  auto it = field.find("fields");
  return it != field.end() && it->is_array() ? *it : kNone;
}

// "precision"/"scale" of a parameterised NUMERIC/BIGNUMERIC: strings in the API (int64 as
// string), numbers tolerated.
int64_t IntAttr(const json& field, const char* key, int64_t def) {
  auto it = field.find(key);
  if (it == field.end() || it->is_null()) return def;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    char* end = nullptr;
    long long v = std::strtoll(it->get<std::string>().c_str(), &end, 10);
    if (end && *end == '\0') return v;
  }
  return def;
}

bool HasBytes(const json& field) {
  std::string t = TypeOf(field);
  if (t == "BYTES") return true;
  if (IsRecord(t))
    for (const auto& f : SubFields(field))
      if (HasBytes(f)) return true;
  return false;
}

Result<std::string> FieldType(const json& field, bool staged);

// The type of one (non-repeated) value. `staged`: BYTES travel as base64 text (JSON has no
// bytes) and become BLOB in the final select.
Result<std::string> ScalarType(const json& field, bool staged) {
  std::string t = TypeOf(field);
  if (t == "INTEGER" || t == "INT64") return std::string("BIGINT");
  if (t == "FLOAT" || t == "FLOAT64") return std::string("DOUBLE");
  if (t == "BOOLEAN" || t == "BOOL") return std::string("BOOLEAN");
  if (t == "NUMERIC" || t == "DECIMAL") {
    int64_t p = IntAttr(field, "precision", 0);
    if (p == 0) return std::string("DECIMAL(38,9)");
    int64_t s = IntAttr(field, "scale", 0);
    if (p > 38 || s > p) return std::string("DECIMAL(38,9)");
    return fmt::format("DECIMAL({},{})", p, s);
  }
  if (t == "BIGNUMERIC" || t == "BIGDECIMAL") {
    // 76 digits do not fit DuckDB's or Iceberg's 38: kept exactly, as text, unless declared narrow.
    int64_t p = IntAttr(field, "precision", 0), s = IntAttr(field, "scale", 0);
    if (p >= 1 && p <= 38 && s <= p) return fmt::format("DECIMAL({},{})", p, s);
    return std::string("VARCHAR");
  }
  if (t == "BYTES") return std::string(staged ? "VARCHAR" : "BLOB");
  if (t == "DATE") return std::string("DATE");
  if (t == "DATETIME") return std::string("TIMESTAMP");
  if (t == "TIME") return std::string("TIME");
  if (t == "TIMESTAMP") return std::string("TIMESTAMPTZ");
  if (IsRecord(t)) {
    std::string inner;
    for (const auto& f : SubFields(field)) {
      LDP_ASSIGN_OR_RAISE(auto ft, FieldType(f, staged));
      inner += fmt::format("{}{} {}", inner.empty() ? "" : ", ", engine::QuoteIdent(f.value("name", "")), ft);
    }
    if (inner.empty()) return InvalidArgument("RECORD field '{}' has no fields", field.value("name", ""));
    return "STRUCT(" + inner + ")";
  }
  // STRING, JSON (its text), GEOGRAPHY (WKT), INTERVAL, RANGE and anything newer: text.
  return std::string("VARCHAR");
}

Result<std::string> FieldType(const json& field, bool staged) {
  LDP_ASSIGN_OR_RAISE(auto t, ScalarType(field, staged));
  return IsRepeated(field) ? t + "[]" : t;
}

// The expression turning a staged value `e` into its final form (only BYTES change).
std::string FinalExpr(const json& field, const std::string& e, int depth) {
  if (!HasBytes(field)) return e;
  std::string var = fmt::format("x{}", depth);
  auto scalar = [&](const std::string& v) -> std::string {
    if (TypeOf(field) == "BYTES") return fmt::format("from_base64({})", v);
    std::string parts;
    for (const auto& f : SubFields(field)) {
      std::string name = engine::QuoteIdent(f.value("name", ""));
      parts += fmt::format("{}{} := {}", parts.empty() ? "" : ", ", name, FinalExpr(f, v + "." + name, depth + 1));
    }
    return fmt::format("CASE WHEN {0} IS NULL THEN NULL ELSE struct_pack({1}) END", v, parts);
  };
  if (IsRepeated(field)) return fmt::format("list_transform({}, {} -> {})", e, var, scalar(var));
  return scalar(e);
}

Result<json> Value(const json& field, const json& v, const std::string& where, const std::string& path);

Result<json> Scalar(const json& field, const json& v, const std::string& where, const std::string& path) {
  if (v.is_null()) return json();
  std::string t = TypeOf(field);
  auto bad = [&](const char*) {
    return InvalidArgument("{}, field {}: {} is not a valid {}", where, path, v.dump().substr(0, 80), t);
  };
  if (IsRecord(t)) {
    // {"f": [{"v": ...}, ...]} in the schema's order.
    if (!v.is_object() || !v.contains("f") || !v["f"].is_array()) return bad("a");
    const json& sub = SubFields(field);
    const json& f = v["f"];
    if (f.size() != sub.size()) return InvalidArgument("{}, field {}: {} values for {} fields", where, path, f.size(), sub.size());
    json obj = json::object();
    for (size_t i = 0; i < sub.size(); ++i) {
      std::string name = sub[i].value("name", "");
      const json& cell = f[i].is_object() && f[i].contains("v") ? f[i]["v"] : f[i];
      LDP_ASSIGN_OR_RAISE(obj[name], Value(sub[i], cell, where, path + "." + name));
    }
    return obj;
  }
  if (!v.is_string()) {
    // The API sends every scalar as a string; tolerate JSON numbers and booleans.
    if (v.is_number() || v.is_boolean()) return v;
    return bad("a");
  }
  const std::string& s = v.get_ref<const std::string&>();
  if (t == "BOOLEAN" || t == "BOOL") {
    if (s == "true" || s == "TRUE") return json(true);
    if (s == "false" || s == "FALSE") return json(false);
    return bad("a");
  }
  if (t == "TIMESTAMP") {
    // useInt64Timestamp: microseconds since the epoch as an int64 string; without it, seconds as
    // a float string ("1.727654400123456E9").
    char* end = nullptr;
    long long micros = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return json(FormatTimestampMicros(micros));
    double secs = std::strtod(s.c_str(), &end);
    if (!s.empty() && end && *end == '\0' && std::isfinite(secs))
      return json(FormatTimestampMicros(static_cast<int64_t>(std::llround(secs * 1e6))));
    return bad("a");
  }
  if (t == "FLOAT" || t == "FLOAT64") {
    // JSON has no NaN or infinities: DuckDB casts these spellings itself.
    if (s == "NaN") return json("nan");
    if (s == "Infinity") return json("inf");
    if (s == "-Infinity") return json("-inf");
    char* end = nullptr;
    (void)std::strtod(s.c_str(), &end);
    if (s.empty() || !end || *end != '\0') return bad("");
    return v;
  }
  if (t == "BYTES") {
    auto b = Base64Decode(s);  // validated here so that a bad value names its row
    if (!b.ok()) return bad("base64 for");
    return v;
  }
  if (t == "INTEGER" || t == "INT64") {
    // Checked here so that a bad value names its row; the text goes on as is (exact) and DuckDB
    // casts it to the declared type.
    char* end = nullptr;
    errno = 0;
    (void)std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || !end || *end != '\0' || errno == ERANGE) return bad("");
  }
  // NUMERIC/BIGNUMERIC stay strings (exact), like the rest.
  return v;
}

Result<json> Value(const json& field, const json& v, const std::string& where, const std::string& path) {
  if (!IsRepeated(field)) return Scalar(field, v, where, path);
  json arr = json::array();
  if (v.is_null()) return arr;  // an empty REPEATED field
  if (!v.is_array()) return InvalidArgument("{}, field {}: a REPEATED value is not an array", where, path);
  for (const auto& e : v) {
    const json& cell = e.is_object() && e.contains("v") ? e["v"] : e;
    LDP_ASSIGN_OR_RAISE(auto x, Scalar(field, cell, where, path));
    arr.push_back(std::move(x));
  }
  return arr;
}

std::map<std::string, std::string> UriParams(const std::string& uri, std::string* host) {
  std::map<std::string, std::string> out;
  std::string rest = uri.substr(std::string("bigquery://").size());
  size_t q = rest.find('?');
  *host = rest.substr(0, std::min(q, rest.find('/')));
  if (q == std::string::npos) return out;
  std::string qs = rest.substr(q + 1);
  size_t start = 0;
  while (start <= qs.size()) {
    size_t amp = qs.find('&', start);
    std::string kv = qs.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1), dec;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
        dec += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        dec += v[i] == '+' ? ' ' : v[i];
      }
    }
    if (!k.empty()) out[k] = dec;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

// A GoogleSQL literal for a saved cursor value: numbers as they are, anything else quoted (a
// string literal coerces to DATE/DATETIME/TIMESTAMP in a comparison).
std::string CursorLiteral(const std::string& v) {
  char* end = nullptr;
  (void)std::strtod(v.c_str(), &end);
  if (!v.empty() && end && *end == '\0' && v.find_first_of("xXnN") == std::string::npos) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string OneLine(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

std::string FormatTimestampMicros(int64_t micros) {
  using namespace std::chrono;
  sys_time<microseconds> tp{microseconds(micros)};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> tod{tp - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
}

Result<std::string> BigQueryDuckType(const json& field) { return FieldType(field, false); }

Result<json> BigQueryRowToJson(const json& fields, const json& row, const std::string& where) {
  if (!row.is_object() || !row.contains("f") || !row["f"].is_array())
    return InvalidArgument("{}: a row is not {{\"f\": [...]}}", where);
  const json& f = row["f"];
  if (f.size() != fields.size())
    return InvalidArgument("{}: {} values for {} schema fields", where, f.size(), fields.size());
  json out = json::object();
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string name = fields[i].value("name", "");
    const json& cell = f[i].is_object() && f[i].contains("v") ? f[i]["v"] : f[i];
    LDP_ASSIGN_OR_RAISE(out[name], Value(fields[i], cell, where, name));
  }
  return out;
}

Result<std::unique_ptr<Source>> BigQuerySource::Make(const ConnectorOptions& o, const SourceContext& ctx) {
  std::unique_ptr<BigQuerySource> s(new BigQuerySource(o, ctx.clock));
  std::string host;
  auto params = o.uri().rfind("bigquery://", 0) == 0 ? UriParams(o.uri(), &host) : std::map<std::string, std::string>{};
  auto opt = [&](const std::string& key) { return o.Str(key, params[key]); };
  s->query_ = opt("query");
  s->table_ = opt("table");
  s->location_ = opt("location");
  s->api_base_ = o.Str("api_base", "https://bigquery.googleapis.com");
  while (!s->api_base_.empty() && s->api_base_.back() == '/') s->api_base_.pop_back();
  s->cursor_ = o.Str("incremental.cursor_field", opt("cursor"));
  if (o.Has("selected_fields")) {
    const auto& sf = o.config()["selected_fields"];
    if (sf.is_array()) {
      for (const auto& f : sf) s->selected_fields_ += (s->selected_fields_.empty() ? "" : ",") + (f.is_string() ? f.get<std::string>() : f.dump());
    } else {
      s->selected_fields_ = o.Str("selected_fields");
    }
  }
  LDP_ASSIGN_OR_RAISE(s->page_size_, o.Int("page_size", 10000));
  LDP_ASSIGN_OR_RAISE(s->poll_timeout_ms_, o.Int("poll_timeout_ms", 10000));
  LDP_ASSIGN_OR_RAISE(s->timeout_, o.Double("timeout_seconds", 60));
  LDP_ASSIGN_OR_RAISE(s->job_timeout_, o.Double("job_timeout_seconds", 600));
  LDP_ASSIGN_OR_RAISE(s->retry_, RetryPolicy::FromOptions(o));
  if (s->query_.empty() == s->table_.empty())
    return InvalidArgument("source {}: give either a query (query: or ?query=) or a table (PROJECT.DATASET.TABLE), "
                           "not both", o.Describe());
  if (s->page_size_ < 1) return InvalidArgument("source {}: page_size must be at least 1", o.Describe());

  // Credentials: an access token as is, else a service-account key; the config before the
  // environment.
  std::string token = o.Str("token", o.Str("auth.token"));
  std::string credentials = opt("credentials");
  if (token.empty() && credentials.empty()) {
    if (const char* t = std::getenv("LDP_BIGQUERY_TOKEN"); t && *t) token = t;
    else if (const char* c = std::getenv("GOOGLE_APPLICATION_CREDENTIALS"); c && *c) credentials = c;
  }
  auto& mutable_o = const_cast<ConnectorOptions&>(o);
  std::string key_project;
  if (!token.empty()) {
    mutable_o.AddSecret(token);
    s->tokens_ = TokenSource::Fixed(token);
  } else if (!credentials.empty()) {
    auto key = LoadServiceAccountKey(credentials);
    if (!key.ok()) return key.status().WithContext(fmt::format("source {}", o.Describe()));
    mutable_o.AddSecret(key->private_key);
    key_project = key->project_id;
    s->tokens_ = TokenSource::FromKey(std::move(*key), o.Str("scope", "https://www.googleapis.com/auth/bigquery.readonly"),
                                      o.Str("token_uri"), s->clock_, s->timeout_);
  } else {
    return NotAuthorized("source {}: no BigQuery credentials: give credentials: KEY.json (or set "
                         "GOOGLE_APPLICATION_CREDENTIALS) or token: (or set LDP_BIGQUERY_TOKEN, e.g. from `gcloud auth "
                         "print-access-token`)", o.Describe());
  }
  s->project_ = o.Str("project", host.empty() ? key_project : host);
  if (s->project_.empty())
    return InvalidArgument("source {}: no project to run the query in: give project: (or bigquery://PROJECT)", o.Describe());
  return std::unique_ptr<Source>(std::move(s));
}

Result<json> BigQuerySource::Call(const std::string& what, const std::string& method, const std::string& url,
                                  const std::string& body) {
  std::string shown = o_.Redact(url.substr(0, url.find('?')));
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    auto token = tokens_->Get();
    if (!token.ok()) return o_.Redact(token.status());
    const_cast<ConnectorOptions&>(o_).AddSecret(*token);
    HttpRequestSpec req;
    req.method = method;
    req.url = url;
    req.body = body;
    req.headers["Authorization"] = "Bearer " + *token;
    req.headers["Accept"] = "application/json";
    if (!body.empty()) req.headers["Content-Type"] = "application/json";
    req.timeout_seconds = timeout_;
    auto r = HttpFetch(req);
    Status failure;
    if (!r.ok()) {
      failure = Unavailable("{} ({} {}): {} after {} attempt{}", what, method, shown, o_.Redact(r.status().message()),
                            attempt, attempt == 1 ? "" : "s");
    } else if (r->status >= 200 && r->status < 300) {
      json j = json::parse(r->body, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        return InvalidArgument("{} ({} {}): the answer is not a JSON object", what, method, shown);
      return j;
    } else {
      // Google's error body: {"error": {"code", "message", "status", "errors": [{"reason", ...}]}}.
      json j = json::parse(r->body, nullptr, false);
      std::string reason, status, message;
      if (j.is_object() && j.contains("error") && j["error"].is_object()) {
        const json& e = j["error"];
        message = e.value("message", "");
        status = e.value("status", "");
        if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty() && e["errors"][0].is_object())
          reason = e["errors"][0].value("reason", "");
      } else {
        message = r->body.substr(0, 200);
      }
      std::string detail = OneLine(o_.Redact(fmt::format("HTTP {}{}{}: {}", r->status, status.empty() ? "" : " " + status,
                                                         reason.empty() ? "" : " " + reason, message)));
      bool retry_403 = r->status == 403 && (reason == "rateLimitExceeded" || reason == "backendError");
      if (r->status == 429 || r->status >= 500 || retry_403) {
        failure = Unavailable("{} ({} {}): {} after {} attempt{}", what, method, shown, detail, attempt,
                              attempt == 1 ? "" : "s");
      } else if (r->status == 401) {
        // An expired token: exchange a fresh one once (a fixed token cannot be refreshed).
        if (!refreshed) {
          refreshed = true;
          tokens_->Invalidate();
          if (tokens_->exchanges() > 0) continue;
        }
        return NotAuthorized("{} ({} {}): authentication refused: {}", what, method, shown, detail);
      } else if (r->status == 403) {
        return NotAuthorized("{} ({} {}): access denied: {}", what, method, shown, detail);
      } else if (r->status == 404) {
        return NotFound("{} ({} {}): not found: {}", what, method, shown, detail);
      } else {
        return InvalidArgument("{} ({} {}): {}", what, method, shown, detail);
      }
    }
    if (attempt >= retry_.max_attempts) return failure;
    clock_->SleepFor(retry_.Delay(attempt));
  }
}

Status BigQuerySource::StagePage(const json& fields, const json& page, int page_no, NdjsonWriter& writer) {
  auto it = page.find("rows");
  if (it == page.end() || it->is_null()) return Status::OK();
  if (!it->is_array()) return InvalidArgument("page {}: 'rows' is not an array", page_no);
  int64_t i = 0;
  for (const auto& row : *it) {
    LDP_ASSIGN_OR_RAISE(auto rec, BigQueryRowToJson(fields, row, fmt::format("page {}, row {}", page_no, ++i)));
    LDP_RETURN_NOT_OK(writer.Write(rec.dump(-1, ' ', false, json::error_handler_t::replace)));
  }
  return Status::OK();
}

Result<json> BigQuerySource::ExtractQuery(const std::string& sql, NdjsonWriter& writer, int64_t* pages) {
  std::string base = fmt::format("{}/bigquery/v2/projects/{}", api_base_, UrlEncode(project_));
  json body{{"query", sql},
            {"useLegacySql", false},
            {"maxResults", page_size_},
            {"timeoutMs", poll_timeout_ms_},
            {"formatOptions", {{"useInt64Timestamp", true}}}};
  if (!location_.empty()) body["location"] = location_;
  LDP_ASSIGN_OR_RAISE(json resp, Call("jobs.query", "POST", base + "/queries", body.dump()));
  const json& ref = resp.contains("jobReference") && resp["jobReference"].is_object() ? resp["jobReference"] : json::object();
  std::string job_id = ref.value("jobId", ""), job_project = ref.value("projectId", project_);
  std::string location = ref.value("location", location_);
  auto results_url = [&](const std::string& page_token) {
    std::string u = fmt::format("{}/bigquery/v2/projects/{}/queries/{}?maxResults={}&timeoutMs={}&formatOptions.useInt64Timestamp=true",
                                api_base_, UrlEncode(job_project), UrlEncode(job_id), page_size_, poll_timeout_ms_);
    if (!location.empty()) u += "&location=" + UrlEncode(location);
    if (!page_token.empty()) u += "&pageToken=" + UrlEncode(page_token);
    return u;
  };
  std::string job_shown = location.empty() ? job_id : location + "." + job_id;
  // Not complete within timeoutMs: poll getQueryResults (which itself waits up to timeoutMs)
  // with a growing pause, up to job_timeout_seconds.
  double deadline = clock_->Now() + job_timeout_;
  for (int poll = 0; !resp.value("jobComplete", true); ++poll) {
    if (job_id.empty()) return InvalidArgument("jobs.query: the job is not complete and the answer has no jobReference");
    if (clock_->Now() >= deadline)
      return Timeout("query job {} did not complete within {} s (job_timeout_seconds)", job_shown, job_timeout_);
    clock_->SleepFor(std::min(10.0, retry_.Delay(poll + 1)));
    LDP_ASSIGN_OR_RAISE(resp, Call("jobs.getQueryResults", "GET", results_url("")));
  }
  if (!resp.contains("schema") || !resp["schema"].is_object()) {
    // The schema is "present only when the query completes successfully": ask the job why.
    if (!job_id.empty()) {
      std::string u = fmt::format("{}/bigquery/v2/projects/{}/jobs/{}", api_base_, UrlEncode(job_project), UrlEncode(job_id));
      if (!location.empty()) u += "?location=" + UrlEncode(location);
      LDP_ASSIGN_OR_RAISE(json job, Call("jobs.get", "GET", u));
      if (job.contains("status") && job["status"].is_object() && job["status"].contains("errorResult")) {
        const json& er = job["status"]["errorResult"];
        return InvalidArgument("query job {} failed: {}{}", job_shown,
                               er.value("reason", "").empty() ? "" : er.value("reason", "") + ": ",
                               OneLine(o_.Redact(er.value("message", ""))));
      }
    }
    return InvalidArgument("query job {} returned no result schema (is it a SELECT?)", job_shown);
  }
  const json fields = resp["schema"].value("fields", json::array());
  if (!fields.is_array() || fields.empty()) return InvalidArgument("query job {}: the result has no columns", job_shown);
  int page = 1;
  LDP_RETURN_NOT_OK(StagePage(fields, resp, page, writer));
  for (std::string token = resp.value("pageToken", ""); !token.empty(); token = resp.value("pageToken", "")) {
    ++page;
    auto next = Call(fmt::format("jobs.getQueryResults page {}", page), "GET", results_url(token));
    if (!next.ok()) return next.status();
    resp = std::move(*next);
    LDP_RETURN_NOT_OK(StagePage(fields, resp, page, writer));
  }
  *pages = page;
  return fields;
}

Result<json> BigQuerySource::ExtractTable(NdjsonWriter& writer, int64_t* pages) {
  // PROJECT.DATASET.TABLE (the project may itself hold dots or a "domain:" prefix) or DATASET.TABLE.
  size_t last = table_.rfind('.');
  size_t mid = last == std::string::npos ? std::string::npos : table_.rfind('.', last - 1);
  if (last == std::string::npos || last == 0)
    return InvalidArgument("source {}: table '{}' is not DATASET.TABLE or PROJECT.DATASET.TABLE", o_.Describe(), table_);
  std::string project = mid == std::string::npos ? project_ : table_.substr(0, mid);
  std::string dataset = table_.substr(mid == std::string::npos ? 0 : mid + 1, last - (mid == std::string::npos ? 0 : mid + 1));
  std::string table = table_.substr(last + 1);
  std::string base = fmt::format("{}/bigquery/v2/projects/{}/datasets/{}/tables/{}", api_base_, UrlEncode(project),
                                 UrlEncode(dataset), UrlEncode(table));
  std::string sel = selected_fields_.empty() ? "" : "selectedFields=" + UrlEncode(selected_fields_);
  LDP_ASSIGN_OR_RAISE(json meta, Call("tables.get", "GET", base + (sel.empty() ? "" : "?" + sel)));
  if (!meta.contains("schema") || !meta["schema"].is_object() || !meta["schema"].contains("fields"))
    return InvalidArgument("tables.get {}: the table has no schema", table_);
  const json fields = meta["schema"]["fields"];
  int page = 0;
  std::string token;
  do {
    ++page;
    std::string u = fmt::format("{}/data?maxResults={}&formatOptions.useInt64Timestamp=true", base, page_size_);
    if (!sel.empty()) u += "&" + sel;
    if (!token.empty()) u += "&pageToken=" + UrlEncode(token);
    LDP_ASSIGN_OR_RAISE(json resp, Call(fmt::format("tabledata.list page {}", page), "GET", u));
    LDP_RETURN_NOT_OK(StagePage(fields, resp, page, writer));
    token = resp.value("pageToken", "");
  } while (!token.empty());
  *pages = page;
  return fields;
}

Result<Extracted> BigQuerySource::Extract(Stage& stage, const std::optional<std::string>& last_cursor) {
  NdjsonWriter writer(&stage);
  Result<json> r = Internal("not run");
  int64_t pages = 0;
  if (!cursor_.empty() && last_cursor) {
    // Incremental: only rows after the saved cursor; a table is read through a query then.
    std::string from = query_.empty() ? fmt::format("`{}`", table_) : "(" + query_ + ")";
    std::string cols = query_.empty() && !selected_fields_.empty() ? selected_fields_ : "*";
    std::string sql = fmt::format("SELECT {} FROM {} WHERE `{}` > {}", cols, from, cursor_, CursorLiteral(*last_cursor));
    r = ExtractQuery(sql, writer, &pages);
  } else if (!query_.empty()) {
    r = ExtractQuery(query_, writer, &pages);
  } else {
    r = ExtractTable(writer, &pages);
  }
  if (!r.ok()) return o_.Redact(r.status());
  LDP_RETURN_NOT_OK(writer.Close());
  Extracted out;
  out.pages = pages;
  out.records = writer.records();
  out.files = writer.files();
  out.cursor_field = cursor_;
  const json& fields = *r;
  std::string columns, select;
  bool cursor_found = cursor_.empty();
  for (const auto& f : fields) {
    std::string name = f.value("name", "");
    LDP_ASSIGN_OR_RAISE(auto staged, FieldType(f, true));
    columns += fmt::format("{}{}: {}", columns.empty() ? "" : ", ", engine::QuoteLiteral(name), engine::QuoteLiteral(staged));
    std::string q = engine::QuoteIdent(name);
    std::string e = FinalExpr(f, q, 1);
    select += (select.empty() ? "" : ", ") + (e == q ? q : e + " AS " + q);
    cursor_found = cursor_found || name == cursor_;
  }
  if (!cursor_found)
    return InvalidArgument("source {}: cursor field '{}' is not a column of the result", o_.Describe(), cursor_);
  if (out.files.empty()) return out;
  std::string list;
  for (const auto& f : out.files) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(f);
  out.relation_sql = fmt::format(
      "(SELECT {} FROM read_json([{}], format = 'newline_delimited', columns = {{{}}}))", select, list, columns);
  return out;
}

}  // namespace ldp::connectors
