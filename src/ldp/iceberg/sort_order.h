#pragma once
// Sort orders as users write them ("tpep_pickup_datetime desc nulls last, day(ts), bucket(16, id)"):
// parsing, binding to a schema (spec "Sort Orders": transform, source-id, direction, null-order),
// the text form `ldp describe` shows, and sort order evolution (a new order id, or an equal earlier
// one made the default again; "" / "unsorted" selects order 0).
//
// Thread-safety: free functions over values; safe from any thread.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/iceberg/transforms.h"

namespace ldp::iceberg {

/// One term of a sort text: a column or transform term as in a partition text (partitioning.h),
/// then optionally `asc`|`desc` and `nulls first`|`nulls last` (defaults: asc; nulls first for
/// asc, nulls last for desc, as Java's SortOrder builder).
struct SortTerm {
  Transform transform;
  std::string column;
  bool descending = false;
  bool nulls_first = true;
  std::string text;  ///< the term as written, for error messages
};

/// Parses a comma-separated sort text. "" and "unsorted" (any case) give no terms.
/// InvalidArgument names the bad term.
Result<std::vector<SortTerm>> ParseSortTerms(std::string_view text);

/// Binds terms to `schema` as order `order_id`: columns by exact name, else a unique
/// case-insensitive match; top-level primitive columns; the transform must apply to the type
/// (void is refused: it sorts nothing). A column given twice with the same transform is refused.
Result<SortOrder> BindSortOrder(const std::vector<SortTerm>& terms, const Schema& schema, int32_t order_id);

/// Whether two orders sort the same way (fields equal; ids not compared).
bool SameSortFields(const SortOrder& a, const SortOrder& b);

/// The default sort order of `m` (nullptr when its id is missing; order 0 = unsorted).
const SortOrder* DefaultSortOrder(const TableMetadata& m);

/// The order as a user would write it: "ts desc nulls last, day(ts) asc nulls first", or
/// "unsorted". Columns that no longer exist show as their source id ("#7").
std::string SortOrderText(const SortOrder& order, const Schema& schema);

struct SortOrderEvolution {
  std::shared_ptr<TableMetadata> metadata;  ///< base with the new default sort order
  bool changed = false;                     ///< false when it already was the default
  int32_t order_id = 0;
};

/// Makes `text` the default sort order of `base`: an existing order with the same fields becomes
/// the default again, otherwise a new one (id = highest + 1) is added. "" / "unsorted" selects the
/// unsorted order 0 (added when the metadata lacks it).
Result<SortOrderEvolution> EvolveSortOrder(const TableMetadata& base, std::string_view text);

}  // namespace ldp::iceberg
