#include "ldp/pipeline/cron.h"

#include "ldp/core/clock.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::pipeline {
namespace {

// UTC seconds of a UTC wall time.
int64_t Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

std::shared_ptr<const TimeZone> Zone(const std::string& name) {
  auto tz = TimeZone::Load(name);
  EXPECT_TRUE(tz.ok()) << tz.status().ToString();
  return tz.ok() ? *tz : TimeZone::Utc();
}

int64_t Next(const std::string& cron, int64_t after, const TimeZone& tz) {
  auto c = CronSchedule::Parse(cron);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return -1;
  auto n = c->Next(after, tz);
  EXPECT_TRUE(n.has_value());
  return n.value_or(-1);
}

TEST(CronTest, ListsRangesStepsAndNames) {
  auto utc = TimeZone::Utc();
  // Monday 2024-01-01 00:00 UTC.
  int64_t t = Utc(2024, 1, 1);
  EXPECT_EQ(Next("*/15 * * * *", t, *utc), Utc(2024, 1, 1, 0, 15));
  EXPECT_EQ(Next("5,35 9-17/4 * * *", t, *utc), Utc(2024, 1, 1, 9, 5));
  EXPECT_EQ(Next("5,35 9-17/4 * * *", Utc(2024, 1, 1, 9, 5), *utc), Utc(2024, 1, 1, 9, 35));
  EXPECT_EQ(Next("5,35 9-17/4 * * *", Utc(2024, 1, 1, 9, 35), *utc), Utc(2024, 1, 1, 13, 5));
  EXPECT_EQ(Next("0 6 * * sat", t, *utc), Utc(2024, 1, 6, 6));
  EXPECT_EQ(Next("0 0 1 mar *", t, *utc), Utc(2024, 3, 1));
  EXPECT_EQ(Next("0 0 29 2 *", t, *utc), Utc(2024, 2, 29));
  EXPECT_EQ(Next("0 0 29 2 *", Utc(2024, 2, 29), *utc), Utc(2028, 2, 29));
  EXPECT_EQ(Next("0 12 * * 7", t, *utc), Utc(2024, 1, 7, 12));  // 7 = Sunday too
}

TEST(CronTest, Macros) {
  auto utc = TimeZone::Utc();
  int64_t t = Utc(2024, 5, 15, 10, 30);
  EXPECT_EQ(Next("@hourly", t, *utc), Utc(2024, 5, 15, 11));
  EXPECT_EQ(Next("@daily", t, *utc), Utc(2024, 5, 16));
  EXPECT_EQ(Next("@weekly", t, *utc), Utc(2024, 5, 19));  // Sunday
  EXPECT_EQ(Next("@monthly", t, *utc), Utc(2024, 6, 1));
  EXPECT_EQ(Next("@yearly", t, *utc), Utc(2025, 1, 1));
}

TEST(CronTest, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  auto utc = TimeZone::Utc();
  // The 13th or any Friday: after Mon 2024-09-02 the first is Friday the 6th.
  EXPECT_EQ(Next("0 0 13 * 5", Utc(2024, 9, 2), *utc), Utc(2024, 9, 6));
  EXPECT_EQ(Next("0 0 13 * 5", Utc(2024, 9, 6), *utc), Utc(2024, 9, 13));
  // Only day-of-week restricted: it alone decides.
  EXPECT_EQ(Next("0 0 * * 5", Utc(2024, 9, 6), *utc), Utc(2024, 9, 13));
}

TEST(CronTest, ErrorsNameTheField) {
  auto expect_error = [](const std::string& cron, const std::string& needle) {
    auto c = CronSchedule::Parse(cron);
    ASSERT_FALSE(c.ok()) << cron;
    EXPECT_THAT(c.status().message(), ::testing::HasSubstr(needle)) << cron;
  };
  expect_error("61 * * * *", "minute");
  expect_error("* 24 * * *", "hour");
  expect_error("* * 0 * *", "day-of-month");
  expect_error("* * * 13 *", "month");
  expect_error("* * * * 8", "day-of-week");
  expect_error("* * * *", "expected 5 fields");
  expect_error("*/0 * * * *", "step");
  expect_error("5-1 * * * *", "backwards");
  expect_error("@fortnightly", "unknown macro");
  expect_error("x * * * *", "minute");
}

TEST(CronTest, NeverFiringScheduleHasNoNext) {
  auto c = CronSchedule::Parse("0 0 31 2 *");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->Next(Utc(2024, 1, 1), *TimeZone::Utc()).has_value());
}

// America/New_York 2024: clocks go 02:00 EST -> 03:00 EDT on March 10 and 02:00 EDT -> 01:00 EST
// on November 3.
TEST(CronDstTest, NewYorkSpringForwardRunsSkippedTimeAtNextValidTime) {
  auto ny = Zone("America/New_York");
  // 02:30 does not exist on March 10: it fires at 03:00 EDT (07:00 UTC), once.
  int64_t first = Next("30 2 * * *", Utc(2024, 3, 9, 12), *ny);
  EXPECT_EQ(first, Utc(2024, 3, 10, 7));
  EXPECT_EQ(ny->FormatIso(first), "2024-03-10T03:00:00-04:00");
  // Then back to 02:30 EDT the day after.
  EXPECT_EQ(Next("30 2 * * *", first, *ny), Utc(2024, 3, 11, 6, 30));
  // Every 15 minutes: 01:45 EST, then the gap's times coalesce into one firing at 03:00 EDT.
  int64_t t = Next("*/15 * * * *", Utc(2024, 3, 10, 6, 30), *ny);  // 01:30 EST
  EXPECT_EQ(t, Utc(2024, 3, 10, 6, 45));
  t = Next("*/15 * * * *", t, *ny);
  EXPECT_EQ(t, Utc(2024, 3, 10, 7, 0));  // 03:00 EDT
  t = Next("*/15 * * * *", t, *ny);
  EXPECT_EQ(t, Utc(2024, 3, 10, 7, 15));  // 03:15 EDT
}

