// The PostgreSQL sink pipes DuckDB's CSV into COPY FROM STDIN (a named pipe, no staging file):
// rows arrive whole, and a failure on either side — PostgreSQL refusing a row, or DuckDB failing
// half-way through producing them — leaves the target as it was, without hanging. Runs against a
// real PostgreSQL 15 (testing/postgres_server.h).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ldp/connectors/sink.h"
#include "ldp/engine/engine.h"
#include "testing/postgres_server.h"
#include "testing/temp_dir.h"

namespace ldp::connectors {
namespace {

class PostgresSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = testing::PostgresServer::Get();
    if (!pg_->ok()) GTEST_SKIP() << pg_->error();
    uri_ = pg_->NewDatabase("sink");
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto c = db_->Connect();
    ASSERT_TRUE(c.ok());
    conn_ = std::move(*c);
  }
  Result<SinkResult> Write(const std::string& sql, WriteDisposition d, std::vector<std::string> keys = {},
                           const std::string& table = "t") {
    SinkOptions o;
    o.disposition = d;
    o.keys = std::move(keys);
    o.staging_dir = tmp_.path();
    auto sink = MakeSink(uri_ + "?table=" + table, o);
    if (!sink.ok()) return sink.status();
    return (*sink)->Write(*conn_, sql);
  }
  std::string Psql(const std::string& sql) {
    auto r = pg_->Psql(sql, uri_);
    EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->Describe() : r.status().ToString());
    std::string out = r.ok() ? r->out : "";
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  testing::PostgresServer* pg_ = nullptr;
  std::string uri_;
  testing::TempDir tmp_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

TEST_F(PostgresSinkTest, RowsArriveWholeThroughThePipe) {
  // More than a pipe buffer's worth, with quotes, commas, newlines and NULLs in the text.
  auto r = Write("SELECT i AS id, 'a,\"b\"' || chr(10) || i AS s, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 0.5 END AS x, "
                 "'\\x00ff'::BLOB AS b FROM range(200000) t(i)",
                 WriteDisposition::kReplace);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 200000);
  EXPECT_TRUE(r->created);
  EXPECT_EQ(Psql("SELECT count(*), count(x), sum(id), max(length(s)), min(encode(b, 'hex')) FROM t"),
            "200000|171428|19999900000|12|006666");
  EXPECT_EQ(Psql("SELECT s FROM t WHERE id = 42"), "a,\"b\"\n42");
  // No pipe or staging file is left behind.
  EXPECT_TRUE(std::filesystem::is_empty(tmp_.path()));
  // append and merge go through the same pipe.
  ASSERT_TRUE(Write("SELECT i AS id, 'n' AS s, 1.0 AS x, NULL::BLOB AS b FROM range(200000, 200010) t(i)",
                    WriteDisposition::kAppend).ok());
  EXPECT_EQ(Psql("SELECT count(*) FROM t"), "200010");
}

TEST_F(PostgresSinkTest, FailureOnEitherSideLeavesTheTargetAsItWas) {
  ASSERT_TRUE(Write("SELECT i AS id, i::VARCHAR AS s FROM range(10) t(i)", WriteDisposition::kReplace).ok());
  Psql("ALTER TABLE t ADD CONSTRAINT small CHECK (id < 100000)");
  // PostgreSQL refuses a row late in the stream: DuckDB is drained, not left blocked on the pipe.
  auto pg_side = Write("SELECT i AS id, i::VARCHAR AS s FROM range(300000) t(i)", WriteDisposition::kReplace);
  ASSERT_FALSE(pg_side.ok());
  EXPECT_NE(pg_side.status().message().find("small"), std::string::npos) << pg_side.status().ToString();
  EXPECT_EQ(Psql("SELECT count(*), sum(id) FROM t"), "10|45");
  // DuckDB fails half-way through producing the rows: COPY saw only part of them, nothing is kept.
  auto duck_side = Write("SELECT i AS id, CASE WHEN i = 150000 THEN error('boom at 150000') ELSE i::VARCHAR END AS s "
                         "FROM range(200000) t(i)",
                         WriteDisposition::kAppend);
  ASSERT_FALSE(duck_side.ok());
  EXPECT_NE(duck_side.status().message().find("boom at 150000"), std::string::npos) << duck_side.status().ToString();
  EXPECT_EQ(Psql("SELECT count(*), sum(id) FROM t"), "10|45");
  // A query that fails before producing anything does not hang the reader either.
  auto early = Write("SELECT no_such_column FROM range(3)", WriteDisposition::kAppend);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(Psql("SELECT count(*) FROM t"), "10");
  EXPECT_TRUE(std::filesystem::is_empty(tmp_.path()));
}

