#include "ldp/iceberg/manifest.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string_view>

#include "ldp/avro/avro.h"

namespace ldp::iceberg {

namespace {

using avro::Field;
using avro::Json;
using avro::MakeField;
using avro::MakeOptional;
using avro::MakePrimitive;
using avro::NodePtr;
using avro::Type;
using avro::Value;

// Java's DataFile.DEFAULT_BLOCK_SIZE, written into the deprecated v1 block_size_in_bytes field.
constexpr int64_t kV1BlockSize = 64 * 1024 * 1024;

// ---------------------------------------------------------------- schema building
// The Avro schemas below mirror what Java's ManifestWriter/ManifestListWriter write (V1Metadata,
// V2Metadata, TypeToSchema): the same record names (r2, r102, k117_v118, r508), field order,
// docs, and "field-id"/"element-id"/"logicalType" attributes, because Java and pyiceberg resolve
// manifests by field id and other readers (icebird) by name.

NodePtr Prim(Type t) { return MakePrimitive(t); }

// A required field: name, type, [doc], field-id (Java's attribute order).
Field Req(std::string name, NodePtr type, int32_t id, std::string_view doc = {}) {
  Json attrs = Json::object();
  if (!doc.empty()) attrs["doc"] = doc;
  attrs["field-id"] = id;
  return MakeField(std::move(name), std::move(type), std::move(attrs));
}

// An optional field: ["null", type] with "default": null.
Field Opt(std::string name, NodePtr type, int32_t id, std::string_view doc = {}) {
  Json attrs = Json::object();
  if (!doc.empty()) attrs["doc"] = doc;
  attrs["default"] = nullptr;
  attrs["field-id"] = id;
  return MakeField(std::move(name), MakeOptional(std::move(type)), std::move(attrs));
}

// Iceberg map<int, V> is an Avro array of key/value records marked logicalType "map".
NodePtr IntMap(int32_t key_id, int32_t value_id, Type value_type) {
  NodePtr kv = avro::MakeRecord(fmt::format("k{}_v{}", key_id, value_id),
                                {Req("key", Prim(Type::kInt), key_id),
                                 Req("value", Prim(value_type), value_id)});
  return avro::MakeArray(kv, Json{{"logicalType", "map"}});
}

NodePtr List(Type element, int32_t element_id) {
  return avro::MakeArray(Prim(element), Json{{"element-id", element_id}});
}

// ---------------------------------------------------------------- partition types

enum class PKind { kBool, kInt, kLong, kFloat, kDouble, kString, kBinary, kFixed, kDecimal };

struct PartitionType {
  PKind kind = PKind::kInt;
  int32_t fixed_size = 0;  // fixed, uuid, decimal
  NodePtr avro;
};

// Java's TypeUtil.decimalRequiredBytes: the fewest bytes whose two's complement holds 10^p - 1.
int32_t DecimalRequiredBytes(int precision) {
  for (int32_t n = 1; n < 64; ++n) {
    if (std::floor((8.0 * n - 1) * std::log10(2.0)) >= precision) return n;
  }
  return 64;
}

Result<int> ParseSmallInt(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty() || s.size() > 6) return InvalidArgument("bad number '{}'", s);
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return InvalidArgument("bad number '{}'", s);
    v = v * 10 + (c - '0');
  }
  return v;
}

// Named Avro types (fixed) must be defined once per schema; later uses share the node.
class NamedTypes {
 public:
  NodePtr Fixed(const std::string& name, int32_t size, Json attrs) {
    auto it = fixed_.find(name);
    if (it != fixed_.end()) return it->second;
    NodePtr n = avro::MakeFixed(name, size, std::move(attrs));
    fixed_[name] = n;
    return n;
  }

 private:
  std::map<std::string, NodePtr> fixed_;
};

Result<PartitionType> ParsePartitionType(const std::string& type, NamedTypes* named) {
  PartitionType p;
  auto logical = [](Type t, Json attrs) { return MakePrimitive(t, std::move(attrs)); };
  if (type == "boolean") {
    p.kind = PKind::kBool;
    p.avro = Prim(Type::kBoolean);
  } else if (type == "int") {
    p.kind = PKind::kInt;
    p.avro = Prim(Type::kInt);
  } else if (type == "date") {
    p.kind = PKind::kInt;
    p.avro = logical(Type::kInt, Json{{"logicalType", "date"}});
  } else if (type == "long") {
    p.kind = PKind::kLong;
    p.avro = Prim(Type::kLong);
  } else if (type == "time") {
    p.kind = PKind::kLong;
    p.avro = logical(Type::kLong, Json{{"logicalType", "time-micros"}});
  } else if (type == "timestamp" || type == "timestamptz") {
    p.kind = PKind::kLong;
    Json attrs = Json::object();
    attrs["logicalType"] = "timestamp-micros";
    attrs["adjust-to-utc"] = type == "timestamptz";
    p.avro = logical(Type::kLong, std::move(attrs));
  } else if (type == "timestamp_ns" || type == "timestamptz_ns") {
    p.kind = PKind::kLong;
    Json attrs = Json::object();
    attrs["logicalType"] = "timestamp-nanos";
    attrs["adjust-to-utc"] = type == "timestamptz_ns";
    p.avro = logical(Type::kLong, std::move(attrs));
  } else if (type == "float") {
    p.kind = PKind::kFloat;
    p.avro = Prim(Type::kFloat);
  } else if (type == "double") {
    p.kind = PKind::kDouble;
    p.avro = Prim(Type::kDouble);
  } else if (type == "string") {
    p.kind = PKind::kString;
    p.avro = Prim(Type::kString);
  } else if (type == "binary") {
    p.kind = PKind::kBinary;
    p.avro = Prim(Type::kBytes);
  } else if (type == "uuid") {
    p.kind = PKind::kFixed;
    p.fixed_size = 16;
    p.avro = named->Fixed("uuid_fixed", 16, Json{{"logicalType", "uuid"}});
  } else if (type.rfind("fixed[", 0) == 0 && type.back() == ']') {
    auto len = ParseSmallInt(std::string_view(type).substr(6, type.size() - 7));
    if (!len.ok() || *len <= 0) return InvalidArgument("invalid partition type '{}'", type);
    p.kind = PKind::kFixed;
    p.fixed_size = *len;
    p.avro = named->Fixed(fmt::format("fixed_{}", *len), *len, Json::object());
  } else if (type.rfind("decimal(", 0) == 0 && type.back() == ')') {
    std::string_view args = std::string_view(type).substr(8, type.size() - 9);
    size_t comma = args.find(',');
    if (comma == std::string_view::npos) return InvalidArgument("invalid partition type '{}'", type);
    auto precision = ParseSmallInt(args.substr(0, comma));
    auto scale = ParseSmallInt(args.substr(comma + 1));
    if (!precision.ok() || !scale.ok() || *precision < 1 || *precision > 38 ||
        *scale > *precision) {
      return InvalidArgument("invalid partition type '{}'", type);
    }
    p.kind = PKind::kDecimal;
    p.fixed_size = DecimalRequiredBytes(*precision);
    Json attrs = Json::object();
    attrs["logicalType"] = "decimal";
    attrs["precision"] = *precision;
    attrs["scale"] = *scale;
    p.avro = named->Fixed(fmt::format("decimal_{}_{}", *precision, *scale), p.fixed_size,
                          std::move(attrs));
  } else {
    return InvalidArgument("unsupported partition result type '{}'", type);
  }
  return p;
}

