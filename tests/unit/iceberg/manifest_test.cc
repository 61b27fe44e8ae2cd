#include "ldp/iceberg/manifest.h"

#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "ldp/avro/avro.h"
#include "testing/python_avro.h"
#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

using ::testing::ElementsAre;

std::string LE32(int32_t v) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &v, 4);
  return s;
}
std::string LE64(int64_t v) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &v, 8);
  return s;
}

class ManifestTest : public ::testing::Test {
 protected:
  ManifestWriteOptions Options(std::vector<PartitionFieldInfo> fields, int version = 2) {
    ManifestWriteOptions o;
    o.format_version = version;
    o.schema_json = R"({"type":"struct","schema-id":3,"fields":[{"id":1,"name":"id","required":true,"type":"long"}]})";
    o.schema_id = 3;
    o.partition_spec_fields_json = R"([{"name":"id_bucket","transform":"bucket[4]","source-id":1,"field-id":1000}])";
    o.partition_spec_id = 1;
    o.partition_fields = std::move(fields);
    o.snapshot_id = 777;
    o.sequence_number = 5;
    return o;
  }

  static DataFile File(const std::string& name, std::vector<PartitionValue> partition,
                       int64_t rows = 10) {
    DataFile f;
    f.file_path = "file:///warehouse/t/data/" + name + ".parquet";
    f.partition = std::move(partition);
    f.record_count = rows;
    f.file_size_in_bytes = rows * 100;
    f.column_sizes = {{1, 40}, {2, 60}};
    f.value_counts = {{1, rows}, {2, rows}};
    f.null_value_counts = {{1, 0}, {2, 1}};
    f.nan_value_counts = {{2, 0}};
    f.lower_bounds = {{1, LE64(1)}, {2, "a"}};
    f.upper_bounds = {{1, LE64(rows)}, {2, "z"}};
    f.split_offsets = {4};
    f.sort_order_id = 0;
    return f;
  }

  static ManifestEntry Entry(ManifestEntryStatus status, DataFile f,
                             std::optional<int64_t> seq = std::nullopt,
                             std::optional<int64_t> snapshot = std::nullopt) {
    ManifestEntry e;
    e.status = status;
    e.snapshot_id = snapshot;
    e.sequence_number = seq;
    e.file_sequence_number = seq;
    e.data_file = std::move(f);
    return e;
  }

  std::shared_ptr<io::FileSystem> fs_ = io::LocalFileSystem();
  testing::TempDir dir_;
};

const std::vector<PartitionFieldInfo> kBucketAndDay = {{1000, "id_bucket", "int"},
                                                       {1001, "ts_day", "date"}};

TEST_F(ManifestTest, WriteThenReadV2WithInheritance) {
  std::vector<ManifestEntry> entries = {
      Entry(ManifestEntryStatus::kAdded, File("a", {int32_t{1}, int32_t{19000}}, 10)),
      Entry(ManifestEntryStatus::kAdded, File("b", {int32_t{3}, std::monostate{}}, 20), std::nullopt,
            777),
      Entry(ManifestEntryStatus::kExisting, File("c", {int32_t{0}, int32_t{18000}}, 30), 2, 100),
      Entry(ManifestEntryStatus::kDeleted, File("d", {int32_t{2}, int32_t{20000}}, 40), 1, 777),
  };
  const std::string path = dir_.Join("metadata/m0.avro");
  ASSERT_OK_AND_ASSIGN(ManifestFile mf, WriteManifest(*fs_, path, Options(kBucketAndDay), entries));

  EXPECT_EQ(mf.manifest_path, path);
  ASSERT_OK_AND_ASSIGN(int64_t size, fs_->FileSize(path));
  EXPECT_EQ(mf.manifest_length, size);
  EXPECT_EQ(mf.partition_spec_id, 1);
  EXPECT_EQ(mf.content, ManifestContent::kData);
  EXPECT_EQ(mf.added_snapshot_id, 777);
  EXPECT_EQ(mf.sequence_number, 5);
  EXPECT_EQ(mf.min_sequence_number, 2);  // the EXISTING entry's; DELETED ones do not count
  EXPECT_EQ(mf.added_files_count, 2);
  EXPECT_EQ(mf.existing_files_count, 1);
  EXPECT_EQ(mf.deleted_files_count, 1);
  EXPECT_EQ(mf.added_rows_count, 30);
  EXPECT_EQ(mf.existing_rows_count, 30);
  EXPECT_EQ(mf.deleted_rows_count, 40);
  ASSERT_EQ(mf.partitions.size(), 2u);
  EXPECT_FALSE(mf.partitions[0].contains_null);
  EXPECT_EQ(mf.partitions[0].contains_nan, false);
  EXPECT_EQ(mf.partitions[0].lower_bound, LE32(0));
  EXPECT_EQ(mf.partitions[0].upper_bound, LE32(3));
  EXPECT_TRUE(mf.partitions[1].contains_null);
  EXPECT_EQ(mf.partitions[1].lower_bound, LE32(18000));
  EXPECT_EQ(mf.partitions[1].upper_bound, LE32(20000));

  // The manifest list assigns the final sequence number; reading inherits from that row.
  mf.sequence_number = 9;
  ASSERT_OK_AND_ASSIGN(auto got, ReadManifest(*fs_, mf));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].snapshot_id, 777);
  EXPECT_EQ(got[0].sequence_number, 9);
  EXPECT_EQ(got[0].file_sequence_number, 9);
  EXPECT_EQ(got[1].snapshot_id, 777);
  EXPECT_EQ(got[1].sequence_number, 9);
  EXPECT_EQ(got[2].snapshot_id, 100);
  EXPECT_EQ(got[2].sequence_number, 2);
  EXPECT_EQ(got[2].status, ManifestEntryStatus::kExisting);
  EXPECT_EQ(got[3].sequence_number, 1);
  EXPECT_EQ(got[3].status, ManifestEntryStatus::kDeleted);
  for (size_t i = 0; i < got.size(); ++i) {
    const DataFile& want = entries[i].data_file;
    const DataFile& f = got[i].data_file;
    EXPECT_EQ(f.file_path, want.file_path);
    EXPECT_EQ(f.file_format, "PARQUET");
    EXPECT_EQ(f.content, FileContent::kData);
    EXPECT_EQ(f.partition, want.partition);
    EXPECT_EQ(f.record_count, want.record_count);
    EXPECT_EQ(f.file_size_in_bytes, want.file_size_in_bytes);
    EXPECT_EQ(f.column_sizes, want.column_sizes);
    EXPECT_EQ(f.value_counts, want.value_counts);
    EXPECT_EQ(f.null_value_counts, want.null_value_counts);
    EXPECT_EQ(f.nan_value_counts, want.nan_value_counts);
    EXPECT_EQ(f.lower_bounds, want.lower_bounds);
    EXPECT_EQ(f.upper_bounds, want.upper_bounds);
    EXPECT_EQ(f.split_offsets, want.split_offsets);
    EXPECT_EQ(f.sort_order_id, want.sort_order_id);
    EXPECT_EQ(f.referenced_data_file, std::nullopt);
  }
}