TEST_F(PostgresSinkTest, PlainCsvFileGoesToCopyAsItIs) {
  // Quotes, delimiters and newlines inside quotes, an empty unquoted field and a quoted empty
  // field (both NULL for DuckDB), ISO timestamps, a header.
  testing::TempDir files;  // apart from the staging folder, which must end empty
  std::string csv = files.Join("plain.csv");
  {
    std::ofstream f(csv);
    f << "id,name,amount,at,ok\n";
    for (int i = 0; i < 5000; ++i)
      f << i << ",\"n " << i << ", \"\"q\"\"\n2\"," << (i % 10 == 0 ? "" : std::to_string(i) + ".25") << ",2024-01-0"
        << (1 + i % 9) << " 10:00:0" << (i % 10) << "," << (i % 3 == 0 ? "\"\"" : i % 2 ? "true" : "false") << "\n";
  }
  std::string select = "SELECT * FROM read_csv(" + engine::QuoteLiteral(csv) + ")";
  ASSERT_EQ(PostgresPassthroughCsv(*conn_, select), csv);
  auto r = Write(select, WriteDisposition::kReplace);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 5000);
  // PostgreSQL holds what DuckDB reads from the file.
  auto duck = conn_->QueryScalar("SELECT count(*) || '|' || count(amount) || '|' || CAST(sum(amount) AS DECIMAL(20,2)) || '|' || count(ok) || '|' || "
                                 "sum(CASE WHEN ok THEN 1 ELSE 0 END) || '|' || max(\"at\") || '|' || sum(length(name)) FROM (" +
                                 select + ")");
  ASSERT_TRUE(duck.ok() && *duck) << duck.status().ToString();
  EXPECT_EQ(Psql("SELECT count(*) || '|' || count(amount) || '|' || CAST(sum(amount) AS DECIMAL(20,2)) || '|' || count(ok) || '|' || "
                 "sum(CASE WHEN ok THEN 1 ELSE 0 END) || '|' || max(\"at\") || '|' || sum(length(name)) FROM t"),
            **duck);
  EXPECT_EQ(Psql("SELECT name FROM t WHERE id = 7"), "n 7, \"q\"\n2");
  // Anything else goes through DuckDB: a projection, a compressed file, a non-ISO date.
  EXPECT_FALSE(PostgresPassthroughCsv(*conn_, "SELECT id FROM read_csv(" + engine::QuoteLiteral(csv) + ")"));
  std::string us = files.Join("us.csv");
  std::ofstream(us) << "d,v\n12/31/2024,1\n01/02/2024,2\n";
  EXPECT_FALSE(PostgresPassthroughCsv(*conn_, "SELECT * FROM read_csv(" + engine::QuoteLiteral(us) + ")"));
  auto u = Write("SELECT * FROM read_csv(" + engine::QuoteLiteral(us) + ")", WriteDisposition::kReplace, {}, "u");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(Psql("SELECT string_agg(d::text, ' ' ORDER BY v) FROM u"), "2024-12-31 2024-01-02");
}

}  // namespace
}  // namespace ldp::connectors
