#pragma once
// Scan planning (spec "Scan Planning"): from a snapshot's manifest list to the data files a query
// must read, pruning files whose column bounds and null counts prove that no row can match.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

/// One conjunct of a filter on a primitive column.
struct ColumnPredicate {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kIn, kIsNull, kNotNull };
  int32_t field_id = 0;
  Op op = Op::kEq;
  std::vector<Literal> values;  ///< one value, or the IN list; empty for null tests
};

struct ScanPlan {
  std::vector<DataFile> files;  ///< live data files that may hold matching rows
  int64_t total_files = 0;      ///< live data files in the snapshot
  int64_t total_manifests = 0;
  int64_t total_records = 0;    ///< records in the planned files
  /// file_path -> id of the schema the file was written with (the schema id of the snapshot that
  /// added it); absent when unknown (a snapshot without schema-id, or one that was expired).
  std::map<std::string, int32_t> file_schema_ids;
};

/// Whether a data file may hold rows matching every predicate (false only when its metrics
/// prove otherwise). Conservative: missing metrics, NaN and truncated bounds never drop a file.
bool FileMayMatch(const Schema& schema, const DataFile& file, const std::vector<ColumnPredicate>& predicates);

/// Plans a scan of `snapshot` (nullptr = empty table).
Result<ScanPlan> PlanScan(io::FileSystem& fs, const TableMetadata& metadata, const Snapshot* snapshot,
                          const std::vector<ColumnPredicate>& predicates);

}  // namespace ldp::iceberg
