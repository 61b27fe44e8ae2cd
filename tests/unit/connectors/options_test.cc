#include "ldp/connectors/options.h"

#include <gtest/gtest.h>

#include "ldp/connectors/json_path.h"

namespace ldp::connectors {
namespace {

std::optional<std::string> FakeEnv(const std::string& name) {
  if (name == "API_TOKEN") return std::string("tok-abc-123");
  if (name == "PGPASS") return std::string("hunter22");
  return std::nullopt;
}

TEST(ConnectorOptionsTest, EnvReferencesAreResolvedAndRedacted) {
  auto o = ConnectorOptions::FromYaml("https://api.example.com/v1/items",
                                      "name: items\nauth:\n  type: bearer\n  token: \"{{ env.API_TOKEN }}\"\n"
                                      "pagination: {type: offset, page_size: 50}\n",
                                      "c.yaml", &FakeEnv);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->kind(), SourceKind::kRest);
  EXPECT_EQ(o->Str("auth.token"), "tok-abc-123");
  EXPECT_EQ(*o->Int("pagination.page_size", 0), 50);
  EXPECT_EQ(o->StateName("ns.t"), "items");
  EXPECT_EQ(o->Redact("GET failed with tok-abc-123 in it"), "GET failed with *** in it");
}

TEST(ConnectorOptionsTest, MissingEnvNamesFileLineAndKey) {
  auto o = ConnectorOptions::FromYaml("https://x/y", "auth:\n  type: bearer\n  token: \"{{ env.NOPE }}\"\n", "c.yaml",
                                      &FakeEnv);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(o.status().message().find("c.yaml:3"), std::string::npos) << o.status().message();
  EXPECT_NE(o.status().message().find("auth.token"), std::string::npos) << o.status().message();
  EXPECT_NE(o.status().message().find("NOPE"), std::string::npos) << o.status().message();
}

TEST(ConnectorOptionsTest, PasswordInUriIsASecret) {
  auto o = ConnectorOptions::FromYaml("postgresql://bob:{{ env.PGPASS }}@db.local:5432/shop?table=orders", "", "uri",
                                      &FakeEnv);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->kind(), SourceKind::kPostgres);
  EXPECT_EQ(o->uri(), "postgresql://bob:hunter22@db.local:5432/shop?table=orders");
  EXPECT_EQ(o->Describe(), "postgresql://bob:***@db.local:5432/shop");
  EXPECT_EQ(o->Redact("connection to bob:hunter22 refused"), "connection to bob:*** refused");
}

TEST(ConnectorOptionsTest, KindFromUri) {
  EXPECT_EQ(KindOfUri("bigquery://proj/ds", false), SourceKind::kBigQuery);
  EXPECT_EQ(KindOfUri("https://x/y.parquet", false), SourceKind::kFile);
  EXPECT_EQ(KindOfUri("https://x/api", true), SourceKind::kRest);
  EXPECT_EQ(KindOfUri("/data/a.csv", false), SourceKind::kFile);
}

TEST(ConnectorOptionsTest, BadYamlNamesLine) {
  auto o = ConnectorOptions::FromYaml("https://x", "a: [1, 2\nb: 3\n", "bad.yaml");
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("bad.yaml:"), std::string::npos) << o.status().message();
}

TEST(JsonPathTest, Selects) {
  auto doc = nlohmann::json::parse(R"({"data": {"items": [{"a": 1}, {"a": 2}]}, "meta": {"next": null}})");
  auto p = ParseJsonPath("$.data.items");
  ASSERT_TRUE(p.ok());
  ASSERT_NE(Select(doc, *p), nullptr);
  EXPECT_EQ(Select(doc, *p)->size(), 2u);
  auto q = ParseJsonPath("$.data.items[1].a");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*Select(doc, *q), 2);
  auto r = ParseJsonPath("data['items'][*]");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Select(doc, *r)->is_array());
  auto missing = ParseJsonPath("$.nope.x");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(Select(doc, *missing), nullptr);
  EXPECT_FALSE(ParseJsonPath("$.a[x]").ok());
  EXPECT_FALSE(ParseJsonPath("$..a").ok());
}

}  // namespace
}  // namespace ldp::connectors
