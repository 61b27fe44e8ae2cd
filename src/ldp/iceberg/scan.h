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

/// Reserved field ids of a position delete file's columns (spec "Position Delete Files").
inline constexpr int32_t kDeleteFilePathFieldId = 2147483546;
inline constexpr int32_t kDeletePosFieldId = 2147483545;

/// A live delete file of the snapshot, with what the spec's matching rules need.
struct DeleteFileInfo {
  DataFile file;                ///< content kPositionDeletes or kEqualityDeletes
  int64_t sequence_number = 0;  ///< its data sequence number
  int32_t spec_id = 0;
  /// A format v3 deletion vector (file_format PUFFIN): its deleted positions, decoded by PlanScan
  /// (iceberg/puffin.h) once the vector is known to apply to a planned file.
  bool is_deletion_vector = false;
  /// The vector's ranges of deleted positions, when it has at most kInlineDeletionVectorRanges
  /// (`dv_inline`). A larger one is only checked by PlanScan and left empty here: the reader
  /// decodes it again, streaming, into a table of DuckDB (services/deletion_vectors.h), whose SQL
  /// relation (columns lo, hi) it puts in `dv_relation`.
  std::vector<std::pair<int64_t, int64_t>> dv_ranges;
  bool dv_inline = true;
  std::string dv_relation;
};

/// Deletion vectors of at most this many ranges are applied from the SQL text; larger ones go
/// through a table (bounded SQL text and memory for vectors of millions of positions).
inline constexpr size_t kInlineDeletionVectorRanges = 4096;

struct ScanPlan {
  std::vector<DataFile> files;  ///< live data files that may hold matching rows
  /// Data sequence number of each of `files` (same order).
  std::vector<int64_t> data_sequence_numbers;
  /// Delete files that apply to at least one of `files` (spec "Scan Planning"); empty when the
  /// snapshot has none, and then `file_deletes` is empty too (the fast path).
  std::vector<DeleteFileInfo> delete_files;
  /// For each of `files` (same order), indexes into `delete_files` of the deletes that apply.
  std::vector<std::vector<int32_t>> file_deletes;
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

/// Whether a delete file applies to a data file of the given spec, partition and data sequence
/// number: position deletes when data seq <= delete seq, same spec and partition (and the same
/// path when referenced_data_file is set, within the file_path bounds otherwise); equality deletes
/// when data seq < delete seq and same partition, or always when the delete's spec is unpartitioned.
bool DeleteApplies(const TableMetadata& metadata, const DeleteFileInfo& del, const DataFile& data,
                   int32_t data_spec_id, int64_t data_sequence_number);

/// The part of `plan` for the files at `indexes` (in that order): their sequence numbers, the
/// delete files that apply to them (renumbered), their records and schema ids; total_files is
/// the part's file count.
ScanPlan SubPlan(const ScanPlan& plan, const std::vector<size_t>& indexes);

/// The plan restricted to files that may match `predicates` by partition and metrics (delete files that no longer apply to
/// any kept file are dropped).
ScanPlan FilterPlan(const TableMetadata& metadata, const Schema& schema, const ScanPlan& plan,
                    const std::vector<ColumnPredicate>& predicates);

/// Plans a scan of `snapshot` (nullptr = empty table).
Result<ScanPlan> PlanScan(io::FileSystem& fs, const TableMetadata& metadata, const Snapshot* snapshot,
                          const std::vector<ColumnPredicate>& predicates);

}  // namespace ldp::iceberg
