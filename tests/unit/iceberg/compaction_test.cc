// Compaction planning: candidate choice, first-fit-decreasing bins per partition, and which delete
// files stop applying once their data files are rewritten.

#include <gtest/gtest.h>

#include "ldp/iceberg/compaction.h"

namespace ldp::iceberg {
namespace {

constexpr int64_t kMiB = 1 << 20;

CompactionInput File(int64_t mib, std::vector<PartitionValue> partition = {}, bool deletes = false, int32_t spec = 0) {
  return CompactionInput{spec, std::move(partition), mib * kMiB, deletes};
}

TEST(CompactionRulesTest, MinSizeIsThreeQuartersOfTarget) {
  EXPECT_EQ(RulesForTarget(128 * kMiB).min_size, 96 * kMiB);
  EXPECT_EQ(RulesForTarget(kDefaultTargetFileSize).min_size, 384 * kMiB);
  EXPECT_EQ(RulesForTarget(4).min_size, 3);
  EXPECT_EQ(RulesForTarget(1).min_size, 0);
}

TEST(PlanCompactionTest, SmallFilesOfOnePartitionGoTogether) {
  std::vector<CompactionInput> files = {File(10), File(20), File(30)};
  auto bins = PlanCompaction(files, RulesForTarget(128 * kMiB));
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_EQ(bins[0].files, (std::vector<size_t>{2, 1, 0}));  // largest first
  EXPECT_EQ(bins[0].bytes, 60 * kMiB);
  EXPECT_FALSE(bins[0].has_deletes);
}

TEST(PlanCompactionTest, LargeFilesAreNotCandidates) {
  // 100 MiB >= 96 MiB (75% of 128): left alone; the two small ones are packed.
  std::vector<CompactionInput> files = {File(100), File(5), File(6)};
  auto bins = PlanCompaction(files, RulesForTarget(128 * kMiB));
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_EQ(bins[0].files, (std::vector<size_t>{2, 1}));
}

TEST(PlanCompactionTest, ALoneSmallFileWithoutDeletesIsLeftAlone) {
  std::vector<CompactionInput> files = {File(5), File(100)};
  EXPECT_TRUE(PlanCompaction(files, RulesForTarget(128 * kMiB)).empty());
}

TEST(PlanCompactionTest, AFileWithDeletesIsRewrittenEvenAloneAndEvenLarge) {
  std::vector<CompactionInput> files = {File(5, {}, true), File(200, {int32_t{1}}, true)};
  auto bins = PlanCompaction(files, RulesForTarget(128 * kMiB));
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].files, std::vector<size_t>{0});
  EXPECT_TRUE(bins[0].has_deletes);
  EXPECT_EQ(bins[1].files, std::vector<size_t>{1});
}

TEST(PlanCompactionTest, FirstFitDecreasingRespectsTheTarget) {
  // 70+50 > 100: a second bin; 40 fits next to 50; 30 next to 70; 20 fits nowhere (100, 90+20).
  std::vector<CompactionInput> files = {File(30), File(70), File(20), File(50), File(40)};
  CompactionRules rules{100 * kMiB, 75 * kMiB};
  auto bins = PlanCompaction(files, rules);
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].files, (std::vector<size_t>{1, 0}));      // 70 + 30
  EXPECT_EQ(bins[1].files, (std::vector<size_t>{3, 4}));      // 50 + 40
  // 20 is alone in a third bin without deletes: dropped.
  for (const auto& b : bins) EXPECT_LE(b.bytes, rules.target_size);
}

TEST(PlanCompactionTest, PartitionsAndSpecsAreNeverMixed) {
  std::vector<CompactionInput> files = {
      File(1, {int32_t{1}}), File(1, {int32_t{2}}), File(1, {int32_t{1}}), File(1, {int32_t{2}}),
      File(1, {int32_t{1}}, false, 1),  // same tuple, older spec: alone, left alone
      File(1, {std::monostate{}}), File(1, {std::monostate{}}),  // the null partition
  };
  auto bins = PlanCompaction(files, RulesForTarget(128 * kMiB));
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins[0].files, (std::vector<size_t>{0, 2}));
  EXPECT_EQ(bins[0].partition, std::vector<PartitionValue>{int32_t{1}});
  EXPECT_EQ(bins[1].files, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(bins[2].files, (std::vector<size_t>{5, 6}));
  for (const auto& b : bins) EXPECT_EQ(b.spec_id, 0);
}

class UnneededDeletesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = std::make_shared<Schema>(
        0, std::vector<NestedField>{{1, "id", false, Type::Primitive(TypeId::kLong), ""},
                                    {2, "day", false, Type::Primitive(TypeId::kInt), ""}});
    md_ = TableMetadata::NewTable("file:///t", schema, PartitionSpec{}, {}, 0);
    PartitionSpec by_day;
    by_day.spec_id = 1;
    by_day.fields = {{2, 1000, "day", "identity"}};
    md_->partition_specs.push_back(by_day);
  }

  static DataFile Data(const std::string& path, std::vector<PartitionValue> partition = {}) {
    DataFile f;
    f.file_path = path;
    f.partition = std::move(partition);
    return f;
  }
  static DeleteFileInfo Del(FileContent content, int64_t seq, int32_t spec, std::vector<PartitionValue> partition,
                            std::optional<std::string> referenced = std::nullopt) {
    DeleteFileInfo d;
    d.file.content = content;
    d.file.file_path = "file:///t/data/del-" + std::to_string(seq) + ".parquet";
    d.file.partition = std::move(partition);
    d.file.referenced_data_file = std::move(referenced);
    if (content == FileContent::kEqualityDeletes) d.file.equality_ids = {1};
    d.sequence_number = seq;
    d.spec_id = spec;
    return d;
  }

  std::shared_ptr<TableMetadata> md_;
};

TEST_F(UnneededDeletesTest, PositionDeleteGoesWithTheFileItNames) {
  DataFile a = Data("file:///t/data/a.parquet"), b = Data("file:///t/data/b.parquet");
  std::vector<DeleteFileInfo> dels = {Del(FileContent::kPositionDeletes, 3, 0, {}, a.file_path),
                                      Del(FileContent::kPositionDeletes, 4, 0, {}, b.file_path)};
  // a is rewritten: only b remains.
  auto out = UnneededDeletes(*md_, dels, {{&b, 0, 1}});
  EXPECT_EQ(out, std::vector<size_t>{0});
  // Nothing remains: both go.
  EXPECT_EQ(UnneededDeletes(*md_, dels, {}), (std::vector<size_t>{0, 1}));
}

TEST_F(UnneededDeletesTest, EqualityDeleteStaysWhileAnOlderFileOfItsPartitionRemains) {
  DataFile d1 = Data("file:///t/data/day=1/x.parquet", {int32_t{1}});
  DataFile d2 = Data("file:///t/data/day=2/y.parquet", {int32_t{2}});
  std::vector<DeleteFileInfo> dels = {Del(FileContent::kEqualityDeletes, 5, 1, {int32_t{1}})};
  // Older file of day 1 remains: the delete still applies.
  EXPECT_TRUE(UnneededDeletes(*md_, dels, {{&d1, 1, 4}, {&d2, 1, 2}}).empty());
  // day 1's file is newer than the delete (seq 5 is not < 5): it does not apply.
  EXPECT_EQ(UnneededDeletes(*md_, dels, {{&d1, 1, 5}, {&d2, 1, 2}}), std::vector<size_t>{0});
  // Only another partition remains.
  EXPECT_EQ(UnneededDeletes(*md_, dels, {{&d2, 1, 2}}), std::vector<size_t>{0});
}

TEST_F(UnneededDeletesTest, GlobalEqualityDeleteStaysWhileAnyOlderFileRemains) {
  DataFile d2 = Data("file:///t/data/day=2/y.parquet", {int32_t{2}});
  std::vector<DeleteFileInfo> dels = {Del(FileContent::kEqualityDeletes, 5, 0, {})};
  EXPECT_TRUE(UnneededDeletes(*md_, dels, {{&d2, 1, 3}}).empty());
  EXPECT_EQ(UnneededDeletes(*md_, dels, {{&d2, 1, 6}}), std::vector<size_t>{0});
}

}  // namespace
}  // namespace ldp::iceberg
