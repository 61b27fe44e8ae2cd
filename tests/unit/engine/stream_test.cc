#include <gtest/gtest.h>

#include "ldp/engine/engine.h"

namespace ldp::engine {
namespace {

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok());
    conn_ = std::move(*conn);
  }
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(StreamTest, ReadsEveryRowInBatchesWithKindsAndNulls) {
  auto s = conn_->Stream(
      "SELECT i, i * 0.5 AS half, CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i END AS label, "
      "DATE '2024-01-01' + CAST(i AS INTEGER) AS day, [i, i] AS pair FROM range(5000) t(i) ORDER BY i");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const auto& cols = (*s)->columns();
  ASSERT_EQ(cols.size(), 5u);
  EXPECT_EQ(cols[0].name, "i");
  EXPECT_EQ(cols[0].kind, ValueKind::kInteger);
  EXPECT_EQ(cols[1].kind, ValueKind::kDecimal);
  EXPECT_EQ(cols[2].kind, ValueKind::kString);
  EXPECT_EQ(cols[3].kind, ValueKind::kTemporal);
  EXPECT_EQ(cols[4].kind, ValueKind::kNested);
  int64_t rows = 0, batches = 0, nulls = 0, sum = 0;
  for (;;) {
    auto b = (*s)->Next();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    if (b->empty()) break;
    ++batches;
    EXPECT_LE(b->size(), 2048u);
    for (const auto& r : *b) {
      ASSERT_TRUE(r[0].has_value());
      EXPECT_EQ(std::stoll(*r[0]), rows);
      sum += std::stoll(*r[0]);
      if (!r[2]) ++nulls;
      ++rows;
    }
  }
  EXPECT_EQ(rows, 5000);
  EXPECT_GE(batches, 3);
  EXPECT_EQ(nulls, 1667);  // multiples of 3 in [0, 5000)
  EXPECT_EQ(sum, 5000LL * 4999 / 2);
  auto again = (*s)->Next();  // past the end stays at the end
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(StreamTest, RendersValuesLikeQuery) {
  const char* sql = "SELECT 1.5::DOUBLE AS d, TIMESTAMP '2023-01-02 03:04:05' AS ts, true AS b, {'a': 1} AS s";
  auto q = conn_->Query(sql);
  ASSERT_TRUE(q.ok());
  auto s = conn_->Stream(sql);
  ASSERT_TRUE(s.ok());
  auto b = (*s)->Next();
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ((*b)[0], q->rows[0]);
}

TEST_F(StreamTest, StatementsThatAreNotQueriesRunWhole) {
  auto s = conn_->Stream("CREATE TABLE t AS SELECT 42 AS x");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto v = conn_->QueryScalar("SELECT x FROM t");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(**v, "42");
}

TEST_F(StreamTest, BadSqlIsAnErrorNamingTheProblem) {
  auto s = conn_->Stream("SELECT * FROM no_such_table");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("no_such_table"), std::string::npos) << s.status().message();
  auto runtime = conn_->Stream("SELECT CAST('x' || i AS INTEGER) FROM range(10) t(i)");
  // A failure while rows are produced surfaces from Stream or from Next, never as rows.
  if (runtime.ok()) {
    auto b = (*runtime)->Next();
    EXPECT_FALSE(b.ok());
  }
}

}  // namespace
}  // namespace ldp::engine
