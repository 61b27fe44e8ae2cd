// How a partitioned write is fed to DuckDB: as it is up to kSortedWriteMinPartitions partitions,
// sorted by the partition keys (with a memory limit and a small flush threshold) above.

#include <gtest/gtest.h>

#include "ldp/services/partitioned_write.h"

namespace ldp::services {
namespace {

class PartitionedWriteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
  }

  std::string Setting(const std::string& name) {
    auto v = conn_->QueryScalar("SELECT current_setting('" + name + "')::VARCHAR");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && *v ? **v : "";
  }

  // Keys over `n` rows spread over `parts` partitions (key column __ldp_p0).
  static PartitionKeys Keys(int n, int parts) {
    PartitionKeys k;
    k.select_sql = "SELECT i, i % " + std::to_string(parts) + " AS __ldp_p0 FROM range(" + std::to_string(n) + ") t(i)";
    k.key_columns = {"__ldp_p0"};
    return k;
  }

  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(PartitionedWriteSourceTest, FewPartitionsAreWrittenAsTheyAre) {
  const std::string threshold = Setting("partitioned_write_flush_threshold");
  int64_t n = -1;
  PartitionKeys k = Keys(1000, static_cast<int>(kSortedWriteMinPartitions));
  auto sql = PartitionedWriteSource(*conn_, k, false, &n);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(n, kSortedWriteMinPartitions);
  EXPECT_EQ(*sql, k.select_sql);
  EXPECT_EQ(Setting("partitioned_write_flush_threshold"), threshold);
}

TEST_F(PartitionedWriteSourceTest, ManyPartitionsAreSortedWithBoundedMemory) {
  int64_t n = -1;
  PartitionKeys k = Keys(5000, 2000);
  auto sql = PartitionedWriteSource(*conn_, k, false, &n);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(n, 2000);
  EXPECT_EQ(*sql, k.select_sql + " ORDER BY \"__ldp_p0\"");
  EXPECT_EQ(Setting("partitioned_write_flush_threshold"), "20000");
  // 512MB as DuckDB renders it (488.2 MiB)
  auto limit = conn_->QueryScalar("SELECT current_setting('memory_limit')");
  ASSERT_TRUE(limit.ok() && *limit);
  EXPECT_EQ(**limit, "488.2 MiB");
  // sorted: the first rows are those of the first partition
  auto first = conn_->QueryScalar("SELECT max(__ldp_p0) FROM (" + *sql + " LIMIT 2)");
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ(**first, "0");
}

TEST_F(PartitionedWriteSourceTest, AConfiguredMemoryLimitIsKept) {
  ASSERT_TRUE(conn_->Execute("SET memory_limit = '3GB'").ok());
  const std::string before = Setting("memory_limit");
  int64_t n = -1;
  auto sql = PartitionedWriteSource(*conn_, Keys(5000, 2000), true, &n);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(Setting("memory_limit"), before);
}

TEST_F(PartitionedWriteSourceTest, UnpartitionedKeysNeedNoPass) {
  PartitionKeys k;
  k.select_sql = "SELECT * FROM no_such_table";  // never run
  int64_t n = -1;
  auto sql = PartitionedWriteSource(*conn_, k, false, &n);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(n, 0);
  EXPECT_EQ(*sql, k.select_sql);
}

}  // namespace
}  // namespace ldp::services
