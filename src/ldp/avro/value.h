#pragma once
// Value: a generic Avro datum, interpreted through a Schema.
//
// The value holds only data; the schema says what it means. string, bytes, fixed all hold
// std::string; an enum holds its symbol index as an Int; a record holds its field values in schema
// order. A value written to a union picks its branch with WithBranch(i) or, when no branch was set,
// the first branch that fits the value's kind (null -> "null", Long -> "long", ...). Values read
// from a file always carry the branch they were written with.
//
// Thread-safety: a plain value type.

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace ldp::avro {

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kLong, kFloat, kDouble, kBytes, kRecord, kArray, kMap };
  using List = std::vector<Value>;
  using MapEntries = std::vector<std::pair<std::string, Value>>;

  Value() = default;  ///< null
  Value(std::nullptr_t) {}  // NOLINT: implicit by design
  Value(bool v) : v_(v) {}  // NOLINT
  Value(int32_t v) : v_(v) {}  // NOLINT
  Value(int64_t v) : v_(v) {}  // NOLINT
  /// `long long` literals (1LL) where int64_t is `long`.
  template <typename T>
    requires(std::is_same_v<T, long long> && !std::is_same_v<T, int64_t>)
  Value(T v) : v_(static_cast<int64_t>(v)) {}  // NOLINT
  Value(float v) : v_(v) {}  // NOLINT
  Value(double v) : v_(v) {}  // NOLINT
  Value(std::string v) : v_(std::move(v)) {}  // NOLINT
  Value(const char* v) : v_(std::string(v)) {}  // NOLINT

  static Value Record(List fields) { return Value(RecordData{std::move(fields)}); }
  static Value Array(List items) { return Value(ArrayData{std::move(items)}); }
  static Value Map(MapEntries entries) { return Value(MapData{std::move(entries)}); }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }

  /// REQUIRES: the matching kind() (check first; a mismatch is a programmer error).
  bool as_bool() const { return std::get<bool>(v_); }
  int32_t as_int() const { return std::get<int32_t>(v_); }
  int64_t as_long() const { return std::get<int64_t>(v_); }
  float as_float() const { return std::get<float>(v_); }
  double as_double() const { return std::get<double>(v_); }
  /// string, bytes and fixed.
  const std::string& as_bytes() const { return std::get<std::string>(v_); }
  std::string& as_bytes() { return std::get<std::string>(v_); }
  const List& fields() const { return std::get<RecordData>(v_).values; }
  List& fields() { return std::get<RecordData>(v_).values; }
  const List& items() const { return std::get<ArrayData>(v_).values; }
  List& items() { return std::get<ArrayData>(v_).values; }
  const MapEntries& entries() const { return std::get<MapData>(v_).entries; }
  MapEntries& entries() { return std::get<MapData>(v_).entries; }

  /// The union branch this value is (or is to be) written as; -1 = not set.
  int branch() const { return branch_; }
  Value& WithBranch(int branch) & {
    branch_ = branch;
    return *this;
  }
  Value&& WithBranch(int branch) && {
    branch_ = branch;
    return std::move(*this);
  }

  /// Compares data only, not the branch annotation.
  bool operator==(const Value& other) const { return v_ == other.v_; }

 private:
  struct RecordData {
    List values;
    bool operator==(const RecordData&) const = default;
  };
  struct ArrayData {
    List values;
    bool operator==(const ArrayData&) const = default;
  };
  struct MapData {
    MapEntries entries;
    bool operator==(const MapData&) const = default;
  };
  explicit Value(RecordData d) : v_(std::move(d)) {}
  explicit Value(ArrayData d) : v_(std::move(d)) {}
  explicit Value(MapData d) : v_(std::move(d)) {}

  // The alternatives' order is Kind's order.
  std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, RecordData,
               ArrayData, MapData>
      v_;
  int branch_ = -1;
};

/// "null", "bool", "int", ... for error messages.
const char* KindName(Value::Kind kind);

}  // namespace ldp::avro
