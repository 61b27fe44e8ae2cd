#include "ldp/avro/file.h"

#include <cmath>
#include <limits>
#include <random>

#include "ldp/avro/encoding.h"
#include "testing/python_avro.h"
#include "testing/temp_dir.h"

namespace ldp::avro {
namespace {

constexpr const char* kAllTypes = R"({"type":"record","name":"all","fields":[
    {"name":"n","type":"null"},
    {"name":"b","type":"boolean"},
    {"name":"i","type":"int"},
    {"name":"l","type":"long"},
    {"name":"f","type":"float"},
    {"name":"d","type":"double"},
    {"name":"by","type":"bytes"},
    {"name":"s","type":"string"},
    {"name":"fx","type":{"type":"fixed","name":"f4","size":4}},
    {"name":"e","type":{"type":"enum","name":"color","symbols":["RED","GREEN"]}},
    {"name":"a","type":{"type":"array","items":"long","element-id":133}},
    {"name":"m","type":{"type":"map","values":"string"}},
    {"name":"u","type":["null","string"],"default":null},
    {"name":"date","type":{"type":"int","logicalType":"date"}},
    {"name":"kv","type":{"type":"array","logicalType":"map","items":{"type":"record","name":"k1_v2",
      "fields":[{"name":"key","type":"int","field-id":1},{"name":"value","type":"bytes","field-id":2}]}}},
    {"name":"rec","type":{"type":"record","name":"inner","fields":[{"name":"x","type":["null","double"]}]}}
  ]})";

Value SampleRecord(int64_t i) {
  std::string bytes("\x00\x01\xff", 3);
  bytes += std::to_string(i);
  return Value::Record({
      Value(),
      Value(i % 2 == 0),
      Value(static_cast<int32_t>(i * 7 - 1000)),
      Value(i * 1'000'000'007LL),
      Value(static_cast<float>(i) / 4.0f),
      Value(static_cast<double>(i) * -0.125),
      Value(bytes),
      Value("héllo " + std::to_string(i)),
      Value(std::string("\x01\x02\x03", 3) + static_cast<char>(i & 0x7f)),
      Value(static_cast<int32_t>(i % 2)),
      Value::Array({Value(i), Value(-i), Value(std::numeric_limits<int64_t>::min())}),
      Value::Map({{"k", Value("v")}, {"n" + std::to_string(i), Value("")}}),
      i % 3 == 0 ? Value() : Value("opt"),
      Value(static_cast<int32_t>(19000 + i)),
      Value::Array({Value::Record({Value(1), Value(std::string("\x00", 1))})}),
      Value::Record({i % 2 ? Value(1.5) : Value()}),
  });
}

Schema AllTypes() { return Schema::Parse(kAllTypes).value(); }

std::string WriteFile(const std::vector<Value>& records, WriterOptions options = {}) {
  auto w = Writer::Make(AllTypes(), std::move(options));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const auto& r : records) EXPECT_OK((*w)->Append(r));
  auto bytes = (*w)->Finish();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return *bytes;
}

std::vector<Value> Samples(int n) {
  std::vector<Value> out;
  for (int i = 0; i < n; ++i) out.push_back(SampleRecord(i));
  return out;
}

// Counts the blocks by walking the file with the public decoder.
int CountBlocks(const std::string& file, const std::string& header_end_sync) {
  size_t pos = file.find(header_end_sync) + 16;
  int blocks = 0;
  while (pos < file.size()) {
    Decoder in(std::string_view(file).substr(pos));
    int64_t count, size;
    EXPECT_OK(in.ReadLong(&count));
    EXPECT_OK(in.ReadLong(&size));
    pos += in.position() + static_cast<size_t>(size) + 16;
    ++blocks;
  }
  return blocks;
}

class CodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(CodecTest, EveryTypeRoundTrips) {
  WriterOptions opts;
  opts.codec = GetParam();
  auto records = Samples(50);
  std::string file = WriteFile(records, opts);
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::Open(file, "all.avro"));
  EXPECT_EQ(reader->codec(), GetParam());
  EXPECT_EQ(reader->GetMetadata("avro.codec"), std::string(CodecName(GetParam())));
  ASSERT_OK_AND_ASSIGN(auto got, reader->ReadAll());
  ASSERT_EQ(got.size(), records.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], records[i]) << i;
  // Values read carry their union branch.
  EXPECT_EQ(got[0].fields()[12].branch(), 0);
  EXPECT_EQ(got[1].fields()[12].branch(), 1);
  // The schema read back is the one written, attributes included.
  EXPECT_EQ(reader->schema().ToJsonString(), AllTypes().ToJsonString());
}

