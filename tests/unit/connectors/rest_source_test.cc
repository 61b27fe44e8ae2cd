// The REST source against a local API server (testing/api_test_server.h): each pagination style,
// auth scheme, retries with an injected clock, failures and malformed pages.

#include "ldp/connectors/rest_source.h"

#include <gtest/gtest.h>

#include "ldp/engine/engine.h"
#include "testing/api_test_server.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::connectors {
namespace {

class RestSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto c = db_->Connect();
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
  }

  // Extracts with `yaml` (the url added) and returns the staged relation; fails the test on error.
  Result<Extracted> Run(const std::string& path, const std::string& yaml, std::optional<std::string> cursor = {}) {
    auto o = ConnectorOptions::FromYaml(server_.Url(path), "type: rest\n" + yaml, "test.yaml");
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

  // The staged records must be exactly ids 0..n-1, each once.
  void ExpectIds(const Extracted& e, int n) {
    ASSERT_FALSE(e.relation_sql.empty());
    EXPECT_EQ(e.records, n);
    EXPECT_EQ(Scalar("SELECT count(*) FROM " + e.relation_sql), std::to_string(n));
    EXPECT_EQ(Scalar("SELECT count(DISTINCT id) FROM " + e.relation_sql), std::to_string(n));
    EXPECT_EQ(Scalar("SELECT min(id) || '-' || max(id) FROM " + e.relation_sql), "0-" + std::to_string(n - 1));
  }

  testing::ApiTestServer server_;
  testing::FakeClock clock_;
  testing::TempDir tmp_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
  std::unique_ptr<ConnectorOptions> options_;
  std::unique_ptr<Stage> stage_;
};

