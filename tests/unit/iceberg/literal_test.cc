#include "ldp/iceberg/literal.h"

#include <cmath>
#include <limits>

#include "ldp/engine/engine.h"
#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

TypePtr P(TypeId id) { return Type::Primitive(id); }

Literal Parse(const Type& t, const std::string& text) {
  auto lit = ParseLiteral(t, text);
  EXPECT_TRUE(lit.has_value()) << t.ToString() << " " << text;
  return lit.value_or(Literal{});
}

int64_t ParseInt64(TypeId id, const std::string& text) {
  auto lit = ParseLiteral(*P(id), text);
  EXPECT_TRUE(lit.has_value()) << text;
  return lit ? std::get<int64_t>(lit->value) : 0;
}

std::string Hex(const std::string& b) {
  std::string out;
  for (unsigned char c : b) out += fmt::format("{:02x}", c);
  return out;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

TEST(ParseLiteralTest, Numbers) {
  EXPECT_EQ(ParseInt64(TypeId::kInt, "42"), 42);
  EXPECT_EQ(ParseInt64(TypeId::kInt, "-2147483648"), INT32_MIN);
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kInt), "2147483648"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kInt), "4x"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kInt), ""));
  EXPECT_EQ(ParseInt64(TypeId::kLong, "-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kLong), "9223372036854775808"));
  EXPECT_EQ(std::get<double>(Parse(*P(TypeId::kDouble), "1.5").value), 1.5);
  EXPECT_EQ(std::get<double>(Parse(*P(TypeId::kDouble), "1e+20").value), 1e20);
  EXPECT_TRUE(std::isnan(std::get<double>(Parse(*P(TypeId::kDouble), "nan").value)));
  EXPECT_EQ(std::get<double>(Parse(*P(TypeId::kDouble), "-inf").value), -INFINITY);
  EXPECT_TRUE(std::signbit(std::get<double>(Parse(*P(TypeId::kDouble), "-0.0").value)));
  // A float value is rounded to float precision.
  EXPECT_EQ(std::get<double>(Parse(*P(TypeId::kFloat), "0.1").value), static_cast<double>(0.1f));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kDouble), "abc"));
  EXPECT_TRUE(std::get<bool>(Parse(*P(TypeId::kBoolean), "true").value));
  EXPECT_FALSE(std::get<bool>(Parse(*P(TypeId::kBoolean), "false").value));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kBoolean), "maybe"));
}

TEST(ParseLiteralTest, Decimals) {
  auto d92 = Type::Decimal(9, 2);
  EXPECT_EQ(std::get<DecimalValue>(Parse(*d92, "-1.50").value), (DecimalValue{-150, 2}));
  EXPECT_EQ(std::get<DecimalValue>(Parse(*d92, "3").value), (DecimalValue{300, 2}));
  EXPECT_EQ(std::get<DecimalValue>(Parse(*d92, "0.5").value), (DecimalValue{50, 2}));
  EXPECT_EQ(std::get<DecimalValue>(Parse(*d92, "1.230").value), (DecimalValue{123, 2}));
  EXPECT_FALSE(ParseLiteral(*d92, "1.234"));        // more scale than the type
  EXPECT_FALSE(ParseLiteral(*d92, "12345678.00"));  // more precision than the type
  EXPECT_FALSE(ParseLiteral(*d92, "1.2.3"));
  auto d38 = Type::Decimal(38, 0);
  auto big = Parse(*d38, "-99999999999999999999999999999999999999");
  __int128 want = 0;
  for (int i = 0; i < 38; ++i) want = want * 10 + 9;
  EXPECT_TRUE(std::get<DecimalValue>(big.value).unscaled == -want);
  EXPECT_EQ(LiteralToText(big), "-99999999999999999999999999999999999999");
}

TEST(ParseLiteralTest, DatesAndTimes) {
  EXPECT_EQ(ParseInt64(TypeId::kDate, "1970-01-01"), 0);
  EXPECT_EQ(ParseInt64(TypeId::kDate, "2017-11-16"), 17486);
  EXPECT_EQ(ParseInt64(TypeId::kDate, "1969-12-31"), -1);
  EXPECT_EQ(ParseInt64(TypeId::kDate, "2000-02-29"), 10957 + 59);
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kDate), "2001-02-29"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kDate), "2001-13-01"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kDate), "2001-01-01x"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kDate), "99999999-01-01"));  // beyond 32-bit days
  // DuckDB's BC rendering: 45 BC is astronomical year -44.
  EXPECT_EQ(ParseInt64(TypeId::kDate, "0045-03-15 (BC)"), ParseInt64(TypeId::kDate, "-0044-03-15"));
  EXPECT_EQ(ParseInt64(TypeId::kTime, "12:30:00"), (12 * 3600 + 30 * 60) * 1000000LL);
  EXPECT_EQ(ParseInt64(TypeId::kTime, "22:31:08.25"),
            (22 * 3600 + 31 * 60 + 8) * 1000000LL + 250000);
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kTime), "25:00:00"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kTime), "12:61:00"));
}