TEST_P(CodecTest, EmptyFileHasHeaderOnly) {
  WriterOptions opts;
  opts.codec = GetParam();
  std::string file = WriteFile({}, opts);
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::Open(file, "empty.avro"));
  ASSERT_OK_AND_ASSIGN(auto got, reader->ReadAll());
  EXPECT_TRUE(got.empty());
}

INSTANTIATE_TEST_SUITE_P(Codecs, CodecTest, ::testing::Values(Codec::kNull, Codec::kDeflate),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(FileTest, SpecialFloatsRoundTrip) {
  auto schema = Schema::Parse(R"({"type":"record","name":"r","fields":[
      {"name":"f","type":"float"},{"name":"d","type":"double"}]})");
  ASSERT_OK(schema);
  ASSERT_OK_AND_ASSIGN(auto w, Writer::Make(*schema));
  const double ds[] = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::denorm_min()};
  for (double d : ds) ASSERT_OK(w->Append(Value::Record({Value(static_cast<float>(d)), Value(d)})));
  ASSERT_OK_AND_ASSIGN(std::string file, w->Finish());
  ASSERT_OK_AND_ASSIGN(auto r, Reader::Open(file, "f.avro"));
  ASSERT_OK_AND_ASSIGN(auto got, r->ReadAll());
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(std::signbit(got[1].fields()[1].as_double()));
  EXPECT_TRUE(std::isinf(got[2].fields()[0].as_float()));
  EXPECT_TRUE(std::isnan(got[3].fields()[1].as_double()));
  EXPECT_EQ(got[4].fields()[1].as_double(), std::numeric_limits<double>::denorm_min());
}

TEST(FileTest, BlocksAreBoundedAndSplitCleanly) {
  WriterOptions opts;
  opts.codec = Codec::kNull;
  opts.block_size = 1000;
  SyncMarker sync;
  for (int i = 0; i < 16; ++i) sync[i] = static_cast<uint8_t>(0xA0 + i);
  opts.sync_marker = sync;
  auto records = Samples(500);
  std::string file = WriteFile(records, opts);
  const std::string sync_str(reinterpret_cast<const char*>(sync.data()), 16);
  const int blocks = CountBlocks(file, sync_str);
  EXPECT_GT(blocks, 20);
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::Open(file, "blocks.avro"));
  ASSERT_OK_AND_ASSIGN(auto got, reader->ReadAll());
  ASSERT_EQ(got.size(), records.size());
  EXPECT_EQ(got.back(), records.back());

  // One record per block at the smallest block size.
  opts.block_size = 1;
  std::string tiny = WriteFile(Samples(7), opts);
  EXPECT_EQ(CountBlocks(tiny, sync_str), 7);
  ASSERT_OK_AND_ASSIGN(auto r2, Reader::Open(tiny, "tiny.avro"));
  ASSERT_OK_AND_ASSIGN(auto got2, r2->ReadAll());
  EXPECT_EQ(got2.size(), 7u);
}

TEST(FileTest, SyncMarkerIsRandomUnlessPinned) {
  std::string a = WriteFile({});
  std::string b = WriteFile({});
  EXPECT_NE(a.substr(a.size() - 16), b.substr(b.size() - 16));
  WriterOptions opts;
  opts.sync_marker = SyncMarker{};
  EXPECT_EQ(WriteFile(Samples(3), opts), WriteFile(Samples(3), opts));
}

TEST(FileTest, HeaderMetadataIsKept) {
  WriterOptions opts;
  opts.metadata = {{"schema", R"({"type":"struct"})"},
                   {"format-version", "2"},
                   {"parent-snapshot-id", "null"},
                   {"binary", std::string("\x00\xff", 2)}};
  std::string file = WriteFile(Samples(1), opts);
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::Open(file, "meta.avro"));
  EXPECT_EQ(reader->GetMetadata("schema"), R"({"type":"struct"})");
  EXPECT_EQ(reader->GetMetadata("format-version"), "2");
  EXPECT_EQ(reader->GetMetadata("parent-snapshot-id"), "null");
  EXPECT_EQ(reader->GetMetadata("binary"), std::string("\x00\xff", 2));
  EXPECT_EQ(reader->GetMetadata("missing"), std::nullopt);
  EXPECT_EQ(reader->metadata().size(), 6u);
  EXPECT_EQ(reader->GetMetadata("avro.schema"), AllTypes().ToJsonString());
}

