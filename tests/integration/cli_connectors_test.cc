// Connectors through the real CLI: `ldp ingest` from a REST API (a local test server) and from
// PostgreSQL into Iceberg with incremental cursors, `ldp state`, failures that commit nothing,
// secrets kept out of output, `ldp export` into PostgreSQL and a DuckDB file, and a pipeline
// ingest task with a source config.

#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "testing/api_test_server.h"
#include "testing/postgres_server.h"

namespace ldp::testing {
namespace {

class CliConnectorsTest : public CliTest {
 protected:
  std::string Config(const std::string& name, const std::string& yaml) {
    std::string path = tmp_.Join(name);
    WriteFile(path, yaml);
    return path;
  }
  std::string Rows(const std::string& table) {
    return LdpJson({"query", "SELECT count(*) AS n FROM " + table})["rows"][0]["n"].dump();
  }
  ApiTestServer api_;
};

TEST_F(CliConnectorsTest, RestIncrementalIntoIcebergWithState) {
  std::string cfg = Config("api.yaml", std::string(R"(name: items_api
records: $.items
pagination: {type: offset, page_size: 40}
auth: {type: bearer, token: "{{ env.LDP_TEST_API_TOKEN }}"}
incremental: {cursor_field: updated_at, param: since}
nested: flatten
)"));
  // The token comes from the environment (/since does not check it; RefusedAuth... does).
  api_.set_records(100);
  SubprocessOptions env;
  env.env["LDP_TEST_API_TOKEN"] = "tok-from-env-4242";
  env.env["LDP_PROJECT"] = std::nullopt;
  auto run = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {LDP_BIN, "ingest", api_.Url("/since"), "--source-config", cfg, "-t", "api.items",
                                     "--project", project_};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunProcess(args, env);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProcessResult{};
  };
  auto first = run({"--json"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["rows"], 100);
  EXPECT_EQ(j["records"], 100);
  EXPECT_EQ(j["pages"], 3);
  EXPECT_EQ(j["cursor"], "1099");
  EXPECT_EQ(j["state_name"], "items_api");
  EXPECT_EQ(first.out.find("tok-from-env-4242"), std::string::npos);
  EXPECT_EQ(LdpJson({"query", "SELECT owner__login AS o FROM api.items WHERE id = 9"})["rows"][0]["o"], "user2");

  // New records appear; the next run fetches only those (the server filters by ?since=).
  api_.set_records(130);
  auto second = run({"--json"});
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  auto j2 = nlohmann::json::parse(second.out);
  EXPECT_EQ(j2["rows"], 30);
  EXPECT_EQ(j2["previous_cursor"], "1099");
  EXPECT_EQ(j2["cursor"], "1129");
  EXPECT_EQ(Rows("api.items"), "130");

  auto state = LdpJson({"state"});
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0]["source"], "items_api");
  EXPECT_EQ(state[0]["value"], "1129");
  EXPECT_EQ(state[0]["target"], "api.items");
  auto human = Ldp({"state", "items_api"});
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("1129"), std::string::npos);
  EXPECT_EQ(Ldp({"state", "nope"}).exit_code, 3);
  EXPECT_EQ(Ldp({"state", "reset", "items_api"}).exit_code, 0);
  EXPECT_EQ(LdpJson({"state"}).size(), 0u);
  EXPECT_EQ(Ldp({"state", "reset", "items_api"}).exit_code, 3);
}

