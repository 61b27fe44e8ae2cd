// Which delete files apply to which data files (spec "Scan Planning"), and FilterPlan keeping the
// deletes of the files it keeps.

#include <gtest/gtest.h>

#include "ldp/iceberg/scan.h"

namespace ldp::iceberg {
namespace {

class DeleteAppliesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = std::make_shared<Schema>(
        0, std::vector<NestedField>{{1, "id", false, Type::Primitive(TypeId::kLong), ""},
                                    {2, "day", false, Type::Primitive(TypeId::kInt), ""}});
    PartitionSpec spec;
    spec.spec_id = 0;
    md_ = TableMetadata::NewTable("file:///t", schema, spec, {}, 0);
    PartitionSpec by_day;
    by_day.spec_id = 1;
    by_day.fields = {{2, 1000, "day", "identity"}};
    md_->partition_specs.push_back(by_day);
  }

  DataFile Data(const std::string& path, std::vector<PartitionValue> partition = {}) {
    DataFile f;
    f.file_path = path;
    f.partition = std::move(partition);
    return f;
  }

  DeleteFileInfo Pos(int64_t seq, int32_t spec_id = 0, std::vector<PartitionValue> partition = {}) {
    DeleteFileInfo d;
    d.file.content = FileContent::kPositionDeletes;
    d.file.file_path = "file:///t/data/del.parquet";
    d.file.partition = std::move(partition);
    d.sequence_number = seq;
    d.spec_id = spec_id;
    return d;
  }

  DeleteFileInfo Eq(int64_t seq, int32_t spec_id = 0, std::vector<PartitionValue> partition = {}) {
    DeleteFileInfo d = Pos(seq, spec_id, std::move(partition));
    d.file.content = FileContent::kEqualityDeletes;
    d.file.equality_ids = {1};
    return d;
  }

  std::shared_ptr<TableMetadata> md_;
};

TEST_F(DeleteAppliesTest, PositionDeletesApplyToOlderAndSameSequenceData) {
  DataFile a = Data("file:///t/data/a.parquet");
  EXPECT_TRUE(DeleteApplies(*md_, Pos(5), a, 0, 4));
  EXPECT_TRUE(DeleteApplies(*md_, Pos(5), a, 0, 5)) << "same commit: data seq == delete seq applies";
  EXPECT_FALSE(DeleteApplies(*md_, Pos(5), a, 0, 6));
}

TEST_F(DeleteAppliesTest, PositionDeletesNeedTheSamePartitionAndPath) {
  DataFile day1 = Data("file:///t/data/a.parquet", {int32_t{1}});
  EXPECT_TRUE(DeleteApplies(*md_, Pos(5, 1, {int32_t{1}}), day1, 1, 1));
  EXPECT_FALSE(DeleteApplies(*md_, Pos(5, 1, {int32_t{2}}), day1, 1, 1));
  EXPECT_FALSE(DeleteApplies(*md_, Pos(5, 0, {}), day1, 1, 1)) << "another spec";
  DeleteFileInfo named = Pos(5);
  named.file.referenced_data_file = "file:///t/data/b.parquet";
  EXPECT_FALSE(DeleteApplies(*md_, named, Data("file:///t/data/a.parquet"), 0, 1));
  EXPECT_TRUE(DeleteApplies(*md_, named, Data("file:///t/data/b.parquet"), 0, 1));
  DeleteFileInfo bounded = Pos(5);
  bounded.file.lower_bounds[kDeleteFilePathFieldId] = "file:///t/data/c";
  bounded.file.upper_bounds[kDeleteFilePathFieldId] = "file:///t/data/d.parquet";
  EXPECT_FALSE(DeleteApplies(*md_, bounded, Data("file:///t/data/a.parquet"), 0, 1));
  EXPECT_TRUE(DeleteApplies(*md_, bounded, Data("file:///t/data/c1.parquet"), 0, 1));
  EXPECT_FALSE(DeleteApplies(*md_, bounded, Data("file:///t/data/e.parquet"), 0, 1));
}

TEST_F(DeleteAppliesTest, EqualityDeletesApplyToStrictlyOlderDataOnly) {
  DataFile a = Data("file:///t/data/a.parquet");
  EXPECT_TRUE(DeleteApplies(*md_, Eq(5), a, 0, 4));
  EXPECT_FALSE(DeleteApplies(*md_, Eq(5), a, 0, 5));
  EXPECT_FALSE(DeleteApplies(*md_, Eq(5), a, 0, 6));
}

TEST_F(DeleteAppliesTest, UnpartitionedEqualityDeletesAreGlobal) {
  DataFile day1 = Data("file:///t/data/a.parquet", {int32_t{1}});
  EXPECT_TRUE(DeleteApplies(*md_, Eq(5, 0, {}), day1, 1, 1)) << "global delete (unpartitioned spec)";
  EXPECT_TRUE(DeleteApplies(*md_, Eq(5, 1, {int32_t{1}}), day1, 1, 1));
  EXPECT_FALSE(DeleteApplies(*md_, Eq(5, 1, {int32_t{2}}), day1, 1, 1));
}

TEST_F(DeleteAppliesTest, FilterPlanKeepsTheDeletesOfKeptFiles) {
  ScanPlan plan;
  plan.files = {Data("file:///t/data/a.parquet"), Data("file:///t/data/b.parquet")};
  plan.files[0].value_counts = {{1, 10}};
  plan.files[0].null_value_counts = {{1, 0}};
  plan.files[0].lower_bounds = {{1, std::string("\x01\0\0\0\0\0\0\0", 8)}};
  plan.files[0].upper_bounds = {{1, std::string("\x05\0\0\0\0\0\0\0", 8)}};
  plan.files[1].value_counts = {{1, 10}};
  plan.files[1].null_value_counts = {{1, 0}};
  plan.files[1].lower_bounds = {{1, std::string("\x10\0\0\0\0\0\0\0", 8)}};
  plan.files[1].upper_bounds = {{1, std::string("\x20\0\0\0\0\0\0\0", 8)}};
  plan.data_sequence_numbers = {1, 2};
  plan.delete_files = {Pos(3), Eq(3)};
  plan.file_deletes = {{0}, {1}};
  Literal twenty{TypeId::kLong, int64_t{20}};
  ScanPlan kept = FilterPlan(*md_, *md_->CurrentSchema(), plan, {{1, ColumnPredicate::Op::kGe, {twenty}}});
  ASSERT_EQ(kept.files.size(), 1u);
  EXPECT_EQ(kept.files[0].file_path, "file:///t/data/b.parquet");
  ASSERT_EQ(kept.delete_files.size(), 1u);
  EXPECT_EQ(kept.delete_files[0].file.content, FileContent::kEqualityDeletes);
  ASSERT_EQ(kept.file_deletes.size(), 1u);
  EXPECT_EQ(kept.file_deletes[0], std::vector<int32_t>{0});
}

}  // namespace
}  // namespace ldp::iceberg
