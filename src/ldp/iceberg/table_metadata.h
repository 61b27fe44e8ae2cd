#pragma once
// Table metadata: the `NNNNN-<uuid>.metadata.json` document (spec "Table Metadata", App. C),
// partition specs, sort orders, snapshots and refs.
//
// Thread-safety: plain values; share committed metadata as std::shared_ptr<const TableMetadata>.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ldp/core/status.h"
#include "ldp/iceberg/schema.h"

namespace ldp::iceberg {

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 0;   ///< >= 1000
  std::string name;
  std::string transform;  ///< "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;
  bool is_unpartitioned() const { return fields.empty(); }
  /// {"spec-id":0,"fields":[...]}
  nlohmann::json ToJson() const;
  /// Just the fields array (what manifests carry in their "partition-spec" header).
  std::string FieldsJsonString() const;
  static Result<PartitionSpec> FromJson(const nlohmann::json& j);
};

struct SortField {
  std::string transform = "identity";
  int32_t source_id = 0;
  std::string direction = "asc";        ///< "asc" | "desc"
  std::string null_order = "nulls-first";  ///< "nulls-first" | "nulls-last"
};

struct SortOrder {
  int32_t order_id = 0;  ///< 0 = unsorted
  std::vector<SortField> fields;
  nlohmann::json ToJson() const;
  static Result<SortOrder> FromJson(const nlohmann::json& j);
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;
  /// "operation" plus the App. F metrics, all strings.
  std::map<std::string, std::string> summary;
  std::optional<int32_t> schema_id;

  nlohmann::json ToJson() const;
  static Result<Snapshot> FromJson(const nlohmann::json& j);
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  std::string type = "branch";  ///< "branch" | "tag"
  std::optional<int32_t> min_snapshots_to_keep;
  std::optional<int64_t> max_snapshot_age_ms;
  std::optional<int64_t> max_ref_age_ms;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
};

/// The whole metadata document. Readers accept format versions 1 and 2 (v1's `schema` and
/// `partition-spec` fields are turned into lists); new tables are v2; metadata read as v1
/// is written back as v1 (with `schema` and `partition-spec` too).
struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;  ///< table root URI, e.g. file:///.../warehouse/nyc.db/trips
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<SchemaPtr> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;
  /// `statistics` and `partition-statistics` entries by snapshot id, as JSON text: ldp does not
  /// read them, but keeps them across commits (REST set-statistics / remove-statistics).
  std::map<int64_t, std::string> statistics;
  std::map<int64_t, std::string> partition_statistics;

  // Look-ups (nullptr / NotFound when absent).
  SchemaPtr CurrentSchema() const;
  SchemaPtr SchemaById(int32_t id) const;
  const PartitionSpec* DefaultSpec() const;
  const PartitionSpec* SpecById(int32_t id) const;
  const Snapshot* CurrentSnapshot() const;
  const Snapshot* SnapshotById(int64_t id) const;
  /// The latest snapshot whose log timestamp is <= `timestamp_ms` (snapshot-log), for time travel.
  const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;
  /// A table property, or `fallback`.
  std::string Property(const std::string& key, const std::string& fallback) const;

  /// Checks the invariants FromJson enforces (ids resolve, no duplicate ids, refs.main agrees
  /// with current-snapshot-id, snapshot sequence numbers <= last-sequence-number in v2); for
  /// writers to call before committing. InvalidArgument naming the field; NotImplemented for a
  /// format version other than 1 or 2.
  Status Validate() const;

  /// Field order follows the Java writer; current-snapshot-id is written as -1 when none.
  nlohmann::json ToJson() const;
  std::string ToJsonString() const;  ///< pretty-printed with 2-space indent
  /// Parses and validates: required fields present for the version, current schema/spec/snapshot
  /// ids resolve, refs.main agrees with current-snapshot-id (-1 is read as "none").
  /// Errors name the missing/invalid field (InvalidArgument; NotImplemented for format-version > 2).
  /// Unmodelled fields (v1 inline `manifests`, v3 fields) are ignored.
  static Result<std::shared_ptr<TableMetadata>> FromJson(const nlohmann::json& j);
  static Result<std::shared_ptr<TableMetadata>> FromJsonString(const std::string& text);

  /// New v2 metadata for a table: fresh uuid, schema id 0, the given spec (spec id 0) and
  /// unsorted order, no snapshots, last-partition-id = max(999, spec's highest field id).
  static std::shared_ptr<TableMetadata> NewTable(const std::string& location, SchemaPtr schema,
                                                 PartitionSpec spec,
                                                 std::map<std::string, std::string> properties,
                                                 int64_t now_ms);
};
using TableMetadataPtr = std::shared_ptr<const TableMetadata>;

/// A random version-4 UUID string ("f79c3e09-677c-4bbd-a479-3f349cb785e7").
std::string NewUuid();

/// A positive snapshot id below 2^53 (so JavaScript readers stay exact), random.
int64_t NewSnapshotId();

/// Metadata file name for version `version`: "00001-<uuid>.metadata.json".
std::string MetadataFileName(int version);

/// Parses the version out of a metadata file name or path ("…/00007-….metadata.json" -> 7);
/// -1 when the name does not follow the convention.
int ParseMetadataVersion(const std::string& path);

}  // namespace ldp::iceberg