// Java's AvroSchemaUtil.sanitize: names that are not valid Avro names get _x<HEX> escapes.
std::string SanitizeName(const std::string& name) {
  if (name.empty()) return "_";
  std::string out;
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (letter || (digit && i > 0)) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (digit) {
      out += "_";
      out.push_back(static_cast<char>(c));
      ++i;
    } else {
      // Decode one UTF-8 sequence to escape the code point, as Java escapes the char.
      uint32_t cp = c;
      size_t len = 1;
      if (c >= 0xF0) {
        cp = c & 0x07, len = 4;
      } else if (c >= 0xE0) {
        cp = c & 0x0F, len = 3;
      } else if (c >= 0xC0) {
        cp = c & 0x1F, len = 2;
      }
      for (size_t k = 1; k < len && i + k < name.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(name[i + k]) & 0x3F);
      out += fmt::format("_x{:X}", cp);
      i += len;
    }
  }
  return out;
}

// ---------------------------------------------------------------- single-value serialization

const char* PKindName(PKind k) {
  switch (k) {
    case PKind::kBool: return "bool";
    case PKind::kInt: return "int32";
    case PKind::kLong: return "int64";
    case PKind::kFloat: return "float";
    case PKind::kDouble: return "double";
    case PKind::kString: return "string";
    case PKind::kBinary:
    case PKind::kFixed:
    case PKind::kDecimal: return "Bytes";
  }
  return "?";
}

bool Matches(PKind k, const PartitionValue& v) {
  switch (k) {
    case PKind::kBool: return std::holds_alternative<bool>(v);
    case PKind::kInt: return std::holds_alternative<int32_t>(v);
    case PKind::kLong: return std::holds_alternative<int64_t>(v);
    case PKind::kFloat: return std::holds_alternative<float>(v);
    case PKind::kDouble: return std::holds_alternative<double>(v);
    case PKind::kString: return std::holds_alternative<std::string>(v);
    case PKind::kBinary:
    case PKind::kFixed:
    case PKind::kDecimal: return std::holds_alternative<Bytes>(v);
  }
  return false;
}

// Drops redundant leading sign bytes of a big-endian two's-complement number.
std::string MinimalTwosComplement(std::string b) {
  size_t skip = 0;
  while (skip + 1 < b.size()) {
    unsigned char c = b[skip], next = b[skip + 1];
    if ((c == 0x00 && !(next & 0x80)) || (c == 0xFF && (next & 0x80))) {
      ++skip;
    } else {
      break;
    }
  }
  return b.substr(skip);
}

Result<std::string> SignExtend(const std::string& b, int32_t size) {
  std::string m = MinimalTwosComplement(b);
  if (m.empty()) m = std::string(1, '\0');
  if (m.size() > static_cast<size_t>(size)) {
    return InvalidArgument("decimal of {} bytes does not fit in {}", m.size(), size);
  }
  const char fill = (static_cast<unsigned char>(m[0]) & 0x80) ? '\xFF' : '\0';
  return std::string(size - m.size(), fill) + m;
}

template <typename T>
std::string LittleEndian(T v) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  U bits = std::bit_cast<U>(v);
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  return out;
}

// Spec Appendix D, "Binary single-value serialization". REQUIRES: v is not null.
std::string SingleValue(PKind k, const PartitionValue& v) {
  switch (k) {
    case PKind::kBool: return std::string(1, std::get<bool>(v) ? '\x01' : '\x00');
    case PKind::kInt: return LittleEndian(std::get<int32_t>(v));
    case PKind::kLong: return LittleEndian(std::get<int64_t>(v));
    case PKind::kFloat: return LittleEndian(std::get<float>(v));
    case PKind::kDouble: return LittleEndian(std::get<double>(v));
    case PKind::kString: return std::get<std::string>(v);
    case PKind::kBinary:
    case PKind::kFixed: return std::get<Bytes>(v).data;
    case PKind::kDecimal: return MinimalTwosComplement(std::get<Bytes>(v).data);
  }
  return {};
}

int CompareSignedBigEndian(const std::string& a, const std::string& b) {
  const bool neg_a = !a.empty() && (static_cast<unsigned char>(a[0]) & 0x80);
  const bool neg_b = !b.empty() && (static_cast<unsigned char>(b[0]) & 0x80);
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  const size_t n = std::max(a.size(), b.size());
  const char fill = neg_a ? '\xFF' : '\0';
  std::string pa = std::string(n - a.size(), fill) + a;
  std::string pb = std::string(n - b.size(), fill) + b;
  return pa.compare(pb) < 0 ? -1 : (pa == pb ? 0 : 1);
}

template <typename F>
int CompareFloat(F a, F b) {
  if (a < b) return -1;
  if (a > b) return 1;
  // -0.0 sorts before +0.0.
  if (std::signbit(a) != std::signbit(b)) return std::signbit(a) ? -1 : 1;
  return 0;
}

// REQUIRES: both non-null, non-NaN, of kind k.
int ComparePartitionValues(PKind k, const PartitionValue& a, const PartitionValue& b) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (k) {
    case PKind::kBool: return cmp(std::get<bool>(a), std::get<bool>(b));
    case PKind::kInt: return cmp(std::get<int32_t>(a), std::get<int32_t>(b));
    case PKind::kLong: return cmp(std::get<int64_t>(a), std::get<int64_t>(b));
    case PKind::kFloat: return CompareFloat(std::get<float>(a), std::get<float>(b));
    case PKind::kDouble: return CompareFloat(std::get<double>(a), std::get<double>(b));
    case PKind::kString: return std::get<std::string>(a).compare(std::get<std::string>(b));
    case PKind::kBinary:
    case PKind::kFixed: return std::get<Bytes>(a).data.compare(std::get<Bytes>(b).data);
    case PKind::kDecimal:
      return CompareSignedBigEndian(std::get<Bytes>(a).data, std::get<Bytes>(b).data);
  }
  return 0;
}

struct FieldStats {
  bool contains_null = false;
  bool contains_nan = false;
  std::optional<PartitionValue> lower;
  std::optional<PartitionValue> upper;

  void Update(PKind k, const PartitionValue& v) {
    if (std::holds_alternative<std::monostate>(v)) {
      contains_null = true;
      return;
    }
    if ((k == PKind::kFloat && std::isnan(std::get<float>(v))) ||
        (k == PKind::kDouble && std::isnan(std::get<double>(v)))) {
      contains_nan = true;  // NaN is never a bound
      return;
    }
    if (!lower || ComparePartitionValues(k, v, *lower) < 0) lower = v;
    if (!upper || ComparePartitionValues(k, v, *upper) > 0) upper = v;
  }

  PartitionFieldSummary ToSummary(PKind k) const {
    PartitionFieldSummary s;
    s.contains_null = contains_null;
    // Java's PartitionSummary writes contains_nan for every type (false unless NaN was seen).
    s.contains_nan = contains_nan;
    if (lower) s.lower_bound = SingleValue(k, *lower);
    if (upper) s.upper_bound = SingleValue(k, *upper);
    return s;
  }
};

