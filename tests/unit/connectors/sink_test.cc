// DuckDB database file and file sinks: each write disposition, and failures that change nothing.

#include "ldp/connectors/sink.h"

#include <gtest/gtest.h>

#include "ldp/engine/engine.h"
#include "testing/temp_dir.h"

namespace ldp::connectors {
namespace {

class SinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto c = db_->Connect();
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
  }
  Result<SinkResult> Write(const std::string& to, const std::string& select, const std::string& mode,
                           std::vector<std::string> keys = {}, std::vector<std::string> partition_by = {}) {
    SinkOptions so;
    so.disposition = *ParseWriteDisposition(mode);
    so.keys = keys;
    so.partition_by = partition_by;
    auto sink = MakeSink(to, so);
    if (!sink.ok()) return sink.status();
    return (*sink)->Write(*conn_, select);
  }
  std::string Scalar(const std::string& sql) {
    auto r = conn_->QueryScalar(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? r->value_or("NULL") : "";
  }
  testing::TempDir tmp_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST(SinkOptionsTest, TheWordsOfExportFlagsAndPipelineTasks) {
  auto o = MakeSinkOptions("merge", {"id", "day"}, {"day"}, "analytics.trips", "parquet");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->disposition, WriteDisposition::kMerge);
  EXPECT_EQ(o->keys, (std::vector<std::string>{"id", "day"}));
  EXPECT_EQ(o->partition_by, std::vector<std::string>{"day"});
  EXPECT_EQ(o->table, "analytics.trips");
  EXPECT_EQ(o->format, "parquet");
  auto d = MakeSinkOptions("", {}, {}, "", "");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->disposition, WriteDisposition::kReplace) << "replace is the default";

  auto no_key = MakeSinkOptions("merge", {}, {}, "", "");
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("key"), std::string::npos) << no_key.status().ToString();
  auto bad = MakeSinkOptions("upsert", {"id"}, {}, "", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("upsert"), std::string::npos) << bad.status().ToString();
}

TEST_F(SinkTest, DuckDbFileDispositions) {
  std::string file = tmp_.Join("out.duckdb");
  std::string to = file + "?table=items";
  auto c = Write(to, "SELECT i AS id, 'a' || i AS name FROM range(10) t(i)", "append");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->created);
  EXPECT_EQ(c->rows, 10);
  ASSERT_TRUE(Write(to, "SELECT i AS id, 'b' || i AS name FROM range(5) t(i)", "append").ok());
  auto m = Write(to, "SELECT i AS id, 'm' || i AS name FROM range(8, 12) t(i)", "merge", {"id"});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto check = [&](const std::string& sql) {
    EXPECT_TRUE(conn_->Execute("ATTACH " + engine::QuoteLiteral(file) + " AS chk (READ_ONLY)").ok());
    std::string v = Scalar(sql);
    EXPECT_TRUE(conn_->Execute("DETACH chk").ok());
    return v;
  };
  // 10 + 5 appended; the merge removes the one row each of ids 8 and 9 and adds ids 8..11.
  EXPECT_EQ(check("SELECT count(*) || ',' || count(*) FILTER (WHERE name LIKE 'm%') FROM chk.items"), "17,4");
  // A replace that fails while reading its rows leaves the table as it was.
  auto bad = Write(to, "SELECT i AS id, CASE WHEN i = 2 THEN error('boom') ELSE 'n' END AS name FROM range(3) t(i)",
                   "replace");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(check("SELECT count(*) FROM chk.items"), "17");
  ASSERT_TRUE(Write(to, "SELECT 1 AS id, 'only' AS name", "replace").ok());
  EXPECT_EQ(check("SELECT count(*) || name FROM chk.items GROUP BY name"), "1only");
  auto no_key = Write(to, "SELECT 1 AS id", "merge");
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.status().message().find("--key"), std::string::npos);
}

TEST_F(SinkTest, PartitionedFolderAppendAndReplace) {
  std::string dir = tmp_.Join("out") + "/";
  ASSERT_TRUE(Write(dir, "SELECT i AS id, i % 3 AS part FROM range(30) t(i)", "append", {}, {"part"}).ok());
  ASSERT_TRUE(Write(dir, "SELECT i AS id, i % 3 AS part FROM range(30, 36) t(i)", "append", {}, {"part"}).ok());
  std::string glob = engine::QuoteLiteral(dir + "**/*.csv");
  EXPECT_EQ(Scalar("SELECT count(*) || ',' || count(DISTINCT part) FROM read_csv(" + glob + ", hive_partitioning = true)"),
            "36,3");
  ASSERT_TRUE(Write(dir, "SELECT 1 AS id, 7 AS part", "replace", {}, {"part"}).ok());
  EXPECT_EQ(Scalar("SELECT count(*) || ',' || min(part) FROM read_csv(" + glob + ", hive_partitioning = true)"), "1,7");
  auto merge = Write(dir, "SELECT 1 AS id", "merge", {"id"});
  ASSERT_FALSE(merge.ok());
  std::string single = tmp_.Join("one.parquet");
  ASSERT_TRUE(Write(single, "SELECT 1 AS id", "replace").ok());
  auto app = Write(single, "SELECT 2 AS id", "append");
  ASSERT_FALSE(app.ok());
  EXPECT_NE(app.status().message().find("cannot append to an existing single file"), std::string::npos);
}

}  // namespace
}  // namespace ldp::connectors
