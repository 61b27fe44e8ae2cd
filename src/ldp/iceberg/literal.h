#pragma once
// Typed single values of primitive Iceberg types, their text form (as DuckDB prints them) and
// Iceberg's single-value binary serialisation (spec Appendix D) used for column bounds and
// partition summaries.
//
// Thread-safety: plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "ldp/iceberg/schema.h"

namespace ldp::iceberg {

/// A decimal as its unscaled integer and scale (value = unscaled * 10^-scale).
struct DecimalValue {
  __int128 unscaled = 0;
  int scale = 0;
  bool operator==(const DecimalValue&) const = default;
};

/// One value of a primitive type. The alternative used per type:
///  boolean -> bool; int, long, date (days), time (micros), timestamp(tz) (micros since epoch),
///  timestamp_ns (nanos) -> int64_t; float, double -> double; decimal -> DecimalValue;
///  string, binary, fixed, uuid (16 raw bytes) -> std::string.
struct Literal {
  TypeId type = TypeId::kLong;
  std::variant<bool, int64_t, double, DecimalValue, std::string> value;
};

/// Parses DuckDB's text rendering of a value of `type`: "42", "1.5", "nan", "2023-01-31",
/// "2023-01-31 12:00:00.5", "2023-01-31 12:00:00+00" (timestamptz, any offset), "12:30:00",
/// "f79c3e09-677c-4bbd-a479-3f349cb785e7", "\\x00\\xFF" or raw bytes for blobs. nullopt when the
/// text does not parse as the type.
std::optional<Literal> ParseLiteral(const Type& type, const std::string& text);

/// Renders a literal the way DuckDB prints it (inverse of ParseLiteral for valid values);
/// timestamptz in UTC ("+00"). REQUIRES (here and below): `lit.value` holds the alternative
/// listed above for its type.
std::string LiteralToText(const Literal& lit);

/// Appendix D binary form: int/date 4-byte LE, long/time/timestamp 8-byte LE, float 4-byte and
/// double 8-byte LE IEEE, string UTF-8, uuid 16 bytes BE, fixed/binary raw, decimal minimal
/// two's-complement big-endian of the unscaled value, boolean one byte.
std::string EncodeLiteral(const Type& type, const Literal& lit);

/// Inverse of EncodeLiteral. Accepts 4-byte values for long/double columns promoted from int/float
/// (old files keep the old width). nullopt when the bytes do not fit the type.
std::optional<Literal> DecodeLiteral(const Type& type, const std::string& bytes);

/// Total order for two literals of the same type: <0, 0, >0. Doubles order -0.0 < +0.0 and NaN
/// above everything; strings and binary compare as unsigned bytes (= UTF-8 code point order);
/// decimals compare by value across scales.
int CompareLiterals(const Literal& a, const Literal& b);

/// Truncates a string bound to at most `max_code_points` code points (lower bound: plain prefix).
std::string TruncateLowerBound(const std::string& utf8, size_t max_code_points);
/// Upper bound truncated to `max_code_points` with the last code point incremented so that it still
/// bounds every value; nullopt when no such bound exists (all max code points).
std::optional<std::string> TruncateUpperBound(const std::string& utf8, size_t max_code_points);

/// Binary upper bound truncated to `max_bytes` with the last byte below 0xFF incremented (bytes
/// after it dropped); nullopt when every kept byte is 0xFF. A binary lower bound is a plain prefix.
std::optional<std::string> TruncateBinaryUpperBound(const std::string& bytes, size_t max_bytes);

}  // namespace ldp::iceberg
