#include "ldp/iceberg/table_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ldp/iceberg/refs.h"
#include "ldp/iceberg/table_changes.h"
#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

using nlohmann::json;

SchemaPtr Schema2(int32_t id) {
  NestedField a{1, "id", true, Type::Primitive(TypeId::kLong), ""};
  NestedField b{2, "ts", false, Type::Primitive(TypeId::kTimestampTz), ""};
  return std::make_shared<const Schema>(id, std::vector<NestedField>{a, b});
}

SchemaPtr Schema3(int32_t id) {
  NestedField a{1, "id", true, Type::Primitive(TypeId::kLong), ""};
  NestedField b{2, "ts", false, Type::Primitive(TypeId::kTimestampTz), ""};
  NestedField c{3, "note", false, Type::Primitive(TypeId::kString), ""};
  return std::make_shared<const Schema>(id, std::vector<NestedField>{a, b, c});
}

/// Appends a snapshot on `branch` the way ldp's writers do (next sequence number, ref moved).
void Append(TableMetadata* m, int64_t id, const std::string& branch = "main") {
  Snapshot s;
  s.snapshot_id = id;
  auto it = m->refs.find(branch);
  if (it != m->refs.end()) s.parent_snapshot_id = it->second.snapshot_id;
  s.sequence_number = m->last_sequence_number + 1;
  s.timestamp_ms = 1000 + id;
  s.manifest_list = "file:///t/metadata/snap-" + std::to_string(id) + ".avro";
  s.summary = {{"operation", "append"}};
  s.schema_id = m->current_schema_id;
  m->last_sequence_number = s.sequence_number;
  m->snapshots.push_back(s);
  SnapshotRef ref;
  ref.snapshot_id = id;
  SetRef(m, branch, ref, s.timestamp_ms);
}

/// What a server that applies the diff to `base` ends with, compared with `next` on everything a
/// commit decides (the logs and timestamps are the server's).
void ExpectRoundTrip(const TableMetadata& base, const TableMetadata& next) {
  ASSERT_OK_AND_ASSIGN(MetadataDiff diff, DiffMetadata(base, next));
  ASSERT_OK(CheckChangeShapes(diff.requirements, diff.updates));
  ASSERT_OK(CheckRequirements(diff.requirements, &base));
  ASSERT_OK_AND_ASSIGN(auto applied, ApplyUpdates(&base, diff.updates, "", 99999));
  json a = applied->ToJson();
  json n = next.ToJson();
  for (const char* k : {"last-updated-ms", "snapshot-log", "metadata-log"}) {
    a.erase(k);
    n.erase(k);
  }
  EXPECT_EQ(a.dump(2), n.dump(2)) << "updates: " << diff.updates.dump(2);
}

class TableDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = TableMetadata::NewTable("file:///t", Schema2(0), PartitionSpec{}, {{"a", "1"}}, 1);
    Append(base_.get(), 11);
  }
  std::shared_ptr<TableMetadata> Copy() const { return std::make_shared<TableMetadata>(*base_); }
  std::shared_ptr<TableMetadata> base_;
};

TEST_F(TableDiffTest, AppendAssertsTheBranchAndAddsTheSnapshot) {
  auto next = Copy();
  Append(next.get(), 12);
  ASSERT_OK_AND_ASSIGN(MetadataDiff diff, DiffMetadata(*base_, *next));
  EXPECT_EQ(diff.requirements,
            json::parse(R"([{"type":"assert-table-uuid","uuid":")" + base_->table_uuid +
                        R"("},{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":11}])"));
  ASSERT_EQ(diff.updates.size(), 2u);
  EXPECT_EQ(diff.updates[0]["action"], "add-snapshot");
  EXPECT_EQ(diff.updates[0]["snapshot"]["snapshot-id"], 12);
  EXPECT_EQ(diff.updates[1],
            json::parse(R"({"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":12})"));
  ExpectRoundTrip(*base_, *next);

  // Once another writer has appended, the same commit's requirements fail: a 409, retried.
  auto moved = Copy();
  Append(moved.get(), 13);
  Status st = CheckRequirements(diff.requirements, moved.get());
  EXPECT_THAT(st, IsError(ErrorCode::kCommitFailed));
}

