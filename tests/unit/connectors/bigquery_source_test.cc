// The BigQuery source against a local server implementing the documented BigQuery REST and OAuth2
// shapes (testing/bigquery_test_server.h): the JWT grant with a key made for the run, jobs.query
// that is not complete at once, getQueryResults paging, tabledata.list, every type of the
// mapping, retries with an injected clock, and each error.

#include "ldp/connectors/bigquery_source.h"

#include <gtest/gtest.h>

#include "ldp/engine/engine.h"
#include "testing/bigquery_test_server.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::connectors {
namespace {

using nlohmann::json;
using testing::BigQueryTestServer;

class BigQuerySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto c = db_->Connect();
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
    ASSERT_TRUE(conn_->Execute("SET TimeZone = 'UTC'").ok());
    key_file_ = tmp_.Join("key.json");
    server_.WriteKeyFile(key_file_);
  }

  // The common part of a config: the local server and the key file.
  std::string Base() {
    return "type: bigquery\nproject: my-project\nlocation: EU\napi_base: " + server_.Base() +
           "\ncredentials: " + key_file_ + "\npage_size: 10\n";
  }

  Result<Extracted> Run(const std::string& yaml, std::optional<std::string> cursor = {}, const std::string& uri = "") {
    auto o = ConnectorOptions::FromYaml(uri, yaml, "bq.yaml");
    if (!o.ok()) return o.status();
    options_ = std::make_unique<ConnectorOptions>(*o);
    SourceContext ctx;
    ctx.clock = &clock_;
    auto src = MakeSource(*options_, ctx);
    if (!src.ok()) return src.status();
    auto stage = Stage::Make(tmp_.path());
    if (!stage.ok()) return stage.status();
    stage_ = std::move(*stage);
    return (*src)->Extract(*stage_, cursor);
  }

  std::string Scalar(const std::string& sql) {
    auto r = conn_->QueryScalar(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? r->value_or("NULL") : "";
  }
  std::string Row(const Extracted& e, const std::string& expr, int id) {
    return Scalar("SELECT (" + expr + ")::VARCHAR FROM " + e.relation_sql + " WHERE id = " + std::to_string(id));
  }

  // No secret of the run appears in `text`.
  void ExpectNoSecrets(const std::string& text) {
    for (const auto& t : server_.tokens()) EXPECT_EQ(text.find(t), std::string::npos) << text;
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos) << text;
    EXPECT_EQ(text.find(server_.key().private_pem.substr(40, 40)), std::string::npos) << text;
  }

  BigQueryTestServer server_;
  testing::FakeClock clock_;
  testing::TempDir tmp_;
  std::string key_file_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
  std::unique_ptr<ConnectorOptions> options_;
  std::unique_ptr<Stage> stage_;
};

