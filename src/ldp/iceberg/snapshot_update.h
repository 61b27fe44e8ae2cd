#pragma once
// Producing a new snapshot: manifests for the added (and removed) data files, the manifest list,
// and the next table metadata. Nothing here touches the catalog; the caller commits the metadata
// with a compare-and-swap and, when that loses a race, calls ProduceSnapshot again on the new base
// (the manifest of added files is written once and reused: its entries inherit sequence numbers).
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/refs.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

enum class WriteOperation {
  kAppend,     ///< add files ("append")
  kOverwrite,  ///< replace every live data file with the added ones ("overwrite")
};

/// Files written for one snapshot attempt; the caller deletes them if the attempt is abandoned.
struct PendingSnapshot {
  std::shared_ptr<TableMetadata> metadata;  ///< base + the new snapshot, main moved to it
  int64_t snapshot_id = 0;
  std::vector<std::string> written_files;   ///< manifest list and per-attempt manifests
};

/// The added files' manifest (written once per write, reused across commit retries).
struct AddedFiles {
  std::vector<DataFile> files;
  std::optional<ManifestFile> manifest;  ///< set once written
};

/// Writes the manifest of added files for `snapshot_id` under <location>/metadata/.
/// `content` kDeletes writes a delete manifest (position or equality delete files) the same way.
Result<ManifestFile> WriteAddedManifest(io::FileSystem& fs, const TableMetadata& base,
                                        int64_t snapshot_id, const std::vector<DataFile>& files,
                                        ManifestContent content = ManifestContent::kData);

/// Live data-file entries of a snapshot (status EXISTING or ADDED, content data), with sequence
/// numbers resolved. An empty list for a table without snapshots.
Result<std::vector<ManifestEntry>> LiveDataEntries(io::FileSystem& fs, const TableMetadata& metadata,
                                                   const Snapshot* snapshot);

/// Builds the next snapshot on the head of `branch` in `base`. `added_manifest` is the result of
/// WriteAddedManifest (or nullopt when nothing was added, e.g. an overwrite with an empty source).
/// `added` are the same files (for the summary). The snapshot's parent is the branch head and only
/// that branch moves (for "main" also current-snapshot-id and the snapshot-log); NotFound when
/// `branch` is neither "main" nor an existing branch (a tag cannot be written to).
Result<PendingSnapshot> ProduceSnapshot(io::FileSystem& fs, const TableMetadata& base,
                                        WriteOperation op, int64_t snapshot_id,
                                        const std::optional<ManifestFile>& added_manifest,
                                        const std::vector<DataFile>& added, int64_t now_ms,
                                        const std::map<std::string, std::string>& extra_summary = {},
                                        const std::string& branch = kMainBranch);

/// Header options of a manifest written by a snapshot `snapshot_id` of `m` for `spec`.
ManifestWriteOptions ManifestOptionsFor(const TableMetadata& m, const PartitionSpec& spec, ManifestContent content,
                                        int64_t snapshot_id);

/// Header options for a manifest of `spec` written by `snapshot_id` on `base`.
ManifestWriteOptions ManifestOptionsFor(const TableMetadata& base, const PartitionSpec& spec,
                                        ManifestContent content, int64_t snapshot_id);

/// Path helpers under a table location (a URI or path).
std::string TableDataDir(const TableMetadata& m);
std::string TableMetadataDir(const TableMetadata& m);

}  // namespace ldp::iceberg
