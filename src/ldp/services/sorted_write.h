#pragma once
// Writing rows in a table's sort order: the ORDER BY clause for the default sort order (each
// term's transform as the partition transform SQL of partitioned_write.h, then direction and null
// order), and the sort_order_id that data files written with it record.
//
// Thread-safety: free functions.

#include <optional>
#include <string>

#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/services/project.h"
#include "ldp/services/tables.h"

namespace ldp::services {

/// " ORDER BY <terms>" for `md`'s default sort order over columns of `schema` (by name), or ""
/// when the table is unsorted. Registers ldp's partition functions in `conn` when a bucket term
/// needs them. InvalidArgument when a term's column is no longer in the schema.
Result<std::string> SortOrderByClause(engine::Connection& conn, const iceberg::TableMetadata& md,
                                      const iceberg::Schema& schema);

/// The sort_order_id for data files written with SortOrderByClause: the default order's id when
/// the table is sorted, else nullopt (unsorted files do not claim an order).
std::optional<int32_t> WrittenSortOrderId(const iceberg::TableMetadata& md);

/// `ldp ingest --sort-by TEXT`: for a table the ingest just `created`, commits TEXT as its default
/// sort order and updates `*table`; for an existing table, OK when TEXT sorts as its default order
/// does, else InvalidArgument pointing to `ldp alter --sort-by`.
Status ApplySortOrderOnIngest(Project& project, LoadedTable* table, const std::string& text, bool created);

struct SortOrderChange {
  bool changed = false;
  int32_t order_id = 0;
  std::string previous_text;
  std::string text;
  std::string metadata_location;
};

/// `ldp alter NS.T --sort-by TEXT` ("" / "unsorted" for none): makes TEXT the default sort order
/// (iceberg::EvolveSortOrder) in one metadata commit, retried on a lost race. Existing data files
/// keep the order they were written with; new writes and compaction use the new one.
Result<SortOrderChange> AlterSortOrder(Project& project, const catalog::TableIdentifier& table, const std::string& text);

}  // namespace ldp::services
