// The PostgreSQL source and sink against a real PostgreSQL 15 (testing/postgres_server.h), a
// database per test.

#include "ldp/connectors/postgres_source.h"

#include <gtest/gtest.h>

#include "ldp/connectors/sink.h"
#include "ldp/engine/engine.h"
#include "testing/postgres_server.h"
#include "testing/temp_dir.h"

namespace ldp::connectors {
namespace {

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* pg = testing::PostgresServer::Get();
    if (!pg->ok()) GTEST_SKIP() << pg->error();
    uri_ = pg->NewDatabase("conn");
    auto c = PgConnection::Connect(uri_, uri_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    pg_ = std::move(*c);
    auto db = engine::Database::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto dc = db_->Connect();
    ASSERT_TRUE(dc.ok());
    duck_ = std::move(*dc);
  }

  void Pg(const std::string& sql) {
    auto r = pg_->Exec(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  }
  std::string PgScalar(const std::string& sql) {
    auto r = pg_->Exec(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r.ok() || r->rows.empty()) return "";
    return r->rows[0][0].value_or("NULL");
  }
  std::string Scalar(const std::string& sql) {
    auto r = duck_->QueryScalar(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? r->value_or("NULL") : "";
  }

  Result<Extracted> Extract(const std::string& yaml, std::optional<std::string> cursor = {}) {
    auto o = ConnectorOptions::FromYaml(uri_, yaml, "pg.yaml");
    if (!o.ok()) return o.status();
    options_ = std::make_unique<ConnectorOptions>(*o);
    auto src = MakeSource(*options_);
    if (!src.ok()) return src.status();
    auto stage = Stage::Make(tmp_.path());
    if (!stage.ok()) return stage.status();
    stage_ = std::move(*stage);
    return (*src)->Extract(*stage_, cursor);
  }

  void MakeTypesTable() {
    Pg("CREATE TABLE t (id int PRIMARY KEY, amount numeric(12,2), big numeric, ts timestamptz, d date, "
       "j jsonb, arr int[], tarr text[], u uuid, b bytea, note text, flag boolean, f8 float8, updated bigint)");
    Pg("INSERT INTO t VALUES "
       "(1, 1234.56, 123456789012345678901234567890.123, '2024-09-30 12:34:56.789+02', '2024-09-30', "
       "'{\"a\": [1, 2], \"b\": null}', '{1,2,NULL}', '{\"x,y\",\"q\\\"z\"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
       "'\\xdeadbeef', 'line1\nline2, \"quoted\"', true, 0.1, 10), "
       "(2, -0.01, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, '', false, NULL, 20), "
       "(3, NULL, 1, '1969-12-31 23:59:59.999999+00', '1900-01-01', '[]', NULL, '{}', NULL, '', NULL, NULL, -1e300, 30)");
  }

  std::string uri_;
  std::unique_ptr<PgConnection> pg_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> duck_;
  std::unique_ptr<ConnectorOptions> options_;
  std::unique_ptr<Stage> stage_;
  testing::TempDir tmp_;
};

TEST_F(PostgresTest, TableWithEveryMappedType) {
  MakeTypesTable();
  auto e = Extract("table: t\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->records, 3);
  const std::string& r = e->relation_sql;
  auto types = duck_->Query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + r + ")");
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  std::map<std::string, std::string> ty;
  for (const auto& row : types->rows) ty[*row[0]] = *row[1];
  EXPECT_EQ(ty["amount"], "DECIMAL(12,2)");
  EXPECT_EQ(ty["big"], "VARCHAR");
  EXPECT_EQ(ty["ts"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(ty["arr"], "INTEGER[]");
  EXPECT_EQ(ty["tarr"], "VARCHAR[]");
  EXPECT_EQ(ty["u"], "UUID");
  EXPECT_EQ(ty["b"], "BLOB");
  EXPECT_EQ(ty["j"], "VARCHAR");
  EXPECT_EQ(Scalar("SELECT amount::VARCHAR FROM " + r + " WHERE id = 1"), "1234.56");
  EXPECT_EQ(Scalar("SELECT big FROM " + r + " WHERE id = 1"), "123456789012345678901234567890.123");
  EXPECT_EQ(Scalar("SELECT epoch_us(ts) FROM " + r + " WHERE id = 1"), "1727692496789000");
  EXPECT_EQ(Scalar("SELECT epoch_us(ts) FROM " + r + " WHERE id = 3"), "-1");
  EXPECT_EQ(Scalar("SELECT (j::JSON->>'$.a[1]') FROM " + r + " WHERE id = 1"), "2");
  EXPECT_EQ(Scalar("SELECT arr::VARCHAR FROM " + r + " WHERE id = 1"), "[1, 2, NULL]");
  EXPECT_EQ(Scalar("SELECT len(arr) FROM " + r + " WHERE id = 2"), "0");
  EXPECT_EQ(Scalar("SELECT tarr[1] || '|' || tarr[2] FROM " + r + " WHERE id = 1"), "x,y|q\"z");
  EXPECT_EQ(Scalar("SELECT u::VARCHAR FROM " + r + " WHERE id = 1"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(Scalar("SELECT hex(b) FROM " + r + " WHERE id = 1"), "DEADBEEF");
  EXPECT_EQ(Scalar("SELECT octet_length(b) FROM " + r + " WHERE id = 3"), "0");
  EXPECT_EQ(Scalar("SELECT note FROM " + r + " WHERE id = 1"), "line1\nline2, \"quoted\"");
  // An empty string stays empty; NULL stays NULL.
  EXPECT_EQ(Scalar("SELECT note IS NULL FROM " + r + " WHERE id = 2"), "false");
  EXPECT_EQ(Scalar("SELECT note IS NULL FROM " + r + " WHERE id = 3"), "true");
  EXPECT_EQ(Scalar("SELECT f8 FROM " + r + " WHERE id = 1"), "0.1");
  EXPECT_EQ(Scalar("SELECT f8 FROM " + r + " WHERE id = 3"), "-1e+300");
}

TEST_F(PostgresTest, QueryAndIncrementalCursor) {
  MakeTypesTable();
  auto all = Extract("query: SELECT id, updated FROM t WHERE id > 1\nincremental: {cursor_field: updated}\n");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->records, 2);
  EXPECT_EQ(all->cursor_field, "updated");
  auto after = Extract("table: t\nincremental: {cursor_field: updated}\n", std::string("20"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->records, 1);
  EXPECT_EQ(Scalar("SELECT id FROM " + after->relation_sql), "3");
  auto none = Extract("table: t\nincremental: {cursor_field: updated}\n", std::string("30"));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->records, 0);
  EXPECT_TRUE(none->relation_sql.empty());
}

TEST_F(PostgresTest, ErrorsNameTheTableAndColumn) {
  MakeTypesTable();
  auto missing = Extract("table: public.nope\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("table public.nope"), std::string::npos) << missing.status().message();
  auto bad_cursor = Extract("table: t\nincremental: {cursor_field: nope}\n");
  ASSERT_FALSE(bad_cursor.ok());
  EXPECT_NE(bad_cursor.status().message().find("cursor column 'nope'"), std::string::npos);
  auto o = ConnectorOptions::FromYaml("postgresql://u:topsecret@127.0.0.1:1/x?table=t", "", "uri");
  ASSERT_TRUE(o.ok());
  auto src = MakeSource(*o);
  ASSERT_TRUE(src.ok());
  auto stage = Stage::Make(tmp_.path());
  ASSERT_TRUE(stage.ok());
  auto e = (*src)->Extract(**stage, std::nullopt);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(e.status().message().find("topsecret"), std::string::npos) << e.status().message();
}

TEST_F(PostgresTest, SinkCreateAppendReplaceMerge) {
  auto write = [&](const std::string& select, const std::string& mode, std::vector<std::string> keys = {}) {
    SinkOptions so;
    so.disposition = *ParseWriteDisposition(mode);
    so.keys = keys;
    so.staging_dir = tmp_.path();
    auto sink = MakeSink(uri_ + "?table=public.out", so);
    EXPECT_TRUE(sink.ok());
    return (*sink)->Write(*duck_, select);
  };
  std::string rows =
      "SELECT i AS id, 'n' || i AS name, i * 1.5 AS v, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS ts, "
      "[i, i + 1] AS l, from_hex('00ff') AS b FROM range(5) t(i)";
  auto c = write(rows, "merge", {"id"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->created);
  EXPECT_EQ(c->rows, 5);
  EXPECT_EQ(PgScalar("SELECT count(*) FROM out"), "5");
  EXPECT_EQ(PgScalar("SELECT l::text || encode(b, 'hex') FROM out WHERE id = 2"), "[2, 3]00ff");
  EXPECT_EQ(PgScalar("SELECT extract(epoch FROM ts)::bigint FROM out WHERE id = 4"), "1704067204");
  // Appending the same ids violates the primary key the merge created: the COPY is rolled back whole.
  auto dup = write(rows, "append");
  EXPECT_FALSE(dup.ok());
  EXPECT_EQ(PgScalar("SELECT count(*) FROM out"), "5");
  ASSERT_TRUE(write("SELECT 100 AS id, 'app' AS name, 2.0 AS v, NULL::TIMESTAMPTZ AS ts, [7] AS l, NULL::BLOB AS b",
                    "append").ok());
  EXPECT_EQ(PgScalar("SELECT count(*) FROM out"), "6");
  auto m = write("SELECT i AS id, 'new' AS name, 0.0 AS v, NULL::TIMESTAMPTZ AS ts, [0] AS l, NULL::BLOB AS b "
                 "FROM range(3, 8) t(i)", "merge", {"id"});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(PgScalar("SELECT count(*) || ',' || count(*) FILTER (WHERE name = 'new') FROM out"), "9,5");
  auto r = write("SELECT 42 AS id, 'only' AS name, 1.0 AS v, NULL::TIMESTAMPTZ AS ts, [1] AS l, NULL::BLOB AS b", "replace");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(PgScalar("SELECT count(*) || ',' || min(id) FROM out"), "1,42");
  // A failing write (a column PostgreSQL cannot take) leaves the table as it was.
  auto bad = write("SELECT 'x' AS id, 'n' AS name, 1.0 AS v, NULL::TIMESTAMPTZ AS ts, [1] AS l, NULL::BLOB AS b", "replace");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(PgScalar("SELECT count(*) || ',' || min(id) FROM out"), "1,42");
}

}  // namespace
}  // namespace ldp::connectors
