// `ldp clone NS.T --from NAME`: source catalogs named in ldp.yaml's `catalogs:` section (ADR 0023)
// — another project's SQLite catalog as a `sql` catalog and another project's `ldp serve` as a
// `rest` catalog with its token from the environment. Rows are compared with the other project's
// table registered here; unknown names, a missing catalog file and mixed flags are one-line errors
// that leave nothing behind.
#include <signal.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "cli_fixture.h"

namespace ldp::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class CliCloneFrom : public CliTest {
 protected:
  void TearDown() override {
    if (server_) {
      kill(server_->pid(), SIGTERM);
      (void)server_->Wait();
      server_.reset();
    }
  }

  void MakeOther() {
    other_ = tmp_.Join("other");
    ASSERT_EQ(RunLdp({"init", other_, "--quiet"}).exit_code, 0);
    const std::string src = tmp_.Join("orders.parquet");
    Copy("SELECT i AS id, ['eu','us','apac'][i % 3 + 1] AS region, (i * 13 % 500) / 4.0 AS total "
         "FROM range(6000) t(i)",
         src);
    ProcessResult r = RunLdp({"ingest", src, "--table", "sales.orders", "--partition-by", "region", "--project", other_,
                              "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    r = RunLdp({"delete", "sales.orders", "--where", "id % 10 = 0", "--project", other_, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    // The reference: the other project's table folder registered here (read, never written).
    LdpJson({"register", "ref.orders", other_ + "/warehouse/sales.db/orders"});
  }

  void StartServer(const std::string& project) {
    auto p = Subprocess::Start({LDP_BIN, "--project", project, "serve", "--port", "0", "--no-scheduler"});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    server_.emplace(std::move(*p));
    port_ = WaitForServePort(*server_);
    if (port_ == 0) FAIL() << "ldp serve did not start";
  }

  void AppendConfig(const std::string& text) {
    WriteFile(project_ + "/ldp.yaml", ReadFile(project_ + "/ldp.yaml") + text);
  }
  int64_t QueryInt(const std::string& sql) {
    auto j = LdpJson({"query", sql});
    if (!j.contains("rows") || j["rows"].empty()) {
      ADD_FAILURE() << "no rows from " << sql;
      return -1;
    }
    return j["rows"][0].begin()->get<int64_t>();
  }
  int64_t TableDifference(const std::string& a, const std::string& b) {
    return QueryInt(fmt::format(
        "SELECT count(*) AS n FROM ((SELECT * FROM {0} EXCEPT ALL SELECT * FROM {1}) UNION ALL "
        "(SELECT * FROM {1} EXCEPT ALL SELECT * FROM {0}))",
        a, b));
  }
  bool Registered(const std::string& table) {
    for (const auto& t : LdpJson({"tables"}))
      if (t.value("table", "") == table) return true;
    return false;
  }

  std::string other_;
  std::optional<Subprocess> server_;
  int port_ = 0;
};

TEST_F(CliCloneFrom, SqlAndRestCatalogsByName) {
  MakeOther();
  StartServer(other_);
  AppendConfig(fmt::format(
      "catalogs:\n"
      "  other:\n"
      "    type: sql\n"
      "    uri: ../other/warehouse/catalog.db\n"
      "  served:\n"
      "    type: rest\n"
      "    uri: http://127.0.0.1:{}\n"
      "    token: ${{LDP_TEST_SERVED_TOKEN}}\n",
      port_));
  const int64_t live = QueryInt("SELECT count(*) FROM ref.orders");
  ASSERT_EQ(live, 5400);

  // The SQLite catalog of the other project (path relative to this project).
  auto j = LdpJson({"clone", "sales.orders", "--from", "other", "--to", "dev.orders"});
  EXPECT_EQ(j.value("rows", -1), live);
  EXPECT_EQ(j.value("partitions", -1), 3);
  EXPECT_EQ(TableDifference("ref.orders", "dev.orders"), 0);
  auto d = LdpJson({"describe", "dev.orders"});
  EXPECT_EQ(d["properties"].value("ldp.clone.source", ""), "other sales.orders");
  EXPECT_EQ(d.value("partition_spec_text", ""), "region");
  ProcessResult text = Ldp({"describe", "dev.orders"});
  EXPECT_THAT(text.out, HasSubstr("cloned from other sales.orders at snapshot"));

  // The REST catalog, its token from the environment (${LDP_TEST_SERVED_TOKEN}); with --where.
  SubprocessOptions env;
  env.env["LDP_TEST_SERVED_TOKEN"] = "t0ken";
  ProcessResult r = RunLdp({"clone", "sales.orders", "--from", "served", "--to", "dev.eu", "--where", "region = 'eu'",
                            "--json", "--project", project_},
                           env);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto rj = nlohmann::json::parse(r.out);
  EXPECT_EQ(rj.value("rows", -1), QueryInt("SELECT count(*) FROM ref.orders WHERE region = 'eu'"));
  EXPECT_EQ(rj.value("source_files", -1), 1) << "pruned to the eu partition";
  EXPECT_EQ(TableDifference("(SELECT * FROM ref.orders WHERE region = 'eu')", "dev.eu"), 0);
  EXPECT_EQ(LdpJson({"describe", "dev.eu"})["properties"].value("ldp.clone.source", ""), "served sales.orders");
  // Without the variable only that catalog fails, naming the line; the rest of the project works.
  ProcessResult unset = Ldp({"clone", "sales.orders", "--from", "served", "--to", "dev.x"});
  EXPECT_EQ(unset.exit_code, 2) << unset.Describe();
  ASSERT_TRUE(OneLine(unset.err)) << unset.err;
  EXPECT_THAT(unset.err, HasSubstr("ldp.yaml:21: catalogs.served.token refers to environment variable LDP_TEST_SERVED_TOKEN"));
  EXPECT_FALSE(Registered("dev.x"));
  // --from-catalog URI keeps working beside named catalogs.
  auto u = LdpJson({"clone", "sales.orders", "--from-catalog", fmt::format("http://127.0.0.1:{}", port_), "--to",
                    "dev.uri", "--limit", "10"});
  EXPECT_EQ(u.value("rows", -1), 10);
}

TEST_F(CliCloneFrom, UnknownNamesMissingCatalogsAndMixedFlagsAreClearErrors) {
  MakeOther();
  AppendConfig(fmt::format("catalogs:\n  other:\n    uri: {}/warehouse/catalog.db\n  gone:\n    uri: {}\n", other_,
                           tmp_.Join("gone/catalog.db")));
  ProcessResult r = Ldp({"clone", "sales.orders", "--from", "prod", "--to", "dev.x"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  ASSERT_TRUE(OneLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no catalog named 'prod'"));
  EXPECT_THAT(r.err, HasSubstr("(configured: gone, other)"));

  r = Ldp({"clone", "sales.orders", "--from", "gone", "--to", "dev.x"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("catalogs.gone: SQLite catalog " + tmp_.Join("gone/catalog.db") + " does not exist"));
  EXPECT_FALSE(fs::exists(tmp_.Join("gone"))) << "a source catalog is never created";

  r = Ldp({"clone", "sales.nope", "--from", "other", "--to", "dev.x"});
  EXPECT_EQ(r.exit_code, 3) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("sales.nope"));
  EXPECT_THAT(r.err, HasSubstr("catalog other"));

  r = Ldp({"clone", "sales.orders", "--from", "other", "--from-catalog", "http://127.0.0.1:9", "--to", "dev.x"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("not both"));
  r = Ldp({"clone", "sales.orders", "--from", "other", "--from-warehouse", "w", "--to", "dev.x"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(Registered("dev.x"));
  EXPECT_FALSE(fs::exists(warehouse() + "/dev.db"));

  // A bad entry names file, line and field, for every command.
  AppendConfig("  third:\n    type: rest\n    url: http://x\n");
  r = Ldp({"tables"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr("ldp.yaml:21: unknown field 'catalogs.third.url'"));
}

}  // namespace
}  // namespace ldp::testing
