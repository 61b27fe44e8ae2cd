#include "ldp/iceberg/transforms.h"

#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

TypePtr P(TypeId id) { return Type::Primitive(id); }

Literal L(const Type& t, const std::string& text) {
  auto lit = ParseLiteral(t, text);
  EXPECT_TRUE(lit.has_value()) << t.ToString() << " " << text;
  return lit.value_or(Literal{});
}

int32_t Hash(const TypePtr& t, const std::string& text) {
  return BucketHash(*t, L(*t, text)).value_or(0);
}

// The spec's Appendix B test vectors.
TEST(BucketHashTest, SpecVectors) {
  EXPECT_EQ(Hash(P(TypeId::kInt), "34"), 2017239379);
  EXPECT_EQ(Hash(P(TypeId::kLong), "34"), 2017239379);
  EXPECT_EQ(Hash(Type::Decimal(9, 2), "14.20"), -500754589);
  EXPECT_EQ(Hash(P(TypeId::kDate), "2017-11-16"), -653330422);
  EXPECT_EQ(Hash(P(TypeId::kTime), "22:31:08"), -662762989);
  EXPECT_EQ(Hash(P(TypeId::kTimestamp), "2017-11-16T22:31:08"), -2047944441);
  EXPECT_EQ(Hash(P(TypeId::kTimestampTz), "2017-11-16T14:31:08-08:00"), -2047944441);
  EXPECT_EQ(Hash(P(TypeId::kString), "iceberg"), 1210000089);
  EXPECT_EQ(Hash(P(TypeId::kUuid), "f79c3e09-677c-4bbd-a479-3f349cb785e7"), 1488055340);
  EXPECT_EQ(Hash(Type::Fixed(4), R"(\x00\x01\x02\x03)"), -188683207);
  EXPECT_EQ(Hash(P(TypeId::kBinary), R"(\x00\x01\x02\x03)"), -188683207);
}

TEST(BucketHashTest, NanosHashAsMicrosAndOtherTypesAreRefused) {
  EXPECT_EQ(Hash(P(TypeId::kTimestampNs), "2017-11-16 22:31:08.000000999"), -2047944441);
  EXPECT_EQ(Hash(P(TypeId::kTimestampTzNs), "2017-11-16 22:31:08+00"), -2047944441);
  EXPECT_FALSE(BucketHash(*P(TypeId::kBoolean), L(*P(TypeId::kBoolean), "true")));
  EXPECT_FALSE(BucketHash(*P(TypeId::kDouble), L(*P(TypeId::kDouble), "1")));
  EXPECT_FALSE(BucketHash(*P(TypeId::kFloat), L(*P(TypeId::kFloat), "1")));
}

TEST(MurmurTest, KnownValues) {
  EXPECT_EQ(MurmurHash3_x86_32(""), 0);
  EXPECT_EQ(MurmurHash3_x86_32("", 1), 0x514E28B7);
  // Tail lengths 1..3 and a full block (reference values of MurmurHash3_x86_32, seed 0).
  EXPECT_EQ(static_cast<uint32_t>(MurmurHash3_x86_32("a")), 0x3c2569b2u);
  EXPECT_EQ(static_cast<uint32_t>(MurmurHash3_x86_32("ab")), 0x9bbfd75fu);
  EXPECT_EQ(static_cast<uint32_t>(MurmurHash3_x86_32("abc")), 0xb3dd93fau);
  EXPECT_EQ(static_cast<uint32_t>(MurmurHash3_x86_32("abcd")), 0x43ed676au);
  EXPECT_EQ(
      static_cast<uint32_t>(MurmurHash3_x86_32("The quick brown fox jumps over the lazy dog")),
      0x2e4ff723u);
}

TEST(BucketOfTest, MasksAndModulo) {
  // 2017239379 % 16 = 3; negative hashes are masked, not negated.
  EXPECT_EQ(BucketOf(*P(TypeId::kInt), L(*P(TypeId::kInt), "34"), 16), 2017239379 % 16);
  int32_t h = Hash(P(TypeId::kString), "iceberg");
  EXPECT_EQ(BucketOf(*P(TypeId::kString), L(*P(TypeId::kString), "iceberg"), 7),
            (h & INT32_MAX) % 7);
  int32_t neg = Hash(Type::Decimal(9, 2), "14.20");
  ASSERT_LT(neg, 0);
  EXPECT_EQ(BucketOf(*Type::Decimal(9, 2), L(*Type::Decimal(9, 2), "14.20"), 100),
            (neg & INT32_MAX) % 100);
  EXPECT_FALSE(BucketOf(*P(TypeId::kInt), L(*P(TypeId::kInt), "34"), 0));
}

