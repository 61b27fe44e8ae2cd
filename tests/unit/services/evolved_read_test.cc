#include "ldp/services/evolved_read.h"

#include "ldp/engine/engine.h"
#include "testing/temp_dir.h"

namespace ldp::services {
namespace {

using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;

NestedField F(int32_t id, std::string name, iceberg::TypePtr type) { return NestedField{id, std::move(name), false, std::move(type), ""}; }
iceberg::TypePtr T(TypeId id) { return Type::Primitive(id); }

class EvolvedReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = engine::Database::Open();
    ASSERT_OK(db.status());
    db_ = std::move(db).value();
    auto conn = db_->Connect();
    ASSERT_OK(conn.status());
    conn_ = std::move(conn).value();
  }
  std::vector<std::string> Rows(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_OK(r.status());
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& row : r->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      out.push_back(line);
    }
    return out;
  }
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Connection> conn_;
};

// Old: id int (1), s struct<a int (3), b string (4)> (2), l list<struct<x int (6)>> (5), gone int (7).
// New: s renamed fields and an added one, id promoted, gone dropped, a new top-level column.
TEST_F(EvolvedReadTest, ProjectsByFieldIdAtEveryDepth) {
  iceberg::Schema old_schema(0, {F(1, "id", T(TypeId::kInt)),
                                 F(2, "s", Type::Struct({F(3, "a", T(TypeId::kInt)), F(4, "b", T(TypeId::kString))})),
                                 F(5, "l", Type::List(F(8, "element", Type::Struct({F(6, "x", T(TypeId::kInt))})))),
                                 F(7, "gone", T(TypeId::kInt))});
  iceberg::Schema current(1, {F(9, "added", T(TypeId::kString)), F(1, "key", T(TypeId::kLong)),
                              F(2, "s", Type::Struct({F(4, "bee", T(TypeId::kString)), F(3, "a", T(TypeId::kLong)),
                                                      F(10, "c", T(TypeId::kDouble))})),
                              F(5, "l", Type::List(F(8, "element", Type::Struct({F(6, "ex", T(TypeId::kInt))}))))});
  std::string old_rows =
      "(SELECT * FROM (VALUES (1, {'a': 10, 'b': 'p'}, [{'x': 5}], 99), "
      "(2, NULL::STRUCT(a INTEGER, b VARCHAR), NULL::STRUCT(x INTEGER)[], 98)) "
      "v(id, s, l, gone))";
  std::string sql = "SELECT " + ProjectionSelectList(old_schema, current) + " FROM " + old_rows + " ORDER BY key";
  EXPECT_EQ(Rows(sql), (std::vector<std::string>{"NULL|1|{'bee': p, 'a': 10, 'c': NULL}|[{'ex': 5}]", "NULL|2|NULL|NULL"}));
  auto types = Rows("SELECT typeof(added), typeof(key), typeof(s), typeof(l) FROM (" + sql + ") LIMIT 1");
  EXPECT_EQ(types, (std::vector<std::string>{
                       "VARCHAR|BIGINT|STRUCT(bee VARCHAR, a BIGINT, c DOUBLE)|STRUCT(ex INTEGER)[]"}));
}

TEST_F(EvolvedReadTest, UnchangedColumnsAreReadAsTheyAre) {
  iceberg::Schema s(0, {F(1, "id", T(TypeId::kInt)), F(2, "m", Type::Map(NestedField{3, "key", true, T(TypeId::kString), ""},
                                                                         F(4, "value", T(TypeId::kInt))))});
  EXPECT_EQ(ProjectionSelectList(s, s), "\"id\" AS \"id\", \"m\" AS \"m\"");
}

TEST_F(EvolvedReadTest, MapValuesAreProjected) {
  auto old_map = Type::Map(NestedField{2, "key", true, T(TypeId::kString), ""}, F(3, "value", Type::Struct({F(4, "v", T(TypeId::kInt))})));
  auto new_map = Type::Map(NestedField{2, "key", true, T(TypeId::kString), ""}, F(3, "value", Type::Struct({F(4, "vv", T(TypeId::kLong))})));
  std::string e = ProjectValue("m", *old_map, *new_map);
  auto rows = Rows("SELECT " + e + ", typeof(" + e + ") FROM (SELECT MAP {'k': {'v': 7}} AS m UNION ALL SELECT NULL)"
                   " ORDER BY 1 NULLS LAST");
  EXPECT_EQ(rows, (std::vector<std::string>{"{k={'vv': 7}}|MAP(VARCHAR, STRUCT(vv BIGINT))",
                                           "NULL|MAP(VARCHAR, STRUCT(vv BIGINT))"}));
}

}  // namespace
}  // namespace ldp::services
