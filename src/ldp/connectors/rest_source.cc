#include "ldp/connectors/rest_source.h"

#include <fmt/format.h>

#include <cmath>

#include "ldp/connectors/http_client.h"
#include "ldp/engine/engine.h"

namespace ldp::connectors {
namespace {

std::string WithParams(std::string url, const std::map<std::string, std::string>& params) {
  for (const auto& [k, v] : params) {
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return url;
}

// An absolute URL for a next link that may be relative to the page that gave it.
std::string Resolve(const std::string& base, const std::string& link) {
  if (link.find("://") != std::string::npos) return link;
  size_t scheme = base.find("://");
  size_t host_end = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string origin = host_end == std::string::npos ? base : base.substr(0, host_end);
  if (!link.empty() && link[0] == '/') return origin + link;
  size_t q = base.find('?');
  std::string path = base.substr(0, q);
  return path.substr(0, path.rfind('/') + 1) + link;
}

void FlattenInto(const nlohmann::json& v, const std::string& prefix, const std::string& sep, nlohmann::json& out) {
  for (const auto& [k, e] : v.items()) {
    std::string name = prefix.empty() ? k : prefix + sep + k;
    if (e.is_object() && !e.empty()) FlattenInto(e, name, sep, out);
    else out[name] = e;
  }
}

std::string ValueText(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

nlohmann::json FlattenRecord(const nlohmann::json& record, const std::string& separator) {
  if (!record.is_object()) return record;
  nlohmann::json out = nlohmann::json::object();
  FlattenInto(record, "", separator, out);
  return out;
}

std::string NextLinkFromHeader(const std::string& h) {
  // <https://a/b?page=2>; rel="next", <...>; rel="last"
  size_t pos = 0;
  while (pos < h.size()) {
    size_t lt = h.find('<', pos);
    if (lt == std::string::npos) return "";
    size_t gt = h.find('>', lt);
    if (gt == std::string::npos) return "";
    size_t end = h.find(",", gt);
    // A comma may appear inside a later URL, but never between '>' and that link's parameters.
    std::string params = h.substr(gt + 1, end == std::string::npos ? std::string::npos : end - gt - 1);
    if (params.find("rel=\"next\"") != std::string::npos || params.find("rel=next") != std::string::npos)
      return h.substr(lt + 1, gt - lt - 1);
    if (end == std::string::npos) return "";
    pos = end + 1;
  }
  return "";
}

Result<std::unique_ptr<Source>> RestSource::Make(const ConnectorOptions& o, const SourceContext& ctx) {
  std::unique_ptr<RestSource> s(new RestSource(o, ctx.clock));
  if (!s->clock_) s->clock_ = &s->system_clock_;
  std::string rec = o.Str("records");
  if (!rec.empty()) {
    LDP_ASSIGN_OR_RAISE(auto p, ParseJsonPath(rec));
    s->records_ = p;
  }
  s->pagination_ = o.Str("pagination.type", "none");
  static const std::set<std::string> kTypes = {"none", "offset", "page", "cursor", "next_url", "link_header"};
  if (!kTypes.count(s->pagination_))
    return InvalidArgument("pagination.type '{}' is not one of none, offset, page, cursor, next_url, link_header",
                           s->pagination_);
  LDP_ASSIGN_OR_RAISE(s->page_size_, o.Int("pagination.page_size", 100));
  LDP_ASSIGN_OR_RAISE(s->max_pages_, o.Int("max_pages", 0));
  LDP_ASSIGN_OR_RAISE(s->retry_, RetryPolicy::FromOptions(o));
  LDP_ASSIGN_OR_RAISE(s->timeout_, o.Double("timeout_seconds", 60));
  if (s->page_size_ <= 0) return InvalidArgument("pagination.page_size must be positive");
  s->headers_ = o.StrMap("headers");
  s->params_ = o.StrMap("params");
  std::string nested = o.Str("nested", "struct");
  if (nested != "struct" && nested != "flatten") return InvalidArgument("nested must be struct or flatten, not '{}'", nested);
  s->flatten_ = nested == "flatten";
  s->separator_ = o.Str("flatten_separator", "__");
  std::string auth = o.Str("auth.type");
  if (auth == "bearer") {
    if (o.Str("auth.token").empty()) return InvalidArgument("auth.type bearer needs auth.token");
    s->headers_["Authorization"] = "Bearer " + o.Str("auth.token");
  } else if (auth == "basic") {
    std::string basic = Base64Encode(o.Str("auth.username") + ":" + o.Str("auth.password"));
    const_cast<ConnectorOptions&>(o).AddSecret(basic);
    s->headers_["Authorization"] = "Basic " + basic;
  } else if (auth == "api_key") {
    std::string name = o.Str("auth.name"), value = o.Str("auth.value"), in = o.Str("auth.in", "header");
    if (name.empty() || value.empty()) return InvalidArgument("auth.type api_key needs auth.name and auth.value");
    if (in == "header") s->headers_[name] = value;
    else if (in == "query") s->params_[name] = value;
    else return InvalidArgument("auth.in must be header or query, not '{}'", in);
    const_cast<ConnectorOptions&>(o).AddSecret(UrlEncode(value));
  } else if (!auth.empty()) {
    return InvalidArgument("auth.type '{}' is not one of bearer, basic, api_key", auth);
  }
  return std::unique_ptr<Source>(std::move(s));
}

Result<HttpResponse> RestSource::Get(const std::string& url, int page) {
  std::string shown = o_.Redact(url);
  for (int attempt = 1;; ++attempt) {
    HttpRequestSpec req;
    req.url = url;
    req.headers = headers_;
    req.headers.emplace("Accept", "application/json");
    req.timeout_seconds = timeout_;
    auto r = HttpFetch(req);
    Status failure;
    double wait = retry_.Delay(attempt);
    if (!r.ok()) {
      failure = Unavailable("page {} ({}): {}", page, shown, o_.Redact(r.status().message()));
    } else if (r->status >= 200 && r->status < 300) {
      return r;
    } else if (r->status == 401 || r->status == 403) {
      return NotAuthorized("page {} ({}): HTTP {}: authentication refused", page, shown, r->status);
    } else if (r->status == 429 || r->status >= 500) {
      failure = Unavailable("page {} ({}): HTTP {} after {} attempt{}", page, shown, r->status, attempt,
                            attempt == 1 ? "" : "s");
      auto ra = r->headers.find("retry-after");
      if ((r->status == 429 || r->status == 503) && ra != r->headers.end()) {
        char* end = nullptr;
        double secs = std::strtod(ra->second.c_str(), &end);
        // An HTTP-date Retry-After is rare from APIs; it falls back to the back-off.
        if (end && *end == '\0' && secs >= 0) wait = std::min(secs, retry_.max_backoff_seconds * 10);
      }
    } else {
      std::string snippet = r->body.substr(0, 200);
      return InvalidArgument("page {} ({}): HTTP {}: {}", page, shown, r->status, o_.Redact(snippet));
    }
    if (attempt >= retry_.max_attempts) return failure;
    clock_->SleepFor(wait);
  }
}

Result<Extracted> RestSource::Extract(Stage& stage, const std::optional<std::string>& last_cursor) {
  Extracted out;
  NdjsonWriter writer(&stage);
  std::string cursor_field = o_.Str("incremental.cursor_field");
  out.cursor_field = cursor_field;
  auto params = params_;
  std::string start = last_cursor ? *last_cursor : o_.Str("incremental.initial_value");
  if (!o_.Str("incremental.param").empty() && !start.empty()) params[o_.Str("incremental.param")] = start;

  std::string limit_param = o_.Str("pagination.limit_param", "limit");
  std::string offset_param = o_.Str("pagination.offset_param", "offset");
  std::string page_param = o_.Str("pagination.page_param", "page");
  std::string page_size_param = o_.Str("pagination.page_size_param");
  std::string cursor_param = o_.Str("pagination.cursor_param", "cursor");
  std::optional<JsonPath> cursor_path, next_path;
  if (pagination_ == "cursor") {
    LDP_ASSIGN_OR_RAISE(cursor_path, ParseJsonPath(o_.Str("pagination.cursor_path", "$.next_cursor")));
  }
  if (pagination_ == "next_url") {
    LDP_ASSIGN_OR_RAISE(next_path, ParseJsonPath(o_.Str("pagination.next_url_path", "$.next")));
  }
  LDP_ASSIGN_OR_RAISE(int64_t page_no, o_.Int("pagination.start_page", 1));
  int64_t offset = 0;
  std::string next_url;  // next_url / link_header / cursor: where the next page is
  std::string cursor_value;
  for (int page = 1;; ++page) {
    if (max_pages_ > 0 && page > max_pages_) break;
    std::string url;
    auto p = params;
    if (pagination_ == "offset") {
      p[limit_param] = std::to_string(page_size_);
      p[offset_param] = std::to_string(offset);
    } else if (pagination_ == "page") {
      p[page_param] = std::to_string(page_no);
      if (!page_size_param.empty()) p[page_size_param] = std::to_string(page_size_);
    } else if (pagination_ == "cursor" && !cursor_value.empty()) {
      p[cursor_param] = cursor_value;
    }
    if (page > 1 && (pagination_ == "next_url" || pagination_ == "link_header")) {
      url = next_url;  // carries its own query; auth in the query is added again
      if (o_.Str("auth.type") == "api_key" && o_.Str("auth.in") == "query" &&
          url.find(UrlEncode(o_.Str("auth.name")) + "=") == std::string::npos)
        url = WithParams(url, {{o_.Str("auth.name"), o_.Str("auth.value")}});
    } else {
      url = WithParams(o_.uri(), p);
    }
    LDP_ASSIGN_OR_RAISE(auto resp, Get(url, page));
    out.pages = page;
    nlohmann::json doc = nlohmann::json::parse(resp.body, nullptr, false);
    if (doc.is_discarded()) {
      std::string why;
      try {
        (void)nlohmann::json::parse(resp.body);
      } catch (const nlohmann::json::exception& e) {
        why = e.what();
      }
      return InvalidArgument("page {} ({}): malformed JSON: {}", page, o_.Redact(url), o_.Redact(why));
    }
    const nlohmann::json* recs = &doc;
    if (records_) {
      recs = Select(doc, *records_);
      if (!recs) {
        // An empty last page may omit the records key altogether.
        if (page > 1) break;
        return InvalidArgument("page {} ({}): no records at '{}'", page, o_.Redact(url), records_->text);
      }
    }
    if (!recs->is_array())
      return InvalidArgument("page {} ({}): the records{} are not a JSON array (pass records: $.path.to.array)", page,
                             o_.Redact(url), records_ ? " at '" + records_->text + "'" : "");
    for (const auto& r : *recs) {
      if (!r.is_object())
        return InvalidArgument("page {} ({}): a record is not a JSON object: {}", page, o_.Redact(url),
                               r.dump().substr(0, 80));
      LDP_RETURN_NOT_OK(writer.Write(flatten_ ? FlattenRecord(r, separator_).dump() : r.dump()));
    }
    size_t n = recs->size();
    if (pagination_ == "none") break;
    if (pagination_ == "offset") {
      if (n == 0 || static_cast<int64_t>(n) < page_size_) break;
      offset += static_cast<int64_t>(n);
    } else if (pagination_ == "page") {
      if (n == 0 || (!page_size_param.empty() && static_cast<int64_t>(n) < page_size_)) break;
      ++page_no;
    } else if (pagination_ == "cursor") {
      const auto* c = Select(doc, *cursor_path);
      if (!c || c->is_null() || ValueText(*c).empty() || n == 0) break;
      cursor_value = ValueText(*c);
    } else if (pagination_ == "next_url") {
      const auto* nx = Select(doc, *next_path);
      if (!nx || nx->is_null() || ValueText(*nx).empty()) break;
      next_url = Resolve(url, ValueText(*nx));
    } else if (pagination_ == "link_header") {
      auto it = resp.headers.find("link");
      std::string nx = it == resp.headers.end() ? "" : NextLinkFromHeader(it->second);
      if (nx.empty()) break;
      next_url = Resolve(url, nx);
    }
  }
  LDP_RETURN_NOT_OK(writer.Close());
  out.records = writer.records();
  out.files = writer.files();
  if (out.files.empty()) return out;
  std::string list;
  for (const auto& f : out.files) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(f);
  // sample_size -1: every record takes part in type inference, so a field that first appears
  // (or widens) on a late page is typed from all its values.
  out.relation_sql = fmt::format(
      "read_json([{}], format = 'newline_delimited', union_by_name = true, sample_size = -1)", list);
  if (!cursor_field.empty() && last_cursor)
    out.relation_sql = fmt::format("(SELECT * FROM {} WHERE {} > {})", out.relation_sql,
                                   engine::QuoteIdent(cursor_field), engine::QuoteLiteral(*last_cursor));
  return out;
}

}  // namespace ldp::connectors
