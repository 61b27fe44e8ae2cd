#pragma once
// The BigQuery source (`type: bigquery`, or a `bigquery://PROJECT?query=...|table=...` URI), over
// the BigQuery REST API v2:
//   - a query: jobs.query (POST {api_base}/bigquery/v2/projects/{project}/queries, GoogleSQL,
//     formatOptions.useInt64Timestamp), then jobs.getQueryResults (GET .../queries/{jobId}) while
//     the job is not complete (with back-off, up to job_timeout_seconds) and for every pageToken;
//     a job that completes without a result schema is looked up with jobs.get for its
//     status.errorResult;
//   - a whole table: tables.get for the schema, then tabledata.list paging with pageToken.
// Every page's rows ({"f": [{"v": ...}]}) are converted by the schema into typed NDJSON records,
// staged like the REST source's, and read by DuckDB with explicit column types, so memory holds
// one page. Auth: an access token (`token:` or $LDP_BIGQUERY_TOKEN) or a service-account key
// (`credentials:` or $GOOGLE_APPLICATION_CREDENTIALS) exchanged for one (google_auth.h).
//
// Options (docs/user-guide.md, "Connectors"): project, query | table (PROJECT.DATASET.TABLE or
// DATASET.TABLE), location, credentials, token, token_uri, scope, api_base, page_size (maxResults,
// 10000), selected_fields (tables), timeout_seconds (per request, 60), poll_timeout_ms (timeoutMs,
// 10000), job_timeout_seconds (600), incremental.cursor_field, retry {max_attempts (5),
// backoff_seconds (1), max_backoff_seconds (60)}.
//
// Tested against a local server implementing the documented requests and answers, not against
// the live service (docs/adr/0020-bigquery-source.md).
//
// Thread-safety: one thread.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ldp/connectors/google_auth.h"
#include "ldp/connectors/retry.h"
#include "ldp/connectors/source.h"

namespace ldp::connectors {

/// The DuckDB type a BigQuery schema field (TableFieldSchema JSON) is staged and kept as:
/// INT64 -> BIGINT, FLOAT64 -> DOUBLE, NUMERIC -> DECIMAL(38,9) (or its declared precision/scale),
/// BIGNUMERIC -> VARCHAR (exact text; DECIMAL(p,s) when declared with p <= 38), BOOL -> BOOLEAN,
/// STRING -> VARCHAR, BYTES -> BLOB, DATE -> DATE, DATETIME -> TIMESTAMP, TIME -> TIME,
/// TIMESTAMP -> TIMESTAMPTZ, JSON/GEOGRAPHY/INTERVAL/RANGE and unknown types -> VARCHAR,
/// RECORD/STRUCT -> STRUCT(...), mode REPEATED -> a list of the element type.
Result<std::string> BigQueryDuckType(const nlohmann::json& field);

/// One row ({"f": [{"v": ...}, ...]}) as a JSON object DuckDB reads with those types. `where`
/// prefixes errors (e.g. "page 2, row 17").
Result<nlohmann::json> BigQueryRowToJson(const nlohmann::json& fields, const nlohmann::json& row,
                                         const std::string& where);

/// "YYYY-MM-DD HH:MM:SS.ffffff+00" for microseconds since the epoch.
std::string FormatTimestampMicros(int64_t micros);

class BigQuerySource final : public Source {
 public:
  static Result<std::unique_ptr<Source>> Make(const ConnectorOptions& options, const SourceContext& ctx);
  Result<Extracted> Extract(Stage& stage, const std::optional<std::string>& last_cursor) override;

 private:
  BigQuerySource(const ConnectorOptions& o, Clock* clock) : o_(o), clock_(clock ? clock : &system_clock_) {}
  // One API call with retries (429, 5xx, 403 rateLimitExceeded/backendError); the parsed JSON of a
  // 2xx answer, else an error naming `what` (e.g. "jobs.query") and the request.
  Result<nlohmann::json> Call(const std::string& what, const std::string& method, const std::string& url,
                              const std::string& body = "");
  // Converts and stages the rows of one page.
  Status StagePage(const nlohmann::json& fields, const nlohmann::json& page, int page_no, NdjsonWriter& writer);
  // Stage every row of a query / a whole table; the result schema's fields.
  Result<nlohmann::json> ExtractQuery(const std::string& sql, NdjsonWriter& writer, int64_t* pages);
  Result<nlohmann::json> ExtractTable(NdjsonWriter& writer, int64_t* pages);

  const ConnectorOptions& o_;
  SystemClock system_clock_;
  Clock* clock_;
  std::unique_ptr<TokenSource> tokens_;
  std::string api_base_, project_, query_, table_, location_, selected_fields_, cursor_;
  int64_t page_size_ = 10000, poll_timeout_ms_ = 10000;
  double timeout_ = 60, job_timeout_ = 600;
  RetryPolicy retry_;
};

}  // namespace ldp::connectors