TEST(ParseLiteralTest, Timestamps) {
  const int64_t base = 1672531200LL * 1000000;  // 2023-01-01T00:00:00Z
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "2023-01-01 00:00:00"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "2023-01-01 00:00:00.123456"), base + 123456);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "2023-01-01 00:00:00.5"), base + 500000);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "2023-01-01T00:00:00"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "2023-01-01"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "1969-12-31 23:59:59.999999"), -1);
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kTimestamp), "2023-01-01 00:00:00+00"));  // no zone here
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2023-01-01 00:00:00+00"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2023-01-01 00:00:00"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2023-01-01 05:30:00+05:30"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2022-12-31 16:00:00-08"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2022-12-31 16:00:00.000001-08"), base + 1);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2023-01-01 00:00:10+00:00:10"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, "2023-01-01T00:00:00Z"), base);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampNs, "2023-01-01 00:00:00.123456789"),
            base * 1000 + 123456789);
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTzNs, "2023-01-01 01:00:00.000000001+01"),
            base * 1000 + 1);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "0001-12-31 (BC) 00:00:00"),
            ParseInt64(TypeId::kDate, "0000-12-31") * 86400000000LL);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "infinity"), INT64_MAX);
  EXPECT_EQ(ParseInt64(TypeId::kTimestamp, "-infinity"), -INT64_MAX);
  EXPECT_EQ(ParseInt64(TypeId::kDate, "infinity"), INT32_MAX);
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kTimestampTz), "2023-01-01 00:00:00+ab"));
}

TEST(ParseLiteralTest, UuidsAndBlobs) {
  auto u = Parse(*P(TypeId::kUuid), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_EQ(Hex(std::get<std::string>(u.value)), "f79c3e09677c4bbda4793f349cb785e7");
  EXPECT_EQ(LiteralToText(u), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kUuid), "f79c3e09-677c-4bbd-a479-3f349cb785eZ"));
  EXPECT_FALSE(ParseLiteral(*P(TypeId::kUuid), "f79c3e09677c-4bbd-a479-3f349cb785e7-"));

  auto b = Parse(*P(TypeId::kBinary), R"(\x00\xFFab\x5Cc)");
  EXPECT_EQ(std::get<std::string>(b.value), Bytes({0, 0xFF, 'a', 'b', '\\', 'c'}));
  EXPECT_EQ(LiteralToText(b), R"(\x00\xFFab\x5Cc)");
  EXPECT_EQ(std::get<std::string>(Parse(*P(TypeId::kBinary), "raw").value), "raw");
  EXPECT_TRUE(ParseLiteral(*Type::Fixed(2), R"(\x01\x02)"));
  EXPECT_FALSE(ParseLiteral(*Type::Fixed(3), R"(\x01\x02)"));
  EXPECT_EQ(std::get<std::string>(Parse(*P(TypeId::kString), "héllo").value), "héllo");
}

TEST(LiteralToTextTest, MatchesDuckDBRendering) {
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kTimestamp), "2023-01-01 00:00:00.500")),
            "2023-01-01 00:00:00.5");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kTimestampTz), "2023-01-01 05:30:00+05:30")),
            "2023-01-01 00:00:00+00");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kTimestamp), "1969-12-31 23:59:59.999999")),
            "1969-12-31 23:59:59.999999");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kDate), "-0044-03-15")), "0045-03-15 (BC)");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kTime), "12:30:00.250")), "12:30:00.25");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kDouble), "1e20")), "1e+20");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kDouble), "1")), "1.0");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kDouble), "-0.0")), "-0.0");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kFloat), "0.1")), "0.1");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kDouble), "nan")), "nan");
  EXPECT_EQ(LiteralToText(Parse(*Type::Decimal(9, 2), "-0.05")), "-0.05");
  EXPECT_EQ(LiteralToText(Parse(*Type::Decimal(9, 0), "12")), "12");
  EXPECT_EQ(LiteralToText(Parse(*P(TypeId::kTimestampNs), "2023-01-01 00:00:00.000000001")),
            "2023-01-01 00:00:00.000000001");
}

