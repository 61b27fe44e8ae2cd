#pragma once
// Schema evolution (spec "Schema Evolution"): changes to a table schema that keep every field id,
// so that data files written under an older schema stay readable by id. Adds, drops, renames,
// moves, making a column optional and the allowed type promotions; each refusal names the column
// and the reason.
//
// Columns are named by their dotted path ("fare", "trip.pickup.zone"); a name that itself holds a
// dot is found first as a whole. Changes apply in the order given, each on the result of the
// previous one, and together make one new schema.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {

struct SchemaChange {
  enum class Kind { kAdd, kDrop, kRename, kMove, kMakeOptional, kMakeRequired, kUpdateType };
  enum class Position { kLast, kFirst, kAfter, kBefore };

  Kind kind = Kind::kAdd;
  std::string column;       ///< dotted path; for kAdd the new column's full path ("s.new")
  std::string new_name;     ///< kRename: the new (last-segment) name
  TypePtr type;             ///< kAdd / kUpdateType
  std::string doc;          ///< kAdd: optional doc
  Position position = Position::kLast;  ///< kAdd / kMove
  std::string reference;    ///< kAfter / kBefore: a sibling's name (last segment or full path)

  /// "add column s.y (int)", for summaries.
  std::string Describe() const;
};

/// What the table allows beyond the schema itself.
struct SchemaUpdateContext {
  int format_version = 2;
  std::set<int32_t> partition_source_ids;  ///< columns some partition spec reads
};

struct SchemaUpdateResult {
  std::vector<NestedField> fields;
  std::vector<int32_t> identifier_field_ids;
  int32_t last_column_id = 0;
};

/// Applies `changes` to `base`; new field ids continue after `last_column_id`.
/// InvalidArgument naming the column and the reason for: an unknown column, a name clash (also
/// one that differs only in case, which SQL cannot tell apart), dropping a partition source or
/// identifier column (or the last column), a type change that is not an allowed promotion
/// (int->long, float->double, decimal(P,S)->decimal(P2,S) with P2 >= P, date->timestamp only on
/// format version 3), making a column required, adding to something that is not a struct.
Result<SchemaUpdateResult> ApplySchemaChanges(const Schema& base, int32_t last_column_id,
                                              const std::vector<SchemaChange>& changes,
                                              const SchemaUpdateContext& context);

/// Whether a column of type `from` may be promoted to `to` (spec "Schema Evolution").
/// `reason` receives why not (unchanged when allowed).
bool IsAllowedPromotion(const Type& from, const Type& to, int format_version, std::string* reason);

/// Puts a schema with `fields` into `md` as the current one: an existing schema with the same
/// fields is reused (its id becomes current), else a new one gets max(schema id)+1.
/// last-column-id becomes max(its value, `last_column_id`). Returns the current schema id.
int32_t SetCurrentSchema(TableMetadata& md, std::vector<NestedField> fields,
                         std::vector<int32_t> identifier_field_ids, int32_t last_column_id);

/// The context for a table: format version and every partition spec's source columns.
SchemaUpdateContext ContextFor(const TableMetadata& md);

/// Parses a type as `ldp describe` writes it: "long", "decimal(9,2)", "fixed[16]",
/// "struct<a: int, b: list<string>>", "map<string, double>"; DuckDB spellings ("BIGINT",
/// "VARCHAR", "STRUCT(a INTEGER)") are accepted too. Nested field ids are 0 (see
/// AssignFreshFieldIds); nested fields are optional, map keys required.
Result<TypePtr> ParseTypeString(const std::string& text);

/// Splits a dotted path into its segments; a top-level name that contains dots is kept whole when
/// `schema` has such a column.
std::vector<std::string> SplitColumnPath(const Schema& schema, const std::string& path);

}  // namespace ldp::iceberg

namespace ldp::iceberg {

/// How `ldp ingest --evolve` merges a source schema into a table schema.
struct SchemaMerge {
  std::vector<SchemaChange> changes;  ///< additions and promotions, in source column order
  /// Table column name -> source column name where a source column was matched to a table column
  /// whose name differs only in case (top level).
  std::map<std::string, std::string> source_names;
  std::vector<std::string> notes;     ///< one human line per decision
};

/// Source columns match table columns by name; a source name with no exact match matches a table
/// column whose name differs only in case when exactly one does (the table keeps its name and
/// field id). Unmatched source columns are added (also inside structs); a source type that is an
/// allowed promotion of the table type promotes the column. Anything else is left for the
/// ingest's own checks, which refuse it with the column named. Table columns the source lacks
/// stay (their values are NULL in the new rows).
Result<SchemaMerge> MergeSourceSchema(const Schema& table, const Schema& source, const SchemaUpdateContext& context);

}  // namespace ldp::iceberg