TEST_F(ManifestTest, AvroSchemaAndHeaderAreJavas) {
  const std::string path = dir_.Join("m.avro");
  ASSERT_OK(WriteManifest(*fs_, path, Options(kBucketAndDay),
                          {Entry(ManifestEntryStatus::kAdded, File("a", {int32_t{1}, int32_t{2}}))}));
  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, avro::Reader::Open(bytes, path));
  EXPECT_EQ(reader->codec(), avro::Codec::kDeflate);
  EXPECT_EQ(reader->GetMetadata("schema-id"), "3");
  EXPECT_EQ(reader->GetMetadata("partition-spec-id"), "1");
  EXPECT_EQ(reader->GetMetadata("format-version"), "2");
  EXPECT_EQ(reader->GetMetadata("content"), "data");
  EXPECT_EQ(reader->GetMetadata("partition-spec"), Options({}).partition_spec_fields_json);
  EXPECT_EQ(reader->GetMetadata("schema"), Options({}).schema_json);

  const avro::Json schema = reader->schema().ToJson();
  EXPECT_EQ(schema["name"], "manifest_entry");
  const auto& fields = schema["fields"];
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].dump(), R"({"name":"status","type":"int","field-id":0})");
  EXPECT_EQ(fields[1].dump(),
            R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1})");
  EXPECT_EQ(fields[2]["field-id"], 3);
  EXPECT_EQ(fields[3]["field-id"], 4);
  EXPECT_EQ(fields[4]["field-id"], 2);
  const auto& df = fields[4]["type"];
  EXPECT_EQ(df["name"], "r2");
  std::vector<std::string> names;
  std::vector<int> ids;
  for (const auto& f : df["fields"]) {
    names.push_back(f["name"]);
    ids.push_back(f["field-id"]);
  }
  EXPECT_THAT(names, ElementsAre("content", "file_path", "file_format", "partition", "record_count",
                                 "file_size_in_bytes", "column_sizes", "value_counts",
                                 "null_value_counts", "nan_value_counts", "lower_bounds",
                                 "upper_bounds", "key_metadata", "split_offsets", "equality_ids",
                                 "sort_order_id", "referenced_data_file"));
  EXPECT_THAT(ids, ElementsAre(134, 100, 101, 102, 103, 104, 108, 109, 110, 137, 125, 128, 131, 132,
                               135, 140, 143));
  EXPECT_EQ(df["fields"][3]["type"].dump(),
            R"({"type":"record","name":"r102","fields":[)"
            R"({"name":"id_bucket","type":["null","int"],"default":null,"field-id":1000},)"
            R"({"name":"ts_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1001}]})");
  EXPECT_EQ(df["fields"][6]["type"][1].dump(),
            R"({"type":"array","items":{"type":"record","name":"k117_v118","fields":[)"
            R"({"name":"key","type":"int","field-id":117},{"name":"value","type":"long","field-id":118}]},)"
            R"("logicalType":"map"})");
  EXPECT_EQ(df["fields"][10]["type"][1]["items"]["name"], "k126_v127");
  EXPECT_EQ(df["fields"][10]["type"][1]["items"]["fields"][1]["type"], "bytes");
  EXPECT_EQ(df["fields"][13]["type"][1].dump(),
            R"({"type":"array","items":"long","element-id":133})");
  EXPECT_EQ(df["fields"][14]["type"][1]["element-id"], 136);
}

