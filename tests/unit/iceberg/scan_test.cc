#include "ldp/iceberg/scan.h"

#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

using Op = ColumnPredicate::Op;

class ScanPruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = std::make_shared<Schema>(
        0, std::vector<NestedField>{{1, "id", false, Type::Primitive(TypeId::kLong), ""},
                                    {2, "name", false, Type::Primitive(TypeId::kString), ""},
                                    {3, "x", false, Type::Primitive(TypeId::kDouble), ""}});
  }

  Literal L(int32_t field, const std::string& text) {
    auto l = ParseLiteral(*schema_->FindFieldById(field)->type, text);
    EXPECT_TRUE(l.has_value()) << text;
    return *l;
  }

  // A file with ids in [lo, hi], names in [nlo, nhi], x in [xlo, xhi], `nulls` null ids of `rows`.
  DataFile File(int64_t lo, int64_t hi, std::string nlo = "a", std::string nhi = "z", int64_t rows = 100,
                int64_t nulls = 0) {
    DataFile f;
    f.record_count = rows;
    f.value_counts = {{1, rows}, {2, rows}, {3, rows}};
    f.null_value_counts = {{1, nulls}, {2, 0}, {3, 0}};
    f.lower_bounds[1] = EncodeLiteral(*schema_->fields()[0].type, L(1, std::to_string(lo)));
    f.upper_bounds[1] = EncodeLiteral(*schema_->fields()[0].type, L(1, std::to_string(hi)));
    f.lower_bounds[2] = nlo;
    f.upper_bounds[2] = nhi;
    f.lower_bounds[3] = EncodeLiteral(*schema_->fields()[2].type, L(3, "1.0"));
    f.upper_bounds[3] = EncodeLiteral(*schema_->fields()[2].type, L(3, "2.0"));
    return f;
  }

  bool May(const DataFile& f, std::vector<ColumnPredicate> p) { return FileMayMatch(*schema_, f, p); }

  SchemaPtr schema_;
};

TEST_F(ScanPruneTest, ComparisonsUseBounds) {
  DataFile f = File(10, 20);
  EXPECT_TRUE(May(f, {{1, Op::kEq, {L(1, "10")}}}));
  EXPECT_TRUE(May(f, {{1, Op::kEq, {L(1, "20")}}}));
  EXPECT_FALSE(May(f, {{1, Op::kEq, {L(1, "9")}}}));
  EXPECT_FALSE(May(f, {{1, Op::kEq, {L(1, "21")}}}));
  EXPECT_FALSE(May(f, {{1, Op::kLt, {L(1, "10")}}}));
  EXPECT_TRUE(May(f, {{1, Op::kLe, {L(1, "10")}}}));
  EXPECT_FALSE(May(f, {{1, Op::kGt, {L(1, "20")}}}));
  EXPECT_TRUE(May(f, {{1, Op::kGe, {L(1, "20")}}}));
  EXPECT_FALSE(May(f, {{1, Op::kIn, {L(1, "1"), L(1, "30")}}}));
  EXPECT_TRUE(May(f, {{1, Op::kIn, {L(1, "1"), L(1, "15")}}}));
  // BETWEEN 21 AND 30 is two conjuncts; the first already rules the file out.
  EXPECT_FALSE(May(f, {{1, Op::kGe, {L(1, "21")}}, {1, Op::kLe, {L(1, "30")}}}));
}

TEST_F(ScanPruneTest, NullCounts) {
  EXPECT_FALSE(May(File(1, 2), {{1, Op::kIsNull, {}}}));
  EXPECT_TRUE(May(File(1, 2, "a", "z", 100, 3), {{1, Op::kIsNull, {}}}));
  DataFile all_null = File(1, 2, "a", "z", 100, 100);
  all_null.lower_bounds.erase(1);
  all_null.upper_bounds.erase(1);
  EXPECT_FALSE(May(all_null, {{1, Op::kNotNull, {}}}));
  EXPECT_FALSE(May(all_null, {{1, Op::kEq, {L(1, "1")}}}));
}

TEST_F(ScanPruneTest, MissingMetricsNeverPrune) {
  DataFile f;
  f.record_count = 5;
  EXPECT_TRUE(May(f, {{1, Op::kEq, {L(1, "1")}}}));
  EXPECT_TRUE(May(f, {{1, Op::kIsNull, {}}}));
  EXPECT_TRUE(May(f, {{1, Op::kNotNull, {}}}));
}

TEST_F(ScanPruneTest, TruncatedStringUpperBoundStillBounds) {
  // An upper bound "abd" (a truncated "abc..." incremented) must keep "abcz".
  DataFile f = File(1, 2, "abc", "abd");
  EXPECT_TRUE(May(f, {{2, Op::kEq, {L(2, "abcz")}}}));
  EXPECT_FALSE(May(f, {{2, Op::kEq, {L(2, "abe")}}}));
  EXPECT_FALSE(May(f, {{2, Op::kLt, {L(2, "abc")}}}));
}

TEST_F(ScanPruneTest, FloatingColumnsKeepFilesThatMayHoldNaN) {
  DataFile f = File(1, 2);
  // NaN sorts above every number in DuckDB and is never a bound: x > 5 may match NaN rows.
  EXPECT_TRUE(May(f, {{3, Op::kGt, {L(3, "5.0")}}}));
  EXPECT_FALSE(May(f, {{3, Op::kLt, {L(3, "0.5")}}}));
  EXPECT_FALSE(May(f, {{3, Op::kEq, {L(3, "5.0")}}}));
}

}  // namespace
}  // namespace ldp::iceberg