TEST(EncodeLiteralTest, AppendixDForms) {
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kInt), Parse(*P(TypeId::kInt), "1"))), "01000000");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kInt), Parse(*P(TypeId::kInt), "-2"))), "feffffff");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kDate), Parse(*P(TypeId::kDate), "2017-11-16"))),
            "4e440000");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kLong), Parse(*P(TypeId::kLong), "1"))),
            "0100000000000000");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kTimestamp),
                              Parse(*P(TypeId::kTimestamp), "1970-01-01 00:00:01"))),
            "40420f0000000000");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kFloat), Parse(*P(TypeId::kFloat), "1"))), "0000803f");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kDouble), Parse(*P(TypeId::kDouble), "1"))),
            "000000000000f03f");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kBoolean), Parse(*P(TypeId::kBoolean), "true"))), "01");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kBoolean), Parse(*P(TypeId::kBoolean), "false"))), "00");
  EXPECT_EQ(EncodeLiteral(*P(TypeId::kString), Parse(*P(TypeId::kString), "iceberg")), "iceberg");
  EXPECT_EQ(Hex(EncodeLiteral(*P(TypeId::kUuid),
                              Parse(*P(TypeId::kUuid), "f79c3e09-677c-4bbd-a479-3f349cb785e7"))),
            "f79c3e09677c4bbda4793f349cb785e7");
  // Decimals: minimal two's complement, big-endian.
  auto d = [](const char* text) {
    auto t = Type::Decimal(38, 2);
    return Hex(EncodeLiteral(*t, *ParseLiteral(*t, text)));
  };
  EXPECT_EQ(d("14.20"), "058c");
  EXPECT_EQ(d("0"), "00");
  EXPECT_EQ(d("1.27"), "7f");
  EXPECT_EQ(d("1.28"), "0080");
  EXPECT_EQ(d("-1.28"), "80");
  EXPECT_EQ(d("-1.29"), "ff7f");
  EXPECT_EQ(d("-0.01"), "ff");
  EXPECT_EQ(d("-999999999999999999999999999999999999.99"), "b4c4b357a5793b85f675ddc000000001");
}

TEST(EncodeLiteralTest, RoundTripsEveryType) {
  struct Case {
    TypePtr type;
    const char* text;
  };
  const Case cases[] = {
      {P(TypeId::kBoolean), "true"},
      {P(TypeId::kInt), "-123"},
      {P(TypeId::kLong), "-9223372036854775808"},
      {P(TypeId::kFloat), "-1.5"},
      {P(TypeId::kDouble), "3.141592653589793"},
      {Type::Decimal(9, 2), "-1234567.89"},
      {Type::Decimal(38, 0), "99999999999999999999999999999999999999"},
      {P(TypeId::kDate), "1900-02-28"},
      {P(TypeId::kTime), "23:59:59.999999"},
      {P(TypeId::kTimestamp), "1900-01-01 00:00:00.000001"},
      {P(TypeId::kTimestampTz), "2023-06-30 12:00:00+00"},
      {P(TypeId::kTimestampNs), "2262-04-11 23:47:16.854775806"},
      {P(TypeId::kString), "日本語"},
      {P(TypeId::kUuid), "00000000-0000-0000-0000-000000000001"},
      {Type::Fixed(3), R"(\x00\x01\x02)"},
      {P(TypeId::kBinary), R"(\xDE\xAD)"},
  };
  for (const auto& c : cases) {
    Literal lit = Parse(*c.type, c.text);
    EXPECT_EQ(LiteralToText(lit), c.text);
    auto back = DecodeLiteral(*c.type, EncodeLiteral(*c.type, lit));
    ASSERT_TRUE(back.has_value()) << c.text;
    EXPECT_EQ(CompareLiterals(*back, lit), 0) << c.text;
    EXPECT_EQ(LiteralToText(*back), c.text);
  }
}

