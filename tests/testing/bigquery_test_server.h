#pragma once
// A local stand-in for the BigQuery REST API v2 and Google's OAuth2 token endpoint, for the
// BigQuery source tests (cpp-httplib in the test process). It implements the documented request
// and response shapes only as far as the source uses them; it is not an emulator:
//
//   POST /token                        JWT bearer grant: the assertion's RS256 signature is checked
//                                      with the public half of a key generated for the test run
//   POST /bigquery/v2/projects/P/queries          jobs.query (QueryRequest -> QueryResponse)
//   GET  /bigquery/v2/projects/P/queries/JOB      jobs.getQueryResults (pageToken, location)
//   GET  /bigquery/v2/projects/P/jobs/JOB         jobs.get (status.errorResult)
//   GET  /bigquery/v2/projects/P/datasets/D/tables/T       tables.get (schema)
//   GET  /bigquery/v2/projects/P/datasets/D/tables/T/data  tabledata.list (pageToken, selectedFields)
//
// The query text picks the behaviour: "all_types" (every type of the mapping, kRows rows, not
// complete on jobs.query nor on the first getQueryResults), "crypto_near_mainnet_us.transactions"
// (the seed use case, 5 rows), "invalid_syntax" (400 invalidQuery), "forbidden" (403
// accessDenied), "missing_table" (404 notFound), "flaky" (500 backendError once, then all_types),
// "job_fails" (completes without a schema; jobs.get has status.errorResult), "never_done" (never
// completes), "page_fails" (all_types whose page 2 always answers 500), "bad_value" (an INT64
// that is not a number). "`id` > N" in an all_types query filters the rows.
//
// Thread-safety: requests are served on httplib's threads; state is guarded by a mutex.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace ldp::testing {

/// An RSA key made for one test run: no private key is committed to the repository.
struct TestRsaKey {
  std::string private_pem;
  EVP_PKEY* pkey = nullptr;
  TestRsaKey() {
    pkey = EVP_RSA_gen(2048);
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    private_pem.assign(data, static_cast<size_t>(n));
    BIO_free(b);
  }
  ~TestRsaKey() { EVP_PKEY_free(pkey); }
  TestRsaKey(const TestRsaKey&) = delete;
  TestRsaKey& operator=(const TestRsaKey&) = delete;

  bool Verify(const std::string& data, const std::string& sig) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }
};

