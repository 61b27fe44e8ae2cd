#include "ldp/iceberg/table_metadata.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

using json = nlohmann::json;

SchemaPtr TwoColumnSchema(int32_t id = 5) {
  NestedField a{1, "id", true, Type::Primitive(TypeId::kLong), ""};
  NestedField b{2, "ts", false, Type::Primitive(TypeId::kTimestampTz), ""};
  return std::make_shared<const Schema>(id, std::vector<NestedField>{a, b});
}

PartitionSpec DaySpec() {
  PartitionSpec spec;
  spec.spec_id = 3;
  spec.fields.push_back({2, 1000, "ts_day", "day"});
  return spec;
}

/// A v2 document as Java writes it, with 63-bit snapshot ids.
const char* kJavaV2 = R"j({
  "format-version" : 2,
  "table-uuid" : "9c12d441-03fe-4693-9a96-a0705ddf69c1",
  "location" : "s3://bucket/test/location",
  "last-sequence-number" : 34,
  "last-updated-ms" : 1602638573590,
  "last-column-id" : 3,
  "current-schema-id" : 1,
  "schemas" : [ {
    "type" : "struct", "schema-id" : 0,
    "fields" : [ { "id" : 1, "name" : "x", "required" : true, "type" : "long" } ]
  }, {
    "type" : "struct", "schema-id" : 1, "identifier-field-ids" : [ 1, 2 ],
    "fields" : [ { "id" : 1, "name" : "x", "required" : true, "type" : "long" },
                 { "id" : 2, "name" : "y", "required" : true, "type" : "long", "doc" : "comment" },
                 { "id" : 3, "name" : "z", "required" : true, "type" : "long" } ]
  } ],
  "default-spec-id" : 0,
  "partition-specs" : [ { "spec-id" : 0,
    "fields" : [ { "name" : "x", "transform" : "identity", "source-id" : 1, "field-id" : 1000 } ] } ],
  "last-partition-id" : 1000,
  "default-sort-order-id" : 3,
  "sort-orders" : [ { "order-id" : 3, "fields" : [
      { "transform" : "identity", "source-id" : 2, "direction" : "asc", "null-order" : "nulls-first" },
      { "transform" : "bucket[4]", "source-id" : 3, "direction" : "desc", "null-order" : "nulls-last" } ] } ],
  "properties" : { "write.format.default" : "parquet" },
  "current-snapshot-id" : 3055729675574597004,
  "refs" : { "main" : { "snapshot-id" : 3055729675574597004, "type" : "branch" },
             "audit" : { "snapshot-id" : 3051729675574597004, "type" : "tag", "max-ref-age-ms" : 86400000 } },
  "snapshots" : [ {
    "snapshot-id" : 3051729675574597004, "timestamp-ms" : 1515100955770, "sequence-number" : 0,
    "summary" : { "operation" : "append" }, "manifest-list" : "s3://a/b/1.avro"
  }, {
    "snapshot-id" : 3055729675574597004, "parent-snapshot-id" : 3051729675574597004,
    "timestamp-ms" : 1555100955770, "sequence-number" : 1,
    "summary" : { "operation" : "append", "added-records" : "10" },
    "manifest-list" : "s3://a/b/2.avro", "schema-id" : 1
  } ],
  "statistics" : [ ],
  "snapshot-log" : [ { "timestamp-ms" : 1515100955770, "snapshot-id" : 3051729675574597004 },
                     { "timestamp-ms" : 1555100955770, "snapshot-id" : 3055729675574597004 } ],
  "metadata-log" : [ { "timestamp-ms" : 1515100, "metadata-file" : "s3://bucket/.../v1.json" } ]
})j";

/// A v1 document: single `schema` and `partition-spec`, a snapshot listing manifests inline.
const char* kV1 = R"j({
  "format-version" : 1,
  "location" : "file:///tmp/t",
  "last-updated-ms" : 1602638573874,
  "last-column-id" : 2,
  "schema" : { "type" : "struct",
    "fields" : [ { "id" : 1, "name" : "x", "required" : true, "type" : "long" },
                 { "id" : 2, "name" : "y", "required" : false, "type" : "string" } ] },
  "partition-spec" : [ { "name" : "x", "transform" : "identity", "source-id" : 1 } ],
  "properties" : { },
  "current-snapshot-id" : 1,
  "snapshots" : [ { "snapshot-id" : 1, "timestamp-ms" : 1602638573000,
                    "manifests" : [ "file:///tmp/t/metadata/m1.avro" ] } ]
})j";