// ---------------------------------------------------------------- manifest schema

const char* kContentDoc = "Contents of the file: 0=data, 1=position deletes, 2=equality deletes";

NodePtr DataFileRecord(int format_version, NodePtr partition) {
  std::vector<Field> f;
  if (format_version >= 2) f.push_back(Req("content", Prim(Type::kInt), 134, kContentDoc));
  f.push_back(Req("file_path", Prim(Type::kString), 100, "Location URI with FS scheme"));
  f.push_back(
      Req("file_format", Prim(Type::kString), 101, "File format name: avro, orc, or parquet"));
  f.push_back(Req("partition", std::move(partition), 102,
                  format_version >= 2 ? "Partition data tuple, schema based on the partition spec"
                                      : ""));
  f.push_back(Req("record_count", Prim(Type::kLong), 103, "Number of records in the file"));
  f.push_back(Req("file_size_in_bytes", Prim(Type::kLong), 104, "Total file size in bytes"));
  if (format_version == 1) f.push_back(Req("block_size_in_bytes", Prim(Type::kLong), 105));
  f.push_back(Opt("column_sizes", IntMap(117, 118, Type::kLong), 108,
                  "Map of column id to total size on disk"));
  f.push_back(Opt("value_counts", IntMap(119, 120, Type::kLong), 109,
                  "Map of column id to total count, including null and NaN"));
  f.push_back(Opt("null_value_counts", IntMap(121, 122, Type::kLong), 110,
                  "Map of column id to null value count"));
  f.push_back(Opt("nan_value_counts", IntMap(138, 139, Type::kLong), 137,
                  "Map of column id to number of NaN values in the column"));
  f.push_back(Opt("lower_bounds", IntMap(126, 127, Type::kBytes), 125,
                  "Map of column id to lower bound"));
  f.push_back(Opt("upper_bounds", IntMap(129, 130, Type::kBytes), 128,
                  "Map of column id to upper bound"));
  f.push_back(Opt("key_metadata", Prim(Type::kBytes), 131, "Encryption key metadata blob"));
  f.push_back(Opt("split_offsets", List(Type::kLong, 133), 132, "Splittable offsets"));
  if (format_version >= 2) {
    f.push_back(
        Opt("equality_ids", List(Type::kInt, 136), 135, "Equality comparison field IDs"));
  }
  f.push_back(Opt("sort_order_id", Prim(Type::kInt), 140, "Sort order ID"));
  if (format_version >= 2) {
    f.push_back(Opt("referenced_data_file", Prim(Type::kString), 143,
                    "Fully qualified location (URI with FS scheme) of a data file that all "
                    "deletes reference"));
  }
  return avro::MakeRecord("r2", std::move(f));
}

struct ManifestLayout {
  std::vector<PartitionType> partition_types;
  avro::Schema schema;
};

Result<ManifestLayout> MakeManifestLayout(const ManifestWriteOptions& options) {
  NamedTypes named;
  std::vector<PartitionType> types;
  std::vector<Field> partition_fields;
  for (const auto& pf : options.partition_fields) {
    auto t = ParsePartitionType(pf.result_type, &named);
    if (!t.ok()) {
      return t.status().WithContext(
          fmt::format("partition field '{}' ({})", pf.name, pf.field_id));
    }
    partition_fields.push_back(Opt(SanitizeName(pf.name), t->avro, pf.field_id));
    types.push_back(std::move(t).value());
  }
  NodePtr partition = avro::MakeRecord("r102", std::move(partition_fields));
  std::vector<Field> entry;
  entry.push_back(Req("status", Prim(Type::kInt), 0));
  entry.push_back(Opt("snapshot_id", Prim(Type::kLong), 1));
  if (options.format_version >= 2) {
    entry.push_back(Opt("sequence_number", Prim(Type::kLong), 3));
    entry.push_back(Opt("file_sequence_number", Prim(Type::kLong), 4));
  }
  entry.push_back(Req("data_file", DataFileRecord(options.format_version, partition), 2));
  LDP_ASSIGN_OR_RAISE(avro::Schema schema,
                      avro::Schema::Make(avro::MakeRecord("manifest_entry", std::move(entry))));
  return ManifestLayout{std::move(types), std::move(schema)};
}

Value OptLong(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(); }

template <typename V>
Value IntMapValue(const std::map<int32_t, V>& m) {
  if (m.empty()) return Value();
  Value::List items;
  items.reserve(m.size());
  for (const auto& [k, v] : m) items.push_back(Value::Record({Value(k), Value(v)}));
  return Value::Array(std::move(items));
}

template <typename T>
Value ListValue(const std::vector<T>& v) {
  if (v.empty()) return Value();
  Value::List items;
  items.reserve(v.size());
  for (const T& x : v) items.emplace_back(x);
  return Value::Array(std::move(items));
}

Result<Value> PartitionAvroValue(const PartitionType& t, const PartitionValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return Value();
  switch (t.kind) {
    case PKind::kBool: return Value(std::get<bool>(v));
    case PKind::kInt: return Value(std::get<int32_t>(v));
    case PKind::kLong: return Value(std::get<int64_t>(v));
    case PKind::kFloat: return Value(std::get<float>(v));
    case PKind::kDouble: return Value(std::get<double>(v));
    case PKind::kString: return Value(std::get<std::string>(v));
    case PKind::kBinary: return Value(std::get<Bytes>(v).data);
    case PKind::kFixed: {
      const std::string& b = std::get<Bytes>(v).data;
      if (b.size() != static_cast<size_t>(t.fixed_size)) {
        return InvalidArgument("value of {} bytes for a fixed[{}] partition", b.size(),
                               t.fixed_size);
      }
      return Value(b);
    }
    case PKind::kDecimal: {
      LDP_ASSIGN_OR_RAISE(std::string b, SignExtend(std::get<Bytes>(v).data, t.fixed_size));
      return Value(std::move(b));
    }
  }
  return Internal("unknown partition kind");
}

