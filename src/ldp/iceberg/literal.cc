#include "ldp/iceberg/literal.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ldp/iceberg/literal_internal.h"

namespace ldp::iceberg {

namespace {

using internal::CivilFromDays;
using internal::DaysFromCivil;
using internal::FloorDiv;
using internal::FloorMod;

// DuckDB's special values: date 'infinity' is INT32_MAX days, timestamp 'infinity' INT64_MAX.
constexpr int64_t kDateInfinity = std::numeric_limits<int32_t>::max();
constexpr int64_t kTimestampInfinity = std::numeric_limits<int64_t>::max();

/// A small cursor over the text being parsed.
struct Cursor {
  std::string_view s;
  size_t p = 0;

  bool done() const { return p >= s.size(); }
  char peek() const { return done() ? '\0' : s[p]; }
  bool Eat(char c) {
    if (peek() != c) return false;
    ++p;
    return true;
  }
  bool EatText(std::string_view t) {
    if (s.substr(p, t.size()) != t) return false;
    p += t.size();
    return true;
  }
  /// Between min and max decimal digits as a number (digit count in *count).
  std::optional<int64_t> Digits(int min, int max, int* count = nullptr) {
    int64_t v = 0;
    int n = 0;
    while (n < max && !done() && s[p] >= '0' && s[p] <= '9') {
      v = v * 10 + (s[p] - '0');
      ++p;
      ++n;
    }
    if (n < min) return std::nullopt;
    if (count) *count = n;
    return v;
  }
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

/// "YYYY-MM-DD" (year may be negative or longer), then an optional " (BC)" marker.
std::optional<int64_t> ParseDatePart(Cursor& c) {
  bool neg = c.Eat('-');
  auto y = c.Digits(1, 9);
  if (!y || !c.Eat('-')) return std::nullopt;
  auto m = c.Digits(1, 2);
  if (!m || !c.Eat('-')) return std::nullopt;
  auto d = c.Digits(1, 2);
  if (!d) return std::nullopt;
  int64_t year = neg ? -*y : *y;
  if (c.EatText(" (BC)")) {
    if (neg || year == 0) return std::nullopt;
    year = 1 - year;  // 1 BC is astronomical year 0
  }
  if (*m < 1 || *m > 12 || *d < 1 || *d > DaysInMonth(year, static_cast<int>(*m)))
    return std::nullopt;
  return DaysFromCivil(year, static_cast<int>(*m), static_cast<int>(*d));
}

/// "HH:MM[:SS[.fraction]]" as units of 10^-digits seconds (digits = 6 micros, 9 nanos); extra
/// fraction digits are truncated.
std::optional<int64_t> ParseTimePart(Cursor& c, int digits) {
  auto h = c.Digits(1, 2);
  if (!h || !c.Eat(':')) return std::nullopt;
  auto mi = c.Digits(2, 2);
  if (!mi) return std::nullopt;
  int64_t sec = 0, frac = 0;
  if (c.Eat(':')) {
    auto s = c.Digits(2, 2);
    if (!s) return std::nullopt;
    sec = *s;
    if (c.Eat('.')) {
      int n = 0;
      while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
        if (n < digits) {
          frac = frac * 10 + (c.peek() - '0');
          ++n;
        }
        ++c.p;
      }
      if (n == 0) return std::nullopt;
      for (; n < digits; ++n) frac *= 10;
    }
  }
  if (*mi > 59 || sec > 59 || *h > 24) return std::nullopt;
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  int64_t v = ((*h * 60 + *mi) * 60 + sec) * unit + frac;
  if (v > int64_t{24 * 3600} * unit) return std::nullopt;
  return v;
}

/// "+HH", "+HH:MM", "+HH:MM:SS", "+HHMM" or "Z", as seconds east of UTC.
std::optional<int64_t> ParseOffset(Cursor& c) {
  if (c.Eat('Z') || c.Eat('z')) return 0;
  int sign = 1;
  if (c.Eat('-')) {
    sign = -1;
  } else if (!c.Eat('+')) {
    return std::nullopt;
  }
  int n = 0;
  auto h = c.Digits(1, 4, &n);
  if (!h) return std::nullopt;
  int64_t hh = *h, mm = 0, ss = 0;
  if (n == 4) {
    hh = *h / 100;
    mm = *h % 100;
  } else if (n == 3) {
    return std::nullopt;
  } else if (c.Eat(':')) {
    auto m = c.Digits(2, 2);
    if (!m) return std::nullopt;
    mm = *m;
    if (c.Eat(':')) {
      auto s = c.Digits(2, 2);
      if (!s) return std::nullopt;
      ss = *s;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  return sign * ((hh * 60 + mm) * 60 + ss);
}

/// A timestamp in units of 10^-digits seconds; `with_zone` converts a trailing offset to UTC.
std::optional<int64_t> ParseTimestamp(std::string_view text, int digits, bool with_zone) {
  if (text == "infinity") return kTimestampInfinity;
  if (text == "-infinity") return -kTimestampInfinity;
  Cursor c{text};
  auto days = ParseDatePart(c);
  if (!days) return std::nullopt;
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  int64_t tod = 0;
  if (c.Eat(' ') || c.Eat('T')) {
    auto t = ParseTimePart(c, digits);
    if (!t) return std::nullopt;
    tod = *t;
  }
  c.EatText(" (BC)");  // DuckDB puts the era after the date; tolerate it here too
  int64_t offset_s = 0;
  if (!c.done()) {
    if (!with_zone) return std::nullopt;
    c.Eat(' ');
    auto off = ParseOffset(c);
    if (!off || !c.done()) return std::nullopt;
    offset_s = *off;
  }
  int64_t v;
  if (__builtin_mul_overflow(*days, 86400 * unit, &v) || __builtin_add_overflow(v, tod, &v) ||
      __builtin_sub_overflow(v, offset_s * unit, &v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> ParseInt(std::string_view t, int64_t lo, int64_t hi) {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size() || t.empty() || v < lo || v > hi)
    return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view t) {
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  if (t.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Denormal underflow or overflow: fall back to strtod's rounding.
    std::string copy(t);
    char* end = nullptr;
    v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return v;
  }
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

/// "-123.45" at `scale`: the unscaled value; nullopt when it has more non-zero fraction digits
/// than the scale allows or more digits than `precision`.
std::optional<__int128> ParseDecimal(std::string_view t, int precision, int scale) {
  bool neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  __int128 v = 0;
  int int_digits = 0, frac_digits = 0;
  bool point = false, any = false;
  for (char ch : t) {
    if (ch == '.') {
      if (point) return std::nullopt;
      point = true;
      continue;
    }
    if (ch < '0' || ch > '9') return std::nullopt;
    any = true;
    if (point) {
      if (frac_digits >= scale) {
        if (ch != '0') return std::nullopt;  // would lose precision
        continue;
      }
      ++frac_digits;
    } else if (v != 0 || ch != '0') {
      ++int_digits;
    }
    if (int_digits + frac_digits > 38) return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  if (!any) return std::nullopt;
  for (; frac_digits < scale; ++frac_digits) v *= 10;
  if (int_digits > precision - scale) return std::nullopt;
  return neg ? -v : v;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> ParseUuid(std::string_view t) {
  std::string hex;
  if (t.size() == 36) {
    for (size_t i = 0; i < t.size(); ++i) {
      bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_pos != (t[i] == '-')) return std::nullopt;
      if (!dash_pos) hex += t[i];
    }
  } else if (t.size() == 32) {
    hex = t;
  } else {
    return std::nullopt;
  }
  std::string out(16, '\0');
  for (size_t i = 0; i < 16; ++i) {
    int a = HexValue(hex[2 * i]), b = HexValue(hex[2 * i + 1]);
    if (a < 0 || b < 0) return std::nullopt;
    out[i] = static_cast<char>(a * 16 + b);
  }
  return out;
}

/// DuckDB's blob text: printable bytes as themselves, others as \xHH.
std::string ParseBlob(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 3 < t.size() && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
      int a = HexValue(t[i + 2]), b = HexValue(t[i + 3]);
      if (a >= 0 && b >= 0) {
        out += static_cast<char>(a * 16 + b);
        i += 3;
        continue;
      }
    }
    out += t[i];
  }
  return out;
}

std::string FormatDate(int64_t days) {
  if (days == kDateInfinity) return "infinity";
  if (days == -kDateInfinity) return "-infinity";
  auto [y, m, d] = CivilFromDays(days);
  if (y <= 0) return fmt::format("{:04d}-{:02d}-{:02d} (BC)", 1 - y, m, d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

/// Time of day in units of 10^-digits seconds, fraction without trailing zeros.
std::string FormatTimeOfDay(int64_t v, int digits) {
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  int64_t secs = v / unit, frac = v % unit;
  std::string out = fmt::format("{:02d}:{:02d}:{:02d}", secs / 3600, secs / 60 % 60, secs % 60);
  if (frac) {
    std::string f = fmt::format("{:0{}d}", frac, digits);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

std::string FormatTimestamp(int64_t v, int digits, bool with_zone) {
  if (v == kTimestampInfinity) return "infinity";
  if (v == -kTimestampInfinity) return "-infinity";
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  int64_t per_day = 86400 * unit;
  int64_t days = FloorDiv(v, per_day);
  int64_t tod = FloorMod(v, per_day);
  return FormatDate(days) + " " + FormatTimeOfDay(tod, digits) + (with_zone ? "+00" : "");
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) s += '-';
  return std::string(s.rbegin(), s.rend());
}

std::string FormatDecimal(const DecimalValue& d) {
  std::string digits = Int128ToString(d.unscaled < 0 ? -d.unscaled : d.unscaled);
  if (d.scale > 0) {
    if (static_cast<int>(digits.size()) <= d.scale)
      digits.insert(0, d.scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - d.scale, ".");
  }
  return (d.unscaled < 0 ? "-" : "") + digits;
}

std::string FormatFloating(double v, bool is_float) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  std::string s = is_float ? fmt::format("{}", static_cast<float>(v)) : fmt::format("{}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";  // DuckDB prints 1.0, -0.0
  return s;
}

std::string FormatBlob(const std::string& b) {
  std::string out;
  for (unsigned char c : b) {
    if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02X}", c);
    }
  }
  return out;
}

std::string FormatUuid(const std::string& b) {
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += fmt::format("{:02x}", static_cast<unsigned char>(b[i]));
  }
  return out;
}

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetLE(const std::string& b, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return v;
}

/// Rescales to `scale` when that only appends zeros; otherwise leaves the value as is.
__int128 UnscaledAt(const DecimalValue& d, int scale) {
  __int128 v = d.unscaled;
  for (int s = d.scale; s < scale; ++s) v *= 10;
  return v;
}

int Sign(int64_t x) { return x < 0 ? -1 : (x > 0 ? 1 : 0); }

int CompareDoubles(double a, double b) {
  // Total order: -NaN? All NaNs sort above everything (the header's contract); -0.0 < +0.0.
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  if (a < b) return -1;
  if (a > b) return 1;
  bool sa = std::signbit(a), sb = std::signbit(b);
  return sa == sb ? 0 : (sa ? -1 : 1);
}

int CompareDecimals(const DecimalValue& a, const DecimalValue& b) {
  // Compare integer parts, then fractions brought to the larger scale; never overflows since
  // each fraction is < 10^scale <= 10^38.
  auto pow10 = [](int n) {
    __int128 p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
  };
  __int128 pa = pow10(a.scale), pb = pow10(b.scale);
  __int128 qa = a.unscaled / pa, qb = b.unscaled / pb;
  if (qa != qb) return qa < qb ? -1 : 1;
  int smax = std::max(a.scale, b.scale);
  __int128 ra = (a.unscaled % pa) * pow10(smax - a.scale);
  __int128 rb = (b.unscaled % pb) * pow10(smax - b.scale);
  return ra == rb ? 0 : (ra < rb ? -1 : 1);
}

/// Byte offsets where each UTF-8 code point starts (invalid bytes count as one each).
std::vector<size_t> CodePointStarts(const std::string& s) {
  std::vector<size_t> starts;
  size_t i = 0;
  while (i < s.size()) {
    starts.push_back(i);
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    if (i + len > s.size()) len = 1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        len = 1;
        break;
      }
    }
    i += len;
  }
  return starts;
}

uint32_t DecodeCodePoint(const std::string& s, size_t begin, size_t end) {
  auto c = static_cast<unsigned char>(s[begin]);
  size_t len = end - begin;
  if (len == 1) return c;
  uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[begin + k]) & 0x3F);
  return cp;
}

std::string EncodeCodePoint(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

}  // namespace

std::optional<Literal> ParseLiteral(const Type& type, const std::string& text) {
  Literal lit;
  lit.type = type.id();
  std::string_view t(text);
  switch (type.id()) {
    case TypeId::kBoolean: {
      std::string lower;
      for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "true" || lower == "t" || lower == "1") {
        lit.value = true;
      } else if (lower == "false" || lower == "f" || lower == "0") {
        lit.value = false;
      } else {
        return std::nullopt;
      }
      return lit;
    }
    case TypeId::kInt: {
      auto v =
          ParseInt(t, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
      if (!v) return std::nullopt;
      lit.value = *v;
      return lit;
    }
    case TypeId::kLong: {
      auto v =
          ParseInt(t, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
      if (!v) return std::nullopt;
      lit.value = *v;
      return lit;
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      auto v = ParseDouble(t);
      if (!v) return std::nullopt;
      // A float column's value is a float: round once so comparisons and encoding agree.
      lit.value = type.id() == TypeId::kFloat ? static_cast<double>(static_cast<float>(*v)) : *v;
      return lit;
    }
    case TypeId::kDecimal: {
      auto v = ParseDecimal(t, type.precision(), type.scale());
      if (!v) return std::nullopt;
      lit.value = DecimalValue{*v, type.scale()};
      return lit;
    }
    case TypeId::kDate: {
      if (t == "infinity" || t == "-infinity") {
        lit.value = t[0] == '-' ? -kDateInfinity : kDateInfinity;
        return lit;
      }
      Cursor c{t};
      auto d = ParseDatePart(c);
      // Iceberg dates are 32-bit day counts.
      if (!d || !c.done() || *d < -kDateInfinity || *d > kDateInfinity) return std::nullopt;
      lit.value = *d;
      return lit;
    }
    case TypeId::kTime: {
      Cursor c{t};
      auto v = ParseTimePart(c, 6);
      if (!v || !c.done()) return std::nullopt;
      lit.value = *v;
      return lit;
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      bool ns = type.id() == TypeId::kTimestampNs || type.id() == TypeId::kTimestampTzNs;
      bool tz = type.id() == TypeId::kTimestampTz || type.id() == TypeId::kTimestampTzNs;
      auto v = ParseTimestamp(t, ns ? 9 : 6, tz);
      if (!v) return std::nullopt;
      lit.value = *v;
      return lit;
    }
    case TypeId::kString:
      lit.value = text;
      return lit;
    case TypeId::kUuid: {
      auto v = ParseUuid(t);
      if (!v) return std::nullopt;
      lit.value = std::move(*v);
      return lit;
    }
    case TypeId::kFixed:
    case TypeId::kBinary: {
      std::string b = ParseBlob(t);
      if (type.id() == TypeId::kFixed && static_cast<int>(b.size()) != type.length())
        return std::nullopt;
      lit.value = std::move(b);
      return lit;
    }
    default:
      return std::nullopt;
  }
}

std::string LiteralToText(const Literal& lit) {
  switch (lit.type) {
    case TypeId::kBoolean:
      return std::get<bool>(lit.value) ? "true" : "false";
    case TypeId::kInt:
    case TypeId::kLong:
      return std::to_string(std::get<int64_t>(lit.value));
    case TypeId::kFloat:
      return FormatFloating(std::get<double>(lit.value), true);
    case TypeId::kDouble:
      return FormatFloating(std::get<double>(lit.value), false);
    case TypeId::kDecimal:
      return FormatDecimal(std::get<DecimalValue>(lit.value));
    case TypeId::kDate:
      return FormatDate(std::get<int64_t>(lit.value));
    case TypeId::kTime:
      return FormatTimeOfDay(std::get<int64_t>(lit.value), 6);
    case TypeId::kTimestamp:
      return FormatTimestamp(std::get<int64_t>(lit.value), 6, false);
    case TypeId::kTimestampTz:
      return FormatTimestamp(std::get<int64_t>(lit.value), 6, true);
    case TypeId::kTimestampNs:
      return FormatTimestamp(std::get<int64_t>(lit.value), 9, false);
    case TypeId::kTimestampTzNs:
      return FormatTimestamp(std::get<int64_t>(lit.value), 9, true);
    case TypeId::kString:
      return std::get<std::string>(lit.value);
    case TypeId::kUuid:
      return FormatUuid(std::get<std::string>(lit.value));
    case TypeId::kFixed:
    case TypeId::kBinary:
      return FormatBlob(std::get<std::string>(lit.value));
    default:
      return "";
  }
}

std::string EncodeLiteral(const Type& type, const Literal& lit) {
  std::string out;
  switch (type.id()) {
    case TypeId::kBoolean:
      out.push_back(std::get<bool>(lit.value) ? '\x01' : '\x00');
      break;
    case TypeId::kInt:
    case TypeId::kDate:
      PutLE(&out, static_cast<uint32_t>(static_cast<int32_t>(std::get<int64_t>(lit.value))), 4);
      break;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      PutLE(&out, static_cast<uint64_t>(std::get<int64_t>(lit.value)), 8);
      break;
    case TypeId::kFloat: {
      auto f = static_cast<float>(std::get<double>(lit.value));
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      PutLE(&out, bits, 4);
      break;
    }
    case TypeId::kDouble: {
      double d = std::get<double>(lit.value);
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      PutLE(&out, bits, 8);
      break;
    }
    case TypeId::kDecimal:
      out = internal::MinimalBigEndian(UnscaledAt(std::get<DecimalValue>(lit.value), type.scale()));
      break;
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary:
      out = std::get<std::string>(lit.value);
      break;
    default:
      break;
  }
  return out;
}

std::optional<Literal> DecodeLiteral(const Type& type, const std::string& bytes) {
  Literal lit;
  lit.type = type.id();
  const size_t n = bytes.size();
  switch (type.id()) {
    case TypeId::kBoolean:
      if (n != 1) return std::nullopt;
      lit.value = bytes[0] != 0;
      return lit;
    case TypeId::kInt:
    case TypeId::kDate:
      if (n != 4) return std::nullopt;
      lit.value = static_cast<int64_t>(static_cast<int32_t>(GetLE(bytes, 4)));
      return lit;
    case TypeId::kLong:
      if (n == 4) {  // promoted from int
        lit.value = static_cast<int64_t>(static_cast<int32_t>(GetLE(bytes, 4)));
        return lit;
      }
      [[fallthrough]];
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      if (n != 8) return std::nullopt;
      lit.value = static_cast<int64_t>(GetLE(bytes, 8));
      return lit;
    case TypeId::kFloat:
    case TypeId::kDouble: {
      if (n == 4) {  // a float, or a double column promoted from float
        auto bits = static_cast<uint32_t>(GetLE(bytes, 4));
        float f;
        std::memcpy(&f, &bits, 4);
        lit.value = static_cast<double>(f);
        return lit;
      }
      if (n != 8 || type.id() == TypeId::kFloat) return std::nullopt;
      uint64_t bits = GetLE(bytes, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      lit.value = d;
      return lit;
    }
    case TypeId::kDecimal: {
      if (n < 1 || n > 16) return std::nullopt;
      // Sign-extend the big-endian two's-complement bytes.
      unsigned __int128 u =
          (static_cast<unsigned char>(bytes[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
      for (char c : bytes) u = (u << 8) | static_cast<unsigned char>(c);
      lit.value = DecimalValue{static_cast<__int128>(u), type.scale()};
      return lit;
    }
    case TypeId::kUuid:
      if (n != 16) return std::nullopt;
      lit.value = bytes;
      return lit;
    case TypeId::kFixed:
      if (static_cast<int>(n) != type.length()) return std::nullopt;
      lit.value = bytes;
      return lit;
    case TypeId::kString:
    case TypeId::kBinary:
      lit.value = bytes;
      return lit;
    default:
      return std::nullopt;
  }
}

int CompareLiterals(const Literal& a, const Literal& b) {
  if (a.value.index() != b.value.index()) return a.value.index() < b.value.index() ? -1 : 1;
  switch (a.value.index()) {
    case 0:
      return static_cast<int>(std::get<bool>(a.value)) - static_cast<int>(std::get<bool>(b.value));
    case 1: {
      int64_t x = std::get<int64_t>(a.value), y = std::get<int64_t>(b.value);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case 2:
      return CompareDoubles(std::get<double>(a.value), std::get<double>(b.value));
    case 3:
      return CompareDecimals(std::get<DecimalValue>(a.value), std::get<DecimalValue>(b.value));
    default: {
      const auto& x = std::get<std::string>(a.value);
      const auto& y = std::get<std::string>(b.value);
      int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
      if (c != 0) return Sign(c);
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
  }
}

std::string TruncateLowerBound(const std::string& utf8, size_t max_code_points) {
  std::vector<size_t> starts = CodePointStarts(utf8);
  if (starts.size() <= max_code_points) return utf8;
  return utf8.substr(0, starts[max_code_points]);
}

std::optional<std::string> TruncateUpperBound(const std::string& utf8, size_t max_code_points) {
  std::vector<size_t> starts = CodePointStarts(utf8);
  if (starts.size() <= max_code_points) return utf8;
  // Increment the last code point that can be incremented, dropping the ones after it.
  for (size_t i = max_code_points; i-- > 0;) {
    size_t end = starts[i + 1];
    uint32_t cp = DecodeCodePoint(utf8, starts[i], end) + 1;
    if (cp == 0xD800) cp = 0xE000;  // skip the surrogate range
    if (cp <= 0x10FFFF) return utf8.substr(0, starts[i]) + EncodeCodePoint(cp);
  }
  return std::nullopt;
}

std::optional<std::string> TruncateBinaryUpperBound(const std::string& bytes, size_t max_bytes) {
  if (bytes.size() <= max_bytes) return bytes;
  std::string out = bytes.substr(0, max_bytes);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last < 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

namespace internal {

std::string MinimalBigEndian(__int128 v) {
  std::string be(16, '\0');
  auto u = static_cast<unsigned __int128>(v);
  for (int i = 15; i >= 0; --i) {
    be[i] = static_cast<char>(static_cast<unsigned char>(u & 0xFF));
    u >>= 8;
  }
  size_t start = 0;
  while (start < 15) {
    auto b = static_cast<unsigned char>(be[start]);
    auto next = static_cast<unsigned char>(be[start + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  return be.substr(start);
}

}  // namespace internal

}  // namespace ldp::iceberg