TEST_F(TableDiffTest, FirstSnapshotOfAnEmptyTableAssertsNoMain) {
  auto empty = TableMetadata::NewTable("file:///t", Schema2(0), PartitionSpec{}, {}, 1);
  auto next = std::make_shared<TableMetadata>(*empty);
  Append(next.get(), 5);
  ASSERT_OK_AND_ASSIGN(MetadataDiff diff, DiffMetadata(*empty, *next));
  EXPECT_EQ(diff.requirements[1],
            json::parse(R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null})"));
  ExpectRoundTrip(*empty, *next);
}

TEST_F(TableDiffTest, SchemaEvolutionWithAnAppend) {
  auto next = Copy();
  next->schemas.push_back(Schema3(1));
  next->current_schema_id = 1;
  next->last_column_id = 3;
  Append(next.get(), 12);
  ASSERT_OK_AND_ASSIGN(MetadataDiff diff, DiffMetadata(*base_, *next));
  EXPECT_EQ(diff.updates[0]["action"], "add-schema");
  EXPECT_EQ(diff.updates[1], json::parse(R"({"action":"set-current-schema","schema-id":-1})"));
  EXPECT_TRUE(diff.requirements.dump().find("assert-current-schema-id") != std::string::npos);
  EXPECT_TRUE(diff.requirements.dump().find("assert-last-assigned-field-id") != std::string::npos);
  ExpectRoundTrip(*base_, *next);
}

TEST_F(TableDiffTest, SpecSortOrderPropertiesAndLocation) {
  auto next = Copy();
  PartitionSpec day;
  day.spec_id = 1;
  day.fields.push_back({2, 1000, "ts_day", "day"});
  next->partition_specs.push_back(day);
  next->default_spec_id = 1;
  next->last_partition_id = 1000;
  SortOrder order;
  order.order_id = 1;
  order.fields.push_back(SortField{"identity", 1, "desc", "nulls-last"});
  next->sort_orders.push_back(order);
  next->default_sort_order_id = 1;
  next->properties.erase("a");
  next->properties["b"] = "2";
  next->location = "file:///elsewhere";
  ASSERT_OK_AND_ASSIGN(MetadataDiff diff, DiffMetadata(*base_, *next));
  std::string reqs = diff.requirements.dump();
  EXPECT_NE(reqs.find("assert-default-spec-id"), std::string::npos);
  EXPECT_NE(reqs.find("assert-last-assigned-partition-id"), std::string::npos);
  EXPECT_NE(reqs.find("assert-default-sort-order-id"), std::string::npos);
  EXPECT_EQ(reqs.find("assert-ref-snapshot-id"), std::string::npos);  // no snapshot change
  ExpectRoundTrip(*base_, *next);
}

TEST_F(TableDiffTest, BranchTagExpireAndRollback) {
  auto next = Copy();
  Append(next.get(), 12);
  Append(next.get(), 13, "dev");  // a branch created by a write
  SnapshotRef tag;
  tag.snapshot_id = 11;
  tag.type = "tag";
  tag.max_ref_age_ms = 5000;
  next->refs["v1"] = tag;
  ExpectRoundTrip(*base_, *next);

  // Expire 11 (the tag goes first), drop dev, roll main back to 12's parent... then forward.
  auto later = std::make_shared<TableMetadata>(*next);
  later->refs.erase("v1");
  later->refs.erase("dev");
  std::erase_if(later->snapshots, [](const Snapshot& s) { return s.snapshot_id == 11 || s.snapshot_id == 13; });
  ASSERT_OK_AND_ASSIGN(MetadataDiff diff, DiffMetadata(*next, *later));
  std::string ups = diff.updates.dump();
  EXPECT_NE(ups.find("remove-snapshot-ref"), std::string::npos);
  EXPECT_NE(ups.find("remove-snapshots"), std::string::npos);
  ExpectRoundTrip(*next, *later);
}

TEST_F(TableDiffTest, AnotherTableIsRefused) {
  auto other = TableMetadata::NewTable("file:///t", Schema2(0), PartitionSpec{}, {}, 1);
  EXPECT_THAT(DiffMetadata(*base_, *other), IsError(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ldp::iceberg