TEST(TruncateTest, SpecExamples) {
  auto i = P(TypeId::kInt);
  auto v = [&](const TypePtr& t, const std::string& text, int w) {
    auto out = TruncateValue(*t, L(*t, text), w);
    EXPECT_TRUE(out.has_value());
    return out ? LiteralToText(*out) : std::string();
  };
  EXPECT_EQ(v(i, "1", 10), "0");
  EXPECT_EQ(v(i, "-1", 10), "-10");
  EXPECT_EQ(v(i, "10", 10), "10");
  EXPECT_EQ(v(P(TypeId::kLong), "-10", 10), "-10");
  EXPECT_EQ(v(P(TypeId::kLong), "-11", 10), "-20");
  EXPECT_EQ(v(Type::Decimal(9, 2), "10.65", 50), "10.50");
  EXPECT_EQ(v(Type::Decimal(9, 2), "-0.05", 50), "-0.50");
  EXPECT_EQ(v(P(TypeId::kString), "iceberg", 3), "ice");
  EXPECT_EQ(v(P(TypeId::kString), "日本語", 2), "日本");
  EXPECT_EQ(v(P(TypeId::kBinary), R"(\x01\x02\x03)", 2), R"(\x01\x02)");
  EXPECT_FALSE(TruncateValue(*P(TypeId::kDouble), L(*P(TypeId::kDouble), "1"), 2));
  EXPECT_FALSE(TruncateValue(*i, L(*i, "1"), 0));
}

TEST(TimeTransformTest, YearsMonthsDaysHours) {
  auto ts = P(TypeId::kTimestamp);
  auto d = P(TypeId::kDate);
  EXPECT_EQ(YearsOf(*ts, L(*ts, "2017-11-16 22:31:08")), 47);
  EXPECT_EQ(MonthsOf(*ts, L(*ts, "2017-11-16 22:31:08")), 47 * 12 + 10);
  EXPECT_EQ(DaysOf(*ts, L(*ts, "2017-11-16 22:31:08")), 17486);
  EXPECT_EQ(HoursOf(*ts, L(*ts, "2017-11-16 22:31:08")), 17486 * 24 + 22);
  EXPECT_EQ(YearsOf(*d, L(*d, "2017-11-16")), 47);
  EXPECT_EQ(MonthsOf(*d, L(*d, "2017-11-16")), 574);
  EXPECT_EQ(DaysOf(*d, L(*d, "2017-11-16")), 17486);
  EXPECT_FALSE(HoursOf(*d, L(*d, "2017-11-16")));
  // Before the epoch the results are floored.
  EXPECT_EQ(YearsOf(*ts, L(*ts, "1969-12-31 23:59:59.999999")), -1);
  EXPECT_EQ(MonthsOf(*ts, L(*ts, "1969-12-31 23:59:59.999999")), -1);
  EXPECT_EQ(DaysOf(*ts, L(*ts, "1969-12-31 23:59:59.999999")), -1);
  EXPECT_EQ(HoursOf(*ts, L(*ts, "1969-12-31 23:59:59.999999")), -1);
  EXPECT_EQ(YearsOf(*d, L(*d, "1969-01-01")), -1);
  EXPECT_EQ(YearsOf(*d, L(*d, "1968-12-31")), -2);
  EXPECT_EQ(MonthsOf(*d, L(*d, "1969-11-30")), -2);
  // timestamptz works in UTC; nanos are floored to micros.
  auto tz = P(TypeId::kTimestampTz);
  EXPECT_EQ(DaysOf(*tz, L(*tz, "2017-11-16 23:31:08+08")), 17486);
  EXPECT_EQ(HoursOf(*tz, L(*tz, "2017-11-16 23:31:08+08")), 17486 * 24 + 15);
  auto ns = P(TypeId::kTimestampNs);
  EXPECT_EQ(HoursOf(*ns, L(*ns, "1969-12-31 23:59:59.999999999")), -1);
}

TEST(ParseTransformTest, KnownUnknownAndMalformed) {
  struct Case {
    const char* text;
    TransformKind kind;
    int param;
  };
  for (const Case& c :
       {Case{"identity", TransformKind::kIdentity, 0},
        Case{"bucket[16]", TransformKind::kBucket, 16},
        Case{"truncate[4]", TransformKind::kTruncate, 4}, Case{"year", TransformKind::kYear, 0},
        Case{"month", TransformKind::kMonth, 0}, Case{"day", TransformKind::kDay, 0},
        Case{"hour", TransformKind::kHour, 0}, Case{"void", TransformKind::kVoid, 0},
        Case{"Bucket[3]", TransformKind::kBucket, 3}}) {
    ASSERT_OK_AND_ASSIGN(Transform t, ParseTransform(c.text));
    EXPECT_EQ(t.kind, c.kind) << c.text;
    EXPECT_EQ(t.param, c.param) << c.text;
  }
  ASSERT_OK_AND_ASSIGN(Transform t, ParseTransform("bucket[16]"));
  EXPECT_EQ(t.ToString(), "bucket[16]");
  ASSERT_OK_AND_ASSIGN(Transform u, ParseTransform("zorder"));
  EXPECT_EQ(u.kind, TransformKind::kUnknown);
  EXPECT_EQ(u.ToString(), "zorder");
  for (const char* bad :
       {"bucket[0]", "bucket[]", "bucket[x]", "bucket[16", "truncate[-1]", "bucket[99999999999]"}) {
    EXPECT_THAT(ParseTransform(bad), IsError(ErrorCode::kInvalidArgument)) << bad;
  }
}

