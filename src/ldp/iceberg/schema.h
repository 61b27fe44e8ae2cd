#pragma once
// Iceberg types and schemas (spec "Schemas and Data Types"), their JSON form, and the mapping to
// and from DuckDB type strings.
//
// Thread-safety: immutable values once built; share as std::shared_ptr<const ...>.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ldp/core/status.h"

namespace ldp::iceberg {

enum class TypeId {
  kBoolean, kInt, kLong, kFloat, kDouble, kDecimal, kDate, kTime, kTimestamp, kTimestampTz,
  kTimestampNs, kTimestampTzNs, kString, kUuid, kFixed, kBinary,
  kStruct, kList, kMap,
};

struct NestedField;
class Type;
using TypePtr = std::shared_ptr<const Type>;

/// A struct field, list element or map key/value: an id, a name, a type and optionality.
struct NestedField {
  int32_t id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::string doc;  ///< empty = none
  /// Format v3 `initial-default` / `write-default` as JSON text (single-value JSON form); empty =
  /// none. A file without the field reads it as initial-default.
  std::string initial_default;
  std::string write_default;
};

/// The SQL value a data file without `field` reads for it: its initial-default, else NULL, as
/// the field's DuckDB type.
std::string MissingFieldSql(const NestedField& field);

/// A primitive or nested Iceberg type.
class Type {
 public:
  TypeId id() const { return id_; }
  bool is_primitive() const { return id_ < TypeId::kStruct; }
  bool is_nested() const { return !is_primitive(); }

  // decimal(P,S) / fixed[L]
  int precision() const { return precision_; }
  int scale() const { return scale_; }
  int length() const { return length_; }

  /// struct fields; for a list, the element; for a map, key then value.
  const std::vector<NestedField>& fields() const { return fields_; }

  /// Iceberg's name: "long", "decimal(9,2)", "fixed[16]", "struct<...>" (for messages).
  std::string ToString() const;

  static TypePtr Primitive(TypeId id);
  static TypePtr Decimal(int precision, int scale);
  static TypePtr Fixed(int length);
  static TypePtr Struct(std::vector<NestedField> fields);
  static TypePtr List(NestedField element);
  static TypePtr Map(NestedField key, NestedField value);

 private:
  TypeId id_ = TypeId::kBoolean;
  int precision_ = 0, scale_ = 0, length_ = 0;
  std::vector<NestedField> fields_;
};

/// A table schema: a top-level struct with an id and optional identifier field ids.
class Schema {
 public:
  Schema(int32_t schema_id, std::vector<NestedField> fields, std::vector<int32_t> identifier_field_ids = {});

  int32_t schema_id() const { return schema_id_; }
  const std::vector<NestedField>& fields() const { return fields_; }
  const std::vector<int32_t>& identifier_field_ids() const { return identifier_field_ids_; }

  /// Highest field id anywhere in the schema (nested included); 0 when empty.
  int32_t HighestFieldId() const;
  /// Finds a field anywhere by id (nested included).
  const NestedField* FindFieldById(int32_t id) const;
  /// Finds a top-level field by name, case-sensitive.
  const NestedField* FindTopLevelField(const std::string& name) const;
  /// True when both schemas have the same fields (ids, names, types, optionality, docs) and
  /// identifier field ids; the schema id is not compared (to find an equal existing schema).
  bool SameFields(const Schema& other) const;

  /// Spec JSON: {"type":"struct","schema-id":0,"identifier-field-ids":[],"fields":[...]}.
  nlohmann::json ToJson() const;
  std::string ToJsonString() const;
  /// Parses the spec JSON (also v1 schemas without schema-id, which get `default_id`).
  static Result<std::shared_ptr<const Schema>> FromJson(const nlohmann::json& j, int32_t default_id = 0);

