#pragma once
// Snapshots for row-level changes (delete, update, merge, overwrite by filter): data files removed
// and added, position delete files added (merge-on-read) or removed with their data file. Like
// snapshot_update.h nothing here touches the catalog; the caller commits and, after a lost race,
// validates what changed (ChangesSince) and builds the snapshot again on the new base.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/refs.h"
#include "ldp/iceberg/snapshot_update.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

/// What one row-level operation changes.
struct RowDelta {
  std::set<std::string> removed_data_files;    ///< file_path of live data files to remove
  std::set<std::string> removed_delete_files;  ///< file_path of live delete files to remove
  std::vector<DataFile> added_data;            ///< new data files (for the summary)
  std::optional<ManifestFile> added_data_manifest;
  std::vector<DataFile> added_deletes;         ///< new delete files (for the summary)
  std::optional<ManifestFile> added_delete_manifest;
  /// More manifests of added data files (another partition spec's files; compaction keeps a
  /// file's spec).
  std::vector<ManifestFile> more_added_manifests;
  /// The snapshot's operation when set (compaction: "replace"); else RowDeltaOperation.
  std::optional<std::string> operation;
  /// Write the manifests that hold removed files as one manifest per content and spec instead of
  /// one per manifest (compaction touches many small manifests at once).
  bool merge_rewritten_manifests = false;
  /// Delete manifests of other partition specs than the default one (deletes for data files
  /// written under an older spec carry that spec; a manifest holds files of one spec).
  std::vector<ManifestFile> added_delete_manifests_older_specs;
  /// The branch the snapshot goes to: "main" or an existing branch (its head is the parent).
  std::string branch = kMainBranch;
};

/// Writes the manifest (content deletes) of added delete files, under <location>/metadata/.
Result<ManifestFile> WriteAddedDeleteManifest(io::FileSystem& fs, const TableMetadata& base,
                                              int64_t snapshot_id, const std::vector<DataFile>& files);

/// The same for delete files of partition spec `spec` (not necessarily the default one).
Result<ManifestFile> WriteAddedDeleteManifest(io::FileSystem& fs, const TableMetadata& base, int64_t snapshot_id,
                                              const std::vector<DataFile>& files, const PartitionSpec& spec);

/// "delete" when the delta adds no data files, "append" when it only adds data files, else
/// "overwrite" (spec "Snapshots").
std::string RowDeltaOperation(const RowDelta& delta);

/// Builds the next snapshot on the head of `delta.branch` in `base` (only that branch moves):
/// manifests holding removed files are rewritten (removed
/// entries DELETED, the rest EXISTING with their sequence numbers), the others carried over, the
/// added manifests put first. Summary counts (added/deleted data and delete files, records,
/// position and equality deletes, totals) are computed from the manifests. CommitFailed naming the
/// file when a file to remove is no longer live in `base` (a concurrent commit removed it).
Result<PendingSnapshot> ProduceRowDelta(io::FileSystem& fs, const TableMetadata& base, int64_t snapshot_id,
                                        const RowDelta& delta, int64_t now_ms);

/// What concurrent commits changed between two snapshots of a table.
struct TableChanges {
  std::vector<DataFile> added_data;       ///< live in `to`, not in `from`
  std::set<std::string> removed_data;     ///< live in `from`, not in `to`
  std::vector<DataFile> added_deletes;    ///< delete files live in `to`, not in `from`
};

/// Compares the live files of `from` (may be null) and `to` (may be null).
Result<TableChanges> ChangesBetween(io::FileSystem& fs, const Snapshot* from, const Snapshot* to);

}  // namespace ldp::iceberg