TEST(TableMetadataTest, NewTableHasEveryRequiredField) {
  auto m =
      TableMetadata::NewTable("file:///w/db/t/", TwoColumnSchema(), DaySpec(), {{"k", "v"}}, 1234);
  EXPECT_EQ(m->format_version, 2);
  EXPECT_EQ(m->location, "file:///w/db/t");
  EXPECT_EQ(m->last_updated_ms, 1234);
  EXPECT_EQ(m->last_column_id, 2);
  EXPECT_EQ(m->last_partition_id, 1000);
  EXPECT_EQ(m->CurrentSchema()->schema_id(), 0);
  EXPECT_EQ(m->DefaultSpec()->spec_id, 0);
  EXPECT_EQ(m->sort_orders.size(), 1u);
  EXPECT_FALSE(m->current_snapshot_id);
  EXPECT_EQ(m->CurrentSnapshot(), nullptr);
  EXPECT_OK(m->Validate());

  json j = m->ToJson();
  for (const char* key :
       {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
        "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
        "last-partition-id", "properties", "current-snapshot-id", "snapshots", "snapshot-log",
        "metadata-log", "sort-orders", "default-sort-order-id", "refs"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("schema"));
  EXPECT_FALSE(j.contains("partition-spec"));
  EXPECT_EQ(j["current-snapshot-id"], -1);
  EXPECT_EQ(j["sort-orders"], json::parse(R"j([{"order-id":0,"fields":[]}])j"));
  EXPECT_EQ(
      j["partition-specs"][0],
      json::parse(
          R"j({"spec-id":0,"fields":[{"name":"ts_day","transform":"day","source-id":2,"field-id":1000}]})j"));
  EXPECT_EQ(j["properties"]["k"], "v");
}

TEST(TableMetadataTest, UnpartitionedNewTableHasLastPartitionId999) {
  auto m = TableMetadata::NewTable("file:///t", TwoColumnSchema(), PartitionSpec{}, {}, 1);
  EXPECT_EQ(m->last_partition_id, 999);
  EXPECT_TRUE(m->DefaultSpec()->is_unpartitioned());
  EXPECT_EQ(m->ToJson()["partition-specs"], json::parse(R"j([{"spec-id":0,"fields":[]}])j"));
}

TEST(TableMetadataTest, JsonStringRoundTripsAndKeepsSpecOrder) {
  auto m = TableMetadata::NewTable("file:///t", TwoColumnSchema(), DaySpec(), {}, 1);
  Snapshot s;
  s.snapshot_id = (int64_t{1} << 53) - 1;
  s.sequence_number = 1;
  s.timestamp_ms = 5;
  s.manifest_list = "file:///t/metadata/snap-1.avro";
  s.summary = {{"operation", "append"}, {"added-records", "3"}, {"total-records", "3"}};
  s.schema_id = 0;
  m->snapshots.push_back(s);
  m->current_snapshot_id = s.snapshot_id;
  m->last_sequence_number = 1;
  m->refs["main"] = SnapshotRef{s.snapshot_id, "branch", std::nullopt, std::nullopt, std::nullopt};
  m->snapshot_log.push_back({5, s.snapshot_id});
  m->metadata_log.push_back({1, "file:///t/metadata/00000-x.metadata.json"});
  ASSERT_OK(m->Validate());

  std::string text = m->ToJsonString();
  EXPECT_EQ(text.rfind("{\n  \"format-version\": 2,\n  \"table-uuid\"", 0), 0u) << text;
  EXPECT_LT(text.find("\"location\""), text.find("\"schemas\""));
  EXPECT_LT(text.find("\"operation\""), text.find("\"added-records\""));
  ASSERT_OK_AND_ASSIGN(auto back, TableMetadata::FromJsonString(text));
  EXPECT_EQ(back->ToJson(), m->ToJson());
  EXPECT_EQ(back->CurrentSnapshot()->summary.at("added-records"), "3");
  EXPECT_TRUE(back->ToJson()["snapshots"][0]["summary"]["total-records"].is_string());
  EXPECT_EQ(back->CurrentSnapshot()->schema_id, 0);
  EXPECT_FALSE(back->CurrentSnapshot()->parent_snapshot_id);
  EXPECT_FALSE(back->ToJson()["snapshots"][0].contains("parent-snapshot-id"));
}

TEST(TableMetadataTest, ReadsJavaV2WithExact64BitIds) {
  ASSERT_OK_AND_ASSIGN(auto m, TableMetadata::FromJsonString(kJavaV2));
  EXPECT_EQ(m->current_snapshot_id, 3055729675574597004LL);
  ASSERT_NE(m->CurrentSnapshot(), nullptr);
  EXPECT_EQ(m->CurrentSnapshot()->parent_snapshot_id, 3051729675574597004LL);
  EXPECT_EQ(m->CurrentSnapshot()->manifest_list, "s3://a/b/2.avro");
  EXPECT_EQ(m->CurrentSchema()->fields().size(), 3u);
  EXPECT_EQ(m->CurrentSchema()->fields()[1].doc, "comment");
  EXPECT_EQ(m->CurrentSchema()->identifier_field_ids(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(m->SchemaById(0)->fields().size(), 1u);
  EXPECT_EQ(m->SpecById(0)->fields[0].transform, "identity");
  EXPECT_EQ(m->sort_orders[0].fields[1].transform, "bucket[4]");
  EXPECT_EQ(m->sort_orders[0].fields[1].null_order, "nulls-last");
  EXPECT_EQ(m->refs.at("audit").type, "tag");
  EXPECT_EQ(m->refs.at("audit").max_ref_age_ms, 86400000);
  EXPECT_EQ(m->Property("write.format.default", "x"), "parquet");
  EXPECT_EQ(m->Property("missing", "fallback"), "fallback");
  EXPECT_EQ(m->metadata_log.size(), 1u);
  // Written back, the ids are still exact.
  json j = m->ToJson();
  EXPECT_EQ(j["current-snapshot-id"].get<int64_t>(), 3055729675574597004LL);
  EXPECT_NE(m->ToJsonString().find("3055729675574597004"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(auto again, TableMetadata::FromJson(j));
  EXPECT_EQ(again->ToJson(), j);
}

TEST(TableMetadataTest, SnapshotAsOfUsesTheSnapshotLog) {
  ASSERT_OK_AND_ASSIGN(auto m, TableMetadata::FromJsonString(kJavaV2));
  EXPECT_EQ(m->SnapshotAsOf(1515100955769), nullptr);
  EXPECT_EQ(m->SnapshotAsOf(1515100955770)->snapshot_id, 3051729675574597004LL);
  EXPECT_EQ(m->SnapshotAsOf(1555100955769)->snapshot_id, 3051729675574597004LL);
  EXPECT_EQ(m->SnapshotAsOf(1555100955770)->snapshot_id, 3055729675574597004LL);
  EXPECT_EQ(m->SnapshotAsOf(INT64_MAX)->snapshot_id, 3055729675574597004LL);
  // Without a log, the current snapshot's ancestry answers.
  m->snapshot_log.clear();
  EXPECT_EQ(m->SnapshotAsOf(1555100955769)->snapshot_id, 3051729675574597004LL);
  EXPECT_EQ(m->SnapshotAsOf(0), nullptr);
}

TEST(TableMetadataTest, ReadsV1WithFallbacks) {
  ASSERT_OK_AND_ASSIGN(auto m, TableMetadata::FromJsonString(kV1));
  EXPECT_EQ(m->format_version, 1);
  EXPECT_EQ(m->schemas.size(), 1u);
  EXPECT_EQ(m->current_schema_id, 0);
  EXPECT_EQ(m->CurrentSchema()->fields()[1].name, "y");
  ASSERT_NE(m->DefaultSpec(), nullptr);
  EXPECT_EQ(m->DefaultSpec()->fields[0].field_id, 1000);  // assigned, as old writers did
  EXPECT_EQ(m->last_partition_id, 1000);
  EXPECT_EQ(m->sort_orders.size(), 1u);
  EXPECT_EQ(m->default_sort_order_id, 0);
  ASSERT_NE(m->CurrentSnapshot(), nullptr);
  EXPECT_TRUE(m->CurrentSnapshot()->manifest_list.empty());
  EXPECT_EQ(m->refs.at("main").snapshot_id, 1);  // implied by current-snapshot-id
  EXPECT_TRUE(m->table_uuid.empty());
  // Written back as v1, it keeps the v1 fields and reads the same.
  json j = m->ToJson();
  EXPECT_FALSE(j.contains("table-uuid"));
  EXPECT_EQ(j["schema"]["fields"].size(), 2u);
  EXPECT_EQ(j["partition-spec"][0]["field-id"], 1000);
  ASSERT_OK_AND_ASSIGN(auto again, TableMetadata::FromJson(j));
  EXPECT_EQ(again->ToJson(), j);
}

TEST(TableMetadataTest, NoCurrentSnapshotAsMinusOneNullOrAbsent) {
  json base = json::parse(kJavaV2);
  base["refs"] = json::object();
  for (json value : {json(-1), json(nullptr)}) {
    json j = base;
    j["current-snapshot-id"] = value;
    ASSERT_OK_AND_ASSIGN(auto m, TableMetadata::FromJson(j));
    EXPECT_FALSE(m->current_snapshot_id) << value;
  }
  json j = base;
  j.erase("current-snapshot-id");
  ASSERT_OK_AND_ASSIGN(auto m, TableMetadata::FromJson(j));
  EXPECT_FALSE(m->current_snapshot_id);
}

TEST(TableMetadataTest, MissingV2FieldsAreNamed) {
  for (const char* key :
       {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
        "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
        "last-partition-id", "sort-orders", "default-sort-order-id"}) {
    json j = json::parse(kJavaV2);
    j.erase(key);
    auto r = TableMetadata::FromJson(j);
    EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument)) << key;
    EXPECT_THAT(r, HasMessage(std::string("'") + key + "'")) << key;
  }
}

TEST(TableMetadataTest, InvalidDocumentsAreRefusedNamingTheField) {
  auto with = [](const char* key, json value) {
    json j = json::parse(kJavaV2);
    j[key] = std::move(value);
    return TableMetadata::FromJson(j);
  };
  // Format v3 is read (ADR 0021); a version from the future is refused.
  EXPECT_TRUE(with("format-version", 3).ok());
  EXPECT_THAT(with("format-version", 4), IsError(ErrorCode::kNotImplemented));
  EXPECT_THAT(with("current-schema-id", 7), HasMessage("'current-schema-id' 7"));
  EXPECT_THAT(with("default-spec-id", 7), HasMessage("'default-spec-id' 7"));
  EXPECT_THAT(with("default-sort-order-id", 7), HasMessage("'default-sort-order-id' 7"));
  EXPECT_THAT(with("current-snapshot-id", 3051729675574597004LL), HasMessage("refs.main"));
  EXPECT_THAT(with("last-sequence-number", 0), HasMessage("last-sequence-number"));
  EXPECT_THAT(with("last-column-id", "3"), HasMessage("field 'last-column-id' must be an integer"));
  EXPECT_THAT(with("last-column-id", 1LL << 40), HasMessage("out of range"));
  EXPECT_THAT(with("last-updated-ms", 18446744073709551615ULL), HasMessage("out of range"));
  EXPECT_THAT(with("schemas", json::object()), HasMessage("'schemas' must be an array"));
  EXPECT_THAT(with("refs", json::parse(R"j({"b":{"snapshot-id":5,"type":"branch"},
                                              "main":{"snapshot-id":3055729675574597004,"type":"branch"}})j")),
              HasMessage("'refs.b'"));
  EXPECT_THAT(
      with("refs", json::parse(R"j({"main":{"snapshot-id":3055729675574597004,"type":"twig"}})j")),
      HasMessage("branch"));

  json j = json::parse(kJavaV2);
  j["snapshots"][1].erase("manifest-list");
  EXPECT_THAT(TableMetadata::FromJson(j),
              HasMessage("snapshot 3055729675574597004: missing required field 'manifest-list'"));
  j = json::parse(kJavaV2);
  j["snapshots"][0]["snapshot-id"] = 3055729675574597004LL;
  EXPECT_THAT(TableMetadata::FromJson(j), HasMessage("twice"));
  j = json::parse(kJavaV2);
  j["sort-orders"][0]["fields"][0]["direction"] = "up";
  EXPECT_THAT(TableMetadata::FromJson(j), HasMessage("'direction'"));

  EXPECT_THAT(TableMetadata::FromJsonString("{not json"), HasMessage("not valid JSON"));
  EXPECT_THAT(TableMetadata::FromJsonString("[]"), IsError(ErrorCode::kInvalidArgument));
}

TEST(TableMetadataTest, PartitionSpecJson) {
  PartitionSpec spec = DaySpec();
  spec.fields.push_back({1, 1001, "id_bucket", "bucket[16]"});
  EXPECT_EQ(spec.FieldsJsonString(),
            R"j([{"name":"ts_day","transform":"day","source-id":2,"field-id":1000},)j"
            R"j({"name":"id_bucket","transform":"bucket[16]","source-id":1,"field-id":1001}])j");
  ASSERT_OK_AND_ASSIGN(PartitionSpec back, PartitionSpec::FromJson(spec.ToJson()));
  EXPECT_EQ(back.ToJson(), spec.ToJson());
  EXPECT_THAT(PartitionSpec::FromJson(
                  json::parse(R"j({"spec-id":0,"fields":[{"name":"a","transform":"day"}]})j")),
              HasMessage("'source-id'"));
}

TEST(TableMetadataTest, SnapshotJson) {
  Snapshot s;
  s.snapshot_id = 42;
  s.parent_snapshot_id = 41;
  s.sequence_number = 2;
  s.timestamp_ms = 99;
  s.manifest_list = "file:///m.avro";
  s.summary = {{"operation", "overwrite"}, {"deleted-records", "5"}};
  json j = s.ToJson();
  EXPECT_EQ(j,
            json::parse(
                R"j({"snapshot-id":42,"parent-snapshot-id":41,"sequence-number":2,"timestamp-ms":99,
                                "manifest-list":"file:///m.avro",
                                "summary":{"operation":"overwrite","deleted-records":"5"}})j"));
  ASSERT_OK_AND_ASSIGN(Snapshot back, Snapshot::FromJson(j));
  EXPECT_EQ(back.ToJson(), j);
  // Lenient writers' numeric summary values are kept as text.
  j["summary"]["added-records"] = 7;
  ASSERT_OK_AND_ASSIGN(back, Snapshot::FromJson(j));
  EXPECT_EQ(back.summary.at("added-records"), "7");
}

TEST(TableMetadataTest, NewUuidIsRandomVersion4) {
  std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    EXPECT_TRUE(std::regex_match(u, re)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TableMetadataTest, NewSnapshotIdIsPositiveBelow2To53) {
  std::set<int64_t> seen;
  bool high = false;
  for (int i = 0; i < 1000; ++i) {
    int64_t id = NewSnapshotId();
    EXPECT_GT(id, 0);
    EXPECT_LT(id, int64_t{1} << 53);
    high |= id > (int64_t{1} << 50);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(high);  // uses the whole range
}

TEST(TableMetadataTest, MetadataFileNames) {
  std::string name = MetadataFileName(7);
  EXPECT_TRUE(std::regex_match(name, std::regex("^00007-[0-9a-f-]{36}\\.metadata\\.json$")))
      << name;
  EXPECT_EQ(MetadataFileName(123456).substr(0, 7), "123456-");
  EXPECT_EQ(ParseMetadataVersion(name), 7);
  EXPECT_EQ(ParseMetadataVersion("file:///w/t/metadata/" + name), 7);
  EXPECT_EQ(ParseMetadataVersion("/w/t/metadata/00012-abc.gz.metadata.json"), 12);
  EXPECT_EQ(ParseMetadataVersion("/w/t/metadata/v3.metadata.json"), 3);
  EXPECT_EQ(ParseMetadataVersion("/w/t/metadata/00012-abc.json"), -1);
  EXPECT_EQ(ParseMetadataVersion("/w/t/metadata/abc-def.metadata.json"), -1);
  EXPECT_EQ(ParseMetadataVersion("/w/00012-x.metadata.json/other"), -1);
  EXPECT_EQ(ParseMetadataVersion(".metadata.json"), -1);
  EXPECT_EQ(ParseMetadataVersion(""), -1);
}

}  // namespace
}  // namespace ldp::iceberg
