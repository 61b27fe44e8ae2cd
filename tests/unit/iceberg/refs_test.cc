#include "ldp/iceberg/refs.h"

#include "ldp/iceberg/maintenance.h"
#include "testing/temp_dir.h"

namespace ldp::iceberg {
namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kNow = 1000 * kDay;

// Metadata with snapshots given as {id, parent (0 = none), age in days}; main at `main_id`.
std::shared_ptr<TableMetadata> History(const std::vector<std::tuple<int64_t, int64_t, int64_t>>& snaps,
                                       int64_t main_id) {
  auto schema = std::make_shared<Schema>(0, std::vector<NestedField>{{1, "id", false, Type::Primitive(TypeId::kLong), ""}});
  auto m = TableMetadata::NewTable("file:///t", schema, PartitionSpec{}, {}, 0);
  int64_t seq = 0;
  for (const auto& [id, parent, age_days] : snaps) {
    Snapshot s;
    s.snapshot_id = id;
    if (parent) s.parent_snapshot_id = parent;
    s.sequence_number = ++seq;
    s.timestamp_ms = kNow - age_days * kDay;
    s.manifest_list = "file:///t/metadata/snap-" + std::to_string(id) + ".avro";
    m->snapshots.push_back(s);
    m->snapshot_log.push_back({s.timestamp_ms, id});
  }
  m->last_sequence_number = seq;
  m->current_snapshot_id = main_id;  // directly: the log above already has main's history
  m->refs[kMainBranch].snapshot_id = main_id;
  return m;
}

SnapshotRef Ref(int64_t id, const std::string& type) {
  SnapshotRef r;
  r.snapshot_id = id;
  r.type = type;
  return r;
}

std::vector<int64_t> Expired(const TableMetadata& m, RetentionOptions o) {
  o.now_ms = kNow;
  auto plan = PlanExpiry(m, o);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? plan->expired : std::vector<int64_t>{};
}

TEST(RefsTest, AncestryFollowsParentsAndStopsAtAMissingOne) {
  auto m = History({{1, 0, 9}, {2, 1, 8}, {3, 2, 7}, {4, 2, 6}}, 3);
  auto a = Ancestors(*m, 3);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]->snapshot_id, 3);
  EXPECT_EQ(a[2]->snapshot_id, 1);
  EXPECT_TRUE(IsAncestor(*m, 1, 3));
  EXPECT_TRUE(IsAncestor(*m, 3, 3));
  EXPECT_FALSE(IsAncestor(*m, 4, 3));  // a sibling, not an ancestor
  EXPECT_FALSE(IsAncestor(*m, 3, 1));
  m->snapshots.erase(m->snapshots.begin());  // snapshot 1 expired
  EXPECT_EQ(Ancestors(*m, 3).size(), 2u);
  EXPECT_TRUE(Ancestors(*m, 99).empty());
}

TEST(RefsTest, BranchHeadAndWritableBranches) {
  auto m = History({{1, 0, 3}, {2, 1, 2}}, 2);
  m->refs["audit"] = Ref(1, "branch");
  m->refs["v1"] = Ref(1, "tag");
  EXPECT_EQ(BranchHead(*m, "main")->snapshot_id, 2);
  EXPECT_EQ(BranchHead(*m, "audit")->snapshot_id, 1);
  EXPECT_EQ(BranchHead(*m, "v1"), nullptr);  // a tag is not a branch
  EXPECT_EQ(BranchHead(*m, "nope"), nullptr);
  EXPECT_OK(CheckWritableBranch(*m, "main"));
  EXPECT_OK(CheckWritableBranch(*m, "audit"));
  EXPECT_EQ(CheckWritableBranch(*m, "v1").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CheckWritableBranch(*m, "nope").code(), ErrorCode::kNotFound);
}

