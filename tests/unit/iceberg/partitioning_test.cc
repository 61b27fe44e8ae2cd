#include "ldp/iceberg/partitioning.h"

#include <gtest/gtest.h>

namespace ldp::iceberg {
namespace {

using Op = ColumnPredicate::Op;

SchemaPtr TaxiLike() {
  return std::make_shared<Schema>(
      0, std::vector<NestedField>{{1, "id", false, Type::Primitive(TypeId::kLong), ""},
                                  {2, "ts", false, Type::Primitive(TypeId::kTimestamp), ""},
                                  {3, "name", false, Type::Primitive(TypeId::kString), ""},
                                  {4, "price", false, Type::Decimal(9, 2), ""},
                                  {5, "x", false, Type::Primitive(TypeId::kDouble), ""},
                                  {6, "d", false, Type::Primitive(TypeId::kDate), ""},
                                  {7, "n", false, Type::Primitive(TypeId::kInt), ""},
                                  {8, "b", false, Type::Primitive(TypeId::kBinary), ""}});
}

Literal Lit(const Schema& s, int32_t id, const std::string& text) {
  auto l = ParseLiteral(*s.FindFieldById(id)->type, text);
  EXPECT_TRUE(l.has_value()) << text;
  return l.value_or(Literal{});
}

// ---- parsing -------------------------------------------------------------------------------------

TEST(PartitionTermsTest, ParsesEveryTransformSpelling) {
  auto terms = ParsePartitionTerms(
      "day(ts), bucket(16, id), truncate(4, name), identity(n), d, year(ts), month(ts), hour(ts), void(x), "
      "bucket[8](name), truncate(name, 2)");
  ASSERT_TRUE(terms.ok()) << terms.status().ToString();
  ASSERT_EQ(terms->size(), 11u);
  EXPECT_EQ((*terms)[0].transform.kind, TransformKind::kDay);
  EXPECT_EQ((*terms)[0].column, "ts");
  EXPECT_EQ((*terms)[1].transform.kind, TransformKind::kBucket);
  EXPECT_EQ((*terms)[1].transform.param, 16);
  EXPECT_EQ((*terms)[1].column, "id");
  EXPECT_EQ((*terms)[2].transform.ToString(), "truncate[4]");
  EXPECT_EQ((*terms)[3].transform.kind, TransformKind::kIdentity);
  EXPECT_EQ((*terms)[4].transform.kind, TransformKind::kIdentity);
  EXPECT_EQ((*terms)[4].column, "d");
  EXPECT_EQ((*terms)[8].transform.kind, TransformKind::kVoid);
  EXPECT_EQ((*terms)[9].transform.ToString(), "bucket[8]");
  EXPECT_EQ((*terms)[10].transform.ToString(), "truncate[2]");
  EXPECT_EQ((*terms)[10].column, "name");
}

TEST(PartitionTermsTest, QuotedColumnsAndUnpartitioned) {
  auto terms = ParsePartitionTerms(R"(day("pick up, time"), "a""b")");
  ASSERT_TRUE(terms.ok()) << terms.status().ToString();
  ASSERT_EQ(terms->size(), 2u);
  EXPECT_EQ((*terms)[0].column, "pick up, time");
  EXPECT_EQ((*terms)[1].column, "a\"b");
  for (const char* none : {"", "  ", "unpartitioned", "UNPARTITIONED"}) {
    auto t = ParsePartitionTerms(none);
    ASSERT_TRUE(t.ok()) << none;
    EXPECT_TRUE(t->empty()) << none;
  }
}

TEST(PartitionTermsTest, BadTermsNameTheTerm) {
  struct Case {
    const char* text;
    const char* needle;
  } cases[] = {
      {"bucket(0, id)", "bucket(0, id)"},        {"bucket(-3, id)", "positive"},
      {"truncate(x, y)", "positive integer"},    {"days(ts", "unbalanced"},
      {"week(ts)", "unknown transform 'week'"},  {"bucket(id)", "bucket takes"},
      {"day(ts, id)", "day takes one column"},   {"day(ts),,id", "empty term"},
      {"bucket[0](id)", "positive"},
  };
  for (const auto& c : cases) {
    auto r = ParsePartitionTerms(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << c.text << ": " << r.status().message();
  }
}

// ---- binding -------------------------------------------------------------------------------------

TEST(BindPartitionSpecTest, NamesAndIdsAsJavaDoes) {
  auto schema = TaxiLike();
  auto terms = ParsePartitionTerms("day(ts), bucket(16, ID), truncate(2, name), n, void(x)");
  ASSERT_TRUE(terms.ok());
  auto spec = BindPartitionSpec(*terms, *schema, 0, {}, 999);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->fields.size(), 5u);
  EXPECT_EQ(spec->fields[0].name, "ts_day");
  EXPECT_EQ(spec->fields[0].field_id, 1000);
  EXPECT_EQ(spec->fields[0].source_id, 2);
  EXPECT_EQ(spec->fields[0].transform, "day");
  EXPECT_EQ(spec->fields[1].name, "id_bucket");  // case-insensitive column match
  EXPECT_EQ(spec->fields[1].source_id, 1);
  EXPECT_EQ(spec->fields[1].transform, "bucket[16]");
  EXPECT_EQ(spec->fields[2].name, "name_trunc");
  EXPECT_EQ(spec->fields[3].name, "n");
  EXPECT_EQ(spec->fields[4].name, "x_null");
  EXPECT_EQ(spec->fields[4].field_id, 1004);
  EXPECT_EQ(PartitionSpecText(*spec, *schema), "day(ts), bucket(16, id), truncate(2, name), n, void(x)");
}

TEST(BindPartitionSpecTest, RefusesBadColumnsAndTypes) {
  auto schema = TaxiLike();
  struct Case {
    const char* text;
    const char* needle;
  } cases[] = {
      {"day(nope)", "no column 'nope'"},
      {"bucket(4, x)", "bucket[4] cannot be applied to column 'x' of type double"},
      {"truncate(4, ts)", "truncate[4] cannot be applied to column 'ts' of type timestamp"},
      {"hour(d)", "hour cannot be applied to column 'd' of type date"},
      {"day(id)", "day cannot be applied"},
      {"day(ts), day(ts)", "already has day of column 'ts'"},
  };
  for (const auto& c : cases) {
    auto terms = ParsePartitionTerms(c.text);
    ASSERT_TRUE(terms.ok()) << c.text;
    auto r = BindPartitionSpec(*terms, *schema, 0, {}, 999);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << c.text << ": " << r.status().message();
  }
}

// ---- evolution -----------------------------------------------------------------------------------

std::shared_ptr<TableMetadata> NewTable(const std::string& text) {
  auto schema = TaxiLike();
  auto terms = ParsePartitionTerms(text);
  EXPECT_TRUE(terms.ok());
  auto spec = BindPartitionSpec(*terms, *schema, 0, {}, 999);
  EXPECT_TRUE(spec.ok());
  return TableMetadata::NewTable("file:///tmp/t", schema, *spec, {}, 1);
}

TEST(EvolvePartitionSpecTest, NewSpecKeepsIdsOfIdenticalFieldsAndContinuesIds) {
  auto md = NewTable("day(ts), bucket(16, id)");
  EXPECT_EQ(md->last_partition_id, 1001);
  auto e = EvolvePartitionSpec(*md, "month(ts), bucket(16, id)");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(e->changed);
  EXPECT_EQ(e->spec_id, 1);
  const auto& m = *e->metadata;
  EXPECT_EQ(m.default_spec_id, 1);
  ASSERT_EQ(m.partition_specs.size(), 2u);
  const PartitionSpec* s1 = m.SpecById(1);
  ASSERT_NE(s1, nullptr);
  EXPECT_EQ(s1->fields[0].transform, "month");
  EXPECT_EQ(s1->fields[0].field_id, 1002);  // new field: after last-partition-id
  EXPECT_EQ(s1->fields[1].field_id, 1001);  // same source and transform: same id
  EXPECT_EQ(s1->fields[1].name, "id_bucket");
  EXPECT_EQ(m.last_partition_id, 1002);
  EXPECT_TRUE(m.Validate().ok());
  // The old spec is untouched.
  EXPECT_EQ(m.SpecById(0)->fields[0].transform, "day");

  // Back to day: the old field id 1000 comes back, but the layout is new (no bucket): spec 2.
  auto e2 = EvolvePartitionSpec(m, "day(ts)");
  ASSERT_TRUE(e2.ok());
  EXPECT_EQ(e2->spec_id, 2);
  EXPECT_EQ(e2->metadata->SpecById(2)->fields[0].field_id, 1000);
  EXPECT_EQ(e2->metadata->last_partition_id, 1002);

  // An existing layout becomes the default again without a new spec.
  auto e3 = EvolvePartitionSpec(*e2->metadata, "day(ts), bucket(16, id)");
  ASSERT_TRUE(e3.ok());
  EXPECT_TRUE(e3->changed);
  EXPECT_EQ(e3->spec_id, 0);
  EXPECT_EQ(e3->metadata->partition_specs.size(), 3u);

  // The same spec again: nothing changes.
  auto same = EvolvePartitionSpec(*md, "day(ts), bucket(16, id)");
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->changed);
}

TEST(EvolvePartitionSpecTest, UnpartitionedAndErrors) {
  auto md = NewTable("day(ts)");
  auto e = EvolvePartitionSpec(*md, "unpartitioned");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->changed);
  EXPECT_TRUE(e->metadata->DefaultSpec()->fields.empty());
  auto bad = EvolvePartitionSpec(*md, "bucket(0, id)");
  EXPECT_FALSE(bad.ok());
  auto bad2 = EvolvePartitionSpec(*md, "truncate(3, x)");
  ASSERT_FALSE(bad2.ok());
  EXPECT_NE(bad2.status().message().find("'x'"), std::string::npos);
}

