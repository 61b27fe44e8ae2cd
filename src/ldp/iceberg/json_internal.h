#pragma once
// Internal to ldp::iceberg (not a public header): typed JSON field readers whose errors name the
// field, and JSON writers templated on the JSON flavour so that metadata files can be written with
// the spec's field order (nlohmann::ordered_json) while the public API returns nlohmann::json.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ldp/core/status.h"
#include "ldp/iceberg/schema.h"

namespace ldp::iceberg::internal {

using Json = nlohmann::json;

/// The member `key` of object `j`, or nullptr when absent. REQUIRES: j.is_object().
inline const Json* Member(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

/// A JSON integer as int64 (unsigned values above INT64_MAX are refused).
inline Result<int64_t> AsInt64(const Json& v, std::string_view what) {
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument("{} is out of range for a 64-bit integer: {}", what, u);
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return InvalidArgument("{} must be an integer, got {}", what, v.dump());
}

inline Result<int32_t> AsInt32(const Json& v, std::string_view what) {
  LDP_ASSIGN_OR_RAISE(int64_t x, AsInt64(v, what));
  if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) {
    return InvalidArgument("{} is out of range for a 32-bit integer: {}", what, x);
  }
  return static_cast<int32_t>(x);
}

inline std::string FieldWhat(std::string_view ctx, std::string_view key) {
  return fmt::format("{}: field '{}'", ctx, key);
}

inline Status Missing(std::string_view ctx, std::string_view key) {
  return InvalidArgument("{}: missing required field '{}'", ctx, key);
}

inline Result<int64_t> GetInt64(const Json& obj, std::string_view key, std::string_view ctx) {
  const Json* v = Member(obj, key);
  if (!v) return Missing(ctx, key);
  return AsInt64(*v, FieldWhat(ctx, key));
}

inline Result<int32_t> GetInt32(const Json& obj, std::string_view key, std::string_view ctx) {
  const Json* v = Member(obj, key);
  if (!v) return Missing(ctx, key);
  return AsInt32(*v, FieldWhat(ctx, key));
}

/// Absent or null -> nullopt.
inline Result<std::optional<int64_t>> GetOptInt64(const Json& obj, std::string_view key,
                                                  std::string_view ctx) {
  const Json* v = Member(obj, key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  LDP_ASSIGN_OR_RAISE(int64_t x, AsInt64(*v, FieldWhat(ctx, key)));
  return std::optional<int64_t>(x);
}

inline Result<std::optional<int32_t>> GetOptInt32(const Json& obj, std::string_view key,
                                                  std::string_view ctx) {
  const Json* v = Member(obj, key);
  if (!v || v->is_null()) return std::optional<int32_t>();
  LDP_ASSIGN_OR_RAISE(int32_t x, AsInt32(*v, FieldWhat(ctx, key)));
  return std::optional<int32_t>(x);
}

inline Result<std::string> GetString(const Json& obj, std::string_view key, std::string_view ctx) {
  const Json* v = Member(obj, key);
  if (!v) return Missing(ctx, key);
  if (!v->is_string())
    return InvalidArgument("{} must be a string, got {}", FieldWhat(ctx, key), v->dump());
  return v->get<std::string>();
}

inline Result<bool> GetBool(const Json& obj, std::string_view key, std::string_view ctx) {
  const Json* v = Member(obj, key);
  if (!v) return Missing(ctx, key);
  if (!v->is_boolean())
    return InvalidArgument("{} must be a boolean, got {}", FieldWhat(ctx, key), v->dump());
  return v->get<bool>();
}

/// Type / schema JSON in either flavour (instantiated for Json and nlohmann::ordered_json).
template <typename J>
J TypeToJsonT(const Type& type);
template <typename J>
J SchemaToJsonT(const Schema& schema);

}  // namespace ldp::iceberg::internal
