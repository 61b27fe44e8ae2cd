// The BigQuery source through the real CLI, against a local server implementing the documented
// BigQuery REST and OAuth2 shapes (testing/bigquery_test_server.h; no BigQuery emulator exists
// for this machine): the seed use case into an Iceberg table and a CSV file, every type of the
// mapping landing in Iceberg, the URI form with a token from the environment, incremental runs,
// a pipeline ingest task, and a failing page that commits nothing and prints no secret.

#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "testing/bigquery_test_server.h"

namespace ldp::testing {
namespace {

constexpr const char* kSeedQuery =
    "SELECT * FROM bigquery-public-data.crypto_near_mainnet_us.transactions WHERE block_date = '2024-09-30' LIMIT 5";

class CliBigQueryTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    key_file_ = tmp_.Join("sa-key.json");
    bq_.WriteKeyFile(key_file_);
  }
  // A --source-config for the local server; `rest` adds the query/table and other options.
  std::string Config(const std::string& name, const std::string& rest) {
    std::string path = tmp_.Join(name);
    WriteFile(path, "type: bigquery\nproject: my-billing-project\nlocation: US\ncredentials: " + key_file_ +
                        "\napi_base: " + bq_.Base() + "\nretry: {backoff_seconds: 0.01}\n" + rest);
    return path;
  }
  std::string Query(const std::string& sql) {
    auto rows = LdpJson({"query", sql})["rows"];
    return rows.dump();
  }

  BigQueryTestServer bq_;
  std::string key_file_;
};

TEST_F(CliBigQueryTest, SeedQueryIntoIcebergAndCsv) {
  std::string cfg = Config("seed.yaml", std::string("query: \"") + kSeedQuery + "\"\n");
  auto j = LdpJson({"ingest", "--source-config", cfg, "-t", "near.transactions"});
  EXPECT_EQ(j["rows"], 5);
  EXPECT_EQ(j["records"], 5);
  EXPECT_EQ(j["committed"], true);
  EXPECT_EQ(bq_.seen().query_bodies[0]["query"], kSeedQuery);
  EXPECT_EQ(bq_.seen().token_requests, 1);
  EXPECT_EQ(bq_.seen().rejected_tokens, 0);
  // Iceberg types from the BigQuery schema.
  auto desc = LdpJson({"describe", "near.transactions"});
  std::string types;
  for (const auto& f : desc["schema"]["fields"]) types += f["name"].get<std::string>() + ":" + f["type"].dump() + " ";
  EXPECT_EQ(types,
            "block_date:\"date\" block_timestamp:\"timestamptz\" block_hash:\"string\" transaction_hash:\"string\" "
            "signer_account_id:\"string\" receiver_account_id:\"string\" nonce:\"long\" gas_burnt:\"decimal(38,9)\" ");
  EXPECT_EQ(Query("SELECT transaction_hash, nonce, gas_burnt::VARCHAR AS g, block_timestamp::VARCHAR AS ts FROM "
                  "near.transactions ORDER BY nonce LIMIT 2"),
            R"([{"g":"1242800000000.000000000","nonce":1001,"transaction_hash":"tx1","ts":"2024-09-30 12:34:57.123456+00"},)"
            R"({"g":"2242800000000.000000000","nonce":1002,"transaction_hash":"tx2","ts":"2024-09-30 12:34:58.123456+00"}])");
  // Into a CSV file.
  std::string csv = tmp_.Join("transactions.csv");
  auto e = LdpJson({"export", "--sql", "SELECT block_date, transaction_hash, nonce, gas_burnt FROM near.transactions ORDER BY nonce",
                    "--to", csv});
  EXPECT_EQ(e["rows"], 5);
  EXPECT_EQ(ReadFile(csv),
            "block_date,transaction_hash,nonce,gas_burnt\n"
            "2024-09-30,tx1,1001,1242800000000.000000000\n2024-09-30,tx2,1002,2242800000000.000000000\n"
            "2024-09-30,tx3,1003,3242800000000.000000000\n2024-09-30,tx4,1004,4242800000000.000000000\n"
            "2024-09-30,tx5,1005,5242800000000.000000000\n");
  EXPECT_TRUE(FilesUnder(warehouse() + "/_ldp/staging").empty());
}