// ---- partition values and projection ----------------------------------------------------------------

TEST(PartitionValueTest, RoundTripsEveryResultType) {
  auto schema = TaxiLike();
  struct Case {
    int32_t field;
    const char* text;
  } cases[] = {{1, "42"}, {2, "2023-01-05 10:00:00"}, {3, "héllo"}, {4, "-12.34"}, {5, "1.5"}, {6, "2023-01-05"}, {7, "-7"}};
  for (const auto& c : cases) {
    const Type& t = *schema->FindFieldById(c.field)->type;
    Literal l = Lit(*schema, c.field, c.text);
    PartitionValue pv = ToPartitionValue(t, l);
    auto back = FromPartitionValue(t, pv);
    ASSERT_TRUE(back.has_value()) << c.text;
    EXPECT_EQ(CompareLiterals(*back, l), 0) << c.text;
  }
  EXPECT_TRUE(std::holds_alternative<int32_t>(ToPartitionValue(*Type::Primitive(TypeId::kDate), Lit(*schema, 6, "2023-01-05"))));
  EXPECT_TRUE(std::holds_alternative<Bytes>(ToPartitionValue(*Type::Decimal(9, 2), Lit(*schema, 4, "1.00"))));
  EXPECT_FALSE(FromPartitionValue(*Type::Primitive(TypeId::kInt), PartitionValue()).has_value());
}

class ProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = TaxiLike();
    auto terms = ParsePartitionTerms("day(ts), bucket(16, id), truncate(10, n), name, truncate(2, price)");
    ASSERT_TRUE(terms.ok());
    auto spec = BindPartitionSpec(*terms, *schema_, 0, {}, 999);
    ASSERT_TRUE(spec.ok());
    spec_ = *spec;
  }
  // The tuple of a row (ts, id, n, name, price), computed with the transforms themselves.
  std::vector<PartitionValue> Tuple(const std::string& ts, const std::string& id, const std::string& n,
                                    const std::string& name, const std::string& price) {
    std::vector<PartitionValue> out;
    const std::pair<int32_t, std::string> src[] = {{2, ts}, {1, id}, {7, n}, {3, name}, {4, price}};
    for (size_t i = 0; i < spec_.fields.size(); ++i) {
      const Type& st = *schema_->FindFieldById(src[i].first)->type;
      auto t = ParseTransform(spec_.fields[i].transform);
      auto rt = TransformResultType(*t, st);
      auto v = ApplyTransform(*t, st, Lit(*schema_, src[i].first, src[i].second));
      out.push_back(ToPartitionValue(**rt, **v));
    }
    return out;
  }
  bool May(const std::vector<ColumnPredicate>& preds, const std::vector<PartitionValue>& tuple) {
    return PartitionMayMatch(ProjectPredicates(spec_, *schema_, preds), tuple);
  }
  ColumnPredicate P(int32_t field, Op op, std::vector<std::string> values) {
    ColumnPredicate p{field, op, {}};
    for (const auto& v : values) p.values.push_back(Lit(*schema_, field, v));
    return p;
  }
  SchemaPtr schema_;
  PartitionSpec spec_;
};

