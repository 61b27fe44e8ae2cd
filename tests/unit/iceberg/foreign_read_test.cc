// Pieces of reading tables other engines wrote: path resolution (relative, file:/, relocated,
// refused schemes), the name mapping, and deletion vector blobs (portable roaring bitmaps with
// array, bitmap and run containers; framing and CRC checks).
#include <gtest/gtest.h>
#include <zlib.h>

#include "ldp/iceberg/file_paths.h"
#include "ldp/iceberg/name_mapping.h"
#include "ldp/iceberg/puffin.h"

namespace ldp::iceberg {
namespace {

TEST(PathResolver, ResolvesUrisRelativePathsAndRelocations) {
  PathResolver p("file:///lake/t", {{"/old/place", "/lake"}});
  // Absolute paths and file:// URIs stay exactly as written (writers compare them with manifests).
  EXPECT_EQ(*p.Resolve("file:///lake/t/data/a.parquet", "data file"), "file:///lake/t/data/a.parquet");
  EXPECT_EQ(*p.Resolve("/lake/t/data/a.parquet", "data file"), "/lake/t/data/a.parquet");
  EXPECT_EQ(*p.Resolve("file:/lake/t/data/a.parquet", "data file"), "file:///lake/t/data/a.parquet");
  EXPECT_EQ(*p.Resolve("data/sub/a.parquet", "data file"), "/lake/t/data/sub/a.parquet");
  EXPECT_EQ(*p.Resolve("data/../data/a.parquet", "data file"), "/lake/t/data/../data/a.parquet");
  EXPECT_EQ(*p.Resolve("file:///old/place/t/m.avro", "manifest"), "/lake/t/m.avro");
  // A prefix matches whole path segments only.
  EXPECT_EQ(*p.Resolve("/old/placement/x", "manifest"), "/old/placement/x");
  EXPECT_EQ(*p.Resolve("s3://bucket/t/a.parquet", "data file"), "s3://bucket/t/a.parquet");
  auto hdfs = p.Resolve("hdfs://nn:8020/t/a.parquet", "data file");
  ASSERT_FALSE(hdfs.ok());
  EXPECT_NE(hdfs.status().message().find("not supported: data file hdfs://nn:8020/t/a.parquet"), std::string::npos);
  auto up = p.Resolve("../other/a.parquet", "data file");
  ASSERT_FALSE(up.ok());
  EXPECT_NE(up.status().message().find("outside the table location"), std::string::npos);
  // The table location itself moves with a relocation.
  PathResolver moved("/old/place/t", {{"file:///old/place", "/lake"}});
  EXPECT_EQ(*moved.Resolve("data/a.parquet", "data file"), "/lake/t/data/a.parquet");
}

TEST(PathResolver, ParsesRelocations) {
  EXPECT_EQ(ParseRelocation("/a=/b")->first, "/a");
  EXPECT_EQ(ParseRelocation("/a=/b")->second, "/b");
  EXPECT_FALSE(ParseRelocation("/a").ok());
  EXPECT_FALSE(ParseRelocation("=/b").ok());
  EXPECT_FALSE(ParseRelocation("/a=").ok());
}

TEST(NameMapping, GivesIdsToFieldsWithoutAtEveryLevel) {
  auto m = NameMapping::FromJson(R"([{"field-id": 1, "names": ["id", "ID"]},
    {"field-id": 2, "names": ["s"], "fields": [{"field-id": 3, "names": ["x"]}]},
    {"names": ["ignored"]}])");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Schema file(-1, {{0, "ID", false, Type::Primitive(TypeId::kLong), ""},
                   {0, "s", false, Type::Struct({{0, "x", false, Type::Primitive(TypeId::kInt), ""},
                                                 {0, "y", false, Type::Primitive(TypeId::kInt), ""}}), ""},
                   {0, "ignored", false, Type::Primitive(TypeId::kInt), ""},
                   {7, "has_id", false, Type::Primitive(TypeId::kInt), ""}});
  Schema out = m->Apply(file);
  EXPECT_EQ(out.fields()[0].id, 1);
  EXPECT_EQ(out.fields()[1].id, 2);
  EXPECT_EQ(out.fields()[1].type->fields()[0].id, 3);
  EXPECT_EQ(out.fields()[1].type->fields()[1].id, 0) << "not in the mapping: not read";
  EXPECT_EQ(out.fields()[2].id, 0);
  EXPECT_EQ(out.fields()[3].id, 7) << "an existing field id wins";
  EXPECT_FALSE(NameMapping::FromJson("{").ok());
  EXPECT_FALSE(NameMapping::FromJson(R"({"field-id": 1})").ok());
}

