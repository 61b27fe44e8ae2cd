// The same CLI flows on every catalog ldp.yaml can name: the embedded SQLite file (the default),
// PostgreSQL (a real server from tests/testing/postgres_server.h) and a REST catalog (ldp's own
// `ldp serve` on another project, reached with OAuth2 client credentials and a prefix). Plus the
// reliability check of issue 4: 8 processes appending to one table at once lose no commit.
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <thread>

#include "cli_fixture.h"
#include "testing/postgres_server.h"

namespace ldp::testing {
namespace {

using nlohmann::json;

/// `ldp serve` on its own project, on a free port.
class ServerProcess {
 public:
  ~ServerProcess() { Stop(); }
  /// Starts `ldp --project DIR serve --port 0 ARGS`; returns the base URI or "" on failure.
  std::string Start(const std::string& project, std::vector<std::string> args) {
    std::vector<std::string> argv = {LDP_BIN, "--project", project, "serve", "--port", "0"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto p = Subprocess::Start(argv);
    if (!p.ok()) return "";
    server_.emplace(std::move(*p));
    int port = WaitForServePort(*server_, 30);
    return port ? "http://127.0.0.1:" + std::to_string(port) : "";
  }
  void Stop() {
    if (!server_) return;
    kill(server_->pid(), SIGTERM);
    (void)server_->Wait();
    server_.reset();
  }

 private:
  std::optional<Subprocess> server_;
};

/// A project whose catalog is GetParam(): "sqlite", "postgres" or "rest".
class CatalogFlowTest : public CliTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string kind = GetParam();
    if (kind == "postgres") {
      auto* pg = PostgresServer::Get();
      if (!pg->ok()) GTEST_SKIP() << pg->error();
      pg_uri_ = pg->NewDatabase("flows");
      // The password comes from the environment (the test server trusts local connections, so
      // any password works; the point is that ${NAME} is read and never printed).
      setenv("LDP_TEST_PG_PASSWORD", "pg-s3cret", 1);
      WriteFile(project_ + "/ldp.yaml",
                "name: p\nwarehouse: warehouse\ncatalog:\n  type: sql\n  uri: " + pg_uri_ +
                    "\n  password: ${LDP_TEST_PG_PASSWORD}\n  name: flows\n");
      ForgetSqliteCatalog();
    } else if (kind == "rest") {
      server_project_ = tmp_.Join("server");
      ASSERT_EQ(RunLdp({"init", server_project_}).exit_code, 0);
      WriteFile(tmp_.Join("tokens"), "credential ldp-client:rest-s3cret\n");
      std::string uri = server_.Start(server_project_, {"--tokens-file", tmp_.Join("tokens"),
                                                        "--prefix", "cat1"});
      ASSERT_FALSE(uri.empty()) << "ldp serve did not start";
      setenv("LDP_TEST_REST_CREDENTIAL", "ldp-client:rest-s3cret", 1);
      WriteFile(project_ + "/ldp.yaml",
                "name: p\nwarehouse: warehouse\ncatalog:\n  type: rest\n  uri: " + uri +
                    "\n  credential: ${LDP_TEST_REST_CREDENTIAL}\n");
      ForgetSqliteCatalog();
    }
  }

  /// Removes the SQLite catalog `ldp init` made, so a test can tell it is not used again.
  void ForgetSqliteCatalog() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(catalog_db() + suffix);
  }

  /// `ldp query SQL --format csv` output without the header line.
  std::string QueryCsv(const std::string& sql, const std::string& project = "") {
    ProcessResult r = project.empty() ? Ldp({"query", sql, "--format", "csv"})
                                      : RunLdp({"query", sql, "--format", "csv", "--project", project});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    auto nl = r.out.find('\n');
    return nl == std::string::npos ? "" : r.out.substr(nl + 1);
  }

  std::string pg_uri_;
  std::string server_project_;
  ServerProcess server_;
};

INSTANTIATE_TEST_SUITE_P(Catalogs, CatalogFlowTest, ::testing::Values("sqlite", "postgres", "rest"),
                         [](const auto& info) { return info.param; });