Result<Value> EntryValue(const ManifestLayout& layout, int format_version,
                         const ManifestEntry& e) {
  const DataFile& f = e.data_file;
  if (f.partition.size() != layout.partition_types.size()) {
    return InvalidArgument("partition tuple has {} values, the spec has {} fields",
                           f.partition.size(), layout.partition_types.size());
  }
  Value::List partition;
  partition.reserve(f.partition.size());
  for (size_t i = 0; i < f.partition.size(); ++i) {
    const PartitionType& t = layout.partition_types[i];
    const PartitionValue& pv = f.partition[i];
    if (!std::holds_alternative<std::monostate>(pv) && !Matches(t.kind, pv)) {
      return InvalidArgument("partition value #{} must be {} (or null)", i, PKindName(t.kind));
    }
    auto v = PartitionAvroValue(t, pv);
    if (!v.ok()) return v.status().WithContext(fmt::format("partition value #{}", i));
    partition.push_back(std::move(v).value());
  }
  if (f.content == FileContent::kEqualityDeletes && f.equality_ids.empty()) {
    return InvalidArgument("equality delete file without equality_ids");
  }

  Value::List df;
  df.reserve(18);
  if (format_version >= 2) df.emplace_back(static_cast<int32_t>(f.content));
  df.emplace_back(f.file_path);
  df.emplace_back(f.file_format);
  df.push_back(Value::Record(std::move(partition)));
  df.emplace_back(f.record_count);
  df.emplace_back(f.file_size_in_bytes);
  if (format_version == 1) df.emplace_back(kV1BlockSize);
  df.push_back(IntMapValue(f.column_sizes));
  df.push_back(IntMapValue(f.value_counts));
  df.push_back(IntMapValue(f.null_value_counts));
  df.push_back(IntMapValue(f.nan_value_counts));
  df.push_back(IntMapValue(f.lower_bounds));
  df.push_back(IntMapValue(f.upper_bounds));
  df.emplace_back();  // key_metadata
  df.push_back(ListValue(f.split_offsets));
  if (format_version >= 2) df.push_back(ListValue(f.equality_ids));
  df.push_back(f.sort_order_id ? Value(*f.sort_order_id) : Value());
  if (format_version >= 2) {
    df.push_back(f.referenced_data_file ? Value(*f.referenced_data_file) : Value());
  }

  Value::List entry;
  entry.reserve(5);
  entry.emplace_back(static_cast<int32_t>(e.status));
  entry.push_back(OptLong(e.snapshot_id));
  if (format_version >= 2) {
    entry.push_back(OptLong(e.sequence_number));
    entry.push_back(OptLong(e.file_sequence_number));
  }
  entry.push_back(Value::Record(std::move(df)));
  return Value::Record(std::move(entry));
}

// ---------------------------------------------------------------- manifest list schema

avro::Schema ManifestListSchema(int format_version) {
  NodePtr summary = avro::MakeRecord(
      "r508",
      {Req("contains_null", Prim(Type::kBoolean), 509,
           "True if any file has a null partition value"),
       Opt("contains_nan", Prim(Type::kBoolean), 518, "True if any file has a nan partition value"),
       Opt("lower_bound", Prim(Type::kBytes), 510, "Partition lower bound for all files"),
       Opt("upper_bound", Prim(Type::kBytes), 511, "Partition upper bound for all files")});
  NodePtr partitions = avro::MakeArray(summary, Json{{"element-id", 508}});
  std::vector<Field> f;
  f.push_back(Req("manifest_path", Prim(Type::kString), 500, "Location URI with FS scheme"));
  f.push_back(Req("manifest_length", Prim(Type::kLong), 501, "Total file size in bytes"));
  f.push_back(Req("partition_spec_id", Prim(Type::kInt), 502, "Spec ID used to write"));
  if (format_version >= 2) {
    f.push_back(Req("content", Prim(Type::kInt), 517,
                    "Contents of the manifest: 0=data, 1=deletes"));
    f.push_back(Req("sequence_number", Prim(Type::kLong), 515,
                    "Sequence number when the manifest was added"));
    f.push_back(Req("min_sequence_number", Prim(Type::kLong), 516,
                    "Lowest sequence number in the manifest"));
  }
  f.push_back(
      Req("added_snapshot_id", Prim(Type::kLong), 503, "Snapshot ID that added the manifest"));
  if (format_version >= 2) {
    f.push_back(Req("added_files_count", Prim(Type::kInt), 504, "Added entry count"));
    f.push_back(Req("existing_files_count", Prim(Type::kInt), 505, "Existing entry count"));
    f.push_back(Req("deleted_files_count", Prim(Type::kInt), 506, "Deleted entry count"));
    f.push_back(Req("added_rows_count", Prim(Type::kLong), 512, "Added rows count"));
    f.push_back(Req("existing_rows_count", Prim(Type::kLong), 513, "Existing rows count"));
    f.push_back(Req("deleted_rows_count", Prim(Type::kLong), 514, "Deleted rows count"));
    f.push_back(Opt("partitions", partitions, 507, "Summary for each partition"));
  } else {
    f.push_back(Opt("added_files_count", Prim(Type::kInt), 504, "Added entry count"));
    f.push_back(Opt("existing_files_count", Prim(Type::kInt), 505, "Existing entry count"));
    f.push_back(Opt("deleted_files_count", Prim(Type::kInt), 506, "Deleted entry count"));
    f.push_back(Opt("partitions", partitions, 507, "Summary for each partition"));
    f.push_back(Opt("added_rows_count", Prim(Type::kLong), 512, "Added rows count"));
    f.push_back(Opt("existing_rows_count", Prim(Type::kLong), 513, "Existing rows count"));
    f.push_back(Opt("deleted_rows_count", Prim(Type::kLong), 514, "Deleted rows count"));
  }
  f.push_back(Opt("key_metadata", Prim(Type::kBytes), 519, "Encryption key metadata blob"));
  // The schema is fixed and valid by construction.
  return avro::Schema::Make(avro::MakeRecord("manifest_file", std::move(f))).value();
}

Value ManifestFileValue(int format_version, const ManifestFile& m) {
  Value::List summaries;
  summaries.reserve(m.partitions.size());
  for (const auto& s : m.partitions) {
    summaries.push_back(Value::Record({
        Value(s.contains_null),
        s.contains_nan ? Value(*s.contains_nan) : Value(),
        s.lower_bound ? Value(*s.lower_bound) : Value(),
        s.upper_bound ? Value(*s.upper_bound) : Value(),
    }));
  }
  Value::List f;
  f.reserve(16);
  f.emplace_back(m.manifest_path);
  f.emplace_back(m.manifest_length);
  f.emplace_back(m.partition_spec_id);
  if (format_version >= 2) {
    f.emplace_back(static_cast<int32_t>(m.content));
    f.emplace_back(m.sequence_number);
    f.emplace_back(m.min_sequence_number);
  }
  f.emplace_back(m.added_snapshot_id);
  f.emplace_back(m.added_files_count);
  f.emplace_back(m.existing_files_count);
  f.emplace_back(m.deleted_files_count);
  if (format_version >= 2) {
    f.emplace_back(m.added_rows_count);
    f.emplace_back(m.existing_rows_count);
    f.emplace_back(m.deleted_rows_count);
    f.push_back(Value::Array(std::move(summaries)));
  } else {
    f.push_back(Value::Array(std::move(summaries)));
    f.emplace_back(m.added_rows_count);
    f.emplace_back(m.existing_rows_count);
    f.emplace_back(m.deleted_rows_count);
  }
  f.emplace_back();  // key_metadata
  return Value::Record(std::move(f));
}

Status CheckFormatVersion(int v) {
  if (v == 1 || v == 2) return Status::OK();
  if (v == 3) return NotImplemented("format version 3 manifests are not supported yet");
  return InvalidArgument("invalid format version {}", v);
}

// ---------------------------------------------------------------- reading

// Finds a record field by Iceberg field id, falling back to names (older writers).
int Resolve(const avro::Node& record, int32_t id, std::initializer_list<std::string_view> names) {
  int i = record.FieldIndexById(id);
  if (i >= 0) return i;
  for (auto n : names) {
    i = record.FieldIndex(n);
    if (i >= 0) return i;
  }
  return -1;
}

