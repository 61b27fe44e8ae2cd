#pragma once
// Table maintenance: expiring snapshots (and deleting the files only they reached), removing
// orphan files, merging manifests. Each lists what it removed or, with dry_run, would remove.
// Nothing a retained snapshot, a ref or a metadata file in the metadata-log needs is ever deleted;
// files are deleted only after the metadata commit that stops referencing them succeeded.
//
// Thread-safety: free functions; safe when each thread uses its own Project.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/services/project.h"

namespace ldp::services {

/// One file a maintenance command removed (or would remove).
struct RemovedFile {
  std::string path;   ///< local path
  std::string kind;   ///< "manifest-list", "manifest", "data", "metadata", "other"
  int64_t size = 0;
};

struct ExpireOptions {
  catalog::TableIdentifier table;
  std::optional<int64_t> older_than_ms;  ///< default: now - history.expire.max-snapshot-age-ms
  std::optional<int32_t> retain_last;    ///< default: history.expire.min-snapshots-to-keep
  bool dry_run = false;
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshots;
  std::vector<std::string> removed_refs;
  std::vector<RemovedFile> files;
  int64_t retained_snapshots = 0;
  bool dry_run = false;
  std::string metadata_location;  ///< after the commit (the current one for a dry run)
  std::vector<std::string> delete_errors;  ///< files that could not be deleted (left as orphans)
};

/// Expires snapshots by the retention policy (iceberg::PlanExpiry), commits the metadata without
/// them, then deletes manifest lists, manifests and data/delete files that only expired snapshots
/// reached. InvalidArgument for a retain_last below 1.
Result<ExpireResult> ExpireSnapshots(Project& project, const ExpireOptions& options);

struct OrphanOptions {
  catalog::TableIdentifier table;
  int64_t older_than_ms = 0;  ///< only files last modified before this are candidates
  bool dry_run = false;
};

struct OrphanResult {
  std::vector<RemovedFile> files;
  int64_t scanned_files = 0;
  int64_t referenced_files = 0;
  int64_t young_files = 0;        ///< unreferenced but newer than the cutoff: kept
  bool dry_run = false;
  std::vector<std::string> delete_errors;
};

/// Deletes files under the table location that the current metadata file, the metadata files of
/// its metadata-log, and the manifest lists, manifests and data/delete files of its snapshots do
/// not reference, when they were last modified before the cutoff.
Result<OrphanResult> RemoveOrphanFiles(Project& project, const OrphanOptions& options);

struct RewriteManifestsResult {
  bool committed = false;  ///< false when there was nothing to merge
  int64_t snapshot_id = 0;
  int64_t manifests_before = 0;
  int64_t manifests_after = 0;
  std::vector<std::string> replaced_manifests;
  std::vector<std::string> new_manifests;
  int64_t entries = 0;
};

/// Merges main's manifests into fewer (a "replace" snapshot with the same data files). Target
/// size: table property commit.manifest.target-size-bytes (default 8 MiB).
Result<RewriteManifestsResult> RewriteManifests(Project& project, const catalog::TableIdentifier& table);

}  // namespace ldp::services
