#pragma once
// Cron schedules: 5 fields (minute hour day-of-month month day-of-week) with lists, ranges and
// steps, names for months and weekdays, and @hourly/@daily/@weekly/@monthly/@yearly (@annually,
// @midnight). Fire times are wall-clock times in a time zone.
//
// Daylight saving (docs/user-guide.md "Pipelines"):
// - a wall time that does not exist (spring forward) fires at the first instant after the gap,
//   e.g. 02:30 on 2024-03-10 in America/New_York fires at 03:00 EDT; several skipped times
//   coalesce into that one firing;
// - a wall time that happens twice (fall back) fires once, at its first occurrence.
// Day-of-month and day-of-week: when both are restricted a day matches either (Vixie cron).
//
// Thread-safety: immutable after Parse.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

#include "ldp/core/status.h"
#include "ldp/pipeline/timezone.h"

namespace ldp::pipeline {

class CronSchedule {
 public:
  /// InvalidArgument says which field is wrong and why.
  static Result<CronSchedule> Parse(const std::string& text);

  /// The first fire time strictly after `utc` (seconds), in zone `tz`; nullopt when there is none
  /// within ten years (e.g. "0 0 31 2 *").
  std::optional<int64_t> Next(int64_t utc, const TimeZone& tz) const;

  const std::string& text() const { return text_; }
  /// True when `wall` (wall-clock seconds, at a whole minute) matches every field.
  bool Matches(const CivilTime& c) const;

 private:
  bool DayMatches(int y, unsigned m, unsigned d) const;
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;
  std::bitset<13> months_;
  std::bitset<8> weekdays_;  ///< 0..6, Sunday = 0 (7 is folded into 0)
  bool dom_star_ = false, dow_star_ = false;
};

}  // namespace ldp::pipeline