// The node a value was written as: unions resolve to the branch the value carries.
const avro::Node* Effective(const avro::Node* node, const Value& v) {
  if (node->type == Type::kUnion && v.branch() >= 0 &&
      static_cast<size_t>(v.branch()) < node->branches.size()) {
    return node->branches[v.branch()].get();
  }
  return node;
}

// Typed access to decoded values; errors name the field.
struct Getter {
  Status Err(std::string_view field, std::string_view want, const Value& v) const {
    return InvalidArgument("field {}: expected {}, found {}", field, want,
                           avro::KindName(v.kind()));
  }
  Result<int64_t> Long(std::string_view field, const Value& v) const {
    if (v.kind() == Value::Kind::kLong) return v.as_long();
    if (v.kind() == Value::Kind::kInt) return static_cast<int64_t>(v.as_int());
    return Err(field, "long", v);
  }
  Result<int32_t> Int(std::string_view field, const Value& v) const {
    if (v.kind() == Value::Kind::kInt) return v.as_int();
    if (v.kind() == Value::Kind::kLong && v.as_long() >= std::numeric_limits<int32_t>::min() &&
        v.as_long() <= std::numeric_limits<int32_t>::max()) {
      return static_cast<int32_t>(v.as_long());
    }
    return Err(field, "int", v);
  }
  Result<std::optional<int64_t>> OptLong(std::string_view field, const Value* v) const {
    if (!v || v->is_null()) return std::optional<int64_t>();
    LDP_ASSIGN_OR_RAISE(int64_t l, Long(field, *v));
    return std::optional<int64_t>(l);
  }
  Result<std::string> String(std::string_view field, const Value& v) const {
    if (v.kind() == Value::Kind::kBytes) return v.as_bytes();
    return Err(field, "string", v);
  }
  Result<bool> Bool(std::string_view field, const Value& v) const {
    if (v.kind() == Value::Kind::kBool) return v.as_bool();
    return Err(field, "boolean", v);
  }

  // map<int, V> stored as an array of key/value records (or, leniently, an Avro map).
  template <typename V, typename Conv>
  Status IntMap(std::string_view field, const Value* v, std::map<int32_t, V>* out,
                Conv conv) const {
    out->clear();
    if (!v || v->is_null()) return Status::OK();
    if (v->kind() == Value::Kind::kArray) {
      for (const Value& kv : v->items()) {
        if (kv.kind() != Value::Kind::kRecord || kv.fields().size() < 2) {
          return InvalidArgument("field {}: map entry is not a key/value record", field);
        }
        LDP_ASSIGN_OR_RAISE(int32_t key, Int(field, kv.fields()[0]));
        LDP_ASSIGN_OR_RAISE((*out)[key], conv(kv.fields()[1]));
      }
      return Status::OK();
    }
    if (v->kind() == Value::Kind::kMap) {
      for (const auto& [k, val] : v->entries()) {
        char* end = nullptr;
        long key = std::strtol(k.c_str(), &end, 10);
        if (k.empty() || *end != '\0') {
          return InvalidArgument("field {}: map key '{}' is not an int", field, k);
        }
        LDP_ASSIGN_OR_RAISE((*out)[static_cast<int32_t>(key)], conv(val));
      }
      return Status::OK();
    }
    return Err(field, "map", *v);
  }
};

Result<PartitionValue> ReadPartitionValue(const avro::Node* node, const Value& v) {
  if (v.is_null()) return PartitionValue();
  const avro::Node* n = Effective(node, v);
  switch (v.kind()) {
    case Value::Kind::kBool: return PartitionValue(v.as_bool());
    case Value::Kind::kInt: return PartitionValue(v.as_int());
    case Value::Kind::kLong: return PartitionValue(v.as_long());
    case Value::Kind::kFloat: return PartitionValue(v.as_float());
    case Value::Kind::kDouble: return PartitionValue(v.as_double());
    case Value::Kind::kBytes:
      if (n->type == Type::kString) return PartitionValue(v.as_bytes());
      if (n->logical_type() == "decimal") return PartitionValue(Bytes{MinimalTwosComplement(v.as_bytes())});
      return PartitionValue(Bytes{v.as_bytes()});
    default:
      return InvalidArgument("partition value of unsupported Avro kind {}",
                             avro::KindName(v.kind()));
  }
}

// Field positions of the manifest_entry schema a file was written with.
struct EntryLayout {
  int status = -1, snapshot_id = -1, sequence_number = -1, file_sequence_number = -1,
      data_file = -1;
  const avro::Node* data_file_node = nullptr;
  int content = -1, file_path = -1, file_format = -1, partition = -1, record_count = -1,
      file_size = -1, column_sizes = -1, value_counts = -1, null_value_counts = -1,
      nan_value_counts = -1, lower_bounds = -1, upper_bounds = -1, split_offsets = -1,
      equality_ids = -1, sort_order_id = -1, referenced_data_file = -1, content_offset = -1,
      content_size = -1;
  const avro::Node* partition_node = nullptr;
};

const avro::Node* RecordOf(const avro::Node* n) {
  if (n->type == Type::kRecord) return n;
  if (n->type == Type::kUnion) {
    for (const auto& b : n->branches)
      if (b->type == Type::kRecord) return b.get();
  }
  return nullptr;
}

Result<EntryLayout> MakeEntryLayout(const avro::Node& root) {
  if (root.type != Type::kRecord) return InvalidArgument("manifest schema is not a record");
  EntryLayout l;
  auto need = [](int idx, std::string_view name, int32_t id) -> Status {
    if (idx < 0) {
      return InvalidArgument("manifest schema has no field '{}' (field-id {})", name, id);
    }
    return Status::OK();
  };
  l.status = Resolve(root, 0, {"status"});
  l.snapshot_id = Resolve(root, 1, {"snapshot_id"});
  l.sequence_number = Resolve(root, 3, {"sequence_number"});
  l.file_sequence_number = Resolve(root, 4, {"file_sequence_number"});
  l.data_file = Resolve(root, 2, {"data_file"});
  LDP_RETURN_NOT_OK(need(l.status, "status", 0));
  LDP_RETURN_NOT_OK(need(l.data_file, "data_file", 2));
  const avro::Node* df = RecordOf(root.fields[l.data_file].type.get());
  if (!df) return InvalidArgument("manifest field 'data_file' is not a record");
  l.data_file_node = df;
  l.content = Resolve(*df, 134, {"content"});
  l.file_path = Resolve(*df, 100, {"file_path"});
  l.file_format = Resolve(*df, 101, {"file_format"});
  l.partition = Resolve(*df, 102, {"partition"});
  l.record_count = Resolve(*df, 103, {"record_count"});
  l.file_size = Resolve(*df, 104, {"file_size_in_bytes"});
  l.column_sizes = Resolve(*df, 108, {"column_sizes"});
  l.value_counts = Resolve(*df, 109, {"value_counts"});
  l.null_value_counts = Resolve(*df, 110, {"null_value_counts"});
  l.nan_value_counts = Resolve(*df, 137, {"nan_value_counts"});
  l.lower_bounds = Resolve(*df, 125, {"lower_bounds"});
  l.upper_bounds = Resolve(*df, 128, {"upper_bounds"});
  l.split_offsets = Resolve(*df, 132, {"split_offsets"});
  l.equality_ids = Resolve(*df, 135, {"equality_ids"});
  l.sort_order_id = Resolve(*df, 140, {"sort_order_id"});
  l.referenced_data_file = Resolve(*df, 143, {"referenced_data_file"});
  l.content_offset = Resolve(*df, 144, {"content_offset"});
  l.content_size = Resolve(*df, 145, {"content_size_in_bytes"});
  LDP_RETURN_NOT_OK(need(l.file_path, "data_file.file_path", 100));
  LDP_RETURN_NOT_OK(need(l.file_format, "data_file.file_format", 101));
  LDP_RETURN_NOT_OK(need(l.record_count, "data_file.record_count", 103));
  LDP_RETURN_NOT_OK(need(l.file_size, "data_file.file_size_in_bytes", 104));
  if (l.partition >= 0) {
    l.partition_node = RecordOf(df->fields[l.partition].type.get());
    if (!l.partition_node) return InvalidArgument("manifest field 'partition' is not a record");
  }
  return l;
}

