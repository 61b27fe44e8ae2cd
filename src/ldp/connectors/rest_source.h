#pragma once
// The REST API source (`type: rest`, or an http(s) URL with --source-config): GET pages of JSON,
// pick the records with a JSONPath-like selector, follow the configured pagination, and stage the
// records as NDJSON chunk files. Options (docs/user-guide.md, "Connectors"):
//
//   url, params, headers, records ($.data.items), timeout_seconds, max_pages
//   auth: {type: bearer, token} | {type: basic, username, password} |
//         {type: api_key, name, value, in: header|query}
//   pagination: {type: none|offset|page|cursor|next_url|link_header, page_size, limit_param,
//                offset_param, page_param, start_page, page_size_param, cursor_path, cursor_param,
//                next_url_path}
//   incremental: {cursor_field, param, initial_value}
//   nested: struct (default) | flatten, flatten_separator ("__")
//   retry: {max_attempts (5), backoff_seconds (1), max_backoff_seconds (60)}
//
// Thread-safety: one thread.

#include <memory>

#include <map>
#include <set>

#include "ldp/connectors/http_client.h"
#include "ldp/connectors/json_path.h"
#include "ldp/connectors/retry.h"
#include "ldp/connectors/source.h"

namespace ldp::connectors {

class RestSource final : public Source {
 public:
  static Result<std::unique_ptr<Source>> Make(const ConnectorOptions& options, const SourceContext& ctx);
  Result<Extracted> Extract(Stage& stage, const std::optional<std::string>& last_cursor) override;

 private:
  RestSource(const ConnectorOptions& o, Clock* clock) : o_(o), clock_(clock) {}
  // One GET with retries; the response of a 2xx, else the error naming the URL.
  Result<HttpResponse> Get(const std::string& url, int page);

  const ConnectorOptions& o_;
  Clock* clock_;
  SystemClock system_clock_;
  std::optional<JsonPath> records_;
  std::string pagination_;
  int64_t page_size_ = 100, max_pages_ = 0;
  double timeout_ = 60;
  RetryPolicy retry_;
  std::map<std::string, std::string> headers_, params_;
  bool flatten_ = false;
  std::string separator_ = "__";
};

/// Flattens nested objects into `parent<sep>child` keys (arrays stay as they are).
nlohmann::json FlattenRecord(const nlohmann::json& record, const std::string& separator);

/// The URL with rel="next" in an RFC 8288 Link header value, or "".
std::string NextLinkFromHeader(const std::string& link_header);

}  // namespace ldp::connectors
