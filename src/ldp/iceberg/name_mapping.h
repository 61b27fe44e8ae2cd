#pragma once
// The table property `schema.name-mapping.default` (spec "Column Projection", "Name Mapping
// Serialization"): for data files written without Parquet field ids (tables migrated from Hive,
// files added by path), which column names stand for which field ids.
//
// Thread-safety: a value.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/schema.h"

namespace ldp::iceberg {

inline constexpr const char* kNameMappingProperty = "schema.name-mapping.default";

struct MappedField {
  std::optional<int32_t> field_id;  ///< absent: the names are known but map to no field
  std::vector<std::string> names;
  std::vector<MappedField> fields;  ///< nested: struct fields, list "element", map "key"/"value"
};

class NameMapping {
 public:
  /// Parses the JSON list; InvalidArgument naming the property on a malformed document.
  static Result<NameMapping> FromJson(const std::string& text);

  /// `file_schema` (rebuilt from a Parquet footer) with every field that has no field id (0)
  /// given the id its name maps to, at every nesting level; fields the mapping does not name keep 0
  /// and so are not read.
  Schema Apply(const Schema& file_schema) const;

 private:
  std::vector<MappedField> fields_;
};

}  // namespace ldp::iceberg