const Value* At(const Value& record, int idx) {
  if (idx < 0 || static_cast<size_t>(idx) >= record.fields().size()) return nullptr;
  return &record.fields()[idx];
}

Result<ManifestEntry> ReadEntry(const EntryLayout& l, const Value& v) {
  Getter g;
  if (v.kind() != Value::Kind::kRecord) return InvalidArgument("entry is not a record");
  ManifestEntry e;
  LDP_ASSIGN_OR_RAISE(int32_t status, g.Int("status", *At(v, l.status)));
  if (status < 0 || status > 2) return InvalidArgument("invalid entry status {}", status);
  e.status = static_cast<ManifestEntryStatus>(status);
  LDP_ASSIGN_OR_RAISE(e.snapshot_id, g.OptLong("snapshot_id", At(v, l.snapshot_id)));
  LDP_ASSIGN_OR_RAISE(e.sequence_number, g.OptLong("sequence_number", At(v, l.sequence_number)));
  LDP_ASSIGN_OR_RAISE(e.file_sequence_number,
                      g.OptLong("file_sequence_number", At(v, l.file_sequence_number)));

  const Value& dv = *At(v, l.data_file);
  if (dv.kind() != Value::Kind::kRecord ||
      dv.fields().size() != l.data_file_node->fields.size()) {
    return InvalidArgument("data_file is not a {}-field record", l.data_file_node->fields.size());
  }
  DataFile& f = e.data_file;
  if (const Value* c = At(dv, l.content); c && !c->is_null()) {
    LDP_ASSIGN_OR_RAISE(int32_t content, g.Int("data_file.content", *c));
    if (content < 0 || content > 2) return InvalidArgument("invalid data file content {}", content);
    f.content = static_cast<FileContent>(content);
  }
  LDP_ASSIGN_OR_RAISE(f.file_path, g.String("data_file.file_path", *At(dv, l.file_path)));
  LDP_ASSIGN_OR_RAISE(f.file_format, g.String("data_file.file_format", *At(dv, l.file_format)));
  LDP_ASSIGN_OR_RAISE(f.record_count, g.Long("data_file.record_count", *At(dv, l.record_count)));
  LDP_ASSIGN_OR_RAISE(f.file_size_in_bytes,
                      g.Long("data_file.file_size_in_bytes", *At(dv, l.file_size)));
  if (const Value* p = At(dv, l.partition); p && !p->is_null()) {
    const avro::Node* pn = l.partition_node;
    for (size_t i = 0; i < p->fields().size() && i < pn->fields.size(); ++i) {
      auto pv = ReadPartitionValue(pn->fields[i].type.get(), p->fields()[i]);
      if (!pv.ok()) return pv.status().WithContext(fmt::format("partition.{}", pn->fields[i].name));
      f.partition.push_back(std::move(pv).value());
    }
  }
  auto as_long = [&](const Value& x) { return g.Long("map value", x); };
  auto as_bytes = [&](const Value& x) { return g.String("map value", x); };
  LDP_RETURN_NOT_OK(g.IntMap("column_sizes", At(dv, l.column_sizes), &f.column_sizes, as_long));
  LDP_RETURN_NOT_OK(g.IntMap("value_counts", At(dv, l.value_counts), &f.value_counts, as_long));
  LDP_RETURN_NOT_OK(g.IntMap("null_value_counts", At(dv, l.null_value_counts),
                             &f.null_value_counts, as_long));
  LDP_RETURN_NOT_OK(g.IntMap("nan_value_counts", At(dv, l.nan_value_counts),
                             &f.nan_value_counts, as_long));
  LDP_RETURN_NOT_OK(g.IntMap("lower_bounds", At(dv, l.lower_bounds), &f.lower_bounds, as_bytes));
  LDP_RETURN_NOT_OK(g.IntMap("upper_bounds", At(dv, l.upper_bounds), &f.upper_bounds, as_bytes));
  if (const Value* s = At(dv, l.split_offsets); s && !s->is_null()) {
    if (s->kind() != Value::Kind::kArray) return g.Err("split_offsets", "array", *s);
    for (const Value& x : s->items()) {
      LDP_ASSIGN_OR_RAISE(int64_t o, g.Long("split_offsets", x));
      f.split_offsets.push_back(o);
    }
  }
  if (const Value* s = At(dv, l.equality_ids); s && !s->is_null()) {
    if (s->kind() != Value::Kind::kArray) return g.Err("equality_ids", "array", *s);
    for (const Value& x : s->items()) {
      LDP_ASSIGN_OR_RAISE(int32_t id, g.Int("equality_ids", x));
      f.equality_ids.push_back(id);
    }
  }
  if (const Value* s = At(dv, l.sort_order_id); s && !s->is_null()) {
    LDP_ASSIGN_OR_RAISE(f.sort_order_id, g.Int("sort_order_id", *s));
  }
  if (const Value* s = At(dv, l.referenced_data_file); s && !s->is_null()) {
    LDP_ASSIGN_OR_RAISE(f.referenced_data_file, g.String("referenced_data_file", *s));
  }
  if (const Value* s = At(dv, l.content_offset); s && !s->is_null()) {
    LDP_ASSIGN_OR_RAISE(f.content_offset, g.OptLong("content_offset", s));
  }
  if (const Value* s = At(dv, l.content_size); s && !s->is_null()) {
    LDP_ASSIGN_OR_RAISE(f.content_size_in_bytes, g.OptLong("content_size_in_bytes", s));
  }
  return e;
}

Result<std::unique_ptr<avro::Reader>> OpenAvro(io::FileSystem& fs, const std::string& path) {
  LDP_ASSIGN_OR_RAISE(std::string bytes, fs.ReadFile(path));
  return avro::Reader::Open(std::move(bytes), path);
}

struct ListLayout {
  int path = -1, length = -1, spec_id = -1, content = -1, sequence_number = -1,
      min_sequence_number = -1, snapshot_id = -1, added_files = -1, existing_files = -1,
      deleted_files = -1, added_rows = -1, existing_rows = -1, deleted_rows = -1,
      partitions = -1;
};

