#pragma once
// Reading data files written under an older schema (docs/adr/0006-evolved-schema-reads.md).
//
// Files are grouped by the schema they were written with (the schema id of the snapshot that
// added them). A group written with the current schema is read plainly by name; an older group
// is read by its own column names and projected into the current schema by field id: renamed
// columns (also inside structs) take the current name, dropped ones are not read, columns added
// later are NULL, promoted types are cast, structs are rebuilt with struct_pack. This works for
// nested changes, which read_parquet(schema = MAP{field id: ...}) does not (DuckDB 1.4 matches
// only top-level columns by field id).
//
// Thread-safety: free functions over values.

#include <map>
#include <string>
#include <vector>

#include "ldp/iceberg/schema.h"

namespace ldp::services {

/// The SELECT list (no SELECT keyword) that turns the columns of a file written with
/// `file_schema` into the columns of `current`, matched by field id.
std::string ProjectionSelectList(const iceberg::Schema& file_schema, const iceberg::Schema& current);

/// A SQL value expression: `expr` (of `from`) as `to`, matched by field id; `depth` keeps lambda
/// variable names unique when nested.
std::string ProjectValue(const std::string& expr, const iceberg::Type& from, const iceberg::Type& to, int depth = 0);

}  // namespace ldp::services

namespace ldp::services {

/// One row of DuckDB's parquet_schema() for a file (depth-first, the root first).
struct ParquetSchemaElement {
  std::string name;
  int32_t field_id = 0;  ///< 0 when the element has none
  int num_children = 0;
  std::string converted_type;  ///< "LIST", "MAP", "MAP_KEY_VALUE", ... or empty
};

/// The names and field ids of a data file whose writing schema is unknown (a snapshot without
/// schema-id, or an expired one), rebuilt from its Parquet schema: structs, lists (3-level) and
/// maps (key_value) as the Iceberg spec lays them out. Leaf types are taken from `current` for
/// ids it has (project such files with exact_types = false, which casts every leaf).
iceberg::Schema SchemaFromParquetElements(const std::vector<ParquetSchemaElement>& elements,
                                          const iceberg::Schema& current);

/// ProjectionSelectList for a file schema rebuilt by SchemaFromParquetElements: every leaf is cast
/// and every struct rebuilt, since the file's own types are not known exactly.
/// `constants` (field id -> SQL expression) stand for top-level fields the file lacks (identity
/// partition values, services/foreign_read.h); other missing fields are NULL.
std::string ProjectionSelectListCastAll(const iceberg::Schema& file_schema, const iceberg::Schema& current,
                                        const std::map<int32_t, std::string>& constants = {});

}  // namespace ldp::services
