#include "ldp/avro/encoding.h"

#include <cmath>
#include <limits>

#include "testing/temp_dir.h"

namespace ldp::avro {
namespace {

std::string Long(int64_t v) {
  std::string s;
  EncodeLong(v, &s);
  return s;
}

TEST(EncodingTest, ZigzagVarintsMatchTheSpec) {
  // The examples of the Avro spec, "Binary Encoding".
  EXPECT_EQ(Long(0), std::string("\x00", 1));
  EXPECT_EQ(Long(-1), "\x01");
  EXPECT_EQ(Long(1), "\x02");
  EXPECT_EQ(Long(-2), "\x03");
  EXPECT_EQ(Long(2), "\x04");
  EXPECT_EQ(Long(-64), "\x7f");
  EXPECT_EQ(Long(64), "\x80\x01");
  EXPECT_EQ(Long(std::numeric_limits<int64_t>::max()).size(), 10u);
  EXPECT_EQ(Long(std::numeric_limits<int64_t>::min()).size(), 10u);
}

TEST(EncodingTest, LongsRoundTrip) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            63,
                            -64,
                            64,
                            300,
                            -300,
                            std::numeric_limits<int32_t>::max(),
                            std::numeric_limits<int32_t>::min(),
                            int64_t{1} << 40,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  std::string buf;
  for (int64_t v : values) EncodeLong(v, &buf);
  Decoder in(buf);
  for (int64_t v : values) {
    int64_t got = 0;
    ASSERT_OK(in.ReadLong(&got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.at_end());
}

TEST(EncodingTest, FloatsAreLittleEndian) {
  std::string buf;
  EncodeFloat(1.0f, &buf);
  EXPECT_EQ(buf, std::string("\x00\x00\x80\x3f", 4));
  buf.clear();
  EncodeDouble(-2.5, &buf);
  EncodeDouble(std::numeric_limits<double>::quiet_NaN(), &buf);
  Decoder in(buf);
  double d;
  ASSERT_OK(in.ReadDouble(&d));
  EXPECT_EQ(d, -2.5);
  ASSERT_OK(in.ReadDouble(&d));
  EXPECT_TRUE(std::isnan(d));
}

TEST(EncodingTest, BadVarintsAreErrors) {
  int64_t v;
  Decoder cut(std::string_view("\x80\x80", 2));
  EXPECT_THAT(cut.ReadLong(&v), IsError(ErrorCode::kInvalidArgument));
  std::string too_long(11, '\xff');
  Decoder overlong(too_long);
  EXPECT_THAT(overlong.ReadLong(&v), IsError(ErrorCode::kInvalidArgument));
  Decoder empty{std::string_view()};
  EXPECT_THAT(empty.ReadLong(&v), HasMessage("truncated"));
}

TEST(EncodingTest, IntOutOfRangeIsAnError) {
  std::string buf = Long(int64_t{1} << 33);
  Decoder in(buf);
  int32_t i;
  EXPECT_THAT(in.ReadInt(&i), HasMessage("out of range"));
}

TEST(EncodingTest, BytesLengthIsChecked) {
  std::string buf = Long(100) + "abc";
  Decoder in(buf);
  std::string s;
  EXPECT_THAT(in.ReadBytes(&s), HasMessage("truncated"));
  std::string neg = Long(-5);
  Decoder in2(neg);
  EXPECT_THAT(in2.ReadBytes(&s), HasMessage("negative length"));
}

TEST(EncodingTest, ValueMismatchNamesTheField) {
  auto schema = Schema::Parse(R"({"type":"record","name":"r","fields":[
      {"name":"a","type":"int"},
      {"name":"inner","type":{"type":"record","name":"i","fields":[{"name":"b","type":"long"}]}}]})");
  ASSERT_OK(schema);
  std::string out;
  Value bad = Value::Record({Value(1), Value::Record({Value("x")})});
  EXPECT_THAT(EncodeValue(schema->root(), bad, &out), HasMessage("inner.b: expected long"));
  Value short_record = Value::Record({Value(1)});
  EXPECT_THAT(EncodeValue(schema->root(), short_record, &out), HasMessage("has 2 fields"));
}

TEST(EncodingTest, UnionPicksTheFittingBranch) {
  auto schema = Schema::Parse(R"(["null","int","string"])");
  ASSERT_OK(schema);
  std::string out;
  ASSERT_OK(EncodeValue(schema->root(), Value(), &out));
  ASSERT_OK(EncodeValue(schema->root(), Value(7), &out));
  ASSERT_OK(EncodeValue(schema->root(), Value("hi"), &out));
  EXPECT_EQ(out, std::string("\x00\x02\x0e\x04\x04hi", 7));
  Decoder in(out);
  Value v;
  ASSERT_OK(DecodeValue(schema->root(), &in, &v));
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(v.branch(), 0);
  ASSERT_OK(DecodeValue(schema->root(), &in, &v));
  EXPECT_EQ(v.as_int(), 7);
  EXPECT_EQ(v.branch(), 1);
  ASSERT_OK(DecodeValue(schema->root(), &in, &v));
  EXPECT_EQ(v.as_bytes(), "hi");
  EXPECT_EQ(v.branch(), 2);
  EXPECT_THAT(EncodeValue(schema->root(), Value(1.5), &out), HasMessage("no branch of union"));
  EXPECT_THAT(EncodeValue(schema->root(), Value(7).WithBranch(5), &out),
              HasMessage("out of range"));
}

TEST(EncodingTest, BadUnionIndexIsAnError) {
  auto schema = Schema::Parse(R"(["null","int"])");
  ASSERT_OK(schema);
  std::string buf = Long(2);
  Decoder in(buf);
  Value v;
  EXPECT_THAT(DecodeValue(schema->root(), &in, &v), HasMessage("union branch 2 out of range"));
}

TEST(EncodingTest, HugeArrayCountIsAnErrorNotAnAllocation) {
  auto longs = Schema::Parse(R"({"type":"array","items":"long"})");
  ASSERT_OK(longs);
  std::string buf = Long(int64_t{1} << 50);
  Decoder in(buf);
  Value v;
  EXPECT_THAT(DecodeValue(longs->root(), &in, &v), HasMessage("truncated"));

  auto nulls = Schema::Parse(R"({"type":"array","items":"null"})");
  ASSERT_OK(nulls);
  Decoder in2(buf);
  EXPECT_THAT(DecodeValue(nulls->root(), &in2, &v), HasMessage("implausible"));
}

TEST(EncodingTest, NegativeBlockCountsAreRead) {
  // Writers may prefix a block with -count and its byte size.
  auto schema = Schema::Parse(R"({"type":"array","items":"int"})");
  ASSERT_OK(schema);
  std::string buf = Long(-2) + Long(2) + Long(5) + Long(6) + Long(1) + Long(7) + Long(0);
  Decoder in(buf);
  Value v;
  ASSERT_OK(DecodeValue(schema->root(), &in, &v));
  ASSERT_EQ(v.items().size(), 3u);
  EXPECT_EQ(v.items()[2].as_int(), 7);
  EXPECT_TRUE(in.at_end());
}

}  // namespace
}  // namespace ldp::avro