Result<ListLayout> MakeListLayout(const avro::Node& root) {
  if (root.type != Type::kRecord) return InvalidArgument("manifest list schema is not a record");
  ListLayout l;
  l.path = Resolve(root, 500, {"manifest_path"});
  l.length = Resolve(root, 501, {"manifest_length"});
  l.spec_id = Resolve(root, 502, {"partition_spec_id"});
  l.content = Resolve(root, 517, {"content"});
  l.sequence_number = Resolve(root, 515, {"sequence_number"});
  l.min_sequence_number = Resolve(root, 516, {"min_sequence_number"});
  l.snapshot_id = Resolve(root, 503, {"added_snapshot_id"});
  l.added_files = Resolve(root, 504, {"added_files_count", "added_data_files_count"});
  l.existing_files = Resolve(root, 505, {"existing_files_count", "existing_data_files_count"});
  l.deleted_files = Resolve(root, 506, {"deleted_files_count", "deleted_data_files_count"});
  l.added_rows = Resolve(root, 512, {"added_rows_count"});
  l.existing_rows = Resolve(root, 513, {"existing_rows_count"});
  l.deleted_rows = Resolve(root, 514, {"deleted_rows_count"});
  l.partitions = Resolve(root, 507, {"partitions"});
  if (l.path < 0) return InvalidArgument("manifest list schema has no 'manifest_path' (500)");
  if (l.length < 0) return InvalidArgument("manifest list schema has no 'manifest_length' (501)");
  if (l.spec_id < 0) {
    return InvalidArgument("manifest list schema has no 'partition_spec_id' (502)");
  }
  return l;
}

Result<ManifestFile> ReadManifestFile(const ListLayout& l, const Value& v) {
  Getter g;
  if (v.kind() != Value::Kind::kRecord) return InvalidArgument("row is not a record");
  ManifestFile m;
  auto opt_long = [&](std::string_view name, int idx) -> Result<int64_t> {
    LDP_ASSIGN_OR_RAISE(std::optional<int64_t> x, g.OptLong(name, At(v, idx)));
    return x.value_or(0);
  };
  auto opt_int = [&](std::string_view name, int idx) -> Result<int32_t> {
    const Value* x = At(v, idx);
    if (!x || x->is_null()) return 0;
    return g.Int(name, *x);
  };
  LDP_ASSIGN_OR_RAISE(m.manifest_path, g.String("manifest_path", *At(v, l.path)));
  LDP_ASSIGN_OR_RAISE(m.manifest_length, g.Long("manifest_length", *At(v, l.length)));
  LDP_ASSIGN_OR_RAISE(m.partition_spec_id, g.Int("partition_spec_id", *At(v, l.spec_id)));
  LDP_ASSIGN_OR_RAISE(int32_t content, opt_int("content", l.content));
  if (content < 0 || content > 1) return InvalidArgument("invalid manifest content {}", content);
  m.content = static_cast<ManifestContent>(content);
  LDP_ASSIGN_OR_RAISE(m.sequence_number, opt_long("sequence_number", l.sequence_number));
  LDP_ASSIGN_OR_RAISE(m.min_sequence_number,
                      opt_long("min_sequence_number", l.min_sequence_number));
  LDP_ASSIGN_OR_RAISE(m.added_snapshot_id, opt_long("added_snapshot_id", l.snapshot_id));
  LDP_ASSIGN_OR_RAISE(m.added_files_count, opt_int("added_files_count", l.added_files));
  LDP_ASSIGN_OR_RAISE(m.existing_files_count, opt_int("existing_files_count", l.existing_files));
  LDP_ASSIGN_OR_RAISE(m.deleted_files_count, opt_int("deleted_files_count", l.deleted_files));
  LDP_ASSIGN_OR_RAISE(m.added_rows_count, opt_long("added_rows_count", l.added_rows));
  LDP_ASSIGN_OR_RAISE(m.existing_rows_count, opt_long("existing_rows_count", l.existing_rows));
  LDP_ASSIGN_OR_RAISE(m.deleted_rows_count, opt_long("deleted_rows_count", l.deleted_rows));
  if (const Value* p = At(v, l.partitions); p && !p->is_null()) {
    if (p->kind() != Value::Kind::kArray) return g.Err("partitions", "array", *p);
    for (const Value& s : p->items()) {
      if (s.kind() != Value::Kind::kRecord || s.fields().size() < 4) {
        return InvalidArgument("field partitions: element is not a field summary");
      }
      // r508's fields are positional in every writer: 509, 518, 510, 511.
      PartitionFieldSummary fs;
      LDP_ASSIGN_OR_RAISE(fs.contains_null, g.Bool("contains_null", s.fields()[0]));
      if (!s.fields()[1].is_null()) {
        LDP_ASSIGN_OR_RAISE(fs.contains_nan, g.Bool("contains_nan", s.fields()[1]));
      }
      if (!s.fields()[2].is_null()) {
        LDP_ASSIGN_OR_RAISE(fs.lower_bound, g.String("lower_bound", s.fields()[2]));
      }
      if (!s.fields()[3].is_null()) {
        LDP_ASSIGN_OR_RAISE(fs.upper_bound, g.String("upper_bound", s.fields()[3]));
      }
      m.partitions.push_back(std::move(fs));
    }
  }
  return m;
}

}  // namespace

