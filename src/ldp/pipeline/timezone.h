#pragma once
// Time zones from the system tz database (TZif files under /usr/share/zoneinfo, or $TZDIR), and
// the civil-date arithmetic the schedules need.
//
// Why hand-written: g++ 12's libstdc++ has no C++20 <chrono> time-zone database (get_tzdb arrived
// in GCC 14), and glibc's localtime_r/mktime work on one process-wide TZ setting. Reading a TZif
// file is a few dozen lines (RFC 8536): the 64-bit transition times and their offsets. Debian's
// tzdata ships "fat" files listing transitions up to 2037; later times keep the last offset.
//
// Thread-safety: a TimeZone is immutable after Load; safe to share.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::pipeline {

/// Seconds since 1970-01-01 for a proleptic Gregorian date (no time zone).
int64_t DaysFromCivil(int y, unsigned m, unsigned d);
/// Inverse of DaysFromCivil.
void CivilFromDays(int64_t days, int& y, unsigned& m, unsigned& d);
/// 0 = Sunday .. 6 = Saturday.
int WeekdayFromDays(int64_t days);
int DaysInMonth(int y, unsigned m);

/// A local wall-clock time, broken down.
struct CivilTime {
  int year = 1970;
  unsigned month = 1, day = 1;
  int hour = 0, minute = 0, second = 0;
  /// Seconds since 1970-01-01 00:00 in wall-clock terms (as if the zone were UTC).
  int64_t WallSeconds() const;
  static CivilTime FromWallSeconds(int64_t wall);
};

/// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or "YYYY-MM-DDTHH:MM[:SS]" (wall clock, no zone).
Result<CivilTime> ParseCivil(const std::string& text);

class TimeZone {
 public:
  /// "UTC" (and "Etc/UTC") without a file; other IANA names from the tz database. NotFound names
  /// a zone that has no file; InvalidArgument a file that is not TZif.
  static Result<std::shared_ptr<const TimeZone>> Load(const std::string& name);
  static std::shared_ptr<const TimeZone> Utc();

  const std::string& name() const { return name_; }
  /// UTC offset in seconds at the UTC instant `utc`.
  int32_t OffsetAt(int64_t utc) const;
  /// Wall-clock seconds at `utc`.
  int64_t ToWall(int64_t utc) const { return utc + OffsetAt(utc); }
  /// Every UTC instant whose wall time is `wall`: none in a spring-forward gap, two in a
  /// fall-back fold (earlier first), else one.
  std::vector<int64_t> FromWall(int64_t wall) const;
  /// The first UTC instant whose wall time is later than `wall` (the end of the gap `wall` falls
  /// in). Used when `wall` does not exist.
  int64_t FirstInstantAfterWall(int64_t wall) const;
  /// "2024-03-10T03:00:00-04:00"
  std::string FormatIso(int64_t utc) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  ///< UTC instants, ascending
  std::vector<int32_t> offsets_;      ///< offset in force from transitions_[i]
  int32_t initial_offset_ = 0;        ///< before the first transition
};

}  // namespace ldp::pipeline