TEST_F(ProjectionTest, DayRangeSelectsOnlyThatDay) {
  auto jan5 = Tuple("2023-01-05 23:59:59", "1", "5", "a", "1.00");
  auto jan6 = Tuple("2023-01-06 00:00:00", "1", "5", "a", "1.00");
  auto jan4 = Tuple("2023-01-04 12:00:00", "1", "5", "a", "1.00");
  std::vector<ColumnPredicate> day = {P(2, Op::kGe, {"2023-01-05 00:00:00"}), P(2, Op::kLt, {"2023-01-06 00:00:00"})};
  EXPECT_TRUE(May(day, jan5));
  EXPECT_FALSE(May(day, jan6));  // `< next midnight` projects to `<= day(midnight - 1us)`
  EXPECT_FALSE(May(day, jan4));
  std::vector<ColumnPredicate> gt = {P(2, Op::kGt, {"2023-01-05 23:59:59.999999"})};
  EXPECT_FALSE(May(gt, jan5));
  EXPECT_TRUE(May(gt, jan6));
  EXPECT_TRUE(May({P(2, Op::kEq, {"2023-01-05 08:00:00"})}, jan5));
  EXPECT_FALSE(May({P(2, Op::kEq, {"2023-01-05 08:00:00"})}, jan6));
}

TEST_F(ProjectionTest, BucketPrunesEqualityAndInOnly) {
  auto row = Tuple("2023-01-05 10:00:00", "34", "5", "a", "1.00");
  EXPECT_TRUE(May({P(1, Op::kEq, {"34"})}, row));
  // Another id in another bucket: pruned. Find one deterministically with the transform itself.
  auto b34 = BucketOf(*Type::Primitive(TypeId::kLong), Lit(*schema_, 1, "34"), 16);
  std::string other;
  for (int i = 0; i < 100 && other.empty(); ++i)
    if (BucketOf(*Type::Primitive(TypeId::kLong), Lit(*schema_, 1, std::to_string(i)), 16) != b34) other = std::to_string(i);
  ASSERT_FALSE(other.empty());
  EXPECT_FALSE(May({P(1, Op::kEq, {other})}, row));
  EXPECT_TRUE(May({P(1, Op::kIn, {other, "34"})}, row));
  EXPECT_TRUE(May({P(1, Op::kLt, {other})}, row));  // ranges do not project through bucket
}