TEST_F(ManifestTest, EveryPartitionTypeRoundTrips) {
  const std::vector<PartitionFieldInfo> fields = {
      {1000, "b", "boolean"},        {1001, "i", "int"},         {1002, "l", "long"},
      {1003, "f", "float"},          {1004, "d", "double"},      {1005, "s", "string"},
      {1006, "dt", "date"},          {1007, "ts", "timestamp"},  {1008, "tstz", "timestamptz"},
      {1009, "dec", "decimal(9,2)"}, {1010, "bin", "binary"},    {1011, "u", "uuid"},
      {1012, "fx", "fixed[3]"},      {1013, "dec2", "decimal(9, 2)"}, {1014, "t", "time"},
      {1015, "big", "decimal(38,0)"},
  };
  std::vector<PartitionValue> values = {
      true,
      int32_t{-5},
      int64_t{1} << 40,
      1.5f,
      -2.25,
      std::string("héllo"),
      int32_t{19723},
      int64_t{1700000000000000},
      int64_t{-1},
      Bytes{std::string("\x85", 1)},  // -123 as minimal two's complement
      Bytes{std::string("\x00\x01", 2)},
      Bytes{std::string(16, '\x42')},
      Bytes{"abc"},
      Bytes{std::string("\x01\x00", 2)},
      int64_t{3600000000},
      Bytes{std::string("\x7f") + std::string(15, '\xff')},
  };
  std::vector<PartitionValue> nulls(fields.size());
  const std::string path = dir_.Join("types.avro");
  ASSERT_OK_AND_ASSIGN(ManifestFile mf,
                       WriteManifest(*fs_, path, Options(fields),
                                     {Entry(ManifestEntryStatus::kAdded, File("v", values)),
                                      Entry(ManifestEntryStatus::kAdded, File("n", nulls))}));
  ASSERT_OK_AND_ASSIGN(auto got, ReadManifest(*fs_, mf));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data_file.partition, values);
  EXPECT_EQ(got[1].data_file.partition, nulls);
  // Single-value encodings of the bounds.
  EXPECT_EQ(mf.partitions[0].lower_bound, std::string("\x01", 1));
  EXPECT_EQ(mf.partitions[2].upper_bound, LE64(int64_t{1} << 40));
  EXPECT_EQ(mf.partitions[3].lower_bound, std::string("\x00\x00\xc0\x3f", 4));
  EXPECT_EQ(mf.partitions[5].lower_bound, "héllo");
  EXPECT_EQ(mf.partitions[9].lower_bound, std::string("\x85", 1));
  EXPECT_EQ(mf.partitions[11].lower_bound, std::string(16, '\x42'));
  for (const auto& s : mf.partitions) EXPECT_TRUE(s.contains_null);

  // The two decimal(9,2) fields share one Avro fixed type, defined once.
  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, avro::Reader::Open(bytes, path));
  const auto r102 = reader->schema().ToJson()["fields"][4]["type"]["fields"][3]["type"];
  EXPECT_EQ(r102["fields"][9]["type"][1].dump(),
            R"({"type":"fixed","name":"decimal_9_2","size":4,"logicalType":"decimal","precision":9,"scale":2})");
  EXPECT_EQ(r102["fields"][13]["type"][1], "decimal_9_2");
  EXPECT_EQ(r102["fields"][11]["type"][1].dump(),
            R"({"type":"fixed","name":"uuid_fixed","size":16,"logicalType":"uuid"})");
  EXPECT_EQ(r102["fields"][7]["type"][1].dump(),
            R"({"type":"long","logicalType":"timestamp-micros","adjust-to-utc":false})");
  EXPECT_EQ(r102["fields"][15]["type"][1]["size"], 16);
}

