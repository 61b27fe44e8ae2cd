#pragma once
// Avro schemas: a generic model parsed from (and printed back to) Avro schema JSON.
//
// Why ldp has its own Avro code instead of avro-c (libavro-dev): avro-c's file writer cannot put
// arbitrary key/value pairs into the Object Container File header, and Iceberg manifests and
// manifest lists carry their metadata there ("schema", "partition-spec", "format-version", ...).
// The subset Iceberg needs is small (spec App. A), so ldp::avro implements it directly.
//
// Attributes that Avro itself does not interpret ("field-id", "element-id", "logicalType",
// "precision", "doc", ...) are kept verbatim and in order, so a schema prints back as it was given.
//
// Thread-safety: a Schema is immutable after Parse/Make; safe to share between threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/core/status.h"

namespace ldp::avro {

/// JSON with object keys kept in insertion order (Avro schemas are printed as written).
using Json = nlohmann::ordered_json;

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kFixed,
  kEnum,
  kRecord,
  kArray,
  kMap,
  kUnion,
};

/// "null", "boolean", ..., "record", "union".
std::string_view TypeName(Type type);

struct Node;
using NodePtr = std::shared_ptr<const Node>;

/// A field of a record.
struct Field {
  std::string name;
  NodePtr type;
  /// Everything else written on the field, in order: "doc", "default", "field-id", "aliases", ...
  Json attributes = Json::object();

  /// The "field-id" attribute when it is an integer.
  std::optional<int32_t> field_id() const;
};

/// One schema node. Named types (record, enum, fixed) may be referenced from several places; the
/// references share the node.
struct Node {
  Type type = Type::kNull;
  std::string name;                 ///< full name of a record/enum/fixed ("ns.Name" or "Name")
  std::vector<Field> fields;        ///< record
  NodePtr items;                    ///< array items, map values
  std::vector<NodePtr> branches;    ///< union
  int32_t size = 0;                 ///< fixed
  std::vector<std::string> symbols; ///< enum
  /// Other attributes of the type, in order: "logicalType", "precision", "element-id", "doc", ...
  /// For named types "namespace" is folded into `name` and not kept here.
  Json attributes = Json::object();

  bool is_named() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
  /// The "logicalType" attribute, or "" when absent.
  std::string logical_type() const;
  /// Index of the record field called `field_name`, or -1.
  int FieldIndex(std::string_view field_name) const;
  /// Index of the record field whose "field-id" is `id`, or -1.
  int FieldIndexById(int32_t id) const;
  /// For a union: index of the "null" branch, or -1.
  int NullBranch() const;
};

/// Builders for schemas made in code (for parsed schemas use Schema::Parse).
NodePtr MakePrimitive(Type type, Json attributes = Json::object());
NodePtr MakeArray(NodePtr items, Json attributes = Json::object());
NodePtr MakeMap(NodePtr values, Json attributes = Json::object());
NodePtr MakeUnion(std::vector<NodePtr> branches);
/// `["null", type]`, the form of every optional value in Iceberg.
NodePtr MakeOptional(NodePtr type);
NodePtr MakeFixed(std::string name, int32_t size, Json attributes = Json::object());
NodePtr MakeEnum(std::string name, std::vector<std::string> symbols);
NodePtr MakeRecord(std::string name, std::vector<Field> fields, Json attributes = Json::object());
Field MakeField(std::string name, NodePtr type, Json attributes = Json::object());

/// A validated Avro schema.
class Schema {
 public:
  /// Parses Avro schema JSON. InvalidArgument naming the offending part when it is not a valid
  /// schema (unknown type, duplicate or undefined name, bad union, ...). Recursive named types are
  /// not supported (NotImplemented); Iceberg never uses them.
  static Result<Schema> Parse(std::string_view json);
  static Result<Schema> FromJson(const Json& json);
  /// Validates a schema built in code (unions, names, fixed sizes).
  static Result<Schema> Make(NodePtr root);

  const Node& root() const { return *root_; }
  const NodePtr& root_ptr() const { return root_; }

  /// The schema as JSON; a named type is written in full once and by name afterwards.
  Json ToJson() const;
  std::string ToJsonString() const { return ToJson().dump(); }

 private:
  explicit Schema(NodePtr root) : root_(std::move(root)) {}
  NodePtr root_;
};

}  // namespace ldp::avro