TEST_F(RestSourceTest, OffsetLimit) {
  auto e = Run("/offset", "records: $.data.items\npagination: {type: offset, page_size: 100}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectIds(*e, 250);
  EXPECT_EQ(e->pages, 3);  // 100 + 100 + 50 (short page ends it)
}

TEST_F(RestSourceTest, PageNumber) {
  auto e = Run("/page", "records: $.items\npagination: {type: page, page_size_param: per_page, page_size: 40}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectIds(*e, 250);
  EXPECT_EQ(e->pages, 7);  // 6 full pages of 40, then 10
}

TEST_F(RestSourceTest, PageNumberUntilEmptyPage) {
  auto e = Run("/page", "records: $.items\npagination: {type: page}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectIds(*e, 250);
  EXPECT_EQ(e->pages, 8);  // 7 pages with records, then an empty one
}

TEST_F(RestSourceTest, CursorFromBody) {
  auto e = Run("/cursor", "records: $.items\npagination: {type: cursor, cursor_path: $.meta.next_cursor, cursor_param: cursor}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectIds(*e, 250);
  EXPECT_EQ(e->pages, 5);
}

TEST_F(RestSourceTest, NextUrlFromBodyRelative) {
  auto e = Run("/next", "records: $.results\npagination: {type: next_url, next_url_path: $.next}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectIds(*e, 250);
  EXPECT_EQ(e->pages, 4);
}

TEST_F(RestSourceTest, LinkHeader) {
  auto e = Run("/link", "pagination: {type: link_header}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ExpectIds(*e, 250);
  EXPECT_EQ(e->pages, 3);
}

TEST_F(RestSourceTest, NestedObjectsAsStructsOrFlattened) {
  auto e = Run("/offset", "records: $.data.items\npagination: {type: offset}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Scalar("SELECT owner.login FROM " + e->relation_sql + " WHERE id = 9"), "user2");
  EXPECT_EQ(Scalar("SELECT tags[1] FROM " + e->relation_sql + " WHERE id = 9"), "t1");
  auto f = Run("/offset", "records: $.data.items\npagination: {type: offset}\nnested: flatten\n");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(Scalar("SELECT owner__login || '/' || owner__level FROM " + f->relation_sql + " WHERE id = 9"), "user2/0");
}

TEST_F(RestSourceTest, RetryAfterAndBackoffUseTheClock) {
  auto e = Run("/flaky", "retry: {max_attempts: 3, backoff_seconds: 2}\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->records, 30);
  EXPECT_EQ(server_.flaky_calls(), 3);
  // 429 with Retry-After: 7 waits 7 s; the 503 without one waits the second back-off step (4 s).
  EXPECT_EQ(clock_.sleeps(), (std::vector<double>{7, 4}));
}

TEST_F(RestSourceTest, GivesUpAfterRetriesNamingThePage) {
  auto e = Run("/fail-at-3", "records: $.items\npagination: {type: page}\nretry: {max_attempts: 2, backoff_seconds: 1}\n");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(e.status().message().find("page 3"), std::string::npos) << e.status().message();
  EXPECT_NE(e.status().message().find("HTTP 500"), std::string::npos) << e.status().message();
  EXPECT_EQ(clock_.sleeps().size(), 1u);
}

TEST_F(RestSourceTest, MalformedJsonNamesThePageUrl) {
  auto e = Run("/malformed", "records: $.items\npagination: {type: page}\n");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("malformed JSON"), std::string::npos) << e.status().message();
  EXPECT_NE(e.status().message().find(server_.Url("/malformed?page=2")), std::string::npos) << e.status().message();
}

TEST_F(RestSourceTest, AuthSchemesAndSecretsNeverInErrors) {
  std::string key = testing::ApiTestServer::kApiKey;
  auto ok = [&](const std::string& path, const std::string& auth) {
    auto e = Run(path, "records: $.items\nauth: " + auth + "\n");
    EXPECT_TRUE(e.ok()) << path << ": " << e.status().ToString();
    if (e.ok()) {
      EXPECT_EQ(e->records, 10);
    }
  };
  ok("/bearer", std::string("{type: bearer, token: ") + testing::ApiTestServer::kToken + "}");
  ok("/basic", "{type: basic, username: alice, password: pa55-w0rd}");
  ok("/key-header", "{type: api_key, name: X-API-Key, value: " + key + "}");
  ok("/key-query", "{type: api_key, name: api_key, in: query, value: " + key + "}");
  // Refused: NotAuthorized, and the (wrong) secrets are not in the message.
  auto bad = Run("/key-query", "records: $.items\nauth: {type: api_key, name: api_key, in: query, value: wrong-key-999}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotAuthorized);
  EXPECT_EQ(bad.status().message().find("wrong-key-999"), std::string::npos) << bad.status().message();
  auto bad2 = Run("/bearer", "records: $.items\nauth: {type: bearer, token: not-the-token-77}\n");
  ASSERT_FALSE(bad2.ok());
  EXPECT_EQ(bad2.status().message().find("not-the-token-77"), std::string::npos) << bad2.status().message();
}

TEST_F(RestSourceTest, IncrementalSendsTheLastCursor) {
  auto e = Run("/since", "records: $.items\npagination: {type: offset}\nincremental: {cursor_field: updated_at, param: since}\n",
               std::string("1200"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->cursor_field, "updated_at");
  EXPECT_EQ(e->records, 49);  // updated_at 1201..1249
  EXPECT_EQ(Scalar("SELECT min(updated_at) FROM " + e->relation_sql), "1201");
}

TEST_F(RestSourceTest, UnreachableHost) {
  auto o = ConnectorOptions::FromYaml("http://127.0.0.1:1/x", "type: rest\nretry: {max_attempts: 2}\n", "t.yaml");
  ASSERT_TRUE(o.ok());
  SourceContext ctx;
  ctx.clock = &clock_;
  auto src = MakeSource(*o, ctx);
  ASSERT_TRUE(src.ok());
  auto stage = Stage::Make(tmp_.path());
  ASSERT_TRUE(stage.ok());
  auto e = (*src)->Extract(**stage, std::nullopt);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(e.status().message().find("127.0.0.1:1"), std::string::npos) << e.status().message();
}

TEST(LinkHeaderTest, PicksRelNext) {
  EXPECT_EQ(NextLinkFromHeader("<https://a/x?page=3>; rel=\"last\", <https://a/x?page=2>; rel=\"next\""),
            "https://a/x?page=2");
  EXPECT_EQ(NextLinkFromHeader("<https://a/x?page=1>; rel=\"prev\""), "");
}

}  // namespace
}  // namespace ldp::connectors
