#pragma once
// Manifests and manifest lists: the Avro files that say which data files make up a snapshot
// (spec "Manifests", "Manifest Lists"). Written with ldp's own Avro container writer (avro.h),
// with the field ids and header keys the spec and the reference implementations use.
//
// Thread-safety: free functions over values; safe from any thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

/// One value of a partition tuple, in its Avro storage form. monostate = null.
/// int covers int/date; long covers long/time/timestamp(tz); std::string is an Avro string;
/// Bytes is binary, fixed, uuid (16 bytes) and decimal (two's-complement big-endian).
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};
using PartitionValue = std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, Bytes>;

/// A field of the partition struct, as the manifest's Avro schema needs it.
struct PartitionFieldInfo {
  int32_t field_id = 0;      ///< partition field id (>= 1000)
  std::string name;          ///< partition field name
  std::string result_type;   ///< Iceberg type of the transform result: "int", "long", "string", "date", "decimal(9,2)", ...
};

enum class FileContent : int32_t { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };
enum class ManifestContent : int32_t { kData = 0, kDeletes = 1 };
enum class ManifestEntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

/// The `data_file` struct (field id 2 of manifest_entry).
struct DataFile {
  FileContent content = FileContent::kData;           // 134
  std::string file_path;                              // 100 (a URI, e.g. file:///...)
  std::string file_format = "PARQUET";                // 101
  std::vector<PartitionValue> partition;              // 102, one value per partition field
  int64_t record_count = 0;                           // 103
  int64_t file_size_in_bytes = 0;                     // 104
  std::map<int32_t, int64_t> column_sizes;            // 108
  std::map<int32_t, int64_t> value_counts;            // 109
  std::map<int32_t, int64_t> null_value_counts;       // 110
  std::map<int32_t, int64_t> nan_value_counts;        // 137
  std::map<int32_t, std::string> lower_bounds;        // 125, single-value binary encoding
  std::map<int32_t, std::string> upper_bounds;        // 128
  std::vector<int64_t> split_offsets;                 // 132
  std::vector<int32_t> equality_ids;                  // 135
  std::optional<int32_t> sort_order_id;               // 140
  std::optional<std::string> referenced_data_file;    // 143
  std::optional<int64_t> content_offset;              // 144 (v3: a deletion vector's blob in its Puffin file)
  std::optional<int64_t> content_size_in_bytes;       // 145
  /// Not stored in the entry: the partition spec of the manifest that lists the file (the reader
  /// sets it from the manifest list's partition_spec_id).
  int32_t spec_id = 0;
  /// Not stored either: file_path as the manifest wrote it, when scan planning resolved it to
  /// another path (relative, relocated; iceberg/file_paths.h). Position delete files name data
  /// files by this original path. Empty when file_path is unchanged.
  std::string written_path;
  const std::string& original_path() const { return written_path.empty() ? file_path : written_path; }
};

/// One row of a manifest.
struct ManifestEntry {
  ManifestEntryStatus status = ManifestEntryStatus::kAdded;  // 0
  std::optional<int64_t> snapshot_id;                        // 1 (null = inherit)
  std::optional<int64_t> sequence_number;                    // 3 (null = inherit)
  std::optional<int64_t> file_sequence_number;               // 4 (null = inherit)
  DataFile data_file;                                        // 2
};

struct PartitionFieldSummary {
  bool contains_null = false;                 // 509
  std::optional<bool> contains_nan;           // 518
  std::optional<std::string> lower_bound;     // 510, single-value binary encoding
  std::optional<std::string> upper_bound;     // 511
};

/// One row of a manifest list.
struct ManifestFile {
  std::string manifest_path;                  // 500
  int64_t manifest_length = 0;                // 501
  int32_t partition_spec_id = 0;              // 502
  ManifestContent content = ManifestContent::kData;  // 517
  int64_t sequence_number = 0;                // 515
  int64_t min_sequence_number = 0;            // 516
  int64_t added_snapshot_id = 0;              // 503
  int32_t added_files_count = 0;              // 504
  int32_t existing_files_count = 0;           // 505
  int32_t deleted_files_count = 0;            // 506
  int64_t added_rows_count = 0;               // 512
  int64_t existing_rows_count = 0;            // 513
  int64_t deleted_rows_count = 0;             // 514
  std::vector<PartitionFieldSummary> partitions;  // 507
};

struct ManifestWriteOptions {
  int format_version = 2;
  std::string schema_json;                // header "schema": the table schema as JSON
  int32_t schema_id = 0;                  // header "schema-id"
  std::string partition_spec_fields_json; // header "partition-spec": JSON array of the spec's fields
  int32_t partition_spec_id = 0;          // header "partition-spec-id"
  std::vector<PartitionFieldInfo> partition_fields;
  ManifestContent content = ManifestContent::kData;
  int64_t snapshot_id = 0;                // the snapshot that writes this manifest
  /// Sequence number of that snapshot, when already known; used for min_sequence_number of
  /// entries that inherit. The manifest list writer fills the final numbers.
  int64_t sequence_number = 0;
};

/// Writes a manifest (Avro, deflate) with `entries` to `path` and returns its manifest-list row:
/// path, length, spec id, content, added snapshot id, file/row counts by status and partition
/// summaries are filled; sequence_number/min_sequence_number are set from options.sequence_number
/// and the entries' explicit sequence numbers.
Result<ManifestFile> WriteManifest(io::FileSystem& fs, const std::string& path,
                                   const ManifestWriteOptions& options,
                                   const std::vector<ManifestEntry>& entries);

/// Reads a manifest. Entries whose snapshot id / sequence numbers are null inherit them from
/// `manifest` (the manifest-list row), as the spec's inheritance rules say. Also reads v1.
Result<std::vector<ManifestEntry>> ReadManifest(io::FileSystem& fs, const ManifestFile& manifest);

struct ManifestListWriteOptions {
  int format_version = 2;
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
};

/// Writes a manifest list (Avro, deflate) with header keys snapshot-id, parent-snapshot-id,
/// sequence-number, format-version.
Status WriteManifestList(io::FileSystem& fs, const std::string& path,
                         const ManifestListWriteOptions& options,
                         const std::vector<ManifestFile>& manifests);

/// Reads a manifest list (v1 and v2).
Result<std::vector<ManifestFile>> ReadManifestList(io::FileSystem& fs, const std::string& path);

}  // namespace ldp::iceberg