TEST_P(CatalogFlowTest, MainFlowsWorkUnchanged) {
  const std::string a = tmp_.Join("a.parquet"), b = tmp_.Join("b.parquet"),
                    m = tmp_.Join("m.parquet"), d = tmp_.Join("d.parquet");
  Copy("SELECT i AS id, 'v' || i AS v FROM range(0, 100) t(i)", a);
  Copy("SELECT i AS id, 'v' || i AS v FROM range(100, 150) t(i)", b);
  Copy("SELECT i AS id, 'm' AS v FROM range(140, 160) t(i)", m);
  Copy("SELECT i AS id, 'dev' AS v, 'n' AS note FROM range(1000, 1005) t(i)", d);

  // init happened in SetUp (SQLite); ingest creates the table through the configured catalog.
  json created = Ingest(a, "nyc.trips");
  EXPECT_EQ(created.value("rows", -1), 100) << created.dump();
  Ingest(b, "nyc.trips");
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM nyc.trips"), "150\n");

  ProcessResult del = Ldp({"delete", "nyc.trips", "--where", "id < 10"});
  ASSERT_EQ(del.exit_code, 0) << del.Describe();
  ProcessResult upd = Ldp({"update", "nyc.trips", "--set", "v = 'x'", "--where", "id = 50"});
  ASSERT_EQ(upd.exit_code, 0) << upd.Describe();
  Ingest(m, "nyc.trips", {"--mode", "merge", "--key", "id"});
  EXPECT_EQ(QueryCsv("SELECT count(*), count(*) FILTER (v = 'm'), max(v) FILTER (id = 50) "
                     "FROM nyc.trips"),
            "150,20,x\n");

  ProcessResult alter = Ldp({"alter", "nyc.trips", "--add-column", "note string"});
  ASSERT_EQ(alter.exit_code, 0) << alter.Describe();
  json described = LdpJson({"describe", "nyc.trips"});
  EXPECT_NE(described.dump().find("\"note\""), std::string::npos) << described.dump();

  ASSERT_EQ(Ldp({"tag", "create", "nyc.trips", "v1"}).exit_code, 0);
  ASSERT_EQ(Ldp({"branch", "create", "nyc.trips", "dev"}).exit_code, 0);
  Ingest(d, "nyc.trips", {"--branch", "dev"});
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM nyc.trips"), "150\n");  // main unchanged
  json branches = LdpJson({"branch", "list", "nyc.trips"});
  EXPECT_NE(branches.dump().find("\"dev\""), std::string::npos) << branches.dump();

  ProcessResult compact = Ldp({"maintain", "compact", "nyc.trips", "--json"});
  ASSERT_EQ(compact.exit_code, 0) << compact.Describe();
  ProcessResult expire =
      Ldp({"maintain", "expire-snapshots", "nyc.trips", "--older-than", "0d", "--retain-last", "1"});
  ASSERT_EQ(expire.exit_code, 0) << expire.Describe();
  EXPECT_EQ(QueryCsv("SELECT count(*), sum(id) FROM nyc.trips"),
            QueryCsv("SELECT count(*), sum(id) FROM nyc.trips"));
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM nyc.trips"), "150\n");

  json tables = LdpJson({"tables"});
  EXPECT_NE(tables.dump().find("trips"), std::string::npos) << tables.dump();
  json snaps = LdpJson({"snapshots", "nyc.trips"});
  EXPECT_TRUE(snaps.is_array() || snaps.is_object()) << snaps.dump();

  // Errors stay clear and exit codes keep their meaning on every catalog.
  ProcessResult missing = Ldp({"describe", "nyc.nope"});
  EXPECT_EQ(missing.exit_code, 3) << missing.Describe();
  EXPECT_NE(missing.err.find("nyc.nope"), std::string::npos) << missing.Describe();

  // The catalog really is the configured one, and secrets never show.
  if (GetParam() == "postgres") {
    auto r = PostgresServer::Get()->Psql(
        "SELECT catalog_name, table_namespace, table_name FROM iceberg_tables", pg_uri_);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->out, "flows|nyc|trips\n");
    EXPECT_FALSE(std::filesystem::exists(catalog_db()));
  } else if (GetParam() == "rest") {
    // The server's own project sees the table ldp wrote through REST.
    EXPECT_EQ(QueryCsv("SELECT count(*) FROM nyc.trips", server_project_), "150\n");
    EXPECT_FALSE(std::filesystem::exists(catalog_db()));
  }
  for (const ProcessResult& r : {del, upd, alter, compact, expire, missing}) {
    EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
    EXPECT_EQ(r.err.find("s3cret"), std::string::npos);
  }
}

