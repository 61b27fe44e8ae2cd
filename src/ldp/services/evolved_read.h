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

#include <string>

#include "ldp/iceberg/schema.h"

namespace ldp::services {

/// The SELECT list (no SELECT keyword) that turns the columns of a file written with
/// `file_schema` into the columns of `current`, matched by field id.
std::string ProjectionSelectList(const iceberg::Schema& file_schema, const iceberg::Schema& current);

/// A SQL value expression: `expr` (of `from`) as `to`, matched by field id; `depth` keeps lambda
/// variable names unique when nested.
std::string ProjectValue(const std::string& expr, const iceberg::Type& from, const iceberg::Type& to, int depth = 0);

}  // namespace ldp::services
