// Connection::StreamArrow: the rows come out through the Arrow C stream interface with their real
// types, read here the way any Arrow consumer reads them (formats, validity bitmaps, buffers).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ldp/arrow.h"
#include "ldp/engine/engine.h"

namespace ldp::engine {
namespace {

class ArrowStreamTest : public ::testing::Test {
 protected:
  // The stream owns the connection and database (keep_alive), as Project::QueryArrow does.
  struct Owner {
    std::unique_ptr<Database> db;
    std::unique_ptr<Connection> conn;
  };
  Status Open(const std::string& sql, ArrowArrayStream* out) {
    auto owner = std::make_shared<Owner>();
    auto db = Database::Open();
    if (!db.ok()) return db.status();
    owner->db = std::move(*db);
    auto conn = owner->db->Connect();
    if (!conn.ok()) return conn.status();
    owner->conn = std::move(*conn);
    Connection& c = *owner->conn;
    return c.StreamArrow(sql, out, std::move(owner));
  }
};

bool IsValid(const ArrowArray* a, int64_t i) {
  if (a->null_count == 0 || !a->buffers[0]) return true;
  auto* bits = static_cast<const uint8_t*>(a->buffers[0]);
  int64_t j = i + a->offset;
  return (bits[j / 8] >> (j % 8)) & 1;
}

TEST_F(ArrowStreamTest, ReadsTypedBatchesWithNullsUntilTheEnd) {
  ArrowArrayStream stream{};
  ASSERT_TRUE(Open("SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'r' || i END AS label, "
                   "CAST(i / 4 AS DECIMAL(10, 2)) AS quarter, TIMESTAMP '2024-01-01' + to_seconds(i) AS ts "
                   "FROM range(5000) t(i) ORDER BY i",
                   &stream)
                  .ok());
  ASSERT_NE(stream.release, nullptr);

  ArrowSchema schema{};
  ASSERT_EQ(stream.get_schema(&stream, &schema), 0) << stream.get_last_error(&stream);
  ASSERT_EQ(schema.n_children, 4);
  EXPECT_STREQ(schema.format, "+s");
  EXPECT_STREQ(schema.children[0]->name, "i");
  EXPECT_STREQ(schema.children[0]->format, "l");  // int64
  EXPECT_STREQ(schema.children[1]->format, "u");  // utf8
  EXPECT_EQ(std::string(schema.children[2]->format).rfind("d:", 0), 0u) << schema.children[2]->format;
  EXPECT_EQ(std::string(schema.children[3]->format).rfind("tsu:", 0), 0u) << schema.children[3]->format;
  schema.release(&schema);

  int64_t rows = 0, sum = 0, nulls = 0, batches = 0;
  std::string label_4999;
  for (;;) {
    ArrowArray batch{};
    ASSERT_EQ(stream.get_next(&stream, &batch), 0) << stream.get_last_error(&stream);
    if (!batch.release) break;  // the end
    ++batches;
    ASSERT_EQ(batch.n_children, 4);
    const ArrowArray* ids = batch.children[0];
    const ArrowArray* labels = batch.children[1];
    auto* id_values = static_cast<const int64_t*>(ids->buffers[1]);
    auto* offsets = static_cast<const int32_t*>(labels->buffers[1]);
    auto* chars = static_cast<const char*>(labels->buffers[2]);
    for (int64_t r = 0; r < batch.length; ++r) {
      int64_t id = id_values[r + ids->offset];
      EXPECT_EQ(id, rows + r);
      sum += id;
      if (!IsValid(labels, r)) {
        ++nulls;
        EXPECT_EQ(id % 3, 0);
        continue;
      }
      int64_t k = r + labels->offset;
      std::string label(chars + offsets[k], offsets[k + 1] - offsets[k]);
      EXPECT_EQ(label, "r" + std::to_string(id));
    }
    rows += batch.length;
    batch.release(&batch);
  }
  EXPECT_EQ(rows, 5000);
  EXPECT_EQ(sum, 4999LL * 5000 / 2);
  EXPECT_EQ(nulls, 1667);
  EXPECT_GT(batches, 1) << "a batch per DuckDB chunk, not one block";
  stream.release(&stream);
  EXPECT_EQ(stream.release, nullptr);
}

TEST_F(ArrowStreamTest, BadSqlFailsUpFrontAndRuntimeErrorsComeThroughTheStream) {
  ArrowArrayStream stream{};
  Status bad = Open("SELECT nope FROM range(3)", &stream);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("nope"), std::string::npos) << bad.ToString();
  EXPECT_EQ(stream.release, nullptr) << "nothing to release after a failure";

  // An error only found while rows are produced (a failing cast on row 5,000,000).
  ASSERT_TRUE(Open("SELECT CAST(CASE WHEN i = 5000000 THEN 'x' ELSE i::VARCHAR END AS INTEGER) AS v FROM range(10000000) t(i)",
                   &stream)
                  .ok());
  int rc = 0;
  for (int guard = 0; guard < 10000 && rc == 0; ++guard) {
    ArrowArray batch{};
    rc = stream.get_next(&stream, &batch);
    if (rc == 0 && !batch.release) break;
    if (rc == 0) batch.release(&batch);
  }
  EXPECT_NE(rc, 0);
  ASSERT_NE(stream.get_last_error(&stream), nullptr);
  EXPECT_NE(std::string(stream.get_last_error(&stream)).find("'x'"), std::string::npos) << stream.get_last_error(&stream);
  stream.release(&stream);
}

}  // namespace
}  // namespace ldp::engine