TEST(BigQueryTypes, MappingOfEveryType) {
  auto type = [](json f) {
    auto t = BigQueryDuckType(f);
    return t.ok() ? *t : "error: " + t.status().ToString();
  };
  auto F = [](const char* t) { return json{{"name", "c"}, {"type", t}}; };
  EXPECT_EQ(type(F("INTEGER")), "BIGINT");
  EXPECT_EQ(type(F("INT64")), "BIGINT");
  EXPECT_EQ(type(F("FLOAT")), "DOUBLE");
  EXPECT_EQ(type(F("FLOAT64")), "DOUBLE");
  EXPECT_EQ(type(F("NUMERIC")), "DECIMAL(38,9)");
  EXPECT_EQ(type(json{{"name", "c"}, {"type", "NUMERIC"}, {"precision", "10"}, {"scale", "2"}}), "DECIMAL(10,2)");
  EXPECT_EQ(type(F("BIGNUMERIC")), "VARCHAR");
  EXPECT_EQ(type(json{{"name", "c"}, {"type", "BIGNUMERIC"}, {"precision", "20"}, {"scale", "4"}}), "DECIMAL(20,4)");
  EXPECT_EQ(type(F("BOOLEAN")), "BOOLEAN");
  EXPECT_EQ(type(F("BOOL")), "BOOLEAN");
  EXPECT_EQ(type(F("STRING")), "VARCHAR");
  EXPECT_EQ(type(F("BYTES")), "BLOB");
  EXPECT_EQ(type(F("DATE")), "DATE");
  EXPECT_EQ(type(F("DATETIME")), "TIMESTAMP");
  EXPECT_EQ(type(F("TIME")), "TIME");
  EXPECT_EQ(type(F("TIMESTAMP")), "TIMESTAMPTZ");
  EXPECT_EQ(type(F("JSON")), "VARCHAR");
  EXPECT_EQ(type(F("GEOGRAPHY")), "VARCHAR");
  EXPECT_EQ(type(json{{"name", "c"}, {"type", "STRING"}, {"mode", "REPEATED"}}), "VARCHAR[]");
  json rec{{"name", "r"}, {"type", "RECORD"}, {"mode", "REPEATED"},
           {"fields", json::array({json{{"name", "a"}, {"type", "INT64"}},
                                   json{{"name", "b"}, {"type", "BYTES"}, {"mode", "REPEATED"}},
                                   json{{"name", "c"}, {"type", "STRUCT"},
                                        {"fields", json::array({json{{"name", "d"}, {"type", "DATE"}}})}}})}};
  EXPECT_EQ(type(rec), "STRUCT(\"a\" BIGINT, \"b\" BLOB[], \"c\" STRUCT(\"d\" DATE))[]");
}

TEST(BigQueryTypes, TimestampMicros) {
  EXPECT_EQ(FormatTimestampMicros(BigQueryTestServer::kBaseMicros), "2024-09-30 12:34:56.123456+00");
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(FormatTimestampMicros(-62135596800000000LL), "0001-01-01 00:00:00.000000+00");
}

TEST(BigQueryTypes, RowConversionAndErrorsNameTheRow) {
  json fields = json::array({json{{"name", "ts"}, {"type", "TIMESTAMP"}}, json{{"name", "n"}, {"type", "INT64"}},
                             json{{"name", "b"}, {"type", "BOOL"}}});
  // The legacy float-seconds form of TIMESTAMP is read too.
  auto r = BigQueryRowToJson(fields, json{{"f", json::array({json{{"v", "1.727699696123456E9"}}, json{{"v", "7"}},
                                                             json{{"v", nullptr}}})}},
                             "page 1, row 1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["ts"], "2024-09-30 12:34:56.123456+00");
  EXPECT_EQ((*r)["n"], "7");
  EXPECT_TRUE((*r)["b"].is_null());
  auto bad = BigQueryRowToJson(fields, json{{"f", json::array({json{{"v", "x"}}, json{{"v", "7"}}, json{{"v", "true"}}})}},
                               "page 3, row 9");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("page 3, row 9, field ts"), std::string::npos) << bad.status().ToString();
  auto short_row = BigQueryRowToJson(fields, json{{"f", json::array({json{{"v", "1"}}})}}, "page 1, row 2");
  ASSERT_FALSE(short_row.ok());
}

TEST_F(BigQuerySourceTest, JwtIsSignedAndVerifies) {
  auto key = LoadServiceAccountKey(key_file_);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto jwt = MakeJwtAssertion(*key, "https://www.googleapis.com/auth/bigquery.readonly", "https://aud/token", 1700000000);
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();
  size_t d1 = jwt->find('.'), d2 = jwt->rfind('.');
  json header = json::parse(testing::Base64UrlDecode(jwt->substr(0, d1)));
  json claims = json::parse(testing::Base64UrlDecode(jwt->substr(d1 + 1, d2 - d1 - 1)));
  EXPECT_EQ(header, (json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "test-key-1"}}));
  EXPECT_EQ(claims, (json{{"iss", BigQueryTestServer::kEmail},
                          {"scope", "https://www.googleapis.com/auth/bigquery.readonly"},
                          {"aud", "https://aud/token"},
                          {"iat", 1700000000},
                          {"exp", 1700003600}}));
  EXPECT_TRUE(server_.key().Verify(jwt->substr(0, d2), testing::Base64UrlDecode(jwt->substr(d2 + 1))));
  // One changed byte of the claims breaks the signature.
  std::string tampered = jwt->substr(0, d1 + 1) + "x" + jwt->substr(d1 + 2, d2 - d1 - 2);
  EXPECT_FALSE(server_.key().Verify(tampered, testing::Base64UrlDecode(jwt->substr(d2 + 1))));
}

