#include "ldp/iceberg/transforms.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <limits>
#include <vector>

#include "ldp/iceberg/literal_internal.h"

namespace ldp::iceberg {

namespace {

using internal::CivilFromDays;
using internal::FloorDiv;

constexpr int64_t kMicrosPerHour = 3'600'000'000LL;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

uint32_t Rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

std::string LongLE(int64_t v) {
  std::string out(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xFF);
  return out;
}

bool IsTimestamp(TypeId id) {
  return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kTimestampNs ||
         id == TypeId::kTimestampTzNs;
}

bool IsNanos(TypeId id) { return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs; }

/// Micros since the epoch of a timestamp literal (nanos floored).
std::optional<int64_t> EpochMicros(const Type& type, const Literal& v) {
  if (!std::holds_alternative<int64_t>(v.value) || !IsTimestamp(type.id())) return std::nullopt;
  int64_t x = std::get<int64_t>(v.value);
  return IsNanos(type.id()) ? FloorDiv(x, 1000) : x;
}

std::optional<int64_t> EpochDays(const Type& type, const Literal& v) {
  if (!std::holds_alternative<int64_t>(v.value)) return std::nullopt;
  if (type.id() == TypeId::kDate) return std::get<int64_t>(v.value);
  auto micros = EpochMicros(type, v);
  if (!micros) return std::nullopt;
  return FloorDiv(*micros, kMicrosPerDay);
}

std::optional<int32_t> ToInt32(int64_t v) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return static_cast<int32_t>(v);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string Transform::ToString() const {
  switch (kind) {
    case TransformKind::kIdentity:
      return "identity";
    case TransformKind::kBucket:
      return fmt::format("bucket[{}]", param);
    case TransformKind::kTruncate:
      return fmt::format("truncate[{}]", param);
    case TransformKind::kYear:
      return "year";
    case TransformKind::kMonth:
      return "month";
    case TransformKind::kDay:
      return "day";
    case TransformKind::kHour:
      return "hour";
    case TransformKind::kVoid:
      return "void";
    case TransformKind::kUnknown:
      return text;
  }
  return text;
}

Result<Transform> ParseTransform(std::string_view text) {
  Transform t;
  const std::string s = Lower(text);
  if (s == "identity") return t;
  static const std::pair<const char*, TransformKind> kSimple[] = {{"year", TransformKind::kYear},
                                                                  {"month", TransformKind::kMonth},
                                                                  {"day", TransformKind::kDay},
                                                                  {"hour", TransformKind::kHour},
                                                                  {"void", TransformKind::kVoid}};
  for (const auto& [name, kind] : kSimple) {
    if (s == name) {
      t.kind = kind;
      return t;
    }
  }
  for (auto [prefix, kind] :
       {std::pair<std::string_view, TransformKind>{"bucket[", TransformKind::kBucket},
        std::pair<std::string_view, TransformKind>{"truncate[", TransformKind::kTruncate}}) {
    if (s.rfind(prefix, 0) != 0) continue;
    std::string_view rest = std::string_view(s).substr(prefix.size());
    if (rest.empty() || rest.back() != ']')
      return InvalidArgument("malformed transform '{}'", text);
    rest.remove_suffix(1);
    int64_t n = 0;
    if (rest.empty() || rest.size() > 10) return InvalidArgument("malformed transform '{}'", text);
    for (char c : rest) {
      if (c < '0' || c > '9') return InvalidArgument("malformed transform '{}'", text);
      n = n * 10 + (c - '0');
    }
    if (n <= 0 || n > std::numeric_limits<int32_t>::max()) {
      return InvalidArgument("transform '{}' needs a positive parameter", text);
    }
    t.kind = kind;
    t.param = static_cast<int32_t>(n);
    return t;
  }
  t.kind = TransformKind::kUnknown;
  t.text = std::string(text);
  return t;
}

bool CanTransform(const Transform& transform, const Type& source) {
  const TypeId id = source.id();
  switch (transform.kind) {
    case TransformKind::kVoid:
      return true;
    case TransformKind::kIdentity:
      return source.is_primitive();
    case TransformKind::kBucket:
      return source.is_primitive() && id != TypeId::kBoolean && id != TypeId::kFloat &&
             id != TypeId::kDouble;
    case TransformKind::kTruncate:
      return id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal ||
             id == TypeId::kString || id == TypeId::kBinary;
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
      return id == TypeId::kDate || IsTimestamp(id);
    case TransformKind::kHour:
      return IsTimestamp(id);
    case TransformKind::kUnknown:
      return false;
  }
  return false;
}

Result<TypePtr> TransformResultType(const Transform& transform, const Type& source) {
  if (!CanTransform(transform, source)) {
    return InvalidArgument("transform {} cannot be applied to type {}", transform.ToString(),
                           source.ToString());
  }
  switch (transform.kind) {
    case TransformKind::kBucket:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kHour:
      return Type::Primitive(TypeId::kInt);
    case TransformKind::kDay:
      return Type::Primitive(TypeId::kDate);
    default:
      break;
  }
  // identity, truncate, void keep the source type; Type has no public copy factory for every
  // kind, so rebuild it.
  switch (source.id()) {
    case TypeId::kDecimal:
      return Type::Decimal(source.precision(), source.scale());
    case TypeId::kFixed:
      return Type::Fixed(source.length());
    case TypeId::kStruct:
      return Type::Struct(source.fields());
    case TypeId::kList:
      return Type::List(source.fields()[0]);
    case TypeId::kMap:
      return Type::Map(source.fields()[0], source.fields()[1]);
    default:
      return Type::Primitive(source.id());
  }
}

int32_t MurmurHash3_x86_32(std::string_view data, uint32_t seed) {
  constexpr uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t len = data.size();
  const size_t nblocks = len / 4;
  uint32_t h = seed;
  for (size_t i = 0; i < nblocks; ++i) {
    uint32_t k = static_cast<uint32_t>(p[4 * i]) | (static_cast<uint32_t>(p[4 * i + 1]) << 8) |
                 (static_cast<uint32_t>(p[4 * i + 2]) << 16) |
                 (static_cast<uint32_t>(p[4 * i + 3]) << 24);
    k *= c1;
    k = Rotl32(k, 15);
    k *= c2;
    h ^= k;
    h = Rotl32(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const unsigned char* tail = p + nblocks * 4;
  uint32_t k = 0;
  switch (len & 3) {
    case 3:
      k ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = Rotl32(k, 15);
      k *= c2;
      h ^= k;
      break;
    default:
      break;
  }
  h ^= static_cast<uint32_t>(len);
  return static_cast<int32_t>(Fmix32(h));
}

std::optional<int32_t> BucketHash(const Type& type, const Literal& value) {
  switch (type.id()) {
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      if (!std::holds_alternative<int64_t>(value.value)) return std::nullopt;
      int64_t v = std::get<int64_t>(value.value);
      if (IsNanos(type.id())) v = FloorDiv(v, 1000);
      return MurmurHash3_x86_32(LongLE(v));
    }
    case TypeId::kDecimal: {
      if (!std::holds_alternative<DecimalValue>(value.value)) return std::nullopt;
      return MurmurHash3_x86_32(
          internal::MinimalBigEndian(std::get<DecimalValue>(value.value).unscaled));
    }
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary:
      if (!std::holds_alternative<std::string>(value.value)) return std::nullopt;
      return MurmurHash3_x86_32(std::get<std::string>(value.value));
    default:
      return std::nullopt;
  }
}

std::optional<int32_t> BucketOf(const Type& type, const Literal& value, int32_t n) {
  if (n <= 0) return std::nullopt;
  auto h = BucketHash(type, value);
  if (!h) return std::nullopt;
  return (*h & std::numeric_limits<int32_t>::max()) % n;
}

std::optional<Literal> TruncateValue(const Type& type, const Literal& value, int32_t width) {
  if (width <= 0) return std::nullopt;
  Literal out = value;
  out.type = type.id();
  switch (type.id()) {
    case TypeId::kInt:
    case TypeId::kLong: {
      if (!std::holds_alternative<int64_t>(value.value)) return std::nullopt;
      int64_t v = std::get<int64_t>(value.value);
      out.value = v - (((v % width) + width) % width);
      return out;
    }
    case TypeId::kDecimal: {
      if (!std::holds_alternative<DecimalValue>(value.value)) return std::nullopt;
      DecimalValue d = std::get<DecimalValue>(value.value);
      __int128 w = width;
      d.unscaled = d.unscaled - (((d.unscaled % w) + w) % w);
      out.value = d;
      return out;
    }
    case TypeId::kString:
      if (!std::holds_alternative<std::string>(value.value)) return std::nullopt;
      out.value =
          TruncateLowerBound(std::get<std::string>(value.value), static_cast<size_t>(width));
      return out;
    case TypeId::kBinary: {
      if (!std::holds_alternative<std::string>(value.value)) return std::nullopt;
      const auto& b = std::get<std::string>(value.value);
      out.value = b.substr(0, std::min(b.size(), static_cast<size_t>(width)));
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::optional<int32_t> YearsOf(const Type& type, const Literal& value) {
  auto days = EpochDays(type, value);
  if (!days) return std::nullopt;
  return ToInt32(std::get<0>(CivilFromDays(*days)) - 1970);
}

std::optional<int32_t> MonthsOf(const Type& type, const Literal& value) {
  auto days = EpochDays(type, value);
  if (!days) return std::nullopt;
  auto [y, m, d] = CivilFromDays(*days);
  return ToInt32((y - 1970) * 12 + (m - 1));
}

std::optional<int32_t> DaysOf(const Type& type, const Literal& value) {
  auto days = EpochDays(type, value);
  if (!days) return std::nullopt;
  return ToInt32(*days);
}

std::optional<int32_t> HoursOf(const Type& type, const Literal& value) {
  if (!IsTimestamp(type.id())) return std::nullopt;
  auto micros = EpochMicros(type, value);
  if (!micros) return std::nullopt;
  return ToInt32(FloorDiv(*micros, kMicrosPerHour));
}

Result<std::optional<Literal>> ApplyTransform(const Transform& transform, const Type& source,
                                              const Literal& value) {
  if (!CanTransform(transform, source)) {
    return InvalidArgument("transform {} cannot be applied to type {}", transform.ToString(),
                           source.ToString());
  }
  auto int_result = [&](std::optional<int32_t> v, TypeId type) -> Result<std::optional<Literal>> {
    if (!v) {
      return InvalidArgument("transform {} failed on {} value {}", transform.ToString(),
                             source.ToString(), LiteralToText(value));
    }
    Literal out;
    out.type = type;
    out.value = static_cast<int64_t>(*v);
    return std::optional<Literal>(out);
  };
  switch (transform.kind) {
    case TransformKind::kVoid:
      return std::optional<Literal>();
    case TransformKind::kIdentity: {
      Literal out = value;
      out.type = source.id();
      return std::optional<Literal>(out);
    }
    case TransformKind::kBucket:
      return int_result(BucketOf(source, value, transform.param), TypeId::kInt);
    case TransformKind::kTruncate: {
      auto v = TruncateValue(source, value, transform.param);
      if (!v)
        return InvalidArgument("transform {} failed on {}", transform.ToString(),
                               source.ToString());
      return std::optional<Literal>(*v);
    }
    case TransformKind::kYear:
      return int_result(YearsOf(source, value), TypeId::kInt);
    case TransformKind::kMonth:
      return int_result(MonthsOf(source, value), TypeId::kInt);
    case TransformKind::kDay:
      return int_result(DaysOf(source, value), TypeId::kDate);
    case TransformKind::kHour:
      return int_result(HoursOf(source, value), TypeId::kInt);
    case TransformKind::kUnknown:
      break;
  }
  return InvalidArgument("unknown transform {}", transform.ToString());
}

std::string HumanString(const Transform& transform, const Literal& result) {
  auto as_int = [&]() -> int64_t {
    return std::holds_alternative<int64_t>(result.value) ? std::get<int64_t>(result.value) : 0;
  };
  switch (transform.kind) {
    case TransformKind::kYear:
      return fmt::format("{:04d}", 1970 + as_int());
    case TransformKind::kMonth: {
      int64_t m = as_int();
      return fmt::format("{:04d}-{:02d}", 1970 + FloorDiv(m, 12), internal::FloorMod(m, 12) + 1);
    }
    case TransformKind::kHour: {
      int64_t h = as_int();
      auto [y, mo, d] = CivilFromDays(FloorDiv(h, 24));
      return fmt::format("{:04d}-{:02d}-{:02d}-{:02d}", y, mo, d, internal::FloorMod(h, 24));
    }
    default:
      break;
  }
  if (result.type == TypeId::kDate) {
    auto [y, mo, d] = CivilFromDays(as_int());
    return fmt::format("{:04d}-{:02d}-{:02d}", y, mo, d);
  }
  std::string text = LiteralToText(result);
  if (IsTimestamp(result.type)) {
    // ISO form, as Java writes partition paths: 2023-01-31T13:00:00
    if (auto sp = text.find(' '); sp != std::string::npos) text[sp] = 'T';
  }
  return text;
}

}  // namespace ldp::iceberg