TEST(RefsTest, MovingMainLogsItAndMovingABranchDoesNot) {
  auto m = History({{1, 0, 3}, {2, 1, 2}}, 2);
  size_t log = m->snapshot_log.size();
  SetRef(m.get(), "audit", Ref(1, "branch"), kNow);
  EXPECT_EQ(m->snapshot_log.size(), log);
  EXPECT_EQ(*m->current_snapshot_id, 2);
  SetRef(m.get(), "main", Ref(1, "branch"), kNow + 5);
  EXPECT_EQ(*m->current_snapshot_id, 1);
  ASSERT_EQ(m->snapshot_log.size(), log + 1);
  EXPECT_EQ(m->snapshot_log.back().snapshot_id, 1);
  EXPECT_EQ(m->snapshot_log.back().timestamp_ms, kNow + 5);
  EXPECT_OK(m->Validate());
  auto names = RefsAt(*m, 1);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "main");
  EXPECT_EQ(names[1], "audit");
}

TEST(RefsTest, RollbackTimeRulePicksTheLatestAncestorStrictlyBefore) {
  auto m = History({{1, 0, 3}, {2, 1, 2}, {3, 2, 1}}, 3);
  EXPECT_EQ(LatestMainAncestorBefore(*m, kNow - 2 * kDay)->snapshot_id, 1);  // 2 is not strictly before
  EXPECT_EQ(LatestMainAncestorBefore(*m, kNow - 2 * kDay + 1)->snapshot_id, 2);
  EXPECT_EQ(LatestMainAncestorBefore(*m, kNow - 3 * kDay), nullptr);
}

TEST(RefsTest, RefNames) {
  EXPECT_OK(ValidateRefName("audit-2026_01.x"));
  EXPECT_EQ(ValidateRefName("").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateRefName("12345").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateRefName("a@b").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateRefName("a b").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateRefName("a/b").code(), ErrorCode::kInvalidArgument);
}

// ---- expiry ----------------------------------------------------------------------------------

TEST(ExpiryTest, DefaultsKeepFiveDaysAndAtLeastOneSnapshot) {
  // 1 (10d) <- 2 (6d) <- 3 (4d) <- 4 (1d, main)
  auto m = History({{1, 0, 10}, {2, 1, 6}, {3, 2, 4}, {4, 3, 1}}, 4);
  EXPECT_EQ(Expired(*m, {}), (std::vector<int64_t>{1, 2}));
  // All old: the head stays anyway.
  auto old = History({{1, 0, 30}, {2, 1, 20}}, 2);
  EXPECT_EQ(Expired(*old, {}), (std::vector<int64_t>{1}));
}

TEST(ExpiryTest, OlderThanAndRetainLast) {
  auto m = History({{1, 0, 10}, {2, 1, 6}, {3, 2, 4}, {4, 3, 1}}, 4);
  RetentionOptions o;
  o.older_than_ms = kNow;  // everything is older than now
  EXPECT_EQ(Expired(*m, o), (std::vector<int64_t>{1, 2, 3}));
  o.retain_last = 3;
  EXPECT_EQ(Expired(*m, o), (std::vector<int64_t>{1}));
  o.retain_last = 10;
  EXPECT_TRUE(Expired(*m, o).empty());
  RetentionOptions keep_two_days;
  keep_two_days.older_than_ms = kNow - 5 * kDay;
  EXPECT_EQ(Expired(*m, keep_two_days), (std::vector<int64_t>{1, 2}));
}

TEST(ExpiryTest, TablePropertiesAreTheDefaults) {
  auto m = History({{1, 0, 10}, {2, 1, 6}, {3, 2, 4}, {4, 3, 1}}, 4);
  m->properties["history.expire.max-snapshot-age-ms"] = std::to_string(20 * kDay);
  EXPECT_TRUE(Expired(*m, {}).empty());
  m->properties["history.expire.max-snapshot-age-ms"] = "0";
  m->properties["history.expire.min-snapshots-to-keep"] = "2";
  EXPECT_EQ(Expired(*m, {}), (std::vector<int64_t>{1, 2}));
  m->properties["history.expire.min-snapshots-to-keep"] = "two";
  RetentionOptions o;
  o.now_ms = kNow;
  auto bad = PlanExpiry(*m, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("history.expire.min-snapshots-to-keep"), std::string::npos);
}

