#pragma once
// The live rows of a planned scan as DuckDB SQL, delete files applied (merge-on-read):
// data files without deletes are read as they are; the others are read with their file name and
// row position (read_parquet(..., filename, file_row_number)) and anti-joined with the position
// deletes that apply to them and, per equality delete file, with its rows on the equality columns
// (NULL equals NULL), restricted to the data files the spec's sequence-number rules allow.
// docs/adr/0008-row-level-deletes.md explains the choice.
//
// Thread-safety: free functions over values.

#include <map>
#include <string>
#include <vector>

#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::services {

/// Column names LiveRowsSql adds with `with_position`.
inline constexpr const char* kRowFileColumn = "__ldp_file";  ///< the data file's local path
inline constexpr const char* kRowPosColumn = "__ldp_pos";    ///< the row's position in that file

/// A SELECT of the plan's live rows with the columns of `schema` (by field id when
/// `by_field_id`, else by name); with `with_position`, also kRowFileColumn and kRowPosColumn.
/// A plan without delete files and without `with_position` gives exactly the plain read.
/// With `md` (the table's metadata) and `by_field_id`, files whose writing schema is known are
/// projected from it (services/evolved_read.h: renames inside structs too), the others by
/// top-level field id. Files in `inspected` (file path -> schema read from its Parquet footer,
/// services/query.cc InspectUnknownFiles) whose writing schema is unknown, or that lack Parquet
/// field ids or identity partition columns (services/foreign_read.h), are projected from that
/// schema: name mapping, partition constants and initial-default as in the plain scan, row
/// positions unchanged.
std::string LiveRowsSql(const iceberg::Schema& schema, const iceberg::ScanPlan& plan, bool by_field_id,
                        bool with_position, const iceberg::TableMetadata* md = nullptr,
                        const std::map<std::string, iceberg::Schema>* inspected = nullptr);

/// `[ 'path', ... ]` of the files' local paths, for read_parquet.
std::string LocalFileList(const std::vector<iceberg::DataFile>& files);

}  // namespace ldp::services
