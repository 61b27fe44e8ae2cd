#include "ldp/services/snapshots.h"

#include "ldp/iceberg/refs.h"
#include "testing/temp_dir.h"

namespace ldp::services {
namespace {

TEST(TimeParsingTest, Timestamps) {
  ASSERT_OK_AND_ASSIGN(int64_t a, ParseTimestampMs("2023-01-15"));
  EXPECT_EQ(a, 1673740800000);
  ASSERT_OK_AND_ASSIGN(int64_t b, ParseTimestampMs("2023-01-15 10:30:05.250"));
  EXPECT_EQ(b, 1673740800000 + (10 * 3600 + 30 * 60 + 5) * 1000LL + 250);
  ASSERT_OK_AND_ASSIGN(int64_t c, ParseTimestampMs("2023-01-15T10:30:05.25Z"));
  EXPECT_EQ(c, b);
  ASSERT_OK_AND_ASSIGN(int64_t d, ParseTimestampMs("2023-01-15T12:30:05.25+02:00"));
  EXPECT_EQ(d, b);
  ASSERT_OK_AND_ASSIGN(int64_t e, ParseTimestampMs("2023-01-15 10:30"));
  EXPECT_EQ(e, 1673740800000 + (10 * 3600 + 30 * 60) * 1000LL);
  for (const char* bad : {"", "yesterday", "2023-02-30", "2023-13-01", "2023-01-15 25:00", "2023-01-15x", "123"}) {
    auto r = ParseTimestampMs(bad);
    EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument)) << bad;
  }
}

TEST(TimeParsingTest, DurationsAndCutoffs) {
  EXPECT_EQ(*ParseDurationMs("3d"), 3 * 86400000LL);
  EXPECT_EQ(*ParseDurationMs("3"), 3 * 86400000LL);
  EXPECT_EQ(*ParseDurationMs("12h"), 12 * 3600000LL);
  EXPECT_EQ(*ParseDurationMs("90m"), 90 * 60000LL);
  EXPECT_EQ(*ParseDurationMs("2w"), 14 * 86400000LL);
  EXPECT_THAT(ParseDurationMs("3y"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseDurationMs("d"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_EQ(*ParseCutoffMs("1d", 100 * 86400000LL), 99 * 86400000LL);
  EXPECT_EQ(*ParseCutoffMs("2023-01-15", 0), 1673740800000);
  EXPECT_THAT(ParseCutoffMs("soon", 0), IsError(ErrorCode::kInvalidArgument));
}

TEST(TimeTravelTest, SuffixSplitsAtTheFirstAt) {
  EXPECT_EQ(SplitTravelSuffix("trips"), (std::pair<std::string, std::string>{"trips", ""}));
  EXPECT_EQ(SplitTravelSuffix("trips@v1"), (std::pair<std::string, std::string>{"trips", "v1"}));
  EXPECT_EQ(SplitTravelSuffix("trips@2023-01-01 10:00:00"),
            (std::pair<std::string, std::string>{"trips", "2023-01-01 10:00:00"}));
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = std::make_shared<iceberg::Schema>(
        0, std::vector<iceberg::NestedField>{{1, "id", false, iceberg::Type::Primitive(iceberg::TypeId::kLong), ""}});
    m_ = iceberg::TableMetadata::NewTable("file:///t", schema, iceberg::PartitionSpec{}, {}, 0);
    int64_t parent = 0;
    for (int i = 1; i <= 3; ++i) {
      iceberg::Snapshot s;
      s.snapshot_id = 100 + i;
      if (parent) s.parent_snapshot_id = parent;
      s.sequence_number = i;
      s.timestamp_ms = kT0 + i * 1000;
      s.manifest_list = "file:///t/metadata/snap.avro";
      m_->snapshots.push_back(s);
      iceberg::SnapshotRef r;
      r.snapshot_id = s.snapshot_id;
      iceberg::SetRef(m_.get(), iceberg::kMainBranch, r, s.timestamp_ms);
      m_->last_sequence_number = i;
      parent = s.snapshot_id;
    }
    iceberg::SnapshotRef tag;
    tag.snapshot_id = 101;
    tag.type = "tag";
    m_->refs["v1"] = tag;
  }
  static constexpr int64_t kT0 = 1673740800000;  // 2023-01-15 00:00:00Z
  std::shared_ptr<iceberg::TableMetadata> m_;
};

TEST_F(ResolveTest, RefsIdsAndTimes) {
  EXPECT_EQ((*ResolveSnapshot(*m_, "ns.t", "v1"))->snapshot_id, 101);
  EXPECT_EQ((*ResolveSnapshot(*m_, "ns.t", "main"))->snapshot_id, 103);
  EXPECT_EQ((*ResolveSnapshot(*m_, "ns.t", "102"))->snapshot_id, 102);
  // The snapshot current at a time: committed at or before it.
  EXPECT_EQ((*ResolveSnapshot(*m_, "ns.t", "2023-01-15 00:00:02"))->snapshot_id, 102);
  EXPECT_EQ((*ResolveSnapshot(*m_, "ns.t", "2023-01-15 00:00:02.999"))->snapshot_id, 102);
  EXPECT_EQ((*ResolveSnapshot(*m_, "ns.t", "2024-01-01"))->snapshot_id, 103);
}

TEST_F(ResolveTest, ClearErrors) {
  auto before = ResolveSnapshot(*m_, "ns.t", "2023-01-14");
  EXPECT_THAT(before, IsError(ErrorCode::kNotFound));
  EXPECT_THAT(before, HasMessage("no snapshot at 2023-01-14 00:00:00.000Z"));
  EXPECT_THAT(before, HasMessage("history starts at 2023-01-15 00:00:01.000Z"));
  EXPECT_THAT(ResolveSnapshot(*m_, "ns.t", "999"), HasMessage("table ns.t has no snapshot 999"));
  EXPECT_THAT(ResolveSnapshot(*m_, "ns.t", "audit"), HasMessage("no branch or tag 'audit'"));
  m_->snapshots.clear();
  m_->refs.clear();
  m_->current_snapshot_id.reset();
  EXPECT_THAT(ResolveSnapshot(*m_, "ns.t", "102"), HasMessage("has no snapshots yet"));
}

}  // namespace
}  // namespace ldp::services