// `ldp register` and `register --overwrite` on every catalog (the REST catalog registers with
// `overwrite: true`; its commits carry changes, not metadata locations).
TEST_P(CatalogFlowTest, RegisterAndOverwriteAnExistingTable) {
  // A table written by another project; for the REST catalog inside the server's warehouse, since
  // the server refuses metadata outside it.
  const std::string other = server_project_.empty() ? tmp_.Join("other") : server_project_;
  if (server_project_.empty()) ASSERT_EQ(RunLdp({"init", other}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {
    const std::string src = tmp_.Join("events" + std::to_string(i) + ".parquet");
    Copy(fmt::format("SELECT i AS id FROM range({}, {}) t(i)", i * 100, i * 100 + 100), src);
    ProcessResult r = RunLdp({"ingest", src, "--table", "prod.events", "--project", other, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(other + "/warehouse/prod.db/events/metadata"))
    if (e.path().string().ends_with(".metadata.json")) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  const std::string older = files[files.size() - 2], newest = files.back();  // 100 and 200 rows

  json first = LdpJson({"register", "dev.events", older});
  EXPECT_EQ(first.value("records", -1), 100) << first.dump();
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM dev.events"), "100\n");
  ProcessResult taken = Ldp({"register", "dev.events", newest});
  EXPECT_NE(taken.exit_code, 0) << taken.Describe();
  EXPECT_NE(taken.err.find("--overwrite"), std::string::npos) << taken.Describe();
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM dev.events"), "100\n") << "a refused register changes nothing";

  json replaced = LdpJson({"register", "dev.events", newest, "--overwrite"});
  EXPECT_TRUE(replaced.value("replaced", false)) << replaced.dump();
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM dev.events"), "200\n");
  EXPECT_EQ(LdpJson({"describe", "dev.events"}).value("metadata_location", ""), newest);
}

TEST_P(CatalogFlowTest, EightProcessesAppendingLoseNoCommit) {
  constexpr int kWriters = 8;
  constexpr int kEach = 2;
  const std::string seed = tmp_.Join("seed.parquet");
  Copy("SELECT CAST(-1 AS BIGINT) AS id, 0 AS writer", seed);
  Ingest(seed, "load.t");
  std::vector<std::string> files;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kEach; ++i) {
      files.push_back(tmp_.Join(fmt::format("w{}_{}.parquet", w, i)));
      Copy(fmt::format("SELECT r AS id, {} AS writer FROM range({}, {}) t(r)", w,
                       (w * kEach + i) * 1000, (w * kEach + i) * 1000 + 10 + w),
           files.back());
    }
  }
  std::vector<Subprocess> procs;
  for (int w = 0; w < kWriters; ++w) {
    // Each writer is one shell running its appends in order, all writers at once.
    std::string script;
    for (int i = 0; i < kEach; ++i) {
      script += fmt::format("'{}' ingest '{}' --table load.t --project '{}' || exit $?; ", LDP_BIN,
                            files[w * kEach + i], project_);
    }
    auto p = Subprocess::Start({"/bin/sh", "-c", script});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    procs.push_back(std::move(*p));
  }
  int64_t expected_rows = 1;
  for (int w = 0; w < kWriters; ++w) expected_rows += kEach * (10 + w);
  for (auto& p : procs) {
    auto r = p.Wait();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 0) << r->Describe();
  }
  EXPECT_EQ(QueryCsv("SELECT count(*), count(DISTINCT id) FROM load.t"),
            fmt::format("{},{}\n", expected_rows, expected_rows));
  // One snapshot per commit, in one linear history.
  json snaps = LdpJson({"snapshots", "load.t"});
  const json& list = snaps.is_array() ? snaps : snaps.value("snapshots", json::array());
  EXPECT_EQ(list.size(), 1u + kWriters * kEach) << snaps.dump();
}

}  // namespace
}  // namespace ldp::testing