TEST_F(CliConnectorsTest, FailureMidStreamCommitsNothingAndKeepsTheCursor) {
  std::string cfg = Config("fail.yaml", "records: $.items\npagination: {type: page}\nretry: {max_attempts: 2, backoff_seconds: 0.01}\n");
  auto r = Ldp({"ingest", api_.Url("/fail-at-3"), "--source-config", cfg, "-t", "api.fails"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  auto line = OneLine(r.err);
  ASSERT_TRUE(line) << r.err;
  EXPECT_NE(line->find("page 3"), std::string::npos) << *line;
  EXPECT_FALSE(CatalogTable("api", "fails"));
  EXPECT_TRUE(FilesUnder(warehouse() + "/_ldp/staging").empty());

  std::string bad = Config("bad.yaml", "records: $.items\npagination: {type: page}\n");
  auto m = Ldp({"ingest", api_.Url("/malformed"), "--source-config", bad, "-t", "api.bad"});
  EXPECT_EQ(m.exit_code, 2) << m.Describe();
  EXPECT_NE(m.err.find("malformed JSON"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find(api_.Url("/malformed?page=2")), std::string::npos) << m.err;
  EXPECT_FALSE(CatalogTable("api", "bad"));
}

TEST_F(CliConnectorsTest, RefusedAuthKeepsSecretsOutOfErrors) {
  std::string cfg = Config("key.yaml", "records: $.items\nauth: {type: api_key, name: api_key, in: query, value: \"{{ env.K }}\"}\n");
  SubprocessOptions env;
  env.env["K"] = "very-secret-key-31337";
  env.env["LDP_PROJECT"] = std::nullopt;
  auto r = RunProcess({LDP_BIN, "ingest", api_.Url("/key-query"), "--source-config", cfg, "-t", "api.k", "--json",
                       "--project", project_},
                      env);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
  EXPECT_NE(r->err.find("authentication refused"), std::string::npos) << r->err;
  EXPECT_EQ(r->err.find("very-secret-key-31337"), std::string::npos) << r->err;
  EXPECT_EQ(r->out.find("very-secret-key-31337"), std::string::npos) << r->out;
  auto missing = Ldp({"ingest", api_.Url("/key-query"), "--source-config", cfg, "-t", "api.k"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();  // K not set: NotFound naming it
  EXPECT_NE(missing.err.find("environment variable K"), std::string::npos) << missing.err;
}

TEST_F(CliConnectorsTest, PostgresIntoIcebergAndBackOut) {
  auto* pg = PostgresServer::Get();
  if (!pg->ok()) GTEST_SKIP() << pg->error();
  std::string uri = pg->NewDatabase("cli");
  auto ok = pg->Psql("CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2), at timestamptz, tags text[]); "
                     "INSERT INTO orders SELECT i, i * 1.25, TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * interval '1 hour', "
                     "ARRAY['a', 'b' || i] FROM generate_series(1, 500) i",
                     uri);
  ASSERT_TRUE(ok.ok() && ok->exit_code == 0) << (ok.ok() ? ok->Describe() : ok.status().ToString());
  std::string cfg = Config("pg.yaml", "table: public.orders\nincremental: {cursor_field: at}\n");
  auto j = LdpJson({"ingest", uri, "--source-config", cfg, "-t", "shop.orders"});
  EXPECT_EQ(j["rows"], 500);
  EXPECT_EQ(LdpJson({"query", "SELECT sum(amount)::VARCHAR AS s, max(len(tags)) AS l FROM shop.orders"})["rows"][0]["s"],
            "156562.50");
  ASSERT_TRUE(pg->Psql("INSERT INTO orders VALUES (501, 1, '2030-01-01 00:00:00+00', NULL)", uri).ok());
  auto j2 = LdpJson({"ingest", uri, "--source-config", cfg, "-t", "shop.orders"});
  EXPECT_EQ(j2["rows"], 1);
  EXPECT_EQ(Rows("shop.orders"), "501");

  // Export: merge into PostgreSQL, then a DuckDB file.
  auto e = LdpJson({"export", "shop.orders", "--to", uri + "?table=orders_copy", "--mode", "merge", "--key", "id"});
  EXPECT_EQ(e["rows"], 501);
  EXPECT_EQ(e["created"], true);
  auto count = pg->Psql("SELECT count(*), sum(amount) FROM orders_copy", uri);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->out, "501|156563.50\n");
  std::string duck = tmp_.Join("out.duckdb");
  auto d = LdpJson({"export", "--sql", "SELECT id, amount FROM shop.orders WHERE id <= 10", "--to", duck + "?table=o"});
  EXPECT_EQ(d["rows"], 10);
  Sql("ATTACH " + engine::QuoteLiteral(duck) + " AS x (READ_ONLY)");
  EXPECT_EQ(Scalar("SELECT count(*) || ',' || sum(amount) FROM x.o"), "10,68.75");
}

TEST_F(CliConnectorsTest, PipelineIngestTaskWithSourceConfig) {
  std::filesystem::create_directories(project_ + "/pipelines");
  WriteFile(project_ + "/api.yaml", "records: $.data.items\npagination: {type: offset, page_size: 100}\n");
  WriteFile(project_ + "/pipelines/pull.yaml", "name: pull\nschedule: \"0 0 * * *\"\ntimezone: UTC\ntasks:\n"
                                              "  - id: load\n    type: ingest\n    source: \"" + api_.Url("/offset") +
                                                  "\"\n    source_config: api.yaml\n    table: api.pulled\n");
  auto j = LdpJson({"run", "pull", "--date", "2024-01-02"});
  ASSERT_EQ(j["runs"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["runs"][0]["status"], "success") << j.dump(2);
  EXPECT_EQ(Rows("api.pulled"), "250");
}

// Pipeline export tasks write to the same sinks as `ldp export --to`, with the same dispositions.
TEST_F(CliConnectorsTest, PipelineExportTasksWriteToSinks) {
  auto* pg = PostgresServer::Get();
  if (!pg->ok()) GTEST_SKIP() << pg->error();
  std::string uri = pg->NewDatabase("sinks");
  std::string src = tmp_.Join("sales.csv");
  Sql("COPY (SELECT i AS id, i % 3 AS shop, i * 2 AS amount FROM range(1, 101) t(i)) TO " + engine::QuoteLiteral(src) +
      " (HEADER)");
  ASSERT_EQ(Ldp({"ingest", src, "-t", "mart.sales"}).exit_code, 0);
  std::filesystem::create_directories(project_ + "/pipelines");
  WriteFile(project_ + "/pipelines/out.yaml", R"(name: out
schedule: "@daily"
timezone: UTC
tasks:
  - id: to_duckdb
    type: export
    table: mart.sales
    to: mart.duckdb?table=sales
    mode: merge
    key: id
  - id: to_postgres
    type: export
    query: "SELECT shop, sum(amount) AS amount, '{{ ds }}' AS day FROM ref('mart.sales') GROUP BY shop"
    to: ")" + uri + R"("
    target_table: daily_totals
    mode: append
  - id: to_folder
    type: export
    table: mart.sales
    to: exports/sales/
    format: parquet
    partition_by: shop
)");
  for (const std::string day : {"2024-01-01", "2024-01-02"}) {
    auto j = LdpJson({"run", "out", "--date", day});
    ASSERT_EQ(j["runs"][0]["status"], "success") << j.dump(2);
  }
  // merge on id: run twice, still one row per id.
  Sql("ATTACH " + engine::QuoteLiteral(project_ + "/mart.duckdb") + " AS m (READ_ONLY)");
  EXPECT_EQ(Scalar("SELECT count(*) || ',' || count(DISTINCT id) || ',' || sum(amount) FROM m.sales"), "100,100,10100");
  // append: one group per shop and day.
  auto totals = pg->Psql("SELECT count(*), count(DISTINCT day), sum(amount) FROM daily_totals", uri);
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->out, "6|2|20200\n");
  // a Hive-style folder per shop.
  EXPECT_TRUE(std::filesystem::is_directory(project_ + "/exports/sales/shop=0"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + engine::QuoteLiteral(project_ + "/exports/sales/**/*.parquet") +
                   ", hive_partitioning = true)"),
            "100");

  // merge without key is refused before anything runs, naming the file and field.
  WriteFile(project_ + "/pipelines/bad.yaml", "name: bad\nschedule: none\ntasks:\n"
            "  - id: x\n    type: export\n    table: mart.sales\n    to: other.duckdb\n    mode: merge\n");
  ProcessResult bad = Ldp({"run", "bad", "--date", "2024-01-01"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("bad.yaml"), std::string::npos) << bad.Describe();
  EXPECT_NE(bad.err.find("key"), std::string::npos) << bad.Describe();
  EXPECT_FALSE(std::filesystem::exists(project_ + "/other.duckdb"));
}

TEST_F(CliConnectorsTest, CompressedFilesInHiveFoldersBecomeColumns) {
  std::string dir = tmp_.Join("drops");
  std::filesystem::create_directories(dir + "/region=eu");
  std::filesystem::create_directories(dir + "/region=us");
  Copy("SELECT i AS a FROM range(3) t(i)", dir + "/region=eu/part.csv.zst", "FORMAT csv, HEADER, COMPRESSION zstd");
  Copy("SELECT i AS a FROM range(10, 14) t(i)", dir + "/region=us/part.csv.gz", "FORMAT csv, HEADER, COMPRESSION gzip");
  auto j = Ingest(dir, "files.hive");
  EXPECT_EQ(j["rows"], 7);
  EXPECT_EQ(j["source_files"], 2);
  auto r = LdpJson({"query", "SELECT region, sum(a) AS s FROM files.hive GROUP BY ALL ORDER BY 1"})["rows"];
  ASSERT_EQ(r.size(), 2u) << r.dump();
  EXPECT_EQ(r[0]["region"], "eu");
  EXPECT_EQ(r[0]["s"], 3);
  EXPECT_EQ(r[1]["s"], 46);
}

TEST_F(CliConnectorsTest, HttpFileSourceIsDownloadedThenIngested) {
  auto j = Ingest(api_.Url("/files/resume.csv"), "files.web");
  EXPECT_EQ(j["rows"], 5000);
  EXPECT_EQ(Rows("files.web"), "5000");
  EXPECT_TRUE(FilesUnder(warehouse() + "/_ldp/staging").empty());
  auto missing = Ldp({"ingest", api_.Url("/files/nope.csv"), "-t", "files.none"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
  EXPECT_NE(missing.err.find("/files/nope.csv"), std::string::npos) << missing.err;
  EXPECT_FALSE(CatalogTable("files", "none"));
}

}  // namespace
}  // namespace ldp::testing