TEST(FileTest, BadOptionsAreRejected) {
  WriterOptions reserved;
  reserved.metadata = {{"avro.codec", "snappy"}};
  EXPECT_THAT(Writer::Make(AllTypes(), reserved), IsError(ErrorCode::kInvalidArgument));
  WriterOptions twice;
  twice.metadata = {{"k", "1"}, {"k", "2"}};
  EXPECT_THAT(Writer::Make(AllTypes(), twice), IsError(ErrorCode::kInvalidArgument));
  WriterOptions level;
  level.deflate_level = 12;
  EXPECT_THAT(Writer::Make(AllTypes(), level), IsError(ErrorCode::kInvalidArgument));
}

TEST(FileTest, RejectedRecordLeavesTheFileUnchanged) {
  ASSERT_OK_AND_ASSIGN(auto w, Writer::Make(AllTypes()));
  ASSERT_OK(w->Append(SampleRecord(1)));
  Value bad = SampleRecord(2);
  bad.fields()[15] = Value::Record({Value("not a double")});
  EXPECT_THAT(w->Append(bad), HasMessage("rec.x"));
  ASSERT_OK(w->Append(SampleRecord(3)));
  EXPECT_EQ(w->records_written(), 2);
  ASSERT_OK_AND_ASSIGN(std::string file, w->Finish());
  ASSERT_OK_AND_ASSIGN(auto r, Reader::Open(file, "x.avro"));
  ASSERT_OK_AND_ASSIGN(auto got, r->ReadAll());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], SampleRecord(3));
}

TEST(FileTest, InflateAndDeflateAreRawDeflate) {
  std::string text(10000, 'a');
  ASSERT_OK_AND_ASSIGN(std::string packed, DeflateRaw(text));
  EXPECT_LT(packed.size(), 100u);
  // A zlib stream would start with 0x78; raw deflate has no header.
  EXPECT_NE(static_cast<uint8_t>(packed[0]), 0x78);
  ASSERT_OK_AND_ASSIGN(std::string back, InflateRaw(packed));
  EXPECT_EQ(back, text);
  EXPECT_THAT(InflateRaw(packed.substr(0, packed.size() / 2)), HasMessage("bad deflate data"));
  ASSERT_OK_AND_ASSIGN(std::string empty, DeflateRaw(""));
  ASSERT_OK_AND_ASSIGN(std::string empty_back, InflateRaw(empty));
  EXPECT_EQ(empty_back, "");
}