TEST(DecodeLiteralTest, PromotedWidthsAndBadLengths) {
  auto l = DecodeLiteral(*P(TypeId::kLong), Bytes({0xfe, 0xff, 0xff, 0xff}));
  ASSERT_TRUE(l);
  EXPECT_EQ(std::get<int64_t>(l->value), -2);
  EXPECT_EQ(l->type, TypeId::kLong);
  auto d = DecodeLiteral(*P(TypeId::kDouble), Bytes({0x00, 0x00, 0xc0, 0x3f}));
  ASSERT_TRUE(d);
  EXPECT_EQ(std::get<double>(d->value), 1.5);
  auto dec = DecodeLiteral(*Type::Decimal(12, 2), Bytes({0xff, 0x7f}));
  ASSERT_TRUE(dec);
  EXPECT_EQ(std::get<DecimalValue>(dec->value), (DecimalValue{-129, 2}));
  EXPECT_FALSE(DecodeLiteral(*P(TypeId::kInt), Bytes({1, 2})));
  EXPECT_FALSE(DecodeLiteral(*P(TypeId::kTimestamp), Bytes({1, 2, 3, 4})));
  EXPECT_FALSE(DecodeLiteral(*P(TypeId::kFloat), std::string(8, '\0')));
  EXPECT_FALSE(DecodeLiteral(*P(TypeId::kUuid), std::string(15, '\0')));
  EXPECT_FALSE(DecodeLiteral(*Type::Fixed(4), std::string(3, '\0')));
  EXPECT_FALSE(DecodeLiteral(*Type::Decimal(9, 2), ""));
  EXPECT_FALSE(DecodeLiteral(*Type::Decimal(9, 2), std::string(17, '\0')));
  EXPECT_FALSE(DecodeLiteral(*P(TypeId::kBoolean), ""));
  EXPECT_TRUE(DecodeLiteral(*P(TypeId::kString), ""));
}

TEST(CompareLiteralsTest, Order) {
  auto cmp = [](const Type& t, const char* a, const char* b) {
    return CompareLiterals(*ParseLiteral(t, a), *ParseLiteral(t, b));
  };
  EXPECT_LT(cmp(*P(TypeId::kLong), "-5", "3"), 0);
  EXPECT_EQ(cmp(*P(TypeId::kLong), "3", "3"), 0);
  EXPECT_LT(cmp(*P(TypeId::kDouble), "-0.0", "0.0"), 0);
  EXPECT_GT(cmp(*P(TypeId::kDouble), "nan", "inf"), 0);
  EXPECT_EQ(cmp(*P(TypeId::kDouble), "nan", "nan"), 0);
  EXPECT_LT(cmp(*P(TypeId::kDouble), "-inf", "-1e300"), 0);
  EXPECT_LT(cmp(*P(TypeId::kBoolean), "false", "true"), 0);
  // Strings as unsigned bytes: é (C3 A9) sorts after z.
  EXPECT_GT(cmp(*P(TypeId::kString), "é", "z"), 0);
  EXPECT_LT(cmp(*P(TypeId::kString), "ab", "abc"), 0);
  EXPECT_LT(cmp(*P(TypeId::kBinary), R"(\x7F)", R"(\x80)"), 0);
  EXPECT_LT(cmp(*P(TypeId::kUuid), "7fffffff-0000-0000-0000-000000000000",
                "80000000-0000-0000-0000-000000000000"),
            0);
  // Decimals by value across scales.
  Literal a{TypeId::kDecimal, DecimalValue{150, 2}};   // 1.50
  Literal b{TypeId::kDecimal, DecimalValue{15, 1}};    // 1.5
  Literal c{TypeId::kDecimal, DecimalValue{-125, 2}};  // -1.25
  Literal e{TypeId::kDecimal, DecimalValue{-15, 1}};   // -1.5
  EXPECT_EQ(CompareLiterals(a, b), 0);
  EXPECT_LT(CompareLiterals(e, c), 0);
  EXPECT_GT(CompareLiterals(c, e), 0);
  EXPECT_LT(CompareLiterals(c, a), 0);
  Literal tiny{TypeId::kDecimal, DecimalValue{1, 38}};
  Literal zero{TypeId::kDecimal, DecimalValue{0, 0}};
  EXPECT_GT(CompareLiterals(tiny, zero), 0);
}

TEST(TruncateBoundTest, LowerBoundIsACodePointPrefix) {
  EXPECT_EQ(TruncateLowerBound("abcdef", 3), "abc");
  EXPECT_EQ(TruncateLowerBound("ab", 3), "ab");
  EXPECT_EQ(TruncateLowerBound("héllo", 2), "hé");
  EXPECT_EQ(TruncateLowerBound("日本語テキスト", 2), "日本");
  EXPECT_EQ(TruncateLowerBound("😀😁😂", 1), "😀");
  EXPECT_EQ(TruncateLowerBound("abc", 0), "");
}