Result<ManifestFile> WriteManifest(io::FileSystem& fs, const std::string& path,
                                   const ManifestWriteOptions& options,
                                   const std::vector<ManifestEntry>& entries) {
  const std::string ctx = fmt::format("writing manifest {}", path);
  LDP_RETURN_NOT_OK_CTX(CheckFormatVersion(options.format_version), "{}", ctx);
  auto layout_r = MakeManifestLayout(options);
  if (!layout_r.ok()) return layout_r.status().WithContext(ctx);
  const ManifestLayout& layout = *layout_r;
  if (options.format_version == 1 && options.content != ManifestContent::kData) {
    return InvalidArgument("{}: format version 1 has no delete manifests", ctx);
  }
  // A manifest only references files that are durable where it says: on object storage the files
  // DuckDB staged locally are uploaded now (io::FileSystem::Publish; nothing to do on local disk).
  std::vector<std::string> added;
  for (const auto& e : entries)
    if (e.status == ManifestEntryStatus::kAdded) added.push_back(e.data_file.file_path);
  LDP_RETURN_NOT_OK_CTX(fs.Publish(added), "{}", ctx);

  avro::WriterOptions wo;
  wo.codec = avro::Codec::kDeflate;
  wo.metadata = {{"schema", options.schema_json},
                 {"schema-id", std::to_string(options.schema_id)},
                 {"partition-spec", options.partition_spec_fields_json},
                 {"partition-spec-id", std::to_string(options.partition_spec_id)},
                 {"format-version", std::to_string(options.format_version)}};
  if (options.format_version >= 2) {
    wo.metadata.emplace_back("content",
                             options.content == ManifestContent::kData ? "data" : "deletes");
  }
  auto writer_r = avro::Writer::Make(layout.schema, std::move(wo));
  if (!writer_r.ok()) return writer_r.status().WithContext(ctx);
  avro::Writer& writer = **writer_r;

  ManifestFile mf;
  mf.manifest_path = path;
  mf.partition_spec_id = options.partition_spec_id;
  mf.content = options.content;
  mf.sequence_number = options.sequence_number;
  mf.added_snapshot_id = options.snapshot_id;
  std::vector<FieldStats> stats(layout.partition_types.size());
  std::optional<int64_t> min_seq;

  for (size_t i = 0; i < entries.size(); ++i) {
    const ManifestEntry& e = entries[i];
    const std::string entry_ctx =
        fmt::format("{}: entry #{} ({})", ctx, i, e.data_file.file_path);
    const bool is_data = e.data_file.content == FileContent::kData;
    if (is_data != (options.content == ManifestContent::kData)) {
      return InvalidArgument("{}: a {} manifest cannot hold this file's content", entry_ctx,
                             options.content == ManifestContent::kData ? "data" : "delete");
    }
    if (options.format_version >= 2 && e.status != ManifestEntryStatus::kAdded &&
        (!e.sequence_number || !e.file_sequence_number)) {
      // Spec "Sequence Number Inheritance": only ADDED entries may inherit.
      return InvalidArgument("{}: EXISTING and DELETED entries need explicit sequence numbers",
                             entry_ctx);
    }
    auto value = EntryValue(layout, options.format_version, e);
    if (!value.ok()) return value.status().WithContext(entry_ctx);
    LDP_RETURN_NOT_OK_CTX(writer.Append(*value), "{}", entry_ctx);

    switch (e.status) {
      case ManifestEntryStatus::kAdded:
        mf.added_files_count++;
        mf.added_rows_count += e.data_file.record_count;
        break;
      case ManifestEntryStatus::kExisting:
        mf.existing_files_count++;
        mf.existing_rows_count += e.data_file.record_count;
        break;
      case ManifestEntryStatus::kDeleted:
        mf.deleted_files_count++;
        mf.deleted_rows_count += e.data_file.record_count;
        break;
    }
    if (e.status != ManifestEntryStatus::kDeleted) {
      const int64_t seq = e.sequence_number.value_or(options.sequence_number);
      min_seq = min_seq ? std::min(*min_seq, seq) : seq;
    }
    for (size_t p = 0; p < stats.size(); ++p) {
      stats[p].Update(layout.partition_types[p].kind, e.data_file.partition[p]);
    }
  }
  mf.min_sequence_number = min_seq.value_or(options.sequence_number);
  for (size_t p = 0; p < stats.size(); ++p) {
    mf.partitions.push_back(stats[p].ToSummary(layout.partition_types[p].kind));
  }

  auto bytes = writer.Finish();
  if (!bytes.ok()) return bytes.status().WithContext(ctx);
  mf.manifest_length = static_cast<int64_t>(bytes->size());
  LDP_RETURN_NOT_OK_CTX(fs.WriteFile(path, *bytes), "{}", ctx);
  return mf;
}

Result<std::vector<ManifestEntry>> ReadManifest(io::FileSystem& fs, const ManifestFile& manifest) {
  const std::string ctx = fmt::format("reading manifest {}", manifest.manifest_path);
  auto reader_r = OpenAvro(fs, manifest.manifest_path);
  if (!reader_r.ok()) return reader_r.status().WithContext(ctx);
  avro::Reader& reader = **reader_r;
  auto layout = MakeEntryLayout(reader.schema().root());
  if (!layout.ok()) return layout.status().WithContext(ctx);

  std::vector<ManifestEntry> out;
  Value v;
  while (true) {
    auto more = reader.Next(&v);
    if (!more.ok()) return more.status().WithContext(ctx);
    if (!*more) break;
    auto e = ReadEntry(*layout, v);
    if (!e.ok()) return e.status().WithContext(fmt::format("{}: entry #{}", ctx, out.size()));
    // Spec "Sequence Number Inheritance" (and Java's InheritableMetadataFactory): a null snapshot
    // id is the manifest's; null sequence numbers are the manifest's for ADDED entries, and 0 in
    // v1 tables where the manifest list has none.
    if (!e->snapshot_id) e->snapshot_id = manifest.added_snapshot_id;
    e->data_file.spec_id = manifest.partition_spec_id;
    const bool inherit_seq =
        e->status == ManifestEntryStatus::kAdded || manifest.sequence_number == 0;
    if (!e->sequence_number && inherit_seq) e->sequence_number = manifest.sequence_number;
    if (!e->file_sequence_number && inherit_seq) {
      e->file_sequence_number = manifest.sequence_number;
    }
    out.push_back(std::move(e).value());
  }
  return out;
}

Status WriteManifestList(io::FileSystem& fs, const std::string& path,
                         const ManifestListWriteOptions& options,
                         const std::vector<ManifestFile>& manifests) {
  const std::string ctx = fmt::format("writing manifest list {}", path);
  LDP_RETURN_NOT_OK_CTX(CheckFormatVersion(options.format_version), "{}", ctx);
  avro::WriterOptions wo;
  wo.codec = avro::Codec::kDeflate;
  wo.metadata = {{"snapshot-id", std::to_string(options.snapshot_id)},
                 {"parent-snapshot-id", options.parent_snapshot_id
                                            ? std::to_string(*options.parent_snapshot_id)
                                            : std::string("null")}};
  if (options.format_version >= 2) {
    wo.metadata.emplace_back("sequence-number", std::to_string(options.sequence_number));
  }
  wo.metadata.emplace_back("format-version", std::to_string(options.format_version));
  auto writer_r = avro::Writer::Make(ManifestListSchema(options.format_version), std::move(wo));
  if (!writer_r.ok()) return writer_r.status().WithContext(ctx);
  avro::Writer& writer = **writer_r;
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (options.format_version == 1 && manifests[i].content != ManifestContent::kData) {
      return InvalidArgument("{}: format version 1 has no delete manifests ({})", ctx,
                             manifests[i].manifest_path);
    }
    LDP_RETURN_NOT_OK_CTX(writer.Append(ManifestFileValue(options.format_version, manifests[i])),
                          "{}: manifest {}", ctx, manifests[i].manifest_path);
  }
  auto bytes = writer.Finish();
  if (!bytes.ok()) return bytes.status().WithContext(ctx);
  LDP_RETURN_NOT_OK_CTX(fs.WriteFile(path, *bytes), "{}", ctx);
  return Status::OK();
}

Result<std::vector<ManifestFile>> ReadManifestList(io::FileSystem& fs, const std::string& path) {
  const std::string ctx = fmt::format("reading manifest list {}", path);
  auto reader_r = OpenAvro(fs, path);
  if (!reader_r.ok()) return reader_r.status().WithContext(ctx);
  avro::Reader& reader = **reader_r;
  auto layout = MakeListLayout(reader.schema().root());
  if (!layout.ok()) return layout.status().WithContext(ctx);
  std::vector<ManifestFile> out;
  Value v;
  while (true) {
    auto more = reader.Next(&v);
    if (!more.ok()) return more.status().WithContext(ctx);
    if (!*more) break;
    auto m = ReadManifestFile(*layout, v);
    if (!m.ok()) return m.status().WithContext(fmt::format("{}: row #{}", ctx, out.size()));
    out.push_back(std::move(m).value());
  }
  return out;
}

}  // namespace ldp::iceberg