TEST(FileTest, PythonAvroReadsEveryType) {
  if (!testing::HavePythonAvro()) FAIL() << testing::kPythonAvroMissing;
  testing::TempDir dir;
  for (Codec codec : {Codec::kNull, Codec::kDeflate}) {
    WriterOptions opts;
    opts.codec = codec;
    opts.block_size = 200;  // several blocks
    opts.metadata = {{"format-version", "2"}};
    const std::string path = dir.Join(std::string(CodecName(codec)) + ".avro");
    {
      std::string bytes = WriteFile(Samples(10), opts);
      FILE* f = std::fopen(path.c_str(), "wb");
      ASSERT_NE(f, nullptr);
      ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
      std::fclose(f);
    }
    ASSERT_OK_AND_ASSIGN(auto dump, testing::DumpWithPythonAvro(path));
    EXPECT_EQ(dump["metadata"]["format-version"], "2");
    EXPECT_EQ(dump["metadata"]["avro.codec"], std::string(CodecName(codec)));
    EXPECT_EQ(dump["schema"]["fields"][10]["type"]["element-id"], 133);
    EXPECT_EQ(dump["schema"]["fields"][14]["type"]["items"]["fields"][0]["field-id"], 1);
    const auto& recs = dump["records"];
    ASSERT_EQ(recs.size(), 10u);
    const auto& r = recs[7];
    EXPECT_TRUE(r["n"].is_null());
    EXPECT_EQ(r["b"], false);
    EXPECT_EQ(r["i"], 7 * 7 - 1000);
    EXPECT_EQ(r["l"], 7 * 1'000'000'007LL);
    EXPECT_EQ(r["f"], 1.75);
    EXPECT_EQ(r["d"], -0.875);
    EXPECT_EQ(r["by"]["hex"], "0001ff37");
    EXPECT_EQ(r["s"], "héllo 7");
    EXPECT_EQ(r["fx"]["hex"], "01020307");
    EXPECT_EQ(r["e"], "GREEN");
    EXPECT_EQ(r["a"][2], std::numeric_limits<int64_t>::min());
    EXPECT_EQ(r["m"]["n7"], "");
    EXPECT_EQ(r["u"], "opt");
    EXPECT_TRUE(recs[6]["u"].is_null());
    EXPECT_EQ(r["date"], "2022-01-15");  // day 19007
    EXPECT_EQ(r["kv"][0]["value"]["hex"], "00");
    EXPECT_EQ(r["rec"]["x"], 1.5);
  }
}

// ---------------------------------------------------------------- corrupt input

Status ReadEverything(const std::string& bytes) {
  LDP_ASSIGN_OR_RAISE(auto reader, Reader::Open(bytes, "bad.avro"));
  LDP_ASSIGN_OR_RAISE(auto got, reader->ReadAll());
  return Status::OK();
}

TEST(CorruptFileTest, BadMagic) {
  EXPECT_THAT(ReadEverything(""), HasMessage("avro file 'bad.avro': empty file"));
  EXPECT_THAT(ReadEverything("PAR1xxxxxxxx"), HasMessage("bad magic"));
}

TEST(CorruptFileTest, EveryTruncationIsAnErrorNotACrash) {
  for (Codec codec : {Codec::kNull, Codec::kDeflate}) {
    WriterOptions opts;
    opts.codec = codec;
    opts.block_size = 300;
    std::string file = WriteFile(Samples(20), opts);
    ASSERT_OK(ReadEverything(file));
    // A cut exactly between blocks is a valid (shorter) file; every other cut is an error.
    int ok_cuts = 0;
    for (size_t len = 0; len < file.size(); ++len) {
      Status st = ReadEverything(file.substr(0, len));
      if (st.ok()) {
        ++ok_cuts;
        continue;
      }
      EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << len << ": " << st.ToString();
      EXPECT_THAT(st, HasMessage("bad.avro")) << len;
    }
    EXPECT_LT(ok_cuts, 20) << CodecName(codec);
  }
}

TEST(CorruptFileTest, TruncatedBlockNamesTheProblem) {
  WriterOptions opts;
  opts.codec = Codec::kNull;
  std::string file = WriteFile(Samples(3), opts);
  EXPECT_THAT(ReadEverything(file.substr(0, file.size() - 30)),
              HasMessage("block 0 at offset"));
  EXPECT_THAT(ReadEverything(file.substr(0, file.size() - 30)), HasMessage("truncated file"));
  EXPECT_THAT(ReadEverything(file.substr(0, file.size() - 5)), HasMessage("sync marker"));
}

TEST(CorruptFileTest, WrongSyncMarker) {
  std::string file = WriteFile(Samples(3));
  file[file.size() - 1] ^= 0x55;
  EXPECT_THAT(ReadEverything(file), HasMessage("sync marker does not match"));
}

TEST(CorruptFileTest, UnsupportedCodec) {
  WriterOptions opts;
  opts.codec = Codec::kNull;
  std::string file = WriteFile(Samples(1), opts);
  size_t at = file.find("avro.codec");
  ASSERT_NE(at, std::string::npos);
  at += 11;  // the key, then the value's length byte
  ASSERT_EQ(file.substr(at, 4), "null");
  // avro.codec "null" -> "zstd" keeps the length.
  file.replace(at, 4, "zstd");
  EXPECT_THAT(ReadEverything(file), IsError(ErrorCode::kNotImplemented));
  EXPECT_THAT(ReadEverything(file), HasMessage("codec 'zstd'"));
}

TEST(CorruptFileTest, BadSchemaInHeader) {
  std::string file = WriteFile(Samples(1));
  size_t at = file.find("\"record\"");
  ASSERT_NE(at, std::string::npos);
  file.replace(at, 8, "\"recurd\"");
  EXPECT_THAT(ReadEverything(file), HasMessage("header avro.schema"));
}

TEST(CorruptFileTest, RandomByteFlipsNeverCrash) {
  WriterOptions opts;
  opts.block_size = 500;
  for (Codec codec : {Codec::kNull, Codec::kDeflate}) {
    opts.codec = codec;
    const std::string file = WriteFile(Samples(30), opts);
    std::mt19937 rng(42);
    for (int trial = 0; trial < 2000; ++trial) {
      std::string bad = file;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
      Status st = ReadEverything(bad);
      if (!st.ok()) {
        EXPECT_THAT(st, HasMessage("bad.avro"));
      }
    }
  }
}

}  // namespace
}  // namespace ldp::avro