TEST(TruncateBoundTest, UpperBoundIncrementsTheLastCodePoint) {
  EXPECT_EQ(TruncateUpperBound("abcdef", 3), "abd");
  EXPECT_EQ(TruncateUpperBound("abc", 3), "abc");
  EXPECT_EQ(TruncateUpperBound("hé", 5), "hé");
  EXPECT_EQ(TruncateUpperBound("héllo", 2), "hê");
  EXPECT_EQ(TruncateUpperBound("日本語", 2), "日札");           // U+672C -> U+672D
  EXPECT_EQ(TruncateUpperBound("a\xF4\x8F\xBF\xBFz", 2), "b");  // U+10FFFF cannot grow: drop it
  EXPECT_EQ(TruncateUpperBound("a\xED\x9F\xBFz", 2), "a\xEE\x80\x80");  // U+D7FF skips surrogates
  EXPECT_EQ(TruncateUpperBound("\xF4\x8F\xBF\xBF\xF4\x8F\xBF\xBFz", 2), std::nullopt);
  EXPECT_EQ(TruncateUpperBound("a\x7F"
                               "b",
                               2),
            "a\xC2\x80");  // U+007F -> U+0080 grows a byte
  EXPECT_EQ(TruncateUpperBound("abc", 0), std::nullopt);
  // Every truncated upper bound is >= the value.
  for (std::string s : {"zzzz", "az\xF4\x8F\xBF\xBF", "é\xEF\xBF\xBFq"}) {
    auto ub = TruncateUpperBound(s, 2);
    ASSERT_TRUE(ub);
    EXPECT_GT(CompareLiterals({TypeId::kString, *ub}, {TypeId::kString, s}), 0);
  }
}

TEST(TruncateBoundTest, BinaryUpperBound) {
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({1, 2, 3}), 2), Bytes({1, 3}));
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({1, 0xFF, 3}), 2), Bytes({2}));
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({0xFF, 0xFF, 3}), 2), std::nullopt);
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({1, 2}), 2), Bytes({1, 2}));
}