TEST_F(ManifestTest, SummariesCompareTypedValues) {
  const std::vector<PartitionFieldInfo> fields = {
      {1000, "d", "double"}, {1001, "s", "string"}, {1002, "dec", "decimal(9,2)"},
      {1003, "i", "int"}};
  auto file = [&](PartitionValue d, PartitionValue s, PartitionValue dec, PartitionValue i) {
    return Entry(ManifestEntryStatus::kAdded, File("x", {d, s, dec, i}));
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<ManifestEntry> entries = {
      file(0.0, std::string("b"), Bytes{std::string("\x01", 1)}, int32_t{-1}),
      file(-0.0, std::string("\xc3\xa9"), Bytes{std::string("\x80", 1)}, int32_t{256}),
      file(nan, std::string("a"), Bytes{std::string("\x00\xff", 2)}, int32_t{-300}),
      file(7.5, std::monostate{}, Bytes{std::string("\xfe", 1)}, int32_t{2}),
  };
  ASSERT_OK_AND_ASSIGN(ManifestFile mf,
                       WriteManifest(*fs_, dir_.Join("s.avro"), Options(fields), entries));
  const auto& p = mf.partitions;
  EXPECT_EQ(p[0].contains_nan, true);
  EXPECT_FALSE(p[0].contains_null);
  EXPECT_EQ(p[0].lower_bound, LE64(std::bit_cast<int64_t>(-0.0)));
  EXPECT_EQ(p[0].upper_bound, LE64(std::bit_cast<int64_t>(7.5)));
  EXPECT_TRUE(p[1].contains_null);
  EXPECT_EQ(p[1].lower_bound, "a");
  EXPECT_EQ(p[1].upper_bound, "\xc3\xa9");  // UTF-8 bytes compare unsigned
  EXPECT_EQ(p[2].lower_bound, std::string("\x80", 1));       // -128
  EXPECT_EQ(p[2].upper_bound, std::string("\x00\xff", 2));   // 255
  EXPECT_EQ(p[3].lower_bound, LE32(-300));
  EXPECT_EQ(p[3].upper_bound, LE32(256));
}

TEST_F(ManifestTest, DeleteManifest) {
  ManifestWriteOptions o = Options({});
  o.content = ManifestContent::kDeletes;
  DataFile eq = File("eq", {});
  eq.content = FileContent::kEqualityDeletes;
  eq.equality_ids = {1, 2};
  DataFile pos = File("pos", {});
  pos.content = FileContent::kPositionDeletes;
  pos.referenced_data_file = "file:///warehouse/t/data/a.parquet";
  const std::string path = dir_.Join("d.avro");
  ASSERT_OK_AND_ASSIGN(ManifestFile mf,
                       WriteManifest(*fs_, path, o,
                                     {Entry(ManifestEntryStatus::kAdded, eq),
                                      Entry(ManifestEntryStatus::kAdded, pos)}));
  EXPECT_EQ(mf.content, ManifestContent::kDeletes);
  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, avro::Reader::Open(bytes, path));
  EXPECT_EQ(reader->GetMetadata("content"), "deletes");
  ASSERT_OK_AND_ASSIGN(auto got, ReadManifest(*fs_, mf));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data_file.content, FileContent::kEqualityDeletes);
  EXPECT_THAT(got[0].data_file.equality_ids, ElementsAre(1, 2));
  EXPECT_EQ(got[1].data_file.content, FileContent::kPositionDeletes);
  EXPECT_EQ(got[1].data_file.referenced_data_file, pos.referenced_data_file);

  // A data file cannot go into a delete manifest, nor equality deletes without ids.
  EXPECT_THAT(WriteManifest(*fs_, dir_.Join("x.avro"), o,
                            {Entry(ManifestEntryStatus::kAdded, File("a", {}))}),
              IsError(ErrorCode::kInvalidArgument));
  eq.equality_ids.clear();
  EXPECT_THAT(WriteManifest(*fs_, dir_.Join("x.avro"), o, {Entry(ManifestEntryStatus::kAdded, eq)}),
              HasMessage("equality_ids"));
}

TEST_F(ManifestTest, BadInputIsRejected) {
  auto write = [&](std::vector<PartitionFieldInfo> fields, ManifestEntry e) {
    return WriteManifest(*fs_, dir_.Join("bad.avro"), Options(std::move(fields)), {std::move(e)});
  };
  EXPECT_THAT(write(kBucketAndDay, Entry(ManifestEntryStatus::kAdded, File("a", {int32_t{1}}))),
              HasMessage("partition tuple has 1 values"));
  EXPECT_THAT(write(kBucketAndDay,
                    Entry(ManifestEntryStatus::kAdded, File("a", {int64_t{1}, int32_t{1}}))),
              HasMessage("must be int32"));
  EXPECT_THAT(write({{1000, "x", "variant"}}, Entry(ManifestEntryStatus::kAdded, File("a", {1}))),
              HasMessage("unsupported partition result type 'variant'"));
  EXPECT_THAT(write({{1000, "x", "decimal(40,2)"}},
                    Entry(ManifestEntryStatus::kAdded, File("a", {Bytes{}}))),
              HasMessage("invalid partition type"));
  EXPECT_THAT(write({{1000, "u", "uuid"}},
                    Entry(ManifestEntryStatus::kAdded, File("a", {Bytes{"short"}}))),
              HasMessage("fixed[16]"));
  EXPECT_THAT(write({}, Entry(ManifestEntryStatus::kExisting, File("a", {}))),
              HasMessage("explicit sequence numbers"));
  auto v3 = Options({});
  v3.format_version = 3;
  EXPECT_THAT(WriteManifest(*fs_, dir_.Join("v3.avro"), v3, {}),
              IsError(ErrorCode::kNotImplemented));
}

TEST_F(ManifestTest, PartitionNamesAreSanitizedLikeJava) {
  const std::string path = dir_.Join("n.avro");
  ASSERT_OK(WriteManifest(*fs_, path, Options({{1000, "1st-col", "int"}, {1001, "ok_name", "int"}}),
                          {}));
  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, avro::Reader::Open(bytes, path));
  const auto r102 = reader->schema().ToJson()["fields"][4]["type"]["fields"][3]["type"];
  EXPECT_EQ(r102["fields"][0]["name"], "_1st_x2Dcol");
  EXPECT_EQ(r102["fields"][1]["name"], "ok_name");
}