TEST(ExpiryTest, ABranchOrTagOnAnOldSnapshotKeepsIt) {
  // main: 1 <- 2 <- 3 <- 4; branch "audit" at 2 (with 5 <- on it), tag "v1" at 1. All old.
  auto m = History({{1, 0, 40}, {2, 1, 30}, {3, 2, 20}, {4, 3, 10}, {5, 2, 25}}, 4);
  m->refs["audit"] = Ref(5, "branch");
  m->refs["v1"] = Ref(1, "tag");
  RetentionOptions o;
  o.older_than_ms = kNow;
  // main keeps 4; audit keeps 5 (its head); v1 keeps 1. 2 and 3 go.
  EXPECT_EQ(Expired(*m, o), (std::vector<int64_t>{2, 3}));
  // The branch's own settings win over the defaults.
  m->refs["audit"].min_snapshots_to_keep = 2;
  EXPECT_EQ(Expired(*m, o), (std::vector<int64_t>{3}));
  m->refs["audit"].min_snapshots_to_keep.reset();
  m->refs["audit"].max_snapshot_age_ms = 35 * kDay;  // 5 (25d) and 2 (30d) are young enough
  EXPECT_EQ(Expired(*m, o), (std::vector<int64_t>{3}));
}

TEST(ExpiryTest, RefsPastTheirMaxAgeGoButMainNeverDoes) {
  auto m = History({{1, 0, 40}, {2, 1, 30}}, 2);
  m->refs["v1"] = Ref(1, "tag");
  m->refs["v1"].max_ref_age_ms = 35 * kDay;  // its snapshot is 40 days old
  m->refs["main"].max_ref_age_ms = kDay;      // ignored for main
  RetentionOptions o;
  o.now_ms = kNow;
  o.older_than_ms = kNow;
  auto plan = PlanExpiry(*m, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->removed_refs, (std::vector<std::string>{"v1"}));
  EXPECT_EQ(plan->expired, (std::vector<int64_t>{1}));
  auto next = ApplyExpiry(*m, *plan, kNow);
  EXPECT_EQ(next->refs.count("v1"), 0u);
  EXPECT_EQ(next->refs.count("main"), 1u);
  EXPECT_OK(next->Validate());
  // With a longer max age the tag keeps its snapshot.
  m->refs["v1"].max_ref_age_ms = 50 * kDay;
  EXPECT_TRUE(Expired(*m, o).empty());
}

TEST(ExpiryTest, SnapshotsOffEveryRefExpireByAgeOnly) {
  // main rolled back from 3 to 2: snapshot 3 is on no ref's history.
  auto m = History({{1, 0, 10}, {2, 1, 9}, {3, 2, 1}}, 2);
  EXPECT_EQ(Expired(*m, {}), (std::vector<int64_t>{1}));  // 3 is young
  RetentionOptions o;
  o.older_than_ms = kNow;
  EXPECT_EQ(Expired(*m, o), (std::vector<int64_t>{1, 3}));
}

TEST(ExpiryTest, SnapshotLogLosesTheHistoryBeforeAnExpiredSnapshot) {
  auto m = History({{1, 0, 10}, {2, 1, 9}, {3, 2, 1}}, 3);
  ExpiryPlan plan;
  plan.expired = {2};
  plan.retained = {1, 3};
  auto next = ApplyExpiry(*m, plan, kNow);
  ASSERT_EQ(next->snapshot_log.size(), 1u);
  EXPECT_EQ(next->snapshot_log[0].snapshot_id, 3);
  EXPECT_EQ(next->snapshots.size(), 2u);
  EXPECT_EQ(next->SnapshotAsOf(kNow - 5 * kDay), nullptr);  // before the remaining history
}

}  // namespace
}  // namespace ldp::iceberg
