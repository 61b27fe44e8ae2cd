#pragma once
// Partition transforms (spec "Partition Transforms", Appendix B): identity, bucket[N],
// truncate[W], year, month, day, hour and void, applied to Literals; plus the 32-bit Murmur3 hash
// that bucketing uses.
//
// Thread-safety: free functions over values; safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ldp/core/status.h"
#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/schema.h"

namespace ldp::iceberg {

enum class TransformKind {
  kIdentity,
  kBucket,
  kTruncate,
  kYear,
  kMonth,
  kDay,
  kHour,
  kVoid,
  kUnknown
};

/// A parsed transform string. `param` is N for bucket[N] and W for truncate[W], else 0.
struct Transform {
  TransformKind kind = TransformKind::kIdentity;
  int32_t param = 0;
  std::string text;  ///< the original string for kUnknown

  /// The spec's string: "identity", "bucket[16]", "truncate[4]", "year", ..., "void".
  std::string ToString() const;
  bool operator==(const Transform& o) const { return kind == o.kind && param == o.param; }
};

/// Parses a transform string (case-insensitive, as Java's Transforms.fromString). A name that is
/// not a known transform gives kind kUnknown (readers must tolerate those); a malformed or
/// non-positive bucket/truncate parameter ("bucket[0]", "truncate[x]") is InvalidArgument.
Result<Transform> ParseTransform(std::string_view text);

/// Whether `transform` may be applied to a source column of `source` type: identity to any
/// primitive; bucket to int, long, decimal, date, time, timestamp(tz)(_ns), string, uuid, fixed,
/// binary; truncate to int, long, decimal, string, binary; year/month/day to date and timestamps;
/// hour to timestamps; void to anything. Never for nested types (except void) or kUnknown.
bool CanTransform(const Transform& transform, const Type& source);

/// The result type of a transform on `source` (spec table): identity/truncate/void -> source,
/// bucket/year/month/hour -> int, day -> date. InvalidArgument when !CanTransform.
Result<TypePtr> TransformResultType(const Transform& transform, const Type& source);

/// MurmurHash3 x86 32-bit of `data` (as Guava's murmur3_32 / Iceberg's bucket hash), signed.
int32_t MurmurHash3_x86_32(std::string_view data, uint32_t seed = 0);

/// The spec's bucket hash of a non-null value of `type`: int and long hash as the 8-byte
/// little-endian long; date as its day count widened to long; time and timestamp(tz) as micros;
/// timestamp_ns(tz) converted to micros (floor) first; string as UTF-8; uuid as its 16 big-endian
/// bytes; fixed/binary raw; decimal as the minimal big-endian two's complement of the unscaled
/// value. nullopt for types that cannot be bucketed (boolean, float, double, nested).
std::optional<int32_t> BucketHash(const Type& type, const Literal& value);

/// (BucketHash & INT32_MAX) % n. nullopt when the type cannot be bucketed or n <= 0.
std::optional<int32_t> BucketOf(const Type& type, const Literal& value, int32_t n);

/// Truncates a non-null value: int/long v - (((v % W) + W) % W); decimal the same on the unscaled
/// value (scale kept); string to W code points; binary to W bytes. nullopt for other types or W<=0.
std::optional<Literal> TruncateValue(const Type& type, const Literal& value, int32_t width);

/// Years/months/days/hours since the epoch (1970-01-01T00:00Z), floored for earlier values, of a
/// date (days) or a timestamp(tz)(_ns) literal. Hours of a date is nullopt.
std::optional<int32_t> YearsOf(const Type& type, const Literal& value);
std::optional<int32_t> MonthsOf(const Type& type, const Literal& value);
std::optional<int32_t> DaysOf(const Type& type, const Literal& value);
std::optional<int32_t> HoursOf(const Type& type, const Literal& value);

/// Applies `transform` to a non-null value of `source` type. The result literal has the
/// transform's result type (bucket/year/month/hour: kInt, day: kDate, identity/truncate: the
/// source's). nullopt result for void (and callers map null inputs to null themselves).
/// InvalidArgument when the transform does not apply to the type.
Result<std::optional<Literal>> ApplyTransform(const Transform& transform, const Type& source,
                                              const Literal& value);

/// A transform's partition value as text for paths, like Java's Transform.toHumanString:
/// year "2023", month "2023-01", day "2023-01-31", hour "2023-01-31-13", others as LiteralToText.
std::string HumanString(const Transform& transform, const Literal& result);

}  // namespace ldp::iceberg