TEST_F(ManifestTest, ReadErrorsNameTheFile) {
  ManifestFile mf;
  mf.manifest_path = dir_.Join("missing.avro");
  EXPECT_THAT(ReadManifest(*fs_, mf), IsError(ErrorCode::kNotFound));

  const std::string path = dir_.Join("m.avro");
  ASSERT_OK_AND_ASSIGN(mf, WriteManifest(*fs_, path, Options(kBucketAndDay),
                                         {Entry(ManifestEntryStatus::kAdded,
                                                File("a", {int32_t{1}, int32_t{2}}))}));
  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(path));
  ASSERT_OK(fs_->WriteFile(path, bytes.substr(0, bytes.size() - 10)));
  auto r = ReadManifest(*fs_, mf);
  EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasMessage("reading manifest " + path));

  // A manifest list is not a manifest.
  ASSERT_OK(WriteManifestList(*fs_, path, ManifestListWriteOptions{}, {mf}));
  EXPECT_THAT(ReadManifest(*fs_, mf), HasMessage("no field 'status'"));
  ASSERT_OK(fs_->WriteFile(path, "garbage"));
  EXPECT_THAT(ReadManifestList(*fs_, path), HasMessage("bad magic"));
}

// ---------------------------------------------------------------- manifest lists

ManifestFile SampleManifestFile(int i) {
  ManifestFile m;
  m.manifest_path = "file:///warehouse/t/metadata/m" + std::to_string(i) + ".avro";
  m.manifest_length = 4000 + i;
  m.partition_spec_id = i % 2;
  m.content = i == 2 ? ManifestContent::kDeletes : ManifestContent::kData;
  m.sequence_number = 10 + i;
  m.min_sequence_number = 1 + i;
  m.added_snapshot_id = 3051729675574597004LL + i;
  m.added_files_count = 1 + i;
  m.existing_files_count = 2 + i;
  m.deleted_files_count = 3 + i;
  m.added_rows_count = 100 + i;
  m.existing_rows_count = 200 + i;
  m.deleted_rows_count = 300 + i;
  PartitionFieldSummary s;
  s.contains_null = i % 2 == 0;
  s.contains_nan = false;
  s.lower_bound = LE32(i);
  s.upper_bound = LE32(i + 100);
  m.partitions = {s, PartitionFieldSummary{}};
  return m;
}

void ExpectSameManifestFile(const ManifestFile& a, const ManifestFile& b, bool v1 = false) {
  EXPECT_EQ(a.manifest_path, b.manifest_path);
  EXPECT_EQ(a.manifest_length, b.manifest_length);
  EXPECT_EQ(a.partition_spec_id, b.partition_spec_id);
  if (!v1) {
    EXPECT_EQ(a.content, b.content);
    EXPECT_EQ(a.sequence_number, b.sequence_number);
    EXPECT_EQ(a.min_sequence_number, b.min_sequence_number);
  }
  EXPECT_EQ(a.added_snapshot_id, b.added_snapshot_id);
  EXPECT_EQ(a.added_files_count, b.added_files_count);
  EXPECT_EQ(a.existing_files_count, b.existing_files_count);
  EXPECT_EQ(a.deleted_files_count, b.deleted_files_count);
  EXPECT_EQ(a.added_rows_count, b.added_rows_count);
  EXPECT_EQ(a.existing_rows_count, b.existing_rows_count);
  EXPECT_EQ(a.deleted_rows_count, b.deleted_rows_count);
  ASSERT_EQ(a.partitions.size(), b.partitions.size());
  for (size_t i = 0; i < a.partitions.size(); ++i) {
    EXPECT_EQ(a.partitions[i].contains_null, b.partitions[i].contains_null);
    EXPECT_EQ(a.partitions[i].contains_nan, b.partitions[i].contains_nan);
    EXPECT_EQ(a.partitions[i].lower_bound, b.partitions[i].lower_bound);
    EXPECT_EQ(a.partitions[i].upper_bound, b.partitions[i].upper_bound);
  }
}