TEST_F(ProjectionTest, TruncateIdentityAndNulls) {
  auto row = Tuple("2023-01-05 10:00:00", "1", "25", "bob", "7.35");
  EXPECT_TRUE(May({P(7, Op::kEq, {"29"})}, row));     // truncate(10): 20
  EXPECT_FALSE(May({P(7, Op::kEq, {"30"})}, row));
  EXPECT_FALSE(May({P(7, Op::kLt, {"20"})}, row));    // n < 20 -> trunc <= 10
  EXPECT_TRUE(May({P(7, Op::kLt, {"21"})}, row));
  EXPECT_FALSE(May({P(7, Op::kGe, {"30"})}, row));
  EXPECT_TRUE(May({P(3, Op::kEq, {"bob"})}, row));    // identity
  EXPECT_FALSE(May({P(3, Op::kEq, {"bobby"})}, row));
  EXPECT_FALSE(May({P(3, Op::kGt, {"bob"})}, row));
  EXPECT_TRUE(May({P(4, Op::kEq, {"7.35"})}, row));   // truncate(2) on decimal(9,2): 7.34
  EXPECT_FALSE(May({P(4, Op::kEq, {"7.36"})}, row));
  EXPECT_FALSE(May({ColumnPredicate{3, Op::kIsNull, {}}}, row));
  EXPECT_TRUE(May({ColumnPredicate{3, Op::kNotNull, {}}}, row));
  auto null_name = row;
  null_name[3] = PartitionValue();
  EXPECT_TRUE(May({ColumnPredicate{3, Op::kIsNull, {}}}, null_name));
  EXPECT_FALSE(May({P(3, Op::kEq, {"bob"})}, null_name));
  // Columns the spec does not cover never prune.
  EXPECT_TRUE(May({P(5, Op::kEq, {"1.5"})}, row));
}

TEST_F(ProjectionTest, ManifestSummariesPrune) {
  auto filter = ProjectPredicates(spec_, *schema_, {P(2, Op::kGe, {"2023-01-05 00:00:00"}), P(2, Op::kLt, {"2023-01-06 00:00:00"})});
  ManifestFile mf;
  mf.partition_spec_id = 0;
  mf.partitions.resize(spec_.fields.size());
  const Type& date = *Type::Primitive(TypeId::kDate);
  auto day = [&](const char* d) { return EncodeLiteral(date, *ParseLiteral(date, d)); };
  mf.partitions[0].lower_bound = day("2023-01-01");
  mf.partitions[0].upper_bound = day("2023-01-04");
  EXPECT_FALSE(ManifestMayMatch(filter, mf));
  mf.partitions[0].upper_bound = day("2023-01-05");
  EXPECT_TRUE(ManifestMayMatch(filter, mf));
  mf.partitions[0].lower_bound = day("2023-01-06");
  mf.partitions[0].upper_bound = day("2023-01-31");
  EXPECT_FALSE(ManifestMayMatch(filter, mf));
  // Another spec's manifest is never judged by this one's projection.
  mf.partition_spec_id = 1;
  EXPECT_TRUE(ManifestMayMatch(filter, mf));
  // Missing bounds: conservative.
  mf.partition_spec_id = 0;
  mf.partitions[0].lower_bound.reset();
  mf.partitions[0].upper_bound.reset();
  EXPECT_TRUE(ManifestMayMatch(filter, mf));
}

TEST_F(ProjectionTest, DataFileUsesItsOwnSpec) {
  auto md = TableMetadata::NewTable("file:///tmp/t", schema_, spec_, {}, 1);
  auto evolved = EvolvePartitionSpec(*md, "month(ts)");
  ASSERT_TRUE(evolved.ok());
  std::vector<ColumnPredicate> jan5 = {P(2, Op::kGe, {"2023-01-05 00:00:00"}), P(2, Op::kLt, {"2023-01-06 00:00:00"})};
  DataFile old_file;
  old_file.spec_id = 0;
  old_file.partition = Tuple("2023-01-07 10:00:00", "1", "5", "a", "1.00");
  EXPECT_FALSE(DataFileMayMatch(*evolved->metadata, *schema_, old_file, jan5));
  DataFile new_file;
  new_file.spec_id = evolved->spec_id;
  new_file.partition = {PartitionValue(int32_t{(2023 - 1970) * 12})};  // 2023-01
  EXPECT_TRUE(DataFileMayMatch(*evolved->metadata, *schema_, new_file, jan5));
  new_file.partition = {PartitionValue(int32_t{(2023 - 1970) * 12 + 1})};  // 2023-02
  EXPECT_FALSE(DataFileMayMatch(*evolved->metadata, *schema_, new_file, jan5));
}

}  // namespace
}  // namespace ldp::iceberg