TEST_F(CliBigQueryTest, EveryTypeLandsInIceberg) {
  std::string cfg = Config("types.yaml", "query: SELECT * FROM ds.all_types\npage_size: 10\n");
  auto j = LdpJson({"ingest", "--source-config", cfg, "-t", "bq.all_types"});
  EXPECT_EQ(j["rows"], 25);
  EXPECT_EQ(j["pages"], 3);
  auto desc = LdpJson({"describe", "bq.all_types"});
  std::string types;
  for (const auto& f : desc["schema"]["fields"]) types += f["name"].get<std::string>() + ":" + f["type"].dump() + " ";
  EXPECT_EQ(types.substr(0, types.find(" tags:")),
            "id:\"long\" i64:\"long\" num:\"decimal(38,9)\" bignum:\"string\" f:\"double\" f64:\"double\" b:\"boolean\" "
            "bl:\"boolean\" s:\"string\" by:\"binary\" d:\"date\" dt:\"timestamp\" t:\"time\" ts:\"timestamptz\" "
            "j:\"string\" g:\"string\"");
  const auto& fields = desc["schema"]["fields"];
  ASSERT_EQ(fields.size(), 19u);
  EXPECT_EQ(fields[16]["type"]["type"], "list");
  EXPECT_EQ(fields[16]["type"]["element"], "string");
  EXPECT_EQ(fields[17]["type"]["type"], "struct");
  EXPECT_EQ(fields[18]["type"]["type"], "list");
  EXPECT_EQ(fields[18]["type"]["element"]["type"], "struct");
  EXPECT_EQ(fields[18]["type"]["element"]["fields"][2]["type"]["element"], "decimal(38,9)");
  EXPECT_EQ(fields[18]["type"]["element"]["fields"][3]["type"]["fields"][1]["type"], "timestamptz");
  EXPECT_EQ(Query("SELECT i64, num::VARCHAR AS num, bignum, hex(\"by\") AS \"by\", s, ts::VARCHAR AS ts, dt::VARCHAR AS dt, "
                  "t::VARCHAR AS t, j, tags, rec.name AS rn, hex(rec.raw) AS rr FROM bq.all_types WHERE id = 1"),
            R"([{"bignum":"-123456789012345678901234567890123456789.12345678901234567890123456789012345678","by":"00FF01",)"
            R"("dt":"2024-09-30 12:34:56.000001","i64":1000000000000,"j":"{\"a\":[1,2,{\"b\":null}],\"i\":1}",)"
            R"("num":"12345678901234567890123456789.123456789","rn":"n1","rr":"78797A","s":"héllo, \"quoted\"\nline",)"
            R"("t":"23:59:01.000001","tags":"[t0]","ts":"2024-09-30 12:34:56.123457+00"}])");
  EXPECT_EQ(Query("SELECT count(*) FILTER (WHERE isnan(f)) AS nan, count(*) FILTER (WHERE isinf(f)) AS inf, "
                  "count(*) FILTER (WHERE rec IS NULL) AS no_rec, sum(len(items)) AS items, "
                  "sum(list_sum([x.qty FOR x IN items])) AS qty FROM bq.all_types"),
            R"([{"inf":2,"items":25,"nan":1,"no_rec":1,"qty":33}])");
  EXPECT_EQ(Query("SELECT items[2].sku AS sku, items[2].prices[1]::VARCHAR AS p, items[2].meta IS NULL AS m, "
                  "items[1].meta.at::VARCHAR AS at FROM bq.all_types WHERE id = 5"),
            R"([{"at":"2024-09-30 12:34:56.123456+00","m":true,"p":"1.100000000","sku":"sku-5-1"}])");
}