TEST_F(ManifestTest, ManifestListRoundTripV2) {
  std::vector<ManifestFile> files = {SampleManifestFile(0), SampleManifestFile(1),
                                     SampleManifestFile(2)};
  ManifestListWriteOptions o;
  o.snapshot_id = 42;
  o.parent_snapshot_id = 41;
  o.sequence_number = 12;
  const std::string path = dir_.Join("snap-42-1-x.avro");
  ASSERT_OK(WriteManifestList(*fs_, path, o, files));
  ASSERT_OK_AND_ASSIGN(auto got, ReadManifestList(*fs_, path));
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) ExpectSameManifestFile(got[i], files[i]);

  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, avro::Reader::Open(bytes, path));
  EXPECT_EQ(reader->codec(), avro::Codec::kDeflate);
  EXPECT_EQ(reader->GetMetadata("snapshot-id"), "42");
  EXPECT_EQ(reader->GetMetadata("parent-snapshot-id"), "41");
  EXPECT_EQ(reader->GetMetadata("sequence-number"), "12");
  EXPECT_EQ(reader->GetMetadata("format-version"), "2");
  const avro::Json schema = reader->schema().ToJson();
  EXPECT_EQ(schema["name"], "manifest_file");
  std::vector<int> ids;
  for (const auto& f : schema["fields"]) ids.push_back(f["field-id"]);
  EXPECT_THAT(ids, ElementsAre(500, 501, 502, 517, 515, 516, 503, 504, 505, 506, 512, 513, 514,
                               507, 519));
  EXPECT_EQ(schema["fields"][13]["type"][1].dump(),
            R"({"type":"array","items":{"type":"record","name":"r508","fields":[)"
            R"({"name":"contains_null","type":"boolean","doc":"True if any file has a null partition value","field-id":509},)"
            R"({"name":"contains_nan","type":["null","boolean"],"doc":"True if any file has a nan partition value","default":null,"field-id":518},)"
            R"({"name":"lower_bound","type":["null","bytes"],"doc":"Partition lower bound for all files","default":null,"field-id":510},)"
            R"({"name":"upper_bound","type":["null","bytes"],"doc":"Partition upper bound for all files","default":null,"field-id":511}]},)"
            R"("element-id":508})");

  // No parent: the header says "null", as Java writes it.
  o.parent_snapshot_id.reset();
  ASSERT_OK(WriteManifestList(*fs_, path, o, {}));
  ASSERT_OK_AND_ASSIGN(bytes, fs_->ReadFile(path));
  ASSERT_OK_AND_ASSIGN(reader, avro::Reader::Open(bytes, path));
  EXPECT_EQ(reader->GetMetadata("parent-snapshot-id"), "null");
  ASSERT_OK_AND_ASSIGN(got, ReadManifestList(*fs_, path));
  EXPECT_TRUE(got.empty());
}

TEST_F(ManifestTest, V1ManifestAndListRoundTrip) {
  // v1 manifests have no sequence numbers: entries read back with 0, and the snapshot id of the
  // manifest when theirs is null.
  const std::string mpath = dir_.Join("v1-m0.avro");
  ASSERT_OK_AND_ASSIGN(
      ManifestFile mf,
      WriteManifest(*fs_, mpath, Options(kBucketAndDay, 1),
                    {Entry(ManifestEntryStatus::kAdded, File("a", {int32_t{1}, int32_t{2}})),
                     Entry(ManifestEntryStatus::kExisting, File("b", {int32_t{2}, int32_t{3}}),
                           std::nullopt, 5)}));
  ManifestListWriteOptions o;
  o.format_version = 1;
  o.snapshot_id = 777;
  const std::string lpath = dir_.Join("v1-list.avro");
  ASSERT_OK(WriteManifestList(*fs_, lpath, o, {mf}));
  ASSERT_OK_AND_ASSIGN(std::string bytes, fs_->ReadFile(lpath));
  ASSERT_OK_AND_ASSIGN(auto reader, avro::Reader::Open(bytes, lpath));
  EXPECT_EQ(reader->GetMetadata("format-version"), "1");
  EXPECT_EQ(reader->GetMetadata("sequence-number"), std::nullopt);

  ASSERT_OK_AND_ASSIGN(auto list, ReadManifestList(*fs_, lpath));
  ASSERT_EQ(list.size(), 1u);
  ExpectSameManifestFile(list[0], mf, /*v1=*/true);
  EXPECT_EQ(list[0].sequence_number, 0);
  EXPECT_EQ(list[0].content, ManifestContent::kData);
  ASSERT_OK_AND_ASSIGN(auto entries, ReadManifest(*fs_, list[0]));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].snapshot_id, 777);
  EXPECT_EQ(entries[0].sequence_number, 0);
  EXPECT_EQ(entries[1].snapshot_id, 5);
  EXPECT_EQ(entries[1].sequence_number, 0);
  EXPECT_EQ(entries[1].file_sequence_number, 0);
  EXPECT_EQ(entries[1].data_file.partition, (std::vector<PartitionValue>{int32_t{2}, int32_t{3}}));
  EXPECT_EQ(entries[1].data_file.content, FileContent::kData);
}