// DuckDB renders values as text; what it prints must parse back to the value it stores.
TEST(ParseLiteralTest, ParsesWhatDuckDBPrints) {
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open());
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  ASSERT_OK(conn->Execute("SET TimeZone='UTC'"));
  struct Case {
    const char* sql;
    TypePtr type;
    const char* epoch_sql;  // an integer the parsed value must equal, or nullptr
  };
  const Case cases[] = {
      {"TIMESTAMP '2023-01-01 00:00:00.123456'", P(TypeId::kTimestamp),
       "epoch_us(TIMESTAMP '2023-01-01 00:00:00.123456')"},
      {"TIMESTAMP '1960-05-06 07:08:09.5'", P(TypeId::kTimestamp),
       "epoch_us(TIMESTAMP '1960-05-06 07:08:09.5')"},
      {"TIMESTAMPTZ '2023-01-01 00:00:00.25+05:30'", P(TypeId::kTimestampTz),
       "epoch_us(TIMESTAMPTZ '2023-01-01 00:00:00.25+05:30')"},
      {"DATE '-0044-03-15'", P(TypeId::kDate), "(DATE '-0044-03-15' - DATE '1970-01-01')"},
      {"DATE '2024-02-29'", P(TypeId::kDate), "(DATE '2024-02-29' - DATE '1970-01-01')"},
      {"TIME '12:30:00.25'", P(TypeId::kTime), "epoch_us(TIME '12:30:00.25')"},
      {"TIMESTAMP_NS '2023-01-01 00:00:00.123456789'", P(TypeId::kTimestampNs),
       "epoch_ns(TIMESTAMP_NS '2023-01-01 00:00:00.123456789')"},
  };
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(auto text, conn->QueryScalar(fmt::format("SELECT ({})::VARCHAR", c.sql)));
    ASSERT_TRUE(text);
    auto lit = ParseLiteral(*c.type, *text);
    ASSERT_TRUE(lit) << c.sql << " printed as " << *text;
    EXPECT_EQ(LiteralToText(*lit), *text) << c.sql;
    ASSERT_OK_AND_ASSIGN(
        auto want, conn->QueryScalar(fmt::format("SELECT ({})::BIGINT::VARCHAR", c.epoch_sql)));
    EXPECT_EQ(std::to_string(std::get<int64_t>(lit->value)), *want) << c.sql;
  }
  // A timestamptz printed in another session zone parses to the same instant.
  ASSERT_OK(conn->Execute("SET TimeZone='America/Los_Angeles'"));
  ASSERT_OK_AND_ASSIGN(auto la,
                       conn->QueryScalar("SELECT (TIMESTAMPTZ '2023-01-01 00:00:00+00')::VARCHAR"));
  EXPECT_EQ(*la, "2022-12-31 16:00:00-08");
  EXPECT_EQ(ParseInt64(TypeId::kTimestampTz, *la), 1672531200LL * 1000000);
  // Blobs and doubles.
  ASSERT_OK_AND_ASSIGN(auto blob,
                       conn->QueryScalar(R"(SELECT ('\x00\xFFab\x5Cc''"'::BLOB)::VARCHAR)"));
  auto b = ParseLiteral(*P(TypeId::kBinary), *blob);
  ASSERT_TRUE(b);
  EXPECT_EQ(std::get<std::string>(b->value), Bytes({0, 0xFF, 'a', 'b', '\\', 'c', '\'', '"'}));
  EXPECT_EQ(LiteralToText(*b), *blob);
  for (const char* v :
       {"1e20", "0.1", "-0.0", "123456789.125", "1.5e-7", "'nan'", "'-inf'", "1.0"}) {
    ASSERT_OK_AND_ASSIGN(auto text,
                         conn->QueryScalar(fmt::format("SELECT ({}::DOUBLE)::VARCHAR", v)));
    auto lit = ParseLiteral(*P(TypeId::kDouble), *text);
    ASSERT_TRUE(lit) << *text;
    EXPECT_EQ(LiteralToText(*lit), *text);
  }
}

// Column bounds come from parquet_metadata's stats_min_value/stats_max_value text.
TEST(ParseLiteralTest, ParsesParquetStatistics) {
  ASSERT_OK_AND_ASSIGN(auto db, engine::Database::Open());
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  ASSERT_OK(conn->Execute("SET TimeZone='Asia/Kolkata'"));  // stats are printed in UTC anyway
  testing::TempDir dir;
  const std::string file = engine::QuoteLiteral(dir.Join("stats.parquet"));
  ASSERT_OK(conn->Execute(fmt::format(
      R"(COPY (SELECT true b, 1::INT i, 0.1::FLOAT f, 0.1::DOUBLE d, 1.50::DECIMAL(9,2) de,
                      12345678901234567890.5::DECIMAL(38,1) bigdec, DATE '2023-01-01' dt,
                      TIME '12:30:00.25' t, TIMESTAMP '2023-01-01 00:00:00.5' ts,
                      TIMESTAMPTZ '2023-01-01 05:30:00+05:30' tz,
                      'f79c3e09-677c-4bbd-a479-3f349cb785e7'::UUID u, '\x00\xFFab'::BLOB bl, 'héllo' s,
                      TIMESTAMP '1960-01-01 00:00:00' AS oldts) TO {} (FORMAT parquet))",
      file)));
  ASSERT_OK_AND_ASSIGN(auto stats,
                       conn->Query(fmt::format("SELECT path_in_schema, stats_min_value FROM "
                                               "parquet_metadata({}) ORDER BY column_id",
                                               file)));
  const TypePtr types[] = {P(TypeId::kBoolean),     P(TypeId::kInt),      P(TypeId::kFloat),
                           P(TypeId::kDouble),      Type::Decimal(9, 2),  Type::Decimal(38, 1),
                           P(TypeId::kDate),        P(TypeId::kTime),     P(TypeId::kTimestamp),
                           P(TypeId::kTimestampTz), P(TypeId::kUuid),     P(TypeId::kBinary),
                           P(TypeId::kString),      P(TypeId::kTimestamp)};
  ASSERT_EQ(stats.rows.size(), std::size(types));
  for (size_t i = 0; i < stats.rows.size(); ++i) {
    ASSERT_TRUE(stats.rows[i][1]) << *stats.rows[i][0];
    auto lit = ParseLiteral(*types[i], *stats.rows[i][1]);
    ASSERT_TRUE(lit) << *stats.rows[i][0] << ": " << *stats.rows[i][1];
    EXPECT_EQ(LiteralToText(*lit), *stats.rows[i][1]);
  }
  EXPECT_EQ(*stats.rows[9][1], "2023-01-01 00:00:00+00");
}

}  // namespace
}  // namespace ldp::iceberg