TEST(TransformTypesTest, ApplicabilityAndResultTypes) {
  auto rt = [](const char* transform, const TypePtr& source) -> std::string {
    auto t = ParseTransform(transform);
    if (!t.ok()) return "parse error";
    auto r = TransformResultType(*t, *source);
    return r.ok() ? (*r)->ToString() : "invalid";
  };
  EXPECT_EQ(rt("identity", P(TypeId::kString)), "string");
  EXPECT_EQ(rt("bucket[4]", P(TypeId::kString)), "int");
  EXPECT_EQ(rt("bucket[4]", P(TypeId::kDouble)), "invalid");
  EXPECT_EQ(rt("truncate[4]", Type::Decimal(9, 2)), "decimal(9,2)");
  EXPECT_EQ(rt("truncate[4]", P(TypeId::kUuid)), "invalid");
  EXPECT_EQ(rt("day", P(TypeId::kTimestampTz)), "date");
  EXPECT_EQ(rt("day", P(TypeId::kDate)), "date");
  EXPECT_EQ(rt("month", P(TypeId::kDate)), "int");
  EXPECT_EQ(rt("hour", P(TypeId::kDate)), "invalid");
  EXPECT_EQ(rt("year", P(TypeId::kString)), "invalid");
  EXPECT_EQ(rt("void", P(TypeId::kDouble)), "double");
  EXPECT_EQ(rt("zorder", P(TypeId::kLong)), "invalid");
  EXPECT_EQ(rt("identity", Type::List(NestedField{1, "element", false, P(TypeId::kInt), ""})),
            "invalid");
}

TEST(ApplyTransformTest, ResultsCarryResultTypes) {
  auto ts = P(TypeId::kTimestamp);
  Literal v = L(*ts, "2017-11-16 22:31:08");
  auto apply = [&](const char* transform) {
    auto t = ParseTransform(transform);
    EXPECT_OK(t.status());
    auto r = ApplyTransform(*t, *ts, v);
    EXPECT_OK(r.status());
    return r.ok() ? *r : std::nullopt;
  };
  auto day = apply("day");
  ASSERT_TRUE(day);
  EXPECT_EQ(day->type, TypeId::kDate);
  EXPECT_EQ(LiteralToText(*day), "2017-11-16");
  auto hour = apply("hour");
  EXPECT_EQ(hour->type, TypeId::kInt);
  EXPECT_EQ(std::get<int64_t>(hour->value), 17486 * 24 + 22);
  auto bucket = apply("bucket[16]");
  EXPECT_EQ(std::get<int64_t>(bucket->value), (-2047944441 & INT32_MAX) % 16);
  EXPECT_EQ(CompareLiterals(*apply("identity"), v), 0);
  EXPECT_FALSE(apply("void"));
  ASSERT_OK_AND_ASSIGN(Transform trunc, ParseTransform("truncate[2]"));
  EXPECT_THAT(ApplyTransform(trunc, *ts, v), IsError(ErrorCode::kInvalidArgument));

  // Human strings as Java uses them in partition paths.
  ASSERT_OK_AND_ASSIGN(Transform year, ParseTransform("year"));
  ASSERT_OK_AND_ASSIGN(Transform month, ParseTransform("month"));
  ASSERT_OK_AND_ASSIGN(Transform hr, ParseTransform("hour"));
  ASSERT_OK_AND_ASSIGN(Transform dy, ParseTransform("day"));
  EXPECT_EQ(HumanString(year, **ApplyTransform(year, *ts, v)), "2017");
  EXPECT_EQ(HumanString(month, **ApplyTransform(month, *ts, v)), "2017-11");
  EXPECT_EQ(HumanString(dy, **ApplyTransform(dy, *ts, v)), "2017-11-16");
  EXPECT_EQ(HumanString(hr, **ApplyTransform(hr, *ts, v)), "2017-11-16-22");
  EXPECT_EQ(HumanString(hr, Literal{TypeId::kInt, int64_t{-1}}), "1969-12-31-23");
  EXPECT_EQ(HumanString(month, Literal{TypeId::kInt, int64_t{-1}}), "1969-12");
}

}  // namespace
}  // namespace ldp::iceberg
