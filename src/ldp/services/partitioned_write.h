#pragma once
// Writing a partitioned table: partition values are computed inside DuckDB (SQL expressions per
// transform; bucket through a murmur3 function registered with the engine), COPY ... PARTITION_BY
// writes one set of files per partition into a staging folder, and the files are then moved to
// Hive-style folders (data/<field>=<value>/...) with their partition tuples read back from the
// staging folder names. Rows never pass through ldp's own code.
//
// Thread-safety: free functions.

#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::services {

/// Registers ldp's SQL functions for partition transforms in the connection's database:
/// ldp_iceberg_hash(x) -> INTEGER, Iceberg's 32-bit murmur3 bucket hash of x (BIGINT: the 8-byte
/// little-endian long; HUGEINT: a decimal's unscaled value, minimal big-endian bytes; VARCHAR:
/// UTF-8 bytes; BLOB: the bytes).
Status RegisterPartitionFunctions(engine::Connection& conn);

/// The SQL expression for a partition field's value over the row's columns (NULL for void):
/// identity `c`, bucket `(ldp_iceberg_hash(...) & 2147483647) % N`, truncate, year/month/day/hour
/// counted from 1970 in UTC. InvalidArgument when the transform does not apply to the column.
Result<std::string> PartitionValueSql(const iceberg::Schema& schema, const iceberg::PartitionField& field);

/// The staged partitioned write: a SELECT over `inner_select` that adds one key column per
/// non-void partition field, and the key column names for PARTITION_BY.
struct PartitionKeys {
  std::string select_sql;
  std::vector<std::string> key_columns;  ///< empty when every field is void
};
Result<PartitionKeys> BuildPartitionKeys(const iceberg::Schema& schema, const iceberg::PartitionSpec& spec,
                                         const std::string& inner_select);

/// Above this many partitions in one write, rows are sorted by their partition keys before
/// DuckDB's PARTITION_BY write (docs/adr/0012-row-level-fixes.md). DuckDB keeps at most
/// `partitioned_write_max_open_files` (100) writers open and buffers rows per partition in every
/// thread: with thousands of partitions in arbitrary order it closes and reopens writers over and
/// over (a flood of small files) and holds thousands of partition buffers (~3 GB for 5,840).
/// Sorted rows arrive one partition after another: one writer at a time, one file per partition.
inline constexpr int64_t kSortedWriteMinPartitions = 100;

/// Memory limit the sorted write sets when ldp.yaml sets none (the sort spills beyond it).
inline constexpr const char* kSortedWriteMemoryLimit = "512MB";

/// The COPY source for a partitioned write of `keys`: `keys.select_sql` as it is when the rows fall
/// in at most kSortedWriteMinPartitions partitions (counted with one pass over the key columns,
/// which for Parquet reads only the partition source columns), else the same ordered by the key
/// columns, with the connection prepared for it (a memory limit when `memory_limit_configured` is
/// false, and a small partitioned_write_flush_threshold). `*partitions` gets the count.
Result<std::string> PartitionedWriteSource(engine::Connection& conn, const PartitionKeys& keys,
                                           bool memory_limit_configured, int64_t* partitions);

/// A written data file and its partition tuple.
struct PlacedFile {
  std::string local_path;
  std::vector<iceberg::PartitionValue> partition;
};

/// Moves every Parquet file under `staging_dir` (written by COPY ... PARTITION_BY on the key
/// columns of BuildPartitionKeys) to <data_dir>/<field>=<value>/... (values as Java writes them:
/// "2023-01-05", "2023-01-05-13", "null"; URL-escaped) and returns the files with their tuples.
/// Every file moved so far is appended to `moved` as it goes, so a caller can remove them on error.
Result<std::vector<PlacedFile>> PlaceStagedFiles(const std::string& staging_dir, const std::string& data_dir,
                                                 const iceberg::Schema& schema, const iceberg::PartitionSpec& spec,
                                                 std::vector<std::string>* moved);

/// Removes `paths` and then every folder between them and `data_dir` that became empty.
void RemoveFilesAndEmptyFolders(const std::vector<std::string>& paths, const std::string& data_dir);

}  // namespace ldp::services

namespace ldp::services {

/// `ldp ingest --partition-by TEXT` on a table it creates: the spec (id 0, field ids from 1000)
/// bound to the new table's `schema`. InvalidArgument names the bad term, column or type.
Result<iceberg::PartitionSpec> SpecForNewTable(const std::string& text, const iceberg::Schema& schema);

/// `ldp ingest --partition-by TEXT` on an existing table: OK when TEXT partitions as the table's
/// default spec does; otherwise InvalidArgument that points to `ldp alter`.
Status CheckSpecOfExistingTable(const std::string& text, const iceberg::TableMetadata& metadata,
                                const std::string& table_name);

}  // namespace ldp::services