TEST_F(BigQuerySourceTest, TokenIsCachedUntilShortlyBeforeExpiry) {
  auto key = LoadServiceAccountKey(key_file_);
  ASSERT_TRUE(key.ok());
  auto tokens = TokenSource::FromKey(*key, "https://www.googleapis.com/auth/bigquery.readonly", "", &clock_, 10);
  auto t1 = tokens->Get();
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  auto t2 = tokens->Get();
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(*t1, *t2);
  EXPECT_EQ(server_.seen().token_requests, 1);
  // iat comes from the injected clock; aud is the key's token_uri.
  EXPECT_EQ(server_.seen().jwt_claims[0]["iat"], static_cast<int64_t>(clock_.Now()));
  EXPECT_EQ(server_.seen().jwt_claims[0]["aud"], server_.TokenUri());
  clock_.Advance(3599 - kTokenRefreshMargin - 1);
  ASSERT_TRUE(tokens->Get().ok());
  EXPECT_EQ(server_.seen().token_requests, 1);
  clock_.Advance(2);
  auto t3 = tokens->Get();
  ASSERT_TRUE(t3.ok());
  EXPECT_NE(*t3, *t1);
  EXPECT_EQ(server_.seen().token_requests, 2);
}

TEST_F(BigQuerySourceTest, QueryWithEveryTypePagedAfterTheJobCompletes) {
  auto e = Run(Base() + "query: SELECT * FROM ds.all_types\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->records, BigQueryTestServer::kRows);
  EXPECT_EQ(e->pages, 3);  // 10 + 10 + 5
  auto seen = server_.seen();
  ASSERT_EQ(seen.query_bodies.size(), 1u);
  const json& body = seen.query_bodies[0];
  EXPECT_EQ(body["query"], "SELECT * FROM ds.all_types");
  EXPECT_EQ(body["useLegacySql"], false);
  EXPECT_EQ(body["maxResults"], 10);
  EXPECT_EQ(body["location"], "EU");
  EXPECT_EQ(body["formatOptions"]["useInt64Timestamp"], true);
  EXPECT_TRUE(body.contains("timeoutMs"));
  // jobs.query said not complete; the first getQueryResults too; then pages 1, 2 and 3.
  ASSERT_EQ(seen.results_targets.size(), 4u);
  EXPECT_EQ(seen.results_targets[0].find("pageToken"), std::string::npos);
  EXPECT_NE(seen.results_targets[0].find("location=EU"), std::string::npos);
  EXPECT_NE(seen.results_targets[2].find("pageToken=tok-10"), std::string::npos);
  EXPECT_NE(seen.results_targets[3].find("pageToken=tok-20"), std::string::npos);
  EXPECT_EQ(clock_.sleeps().size(), 2u);  // back-off between the two polls
  EXPECT_EQ(seen.token_requests, 1);

  // Types as staged for the engine.
  std::string types = Scalar("SELECT string_agg(column_type, ' | ' ORDER BY rowid) FROM (SELECT *, row_number() OVER () AS rowid "
                             "FROM (DESCRIBE SELECT * FROM " + e->relation_sql + "))");
  EXPECT_EQ(types,
            "BIGINT | BIGINT | DECIMAL(38,9) | VARCHAR | DOUBLE | DOUBLE | BOOLEAN | BOOLEAN | VARCHAR | BLOB | DATE | "
            "TIMESTAMP | TIME | TIMESTAMP WITH TIME ZONE | VARCHAR | VARCHAR | VARCHAR[] | "
            "STRUCT(\"name\" VARCHAR, score DOUBLE, raw BLOB) | "
            "STRUCT(sku VARCHAR, qty BIGINT, prices DECIMAL(38,9)[], meta STRUCT(k VARCHAR, \"at\" TIMESTAMP WITH TIME ZONE))[]");
  // Values, exactly.
  EXPECT_EQ(Scalar("SELECT count(*) || ' ' || count(DISTINCT id) || ' ' || sum(id) FROM " + e->relation_sql), "25 25 325");
  EXPECT_EQ(Row(*e, "i64", 1), "1000000000000");
  EXPECT_EQ(Row(*e, "i64", 2), "-2000000000000");
  EXPECT_EQ(Row(*e, "num", 1), "12345678901234567890123456789.123456789");
  EXPECT_EQ(Row(*e, "num", 7), "7.500000000");
  EXPECT_EQ(Row(*e, "bignum", 1), "-123456789012345678901234567890123456789.12345678901234567890123456789012345678");
  EXPECT_EQ(Row(*e, "isnan(f)", 2), "true");
  EXPECT_EQ(Row(*e, "f", 3), "inf");
  EXPECT_EQ(Row(*e, "f", 4), "-inf");
  EXPECT_EQ(Row(*e, "f", 5), "5.75");
  EXPECT_EQ(Row(*e, "f64", 8), "8.125");
  EXPECT_EQ(Row(*e, "b", 2), "true");
  EXPECT_EQ(Row(*e, "b", 3), "false");
  EXPECT_EQ(Row(*e, "bl", 3), "true");
  EXPECT_EQ(Row(*e, "s", 1), "h\u00e9llo, \"quoted\"\nline");
  EXPECT_EQ(Row(*e, "s IS NULL", 5), "true");
  EXPECT_EQ(Row(*e, "hex(\"by\")", 1), "00FF01");
  EXPECT_EQ(Row(*e, "hex(\"by\")", 16), "00FF10");
  EXPECT_EQ(Row(*e, "d", 9), "2024-09-09");
  EXPECT_EQ(Row(*e, "dt", 12), "2024-09-30 12:34:56.000012");
  EXPECT_EQ(Row(*e, "t", 3), "23:59:03.000001");
  EXPECT_EQ(Row(*e, "ts", 1), "2024-09-30 12:34:56.123457+00");
  EXPECT_EQ(Row(*e, "j", 4), "{\"a\":[1,2,{\"b\":null}],\"i\":4}");
  EXPECT_EQ(Row(*e, "g", 4), "POINT(-122.35 47.62)");
  EXPECT_EQ(Row(*e, "tags", 3), "[t0, t1, t2]");
  EXPECT_EQ(Row(*e, "tags", 2), "[]");
  EXPECT_EQ(Row(*e, "rec.name || ' ' || rec.score || ' ' || hex(rec.raw)", 7), "n7 0.25 78797A");
  EXPECT_EQ(Row(*e, "rec IS NULL", 6), "true");
  EXPECT_EQ(Row(*e, "len(items)", 3), "0");
  EXPECT_EQ(Row(*e, "len(items)", 5), "2");
  EXPECT_EQ(Row(*e, "items[1].sku || ' ' || items[1].qty || ' ' || items[1].prices::VARCHAR || ' ' || items[1].meta.k || ' ' || items[1].meta.at",
                5),
            "sku-5-0 1 [0.100000000, 99.990000000] k0 2024-09-30 12:34:56.123456+00");
  EXPECT_EQ(Row(*e, "items[2].meta IS NULL", 5), "true");
}

TEST_F(BigQuerySourceTest, WholeTableWithTabledataListAndSelectedFields) {
  auto e = Run(Base() + "table: other-project.ds.all_types\nselected_fields: [id, ts, items]\npage_size: 7\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->records, 25);
  EXPECT_EQ(e->pages, 4);  // 7 + 7 + 7 + 4
  auto reqs = server_.tabledata_requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_NE(reqs[0].find("/projects/other-project/datasets/ds/tables/all_types/data"), std::string::npos);
  EXPECT_NE(reqs[0].find("selectedFields=id%2Cts%2Citems"), std::string::npos);
  EXPECT_NE(reqs[0].find("formatOptions.useInt64Timestamp=true"), std::string::npos);
  EXPECT_NE(reqs[3].find("pageToken=tok-21"), std::string::npos);
  EXPECT_EQ(Scalar("SELECT string_agg(column_name, ',') FROM (DESCRIBE SELECT * FROM " + e->relation_sql + ")"), "id,ts,items");
  EXPECT_EQ(Row(*e, "ts", 25), "2024-09-30 12:34:56.123481+00");
  EXPECT_EQ(Row(*e, "items[1].prices[2]", 4), "99.990000000");
}

TEST_F(BigQuerySourceTest, UriFormAndPlainToken) {
  // bigquery://PROJECT?query=...: the project and query from the URI, a plain access token.
  auto e = Run("api_base: " + server_.Base() + "\ntoken: " + BigQueryTestServer::kFixedToken + "\n", std::nullopt,
               "bigquery://uri-project?query=SELECT%20*%20FROM%20bigquery-public-data.crypto_near_mainnet_us.transactions"
               "%20WHERE%20block_date%20%3D%20'2024-09-30'%20LIMIT%205&location=US");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->records, 5);
  EXPECT_EQ(server_.seen().token_requests, 0);
  EXPECT_EQ(server_.seen().query_bodies[0]["query"],
            "SELECT * FROM bigquery-public-data.crypto_near_mainnet_us.transactions WHERE block_date = '2024-09-30' LIMIT 5");
  EXPECT_EQ(options_->Describe(), "bigquery://uri-project");
}

TEST_F(BigQuerySourceTest, IncrementalAddsTheCursorFilter) {
  auto e = Run(Base() + "query: SELECT * FROM ds.all_types\nincremental: {cursor_field: id}\n", std::string("20"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(server_.seen().query_bodies[0]["query"], "SELECT * FROM (SELECT * FROM ds.all_types) WHERE `id` > 20");
  EXPECT_EQ(e->records, 5);
  EXPECT_EQ(e->cursor_field, "id");
  EXPECT_EQ(Scalar("SELECT min(id) || '-' || max(id) FROM " + e->relation_sql), "21-25");
  // A table read incrementally goes through a query on the table.
  auto t = Run(Base() + "table: p.ds.all_types\nincremental: {cursor_field: id}\n", std::string("2024-09-30 00:00:00+00"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(server_.seen().query_bodies.back()["query"],
            "SELECT * FROM `p.ds.all_types` WHERE `id` > '2024-09-30 00:00:00+00'");
  auto missing = Run(Base() + "query: SELECT * FROM ds.all_types\nincremental: {cursor_field: nope}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cursor field 'nope'"), std::string::npos);
}

TEST_F(BigQuerySourceTest, ErrorsAreOneLineAndNameTheRequest) {
  struct Case {
    std::string query;
    ErrorCode code;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"SELECT invalid_syntax", ErrorCode::kInvalidArgument,
       "jobs.query (POST " + server_.Base() + "/bigquery/v2/projects/my-project/queries): HTTP 400 INVALID_ARGUMENT "
       "invalidQuery: Syntax error: Unexpected identifier \"invalid_syntax\" at [1:1]"},
      {"SELECT forbidden", ErrorCode::kNotAuthorized, "access denied: HTTP 403 PERMISSION_DENIED accessDenied: Access Denied"},
      {"SELECT * FROM d.missing_table", ErrorCode::kNotFound, "not found: HTTP 404 NOT_FOUND notFound: Not found: Table"},
      {"SELECT 1/0 AS job_fails", ErrorCode::kInvalidArgument,
       "query job EU.job_job_fails failed: invalidQuery: Query error: division by zero: 1 / 0 at [1:8]"},
      {"SELECT never_done", ErrorCode::kTimeout, "query job EU.job_never_done did not complete within 600 s"},
      {"SELECT page_fails", ErrorCode::kUnavailable,
       "jobs.getQueryResults page 2 (GET " + server_.Base() + "/bigquery/v2/projects/my-project/queries/job_page_fails): "
       "HTTP 500 INTERNAL backendError: Backend error. after 5 attempts"},
      {"SELECT bad_value", ErrorCode::kInvalidArgument, "page 1, row 2, field i64: \"12x\" is not a valid INT64"},
  };
  for (const auto& c : cases) {
    auto e = Run(Base() + "query: \"" + c.query + "\"\n");
    ASSERT_FALSE(e.ok()) << c.query;
    EXPECT_EQ(e.status().code(), c.code) << e.status().ToString();
    EXPECT_NE(e.status().message().find(c.expected), std::string::npos) << e.status().ToString();
    EXPECT_EQ(e.status().message().find('\n'), std::string::npos) << e.status().ToString();
    ExpectNoSecrets(e.status().message());
  }
}

TEST_F(BigQuerySourceTest, ServerErrorIsRetriedThenSucceeds) {
  auto e = Run(Base() + "query: SELECT * FROM flaky\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->records, 25);
  EXPECT_EQ(server_.seen().query_bodies.size(), 2u);
  ASSERT_EQ(clock_.sleeps().size(), 1u);
  EXPECT_EQ(clock_.sleeps()[0], 1.0);
}

TEST_F(BigQuerySourceTest, RefusedCredentials) {
  // A token the API does not know: 401, named as refused authentication, no token in the message.
  auto e = Run("type: bigquery\nproject: p\napi_base: " + server_.Base() + "\ntoken: ya29.not-a-valid-token\nquery: SELECT 1\n");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kNotAuthorized);
  EXPECT_NE(e.status().message().find("authentication refused: HTTP 401 UNAUTHENTICATED"), std::string::npos)
      << e.status().ToString();
  EXPECT_EQ(e.status().message().find("ya29.not-a-valid-token"), std::string::npos);
  // A key whose signature the token endpoint does not accept (another key's PEM).
  testing::TestRsaKey other;
  std::string other_file = tmp_.Join("other.json");
  server_.WriteKeyFile(other_file, other.private_pem);
  auto r = Run("type: bigquery\nproject: p\napi_base: " + server_.Base() + "\ncredentials: " + other_file + "\nquery: SELECT 1\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotAuthorized);
  EXPECT_NE(r.status().message().find("token exchange at " + server_.TokenUri() + " refused for " + BigQueryTestServer::kEmail +
                                      ": HTTP 400: invalid_grant: Invalid JWT Signature."),
            std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(r.status().message().find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(server_.seen().rejected_tokens, 1);
  // No credentials at all.
  auto none = Run("type: bigquery\nproject: p\napi_base: " + server_.Base() + "\nquery: SELECT 1\n");
  if (!std::getenv("LDP_BIGQUERY_TOKEN") && !std::getenv("GOOGLE_APPLICATION_CREDENTIALS")) {
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().code(), ErrorCode::kNotAuthorized);
    EXPECT_NE(none.status().message().find("no BigQuery credentials"), std::string::npos);
  }
  // A key file that is not one.
  std::string junk = tmp_.Join("junk.json");
  std::ofstream(junk) << "{\"type\": \"service_account\", \"client_email\": \"x@y\"}";
  auto j = Run("type: bigquery\nproject: p\ncredentials: " + junk + "\nquery: SELECT 1\n");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("credentials " + junk + ": no 'private_key'"), std::string::npos) << j.status().ToString();
}

}  // namespace
}  // namespace ldp::connectors