TEST(CronDstTest, NewYorkFallBackRunsRepeatedTimeOnce) {
  auto ny = Zone("America/New_York");
  // 01:30 happens twice on November 3; it fires at the first (EDT, 05:30 UTC) only.
  int64_t first = Next("30 1 * * *", Utc(2024, 11, 2, 12), *ny);
  EXPECT_EQ(first, Utc(2024, 11, 3, 5, 30));
  EXPECT_EQ(ny->FormatIso(first), "2024-11-03T01:30:00-04:00");
  EXPECT_EQ(Next("30 1 * * *", first, *ny), Utc(2024, 11, 4, 6, 30));
  // Hourly: 01:00 EDT, then 02:00 EST; 01:00 EST (06:00 UTC) is not a second run.
  int64_t h = Next("0 * * * *", Utc(2024, 11, 3, 4, 30), *ny);
  EXPECT_EQ(h, Utc(2024, 11, 3, 5));
  EXPECT_EQ(Next("0 * * * *", h, *ny), Utc(2024, 11, 3, 7));
  // A time later than the repeated hour is not affected.
  EXPECT_EQ(Next("0 9 * * *", Utc(2024, 11, 2, 14), *ny), Utc(2024, 11, 3, 14));
}

// Europe/Berlin 2024: 02:00 CET -> 03:00 CEST on March 31 (01:00 UTC); 03:00 CEST -> 02:00 CET on
// October 27 (01:00 UTC).
TEST(CronDstTest, BerlinTransitions) {
  auto berlin = Zone("Europe/Berlin");
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 30, 12), *berlin), Utc(2024, 3, 31, 1));  // 03:00 CEST
  EXPECT_EQ(Next("30 2 * * *", Utc(2024, 3, 31, 1), *berlin), Utc(2024, 4, 1, 0, 30));
  int64_t fold = Next("30 2 * * *", Utc(2024, 10, 26, 12), *berlin);
  EXPECT_EQ(fold, Utc(2024, 10, 27, 0, 30));  // 02:30 CEST, the first of the two
  EXPECT_EQ(Next("30 2 * * *", fold, *berlin), Utc(2024, 10, 28, 1, 30));  // 02:30 CET next day
  // A daily run at midnight keeps local midnight across the change: a 23-hour interval.
  int64_t d1 = Next("@daily", Utc(2024, 3, 30, 12), *berlin);
  int64_t d2 = Next("@daily", d1, *berlin);
  EXPECT_EQ(d1, Utc(2024, 3, 30, 23));
  EXPECT_EQ(d2 - d1, 23 * 3600);
}

TEST(CronDstTest, ScheduleDrivenByFakeClock) {
  // A scheduler loop asks for the next fire time after "now" and sleeps until then; with a fake
  // clock the whole spring-forward day in New York runs without waiting.
  auto ny = Zone("America/New_York");
  auto cron = CronSchedule::Parse("0 */1 * * *");
  ASSERT_TRUE(cron.ok());
  testing::FakeClock clock(static_cast<double>(Utc(2024, 3, 10, 5)));  // 00:00 EST
  std::vector<std::string> fired;
  for (int i = 0; i < 4; ++i) {
    auto next = cron->Next(static_cast<int64_t>(clock.Now()), *ny);
    ASSERT_TRUE(next);
    clock.SleepFor(static_cast<double>(*next) - clock.Now());
    fired.push_back(ny->FormatIso(static_cast<int64_t>(clock.Now())));
  }
  EXPECT_EQ(fired, (std::vector<std::string>{"2024-03-10T01:00:00-05:00", "2024-03-10T03:00:00-04:00",
                                             "2024-03-10T04:00:00-04:00", "2024-03-10T05:00:00-04:00"}));
  EXPECT_EQ(clock.sleeps()[1], 3600);  // 01:00 EST to 03:00 EDT is one real hour
}

TEST(TimeZoneTest, UnknownZoneIsNotFound) {
  auto tz = TimeZone::Load("Mars/Olympus_Mons");
  ASSERT_FALSE(tz.ok());
  EXPECT_EQ(tz.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(TimeZone::Load("../etc/passwd").ok());
}

TEST(TimeZoneTest, FromWallGapAndFold) {
  auto ny = Zone("America/New_York");
  int64_t gap = CivilTime{2024, 3, 10, 2, 30, 0}.WallSeconds();
  EXPECT_TRUE(ny->FromWall(gap).empty());
  EXPECT_EQ(ny->FirstInstantAfterWall(gap), Utc(2024, 3, 10, 7));
  int64_t fold = CivilTime{2024, 11, 3, 1, 30, 0}.WallSeconds();
  EXPECT_EQ(ny->FromWall(fold), (std::vector<int64_t>{Utc(2024, 11, 3, 5, 30), Utc(2024, 11, 3, 6, 30)}));
  EXPECT_EQ(ny->FromWall(CivilTime{2024, 7, 1, 12, 0, 0}.WallSeconds()), (std::vector<int64_t>{Utc(2024, 7, 1, 16)}));
}

}  // namespace
}  // namespace ldp::pipeline