 private:
  int32_t schema_id_;
  std::vector<NestedField> fields_;
  std::vector<int32_t> identifier_field_ids_;
};
using SchemaPtr = std::shared_ptr<const Schema>;

/// Type JSON (spec Appendix C): "long", "decimal(9,2)", {"type":"list",...}, ...
nlohmann::json TypeToJson(const Type& type);
Result<TypePtr> TypeFromJson(const nlohmann::json& j);

/// Deep equality of two types: ids, names, optionality and docs of nested fields included.
bool TypeEquals(const Type& a, const Type& b);

/// Gives `fields` (and everything nested in them) fresh ids after `*last_id`, the way Java's
/// TypeUtil.assignFreshIds does: the fields of one struct are numbered together in order, then
/// each field's type is numbered depth-first in field order (a list's element gets the next id,
/// a map's key and value the next two, before their own children). `*last_id` is left at the
/// highest id given. Example for (a int, s struct<x int, y struct<p int>>, m map<string, int>,
/// l list<int>) from 0: a=1 s=2 m=3 l=4, x=5 y=6, p=7, key=8 value=9, element=10.
std::vector<NestedField> AssignFreshFieldIds(std::vector<NestedField> fields, int32_t* last_id);

// ---- DuckDB mapping -----------------------------------------------------------------------------

/// A column of a DuckDB relation as `DESCRIBE` prints it: name and type string
/// ("BIGINT", "DECIMAL(18,3)", "TIMESTAMP WITH TIME ZONE", "STRUCT(a INTEGER, b VARCHAR[])",
/// "MAP(VARCHAR, INTEGER)", "INTEGER[]", ...).
struct DuckColumn {
  std::string name;
  std::string type;
};

/// How nanosecond timestamps in a source are handled. Iceberg v2 has no nanosecond type, so the
/// documented rule is: they are converted to microseconds (truncated towards minus infinity);
/// kError refuses them instead.
enum class NanosRule { kToMicros, kError };

/// Builds a fresh Iceberg schema (schema id 0) from DuckDB columns, assigning field ids 1, 2, ...
/// depth-first in column order (a nested type's children get ids after all top-level fields, as
/// Java's TypeUtil.assignFreshIds does; exact order under AssignFreshFieldIds). All fields are optional. Unsigned integers widen
/// (UTINYINT/USMALLINT -> int, UINTEGER -> long, UBIGINT -> decimal(20,0), HUGEINT ->
/// decimal(38,0)), ENUM -> string, TINYINT/SMALLINT -> int, TIME WITH TIME ZONE is refused.
/// Types Iceberg cannot hold (INTERVAL, BIT, UNION, UHUGEINT, VARINT) are InvalidArgument naming
/// the column and its type.
/// TIMESTAMP_NS follows `nanos`; TIMESTAMP_S/_MS become timestamp.
Result<SchemaPtr> SchemaFromDuckColumns(const std::vector<DuckColumn>& columns,
                                        NanosRule nanos = NanosRule::kToMicros);

/// The Iceberg type of one DuckDB type string (same rules as SchemaFromDuckColumns); nested
/// field ids are all 0 (give them ids with AssignFreshFieldIds).
Result<TypePtr> TypeFromDuckType(const std::string& duck_type, NanosRule nanos = NanosRule::kToMicros);

/// The DuckDB type string for an Iceberg type: long -> "BIGINT", timestamptz ->
/// "TIMESTAMP WITH TIME ZONE", uuid -> "UUID", fixed -> "BLOB", list<int> -> "INTEGER[]",
/// struct -> "STRUCT(\"a\" INTEGER, ...)" (names quoted), map -> "MAP(K, V)".
std::string ToDuckType(const Type& type);

/// The `FIELD_IDS {...}` value for DuckDB's Parquet writer, e.g.
/// {"a": 1, "s": {__duckdb_field_id: 2, "x": 3}, "l": {__duckdb_field_id: 4, element: 5},
///  "m": {__duckdb_field_id: 6, key: 7, value: 8}} (names quoted as DuckDB struct keys).
std::string DuckFieldIdsClause(const Schema& schema);

/// The `schema=MAP{...}` value for DuckDB's read_parquet that resolves top-level columns by
/// field id: MAP{1: {name: 'a', type: 'BIGINT', default_value: NULL}, ...}.
std::string DuckReadSchemaMap(const Schema& schema);

}  // namespace ldp::iceberg