TEST_F(ManifestTest, OldV1ListWithoutFieldIdsResolvesByName) {
  // Early writers named the counts added_data_files_count etc. and some wrote no field ids.
  auto schema = avro::Schema::Parse(R"({"type":"record","name":"manifest_file","fields":[
      {"name":"manifest_path","type":"string"},
      {"name":"manifest_length","type":"long"},
      {"name":"partition_spec_id","type":"int"},
      {"name":"added_snapshot_id","type":["null","long"]},
      {"name":"added_data_files_count","type":["null","int"]},
      {"name":"existing_data_files_count","type":["null","int"]},
      {"name":"deleted_data_files_count","type":["null","int"]},
      {"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508",
        "fields":[{"name":"contains_null","type":"boolean"},
                  {"name":"contains_nan","type":["null","boolean"]},
                  {"name":"lower_bound","type":["null","bytes"]},
                  {"name":"upper_bound","type":["null","bytes"]}]}}]}]})");
  ASSERT_OK(schema);
  ASSERT_OK_AND_ASSIGN(auto w, avro::Writer::Make(*schema));
  using avro::Value;
  ASSERT_OK(w->Append(Value::Record(
      {Value("file:///m.avro"), Value(int64_t{99}), Value(0), Value(int64_t{7}), Value(3), Value(),
       Value(1),
       Value::Array({Value::Record({Value(true), Value(), Value(LE32(1)), Value(LE32(9))})})})));
  ASSERT_OK_AND_ASSIGN(std::string bytes, w->Finish());
  const std::string path = dir_.Join("old.avro");
  ASSERT_OK(fs_->WriteFile(path, bytes));
  ASSERT_OK_AND_ASSIGN(auto list, ReadManifestList(*fs_, path));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].manifest_path, "file:///m.avro");
  EXPECT_EQ(list[0].manifest_length, 99);
  EXPECT_EQ(list[0].added_snapshot_id, 7);
  EXPECT_EQ(list[0].added_files_count, 3);
  EXPECT_EQ(list[0].existing_files_count, 0);
  EXPECT_EQ(list[0].deleted_files_count, 1);
  ASSERT_EQ(list[0].partitions.size(), 1u);
  EXPECT_TRUE(list[0].partitions[0].contains_null);
  EXPECT_EQ(list[0].partitions[0].upper_bound, LE32(9));
}

TEST_F(ManifestTest, HundredThousandEntries) {
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kEntries = 20000;  // ASan makes each allocation ~30x slower
#else
  constexpr int kEntries = 100000;
#endif
  std::vector<ManifestEntry> entries;
  entries.reserve(kEntries);
  for (int i = 0; i < kEntries; ++i) {
    entries.push_back(
        Entry(ManifestEntryStatus::kAdded, File("f" + std::to_string(i), {int32_t{i % 16}, int32_t{i}})));
  }
  const std::string path = dir_.Join("big.avro");
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(ManifestFile mf, WriteManifest(*fs_, path, Options(kBucketAndDay), entries));
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto got, ReadManifest(*fs_, mf));
  auto t2 = std::chrono::steady_clock::now();
  ASSERT_EQ(got.size(), entries.size());
  EXPECT_EQ(got.back().data_file.file_path, entries.back().data_file.file_path);
  EXPECT_EQ(mf.added_files_count, kEntries);
  EXPECT_EQ(mf.partitions[1].upper_bound, LE32(kEntries - 1));
  using ms = std::chrono::milliseconds;
  std::cout << kEntries << " entries: write " << std::chrono::duration_cast<ms>(t1 - t0).count()
            << " ms, read " << std::chrono::duration_cast<ms>(t2 - t1).count() << " ms, "
            << mf.manifest_length << " bytes\n";
}

// ---------------------------------------------------------------- third-party reader

std::string Hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