TEST_F(CliBigQueryTest, UriFormWithTokenFromEnvironmentAndIncrementalRuns) {
  std::string cfg = tmp_.Join("uri.yaml");
  WriteFile(cfg, "name: bq_types\napi_base: " + bq_.Base() + "\nincremental: {cursor_field: id}\nretry: {backoff_seconds: 0.01}\n");
  SubprocessOptions env;
  env.env["LDP_BIGQUERY_TOKEN"] = BigQueryTestServer::kFixedToken;
  env.env["GOOGLE_APPLICATION_CREDENTIALS"] = std::nullopt;
  auto run = [&](const std::string& uri) {
    auto r = RunLdp({"ingest", uri, "--source-config", cfg, "-t", "bq.incr", "--json", "--project", project_}, env);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.out.find(BigQueryTestServer::kFixedToken), std::string::npos);
    EXPECT_EQ(r.err.find(BigQueryTestServer::kFixedToken), std::string::npos);
    return nlohmann::json::parse(r.out, nullptr, false);
  };
  auto first = run("bigquery://my-project?query=SELECT%20id%2C%20s%20FROM%20ds.all_types&location=US");
  EXPECT_EQ(first["rows"], 25);
  EXPECT_EQ(first["cursor"], "25");
  EXPECT_EQ(first["source"], "bigquery://my-project");
  EXPECT_EQ(bq_.seen().token_requests, 0);
  auto state = LdpJson({"state", "bq_types"});
  EXPECT_NE(state.dump().find("\"25\""), std::string::npos) << state.dump();
  // The second run asks only for rows after the cursor (the server has none).
  auto second = run("bigquery://my-project?query=SELECT%20id%2C%20s%20FROM%20ds.all_types&location=US");
  EXPECT_EQ(second["committed"], false);
  EXPECT_EQ(bq_.seen().query_bodies.back()["query"], "SELECT * FROM (SELECT id, s FROM ds.all_types) WHERE `id` > 25");
  EXPECT_EQ(Query("SELECT count(*) AS n FROM bq.incr"), R"([{"n":25}])");
}

TEST_F(CliBigQueryTest, PipelineIngestTask) {
  std::filesystem::create_directories(project_ + "/pipelines");
  WriteFile(project_ + "/bq.yaml", "type: bigquery\nproject: p\ncredentials: " + key_file_ + "\napi_base: " + bq_.Base() +
                                       "\ntable: bigquery-public-data.ds.all_types\nselected_fields: [id, d, items]\n");
  WriteFile(project_ + "/pipelines/bq.yaml", "name: bq\nschedule: \"0 0 * * *\"\ntimezone: UTC\ntasks:\n"
                                            "  - id: load\n    type: ingest\n    source_config: bq.yaml\n"
                                            "    table: bq.from_pipeline\n    mode: replace\n");
  auto j = LdpJson({"run", "bq", "--date", "2024-09-30"});
  ASSERT_EQ(j["runs"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["runs"][0]["status"], "success") << j.dump(2);
  EXPECT_EQ(Query("SELECT count(*) AS n, max(d)::VARCHAR AS d, sum(len(items)) AS i FROM bq.from_pipeline"),
            R"([{"d":"2024-09-25","i":25,"n":25}])");
  ASSERT_FALSE(bq_.tabledata_requests().empty());
  EXPECT_NE(bq_.tabledata_requests()[0].find("/projects/bigquery-public-data/datasets/ds/tables/all_types/data"),
            std::string::npos);
}

TEST_F(CliBigQueryTest, FailingPageCommitsNothingAndShowsNoSecret) {
  std::string cfg = Config("fail.yaml", "query: SELECT page_fails\npage_size: 10\nretry: {max_attempts: 2, backoff_seconds: 0.01}\n");
  auto r = Ldp({"ingest", "--source-config", cfg, "-t", "bq.failed", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("jobs.getQueryResults page 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HTTP 500 INTERNAL backendError"), std::string::npos) << r.err;
  EXPECT_FALSE(CatalogTable("bq", "failed"));
  EXPECT_TRUE(FilesUnder(warehouse() + "/_ldp/staging").empty());
  for (const auto& t : bq_.tokens()) {
    EXPECT_EQ(r.err.find(t), std::string::npos);
    EXPECT_EQ(r.out.find(t), std::string::npos);
  }
  EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos);
  // A query BigQuery refuses: exit 2, one line naming the request.
  std::string bad = Config("bad.yaml", "query: SELECT invalid_syntax\n");
  auto b = Ldp({"ingest", "--source-config", bad, "-t", "bq.bad"});
  EXPECT_EQ(b.exit_code, 2) << b.Describe();
  EXPECT_NE(b.err.find("jobs.query (POST " + bq_.Base() + "/bigquery/v2/projects/my-billing-project/queries): HTTP 400"),
            std::string::npos)
      << b.err;
  EXPECT_FALSE(CatalogTable("bq", "bad"));
}

}  // namespace
}  // namespace ldp::testing