/// base64url without padding -> bytes (test helper).
inline std::string Base64UrlDecode(std::string s) {
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out(s.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return "";
  size_t pad = s.size() >= 2 && s[s.size() - 1] == '=' ? (s[s.size() - 2] == '=' ? 2 : 1) : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

inline std::string Base64Std(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

class BigQueryTestServer {
 public:
  static constexpr int kRows = 25;
  static constexpr const char* kEmail = "ldp-test@ldp-test-project.iam.gserviceaccount.com";
  static constexpr const char* kFixedToken = "ya29.fixed-test-token-0123456789";
  static constexpr int64_t kBaseMicros = 1727699696123456;  // 2024-09-30 12:34:56.123456 UTC

  using json = nlohmann::json;

  BigQueryTestServer() {
    using httplib::Request;
    using httplib::Response;
    s_.Post("/token", [this](const Request& req, Response& res) { Token(req, res); });
    s_.Post(R"(/bigquery/v2/projects/([^/]+)/queries)", [this](const Request& req, Response& res) {
      if (!Authorized(req, res)) return;
      Query(req, res);
    });
    s_.Get(R"(/bigquery/v2/projects/([^/]+)/queries/([^/]+))", [this](const Request& req, Response& res) {
      if (!Authorized(req, res)) return;
      Results(req, res);
    });
    s_.Get(R"(/bigquery/v2/projects/([^/]+)/jobs/([^/]+))", [this](const Request& req, Response& res) {
      if (!Authorized(req, res)) return;
      std::string job = req.matches[2];
      if (job != "job_job_fails") return Error(res, 404, "NOT_FOUND", "notFound", "Not found: Job " + job);
      Json(res, {{"kind", "bigquery#job"},
                 {"jobReference", {{"projectId", std::string(req.matches[1])}, {"jobId", job}, {"location", "US"}}},
                 {"status",
                  {{"state", "DONE"},
                   {"errorResult", {{"reason", "invalidQuery"}, {"location", "query"},
                                    {"message", "Query error: division by zero: 1 / 0 at [1:8]"}}},
                   {"errors", json::array({{{"reason", "invalidQuery"}, {"message", "Query error: division by zero: 1 / 0 at [1:8]"}}})}}}});
    });
    s_.Get(R"(/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)/data)", [this](const Request& req, Response& res) {
      if (!Authorized(req, res)) return;
      if (std::string(req.matches[3]) != "all_types")
        return Error(res, 404, "NOT_FOUND", "notFound", "Not found: Table " + std::string(req.matches[3]));
      {
        std::lock_guard<std::mutex> l(mu_);
        tabledata_requests_.push_back(req.target);
      }
      int size = req.has_param("maxResults") ? std::stoi(req.get_param_value("maxResults")) : 100;
      int start = req.has_param("pageToken") ? std::stoi(req.get_param_value("pageToken").substr(4)) : 0;
      auto sel = Selected(req);
      json rows = json::array();
      for (int i = start; i < std::min(kRows, start + size); ++i) rows.push_back(Select(Row(i + 1), sel));
      json out{{"kind", "bigquery#tableDataList"}, {"etag", "e1"}, {"totalRows", std::to_string(kRows)}, {"rows", rows}};
      if (start + size < kRows) out["pageToken"] = "tok-" + std::to_string(start + size);
      Json(res, out);
    });
    s_.Get(R"(/bigquery/v2/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+))", [this](const Request& req, Response& res) {
      if (!Authorized(req, res)) return;
      if (std::string(req.matches[3]) != "all_types")
        return Error(res, 404, "NOT_FOUND", "notFound",
                     "Not found: Table " + std::string(req.matches[1]) + ":" + std::string(req.matches[2]) + "." +
                         std::string(req.matches[3]));
      auto sel = Selected(req);
      json fields = json::array();
      for (const auto& f : AllTypesSchema())
        if (sel.empty() || sel.count(f["name"].get<std::string>())) fields.push_back(f);
      Json(res, {{"kind", "bigquery#table"},
                 {"tableReference", {{"projectId", std::string(req.matches[1])}, {"datasetId", std::string(req.matches[2])}, {"tableId", "all_types"}}},
                 {"schema", {{"fields", fields}}},
                 {"numRows", std::to_string(kRows)}});
    });
    port_ = s_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { s_.listen_after_bind(); });
    while (!s_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~BigQueryTestServer() {
    s_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string TokenUri() const { return Base() + "/token"; }
  const TestRsaKey& key() const { return key_; }

  /// A service-account key file for this server's key (or another key's PEM), written to `path`.
  void WriteKeyFile(const std::string& path, const std::string& pem = "") const {
    json k{{"type", "service_account"},
           {"project_id", "ldp-test-project"},
           {"private_key_id", "test-key-1"},
           {"private_key", pem.empty() ? key_.private_pem : pem},
           {"client_email", kEmail},
           {"client_id", "1234567890"},
           {"auth_uri", "https://accounts.google.com/o/oauth2/auth"},
           {"token_uri", TokenUri()}};
    std::ofstream(path) << k.dump(2);
  }

  struct Seen {
    std::vector<json> query_bodies;           ///< every jobs.query request body
    std::vector<std::string> results_targets;  ///< every getQueryResults path + query
    std::vector<json> jwt_headers, jwt_claims;
    int token_requests = 0, rejected_tokens = 0;
  };
  Seen seen() const {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }
  std::vector<std::string> tabledata_requests() const {
    std::lock_guard<std::mutex> l(mu_);
    return tabledata_requests_;
  }
  /// Tokens the server accepts (issued ones and kFixedToken).
  std::set<std::string> tokens() const {
    std::lock_guard<std::mutex> l(mu_);
    return tokens_;
  }

  static json Field(const std::string& name, const std::string& type, const std::string& mode = "NULLABLE",
                    json fields = nullptr) {
    json f{{"name", name}, {"type", type}, {"mode", mode}};
    if (!fields.is_null()) f["fields"] = std::move(fields);
    return f;
  }

  static json AllTypesSchema() {
    return json::array({
        Field("id", "INTEGER", "REQUIRED"), Field("i64", "INT64"), Field("num", "NUMERIC"), Field("bignum", "BIGNUMERIC"),
        Field("f", "FLOAT"), Field("f64", "FLOAT64"), Field("b", "BOOLEAN"), Field("bl", "BOOL"), Field("s", "STRING"),
        Field("by", "BYTES"), Field("d", "DATE"), Field("dt", "DATETIME"), Field("t", "TIME"), Field("ts", "TIMESTAMP"),
        Field("j", "JSON"), Field("g", "GEOGRAPHY"), Field("tags", "STRING", "REPEATED"),
        Field("rec", "RECORD", "NULLABLE",
              json::array({Field("name", "STRING"), Field("score", "FLOAT64"), Field("raw", "BYTES")})),
        Field("items", "RECORD", "REPEATED",
              json::array({Field("sku", "STRING"), Field("qty", "INT64"), Field("prices", "NUMERIC", "REPEATED"),
                           Field("meta", "STRUCT", "NULLABLE",
                                 json::array({Field("k", "STRING"), Field("at", "TIMESTAMP")}))})),
    });
  }

  /// Row `i` (1-based) of all_types, as the API sends it.
  static json Row(int i) {
    auto v = [](json x) { return json{{"v", std::move(x)}}; };
    auto str = [](auto n) { return std::to_string(n); };
    auto f = [&](std::vector<json> vals) {
      json a = json::array();
      for (auto& x : vals) a.push_back(v(std::move(x)));
      return json{{"f", a}};
    };
    int64_t big = (i % 2 ? 1 : -1) * static_cast<int64_t>(i) * 1000000000000LL;
    std::string num = i == 1 ? "12345678901234567890123456789.123456789" : str(i) + ".5";
    std::string bignum = i == 1 ? "-123456789012345678901234567890123456789.12345678901234567890123456789012345678"
                                : str(i) + ".25";
    json fl = i == 2 ? json("NaN") : i == 3 ? json("Infinity") : i == 4 ? json("-Infinity") : json(str(i) + ".75");
    json s = i == 5 ? json() : i == 1 ? json("h\u00e9llo, \"quoted\"\nline") : json("row " + str(i));
    std::string bytes = std::string("\x00\xff", 2) + static_cast<char>(i);
    json tags = json::array();
    if (i % 2)
      for (int k = 0; k < i % 4; ++k) tags.push_back(v("t" + str(k)));
    json rec = i == 6 ? json() : f({json("n" + str(i)), json("0.25"), json(Base64Std("xyz"))});
    json items = json::array();
    for (int k = 0; k < i % 3; ++k) {
      json prices = json::array({v(str(k) + ".10"), v("99.99")});
      json meta = k == 1 ? json() : f({json("k" + str(k)), json(str(kBaseMicros + k))});
      items.push_back(v(f({json("sku-" + str(i) + "-" + str(k)), json(str(k + 1)), prices, meta})));
    }
    return f({json(str(i)), json(str(big)), json(num), json(bignum), fl, json(str(i) + ".125"), json(i % 2 == 0 ? "true" : "false"),
              json(i % 3 == 0 ? "true" : "false"), s, json(Base64Std(bytes)), json("2024-09-" + Two(i)),
              json("2024-09-30T12:34:56." + Six(i)), json("23:59:" + Two(i) + ".000001"), json(str(kBaseMicros + i)),
              json("{\"a\":[1,2,{\"b\":null}],\"i\":" + str(i) + "}"), json("POINT(-122.35 47.62)"), tags, rec, items});
  }

  /// The seed use case's schema (a subset of the public table's columns, made up for the test).
  static json SeedSchema() {
    return json::array({Field("block_date", "DATE"), Field("block_timestamp", "TIMESTAMP"), Field("block_hash", "STRING"),
                        Field("transaction_hash", "STRING"), Field("signer_account_id", "STRING"),
                        Field("receiver_account_id", "STRING"), Field("nonce", "INTEGER"), Field("gas_burnt", "NUMERIC")});
  }
  static json SeedRow(int i) {
    auto v = [](json x) { return json{{"v", std::move(x)}}; };
    return json{{"f", json::array({v("2024-09-30"), v(std::to_string(kBaseMicros + i * 1000000LL)), v("blk" + std::to_string(i)),
                                   v("tx" + std::to_string(i)), v("alice.near"), v("bob.near"),
                                   v(std::to_string(1000 + i)), v(std::to_string(i) + "242800000000")})}};
  }

 private:
  static std::string Two(int i) { return (i < 10 ? "0" : "") + std::to_string(i); }
  static std::string Six(int i) {
    std::string s = std::to_string(i);
    return std::string(6 - s.size(), '0') + s;
  }

  static void Json(httplib::Response& res, const json& j) { res.set_content(j.dump(), "application/json"); }
  static void Error(httplib::Response& res, int code, const std::string& status, const std::string& reason,
                    const std::string& message) {
    res.status = code;
    Json(res, {{"error",
                {{"code", code},
                 {"message", message},
                 {"status", status},
                 {"errors", json::array({{{"message", message}, {"domain", "global"}, {"reason", reason}}})}}}});
  }

  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    std::string h = req.get_header_value("Authorization");
    std::lock_guard<std::mutex> l(mu_);
    if (h.rfind("Bearer ", 0) == 0 && tokens_.count(h.substr(7))) return true;
    Error(res, 401, "UNAUTHENTICATED", "authError",
          "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
          "authentication credential.");
    return false;
  }

  static std::set<std::string> Selected(const httplib::Request& req) {
    std::set<std::string> out;
    if (!req.has_param("selectedFields")) return out;
    std::string s = req.get_param_value("selectedFields");
    size_t start = 0;
    while (start <= s.size()) {
      size_t c = s.find(',', start);
      out.insert(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
      if (c == std::string::npos) break;
      start = c + 1;
    }
    return out;
  }
  static json Select(const json& row, const std::set<std::string>& sel) {
    if (sel.empty()) return row;
    json schema = AllTypesSchema(), f = json::array();
    for (size_t k = 0; k < schema.size(); ++k)
      if (sel.count(schema[k]["name"].get<std::string>())) f.push_back(row["f"][k]);
    return json{{"f", f}};
  }

  void Token(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu_);
    ++seen_.token_requests;
    auto refuse = [&](const std::string& why) {
      ++seen_.rejected_tokens;
      res.status = 400;
      Json(res, {{"error", "invalid_grant"}, {"error_description", why}});
    };
    if (req.get_param_value("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return refuse("Invalid grant_type.");
    std::string jwt = req.get_param_value("assertion");
    size_t d1 = jwt.find('.'), d2 = jwt.rfind('.');
    if (d1 == std::string::npos || d1 == d2) return refuse("Invalid JWT.");
    json header = json::parse(Base64UrlDecode(jwt.substr(0, d1)), nullptr, false);
    json claims = json::parse(Base64UrlDecode(jwt.substr(d1 + 1, d2 - d1 - 1)), nullptr, false);
    seen_.jwt_headers.push_back(header);
    seen_.jwt_claims.push_back(claims);
    if (!key_.Verify(jwt.substr(0, d2), Base64UrlDecode(jwt.substr(d2 + 1)))) return refuse("Invalid JWT Signature.");
    if (!header.is_object() || header.value("alg", "") != "RS256" || header.value("typ", "") != "JWT")
      return refuse("Invalid JWT header.");
    if (!claims.is_object() || claims.value("iss", "") != kEmail || claims.value("aud", "") != TokenUri() ||
        claims.value("scope", "").find("bigquery") == std::string::npos ||
        claims.value("exp", int64_t{0}) - claims.value("iat", int64_t{0}) != 3600)
      return refuse("Invalid JWT claims.");
    std::string token = "ya29.issued-" + std::to_string(seen_.token_requests) + "-abcdefghijklmnop";
    tokens_.insert(token);
    Json(res, {{"access_token", token}, {"expires_in", 3599}, {"token_type", "Bearer"}});
  }

  // The rows a job returns, and the jobId naming its behaviour.
  struct Job {
    std::string id;
    json schema;
    std::vector<json> rows;
  };
  static Job JobFor(const std::string& sql) {
    Job j;
    if (sql.find("crypto_near_mainnet_us.transactions") != std::string::npos) {
      j.id = "job_seed";
      j.schema = SeedSchema();
      for (int i = 1; i <= 5; ++i) j.rows.push_back(SeedRow(i));
      return j;
    }
    for (const char* kind : {"job_fails", "never_done", "page_fails", "bad_value", "flaky"})
      if (sql.find(kind) != std::string::npos) j.id = std::string("job_") + kind;
    if (j.id.empty()) j.id = "job_all_types";
    j.schema = AllTypesSchema();
    int after = 0;
    std::smatch m;
    if (std::regex_search(sql, m, std::regex("`id` > (\\d+)"))) after = std::stoi(m[1]);
    for (int i = after + 1; i <= kRows; ++i) j.rows.push_back(Row(i));
    if (j.id == "job_bad_value") j.rows[1]["f"][1]["v"] = "12x";
    return j;
  }

  json Page(const Job& job, const std::string& project, const std::string& location, int start, int size) {
    json rows = json::array();
    for (int i = start; i < std::min<int>(static_cast<int>(job.rows.size()), start + size); ++i) rows.push_back(job.rows[i]);
    json out{{"kind", "bigquery#getQueryResultsResponse"},
             {"jobReference", {{"projectId", project}, {"jobId", job.id}, {"location", location}}},
             {"schema", {{"fields", job.schema}}},
             {"totalRows", std::to_string(job.rows.size())},
             {"rows", rows},
             {"jobComplete", true},
             {"cacheHit", false}};
    if (start + size < static_cast<int>(job.rows.size())) out["pageToken"] = "tok-" + std::to_string(start + size);
    return out;
  }

  void Query(const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    std::string project = req.matches[1];
    std::string sql = body.is_object() ? body.value("query", "") : "";
    {
      std::lock_guard<std::mutex> l(mu_);
      seen_.query_bodies.push_back(body);
    }
    if (sql.find("invalid_syntax") != std::string::npos)
      return Error(res, 400, "INVALID_ARGUMENT", "invalidQuery",
                   "Syntax error: Unexpected identifier \"invalid_syntax\" at [1:1]");
    if (sql.find("forbidden") != std::string::npos)
      return Error(res, 403, "PERMISSION_DENIED", "accessDenied",
                   "Access Denied: Project " + project + ": User does not have bigquery.jobs.create permission in project " + project + ".");
    if (sql.find("missing_table") != std::string::npos)
      return Error(res, 404, "NOT_FOUND", "notFound", "Not found: Table " + project + ":d.missing_table was not found in location US");
    if (sql.find("flaky") != std::string::npos && flaky_calls_++ == 0)
      return Error(res, 500, "INTERNAL", "backendError", "Backend error. Job aborted.");
    Job job = JobFor(sql);
    std::string location = body.value("location", "US");
    json ref{{"projectId", project}, {"jobId", job.id}, {"location", location}};
    if (job.id == "job_flaky") {
      // Complete at once: the first page comes with jobs.query.
      int size = body.value("maxResults", 100);
      return Json(res, Page(job, project, location, 0, size));
    }
    Json(res, {{"kind", "bigquery#queryResponse"}, {"jobReference", ref}, {"jobComplete", false}});
  }

  void Results(const httplib::Request& req, httplib::Response& res) {
    std::string project = req.matches[1], job_id = req.matches[2];
    int polls = 0;
    std::string sql;
    {
      std::lock_guard<std::mutex> l(mu_);
      seen_.results_targets.push_back(req.target);
      polls = ++polls_[job_id];
      for (const auto& b : seen_.query_bodies) sql = b.value("query", "");  // the latest query of this job
    }
    Job job = JobFor(sql);
    if (job.id != job_id) return Error(res, 404, "NOT_FOUND", "notFound", "Not found: Job " + project + ":" + job_id);
    std::string location = req.has_param("location") ? req.get_param_value("location") : "";
    if (location.empty()) return Error(res, 404, "NOT_FOUND", "notFound", "Not found: Job " + job_id + " (no location)");
    json ref{{"projectId", project}, {"jobId", job.id}, {"location", location}};
    bool has_token = req.has_param("pageToken");
    if (!has_token && (job.id == "job_never_done" || polls == 1))
      return Json(res, {{"kind", "bigquery#getQueryResultsResponse"}, {"jobReference", ref}, {"jobComplete", false}});
    if (job.id == "job_job_fails")
      return Json(res, {{"kind", "bigquery#getQueryResultsResponse"},
                        {"jobReference", ref},
                        {"jobComplete", true},
                        {"errors", json::array({{{"reason", "invalidQuery"}, {"message", "Query error: division by zero: 1 / 0 at [1:8]"}}})}});
    if (has_token && job.id == "job_page_fails") return Error(res, 500, "INTERNAL", "backendError", "Backend error.");
    int size = req.has_param("maxResults") ? std::stoi(req.get_param_value("maxResults")) : 100;
    int start = has_token ? std::stoi(req.get_param_value("pageToken").substr(4)) : 0;
    Json(res, Page(job, project, location, start, size));
  }

  TestRsaKey key_;
  httplib::Server s_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  Seen seen_;
  std::vector<std::string> tabledata_requests_;
  std::set<std::string> tokens_{kFixedToken};
  std::map<std::string, int> polls_;
  std::atomic<int> flaky_calls_{0};
};

}  // namespace ldp::testing
