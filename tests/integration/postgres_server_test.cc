// The test PostgreSQL (tests/testing/postgres_server.h) that the catalog and connector tests use:
// it is a real server, and each test's database is its own.
#include "testing/postgres_server.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace ldp::testing {
namespace {

TEST(PostgresServerTest, IsARealServerAndDatabasesAreIsolated) {
  auto* pg = PostgresServer::Get();
  if (!pg->ok()) GTEST_SKIP() << pg->error();
  std::string a = pg->NewDatabase("isolation");
  std::string b = pg->NewDatabase("isolation");
  ASSERT_NE(a, b);
  ASSERT_OK_AND_ASSIGN(auto version, pg->Psql("SHOW server_version_num", a));
  ASSERT_EQ(version.exit_code, 0) << version.Describe();
  EXPECT_EQ(version.out.substr(0, 2), "15");
  ASSERT_OK_AND_ASSIGN(auto create, pg->Psql("CREATE TABLE t(x int); INSERT INTO t VALUES (7)", a));
  ASSERT_EQ(create.exit_code, 0) << create.Describe();
  ASSERT_OK_AND_ASSIGN(auto in_a, pg->Psql("SELECT sum(x) FROM t", a));
  EXPECT_EQ(in_a.out, "7\n");
  ASSERT_OK_AND_ASSIGN(auto in_b, pg->Psql("SELECT count(*) FROM pg_tables WHERE tablename = 't'", b));
  EXPECT_EQ(in_b.out, "0\n");
}

}  // namespace
}  // namespace ldp::testing