TEST_F(ManifestTest, PythonAvroReadsManifestAndList) {
  if (!testing::HavePythonAvro()) FAIL() << testing::kPythonAvroMissing;
  const std::vector<PartitionFieldInfo> fields = {
      {1000, "id_bucket", "int"}, {1001, "ts_day", "date"}, {1002, "dec", "decimal(9,2)"},
      {1003, "name", "string"}};
  DataFile f = File("a", {int32_t{3}, int32_t{19000}, Bytes{std::string("\x30\x39", 2)},
                          std::string("x")},
                    12);
  const std::string mpath = dir_.Join("metadata/m0.avro");
  ASSERT_OK_AND_ASSIGN(
      ManifestFile mf,
      WriteManifest(*fs_, mpath, Options(fields),
                    {Entry(ManifestEntryStatus::kAdded, f),
                     Entry(ManifestEntryStatus::kExisting, File("b", {std::monostate{}, int32_t{1},
                                                                      std::monostate{},
                                                                      std::monostate{}}),
                           3, 500)}));
  ASSERT_OK_AND_ASSIGN(auto m, testing::DumpWithPythonAvro(mpath));
  const auto& meta = m["metadata"];
  EXPECT_EQ(meta["avro.codec"], "deflate");
  EXPECT_EQ(meta["format-version"], "2");
  EXPECT_EQ(meta["content"], "data");
  EXPECT_EQ(meta["schema-id"], "3");
  EXPECT_EQ(meta["partition-spec-id"], "1");
  EXPECT_EQ(meta["partition-spec"], Options({}).partition_spec_fields_json);
  EXPECT_EQ(meta["schema"], Options({}).schema_json);
  // Field ids survive in the schema as Python's parser understood it.
  const auto& schema = m["schema"];
  EXPECT_EQ(schema["fields"][0]["field-id"], 0);
  EXPECT_EQ(schema["fields"][4]["field-id"], 2);
  const auto& r2 = schema["fields"][4]["type"];
  EXPECT_EQ(r2["fields"][1]["name"], "file_path");
  EXPECT_EQ(r2["fields"][1]["field-id"], 100);
  EXPECT_EQ(r2["fields"][3]["type"]["fields"][1]["field-id"], 1001);
  EXPECT_EQ(r2["fields"][6]["type"][1]["items"]["fields"][0]["field-id"], 117);
  EXPECT_EQ(r2["fields"][13]["type"][1]["element-id"], 133);

  const auto& recs = m["records"];
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["status"], 1);
  EXPECT_TRUE(recs[0]["snapshot_id"].is_null());
  EXPECT_TRUE(recs[0]["sequence_number"].is_null());
  EXPECT_EQ(recs[1]["status"], 0);
  EXPECT_EQ(recs[1]["snapshot_id"], 500);
  EXPECT_EQ(recs[1]["sequence_number"], 3);
  const auto& df = recs[0]["data_file"];
  EXPECT_EQ(df["content"], 0);
  EXPECT_EQ(df["file_path"], f.file_path);
  EXPECT_EQ(df["file_format"], "PARQUET");
  EXPECT_EQ(df["record_count"], 12);
  EXPECT_EQ(df["file_size_in_bytes"], 1200);
  EXPECT_EQ(df["partition"]["id_bucket"], 3);
  EXPECT_EQ(df["partition"]["ts_day"], "2022-01-08");  // 19000 days after 1970-01-01
  EXPECT_EQ(df["partition"]["dec"], "123.45");         // 12345 unscaled, scale 2
  EXPECT_EQ(df["partition"]["name"], "x");
  EXPECT_TRUE(recs[1]["data_file"]["partition"]["id_bucket"].is_null());
  ASSERT_EQ(df["column_sizes"].size(), 2u);
  EXPECT_EQ(df["column_sizes"][0]["key"], 1);
  EXPECT_EQ(df["column_sizes"][0]["value"], 40);
  EXPECT_EQ(df["lower_bounds"][0]["value"]["hex"], Hex(LE64(1)));
  EXPECT_EQ(df["split_offsets"][0], 4);
  EXPECT_TRUE(df["equality_ids"].is_null());
  EXPECT_EQ(df["sort_order_id"], 0);

  ManifestListWriteOptions lo;
  lo.snapshot_id = 3051729675574597004LL;
  lo.sequence_number = 6;
  mf.sequence_number = 6;
  mf.min_sequence_number = 3;
  const std::string lpath = dir_.Join("metadata/snap.avro");
  ASSERT_OK(WriteManifestList(*fs_, lpath, lo, {mf}));
  ASSERT_OK_AND_ASSIGN(auto l, testing::DumpWithPythonAvro(lpath));
  EXPECT_EQ(l["metadata"]["snapshot-id"], "3051729675574597004");
  EXPECT_EQ(l["metadata"]["parent-snapshot-id"], "null");
  EXPECT_EQ(l["metadata"]["sequence-number"], "6");
  EXPECT_EQ(l["metadata"]["format-version"], "2");
  EXPECT_EQ(l["schema"]["name"], "manifest_file");
  EXPECT_EQ(l["schema"]["fields"][0]["field-id"], 500);
  EXPECT_EQ(l["schema"]["fields"][13]["type"][1]["element-id"], 508);
  ASSERT_EQ(l["records"].size(), 1u);
  const auto& row = l["records"][0];
  EXPECT_EQ(row["manifest_path"], mpath);
  EXPECT_EQ(row["manifest_length"], mf.manifest_length);
  EXPECT_EQ(row["content"], 0);
  EXPECT_EQ(row["sequence_number"], 6);
  EXPECT_EQ(row["min_sequence_number"], 3);
  EXPECT_EQ(row["added_snapshot_id"], 777);
  EXPECT_EQ(row["added_files_count"], 1);
  EXPECT_EQ(row["existing_files_count"], 1);
  EXPECT_EQ(row["added_rows_count"], 12);
  ASSERT_EQ(row["partitions"].size(), 4u);
  EXPECT_EQ(row["partitions"][0]["contains_null"], true);
  EXPECT_EQ(row["partitions"][0]["contains_nan"], false);
  EXPECT_EQ(row["partitions"][0]["lower_bound"]["hex"], Hex(LE32(3)));
  EXPECT_EQ(row["partitions"][1]["lower_bound"]["hex"], Hex(LE32(1)));
  EXPECT_EQ(row["partitions"][1]["upper_bound"]["hex"], Hex(LE32(19000)));
  EXPECT_EQ(row["partitions"][2]["upper_bound"]["hex"], "3039");
  EXPECT_EQ(row["partitions"][3]["upper_bound"]["hex"], Hex("x"));

  // Unpartitioned: an empty r102 record and an empty partitions list.
  const std::string upath = dir_.Join("metadata/unpartitioned.avro");
  ASSERT_OK_AND_ASSIGN(ManifestFile umf,
                       WriteManifest(*fs_, upath, Options({}),
                                     {Entry(ManifestEntryStatus::kAdded, File("u", {}))}));
  ASSERT_OK_AND_ASSIGN(auto u, testing::DumpWithPythonAvro(upath));
  ASSERT_EQ(u["records"].size(), 1u);
  EXPECT_TRUE(u["records"][0]["data_file"]["partition"].empty());
  ASSERT_OK(WriteManifestList(*fs_, lpath, lo, {umf}));
  ASSERT_OK_AND_ASSIGN(l, testing::DumpWithPythonAvro(lpath));
  EXPECT_TRUE(l["records"][0]["partitions"].empty());
}

}  // namespace
}  // namespace ldp::iceberg