// Little-endian and big-endian helpers for building blobs by hand.
void LE(std::string* s, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void BE32(std::string* s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::string Frame(const std::string& bitmap) {
  std::string payload = "\xD1\xD3\x39\x64" + bitmap;
  std::string blob;
  BE32(&blob, static_cast<uint32_t>(payload.size()));
  blob += payload;
  BE32(&blob, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(payload.data()),
                                          static_cast<uInt>(payload.size()))));
  return blob;
}

TEST(DeletionVector, DecodesArrayRunAndBitmapContainersAcrossHighKeys) {
  std::string bm;
  LE(&bm, 2, 8);  // two 32-bit bitmaps
  // high key 0: run-container cookie, 2 containers: key 0 = runs, key 1 = array.
  LE(&bm, 0, 4);
  LE(&bm, 12347 | ((2 - 1) << 16), 4);
  bm.push_back('\x01');  // container 0 is a run container
  LE(&bm, 0, 2); LE(&bm, 4 - 1, 2);  // key 0, cardinality 4
  LE(&bm, 1, 2); LE(&bm, 2 - 1, 2);  // key 1, cardinality 2
  // (fewer than 4 containers: no offsets)
  LE(&bm, 1, 2); LE(&bm, 10, 2); LE(&bm, 3, 2);  // 1 run: 10..13
  LE(&bm, 5, 2); LE(&bm, 7, 2);                  // 65536 + 5, 65536 + 7
  // high key 1: no-run cookie, 1 bitmap container (5000 values: every even number below 10000).
  LE(&bm, 1, 4);
  LE(&bm, 12346, 4);
  LE(&bm, 1, 4);
  LE(&bm, 0, 2); LE(&bm, 5000 - 1, 2);
  LE(&bm, 0, 4);  // offset (ignored)
  for (int w = 0; w < 1024; ++w) LE(&bm, w < 156 ? 0x5555555555555555ull : (w == 156 ? 0x5555ull : 0), 8);
  auto r = DecodeDeletionVector(Frame(bm), "test");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_GE(r->size(), 3u);
  EXPECT_EQ((*r)[0], std::make_pair(int64_t{10}, int64_t{13}));
  EXPECT_EQ((*r)[1], std::make_pair(int64_t{65541}, int64_t{65541}));
  EXPECT_EQ((*r)[2], std::make_pair(int64_t{65543}, int64_t{65543}));
  int64_t high = int64_t{1} << 32;
  EXPECT_EQ((*r)[3], std::make_pair(high, high));
  EXPECT_EQ(r->back(), std::make_pair(high + 9998, high + 9998));
  EXPECT_EQ(r->size(), 3u + 5000u);

  std::string damaged = Frame(bm);
  damaged[20] ^= 1;
  auto bad = DecodeDeletionVector(damaged, "dv of x.parquet");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("CRC"), std::string::npos);
  EXPECT_NE(bad.status().message().find("dv of x.parquet"), std::string::npos);
  EXPECT_FALSE(DecodeDeletionVector(Frame(bm).substr(0, 40), "t").ok());
}

TEST(DeletionVector, StreamsRangesToASinkThatMayStopIt) {
  // One bitmap container of every even position below 10000: 5000 single-position ranges.
  std::string bm;
  LE(&bm, 1, 8);
  LE(&bm, 0, 4);
  LE(&bm, 12346, 4);
  LE(&bm, 1, 4);
  LE(&bm, 0, 2); LE(&bm, 5000 - 1, 2);
  LE(&bm, 0, 4);
  for (int w = 0; w < 1024; ++w) LE(&bm, w < 156 ? 0x5555555555555555ull : (w == 156 ? 0x5555ull : 0), 8);
  const std::string blob = Frame(bm);
  int64_t n = 0, previous = -2;
  bool ordered = true;
  ASSERT_TRUE(DecodeDeletionVector(blob, "t", [&](int64_t first, int64_t last) {
                ordered = ordered && first == last && first > previous + 1;
                previous = last;
                ++n;
                return Status::OK();
              }).ok());
  EXPECT_EQ(n, 5000);
  EXPECT_TRUE(ordered) << "sorted, disjoint, non-adjacent ranges";
  EXPECT_EQ(previous, 9998);
  // A sink error stops the decoding and comes back as it is.
  n = 0;
  Status st = DecodeDeletionVector(blob, "t", [&](int64_t, int64_t) {
    return ++n == 10 ? InvalidArgument("enough") : Status::OK();
  });
  EXPECT_EQ(st.message(), "enough");
  EXPECT_EQ(n, 10);
  // The blob of a Puffin file's bytes, bounds checked with the file named.
  std::string file = "PFA1" + blob + "PFA1";
  auto b = DeletionVectorBlob(file, "p.puffin", 4, static_cast<int64_t>(blob.size()));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, blob);
  auto outside = DeletionVectorBlob(file, "p.puffin", 9, static_cast<int64_t>(blob.size()));
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.status().message().find("p.puffin"), std::string::npos);
}

}  // namespace
}  // namespace ldp::iceberg
