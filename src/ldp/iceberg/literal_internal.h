#pragma once
// Internal to ldp::iceberg (not a public header): calendar arithmetic and byte helpers shared by
// literal.cc and transforms.cc.

#include <cstdint>
#include <string>
#include <tuple>

namespace ldp::iceberg::internal {

inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

/// Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 1 BC = 0).
inline int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                                   // [0, 399]
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           // [0, 146096]
  return era * 146097 + doe - 719468;
}

/// Inverse of DaysFromCivil: {year, month 1-12, day 1-31}.
inline std::tuple<int64_t, int, int> CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {y + (m <= 2), m, d};
}

/// The minimal big-endian two's-complement bytes of `v` (at least one byte), as Iceberg stores
/// decimals and hashes them for bucketing.
std::string MinimalBigEndian(__int128 v);

}  // namespace ldp::iceberg::internal
