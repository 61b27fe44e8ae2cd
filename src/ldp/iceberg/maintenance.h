#pragma once
// Table maintenance in the format's terms: which snapshots the retention policy expires (spec
// "Snapshot Retention Policy"), which files snapshots reach, and a "replace" snapshot whose
// manifests are merged (rewrite-manifests). The services layer commits and deletes files.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

/// Table-property defaults (Java's TableProperties).
inline constexpr int64_t kDefaultMaxSnapshotAgeMs = 5LL * 24 * 3600 * 1000;  // history.expire.max-snapshot-age-ms
inline constexpr int32_t kDefaultMinSnapshotsToKeep = 1;                    // history.expire.min-snapshots-to-keep

struct RetentionOptions {
  int64_t now_ms = 0;
  /// Snapshots committed before this may expire (branches with their own max-snapshot-age-ms use
  /// that instead). Default: now - history.expire.max-snapshot-age-ms.
  std::optional<int64_t> older_than_ms;
  /// Snapshots every branch keeps at least (a branch's own min-snapshots-to-keep wins). Default:
  /// history.expire.min-snapshots-to-keep.
  std::optional<int32_t> retain_last;
};

struct ExpiryPlan {
  std::set<int64_t> retained;
  std::vector<int64_t> expired;            ///< in metadata order (oldest first)
  std::vector<std::string> removed_refs;   ///< refs older than their max-ref-age-ms
};

/// Applies the retention policy: refs (not main) whose snapshot is older than max-ref-age-ms go;
/// every remaining ref's snapshot stays; each branch keeps ancestors while fewer than its
/// min-snapshots-to-keep are kept or they are not older than its age limit; a snapshot on no
/// ref's history stays while it is not older than `older_than_ms`. InvalidArgument names a table
/// property that is not a number.
Result<ExpiryPlan> PlanExpiry(const TableMetadata& m, const RetentionOptions& options);

/// `m` without the expired snapshots and removed refs. The snapshot-log keeps only the entries
/// after the last one that names a removed snapshot (older history is no longer readable).
std::shared_ptr<TableMetadata> ApplyExpiry(const TableMetadata& m, const ExpiryPlan& plan, int64_t now_ms);

/// Files reached from snapshots, as local paths.
struct ReachableFiles {
  std::set<std::string> manifest_lists;
  std::set<std::string> manifests;
  std::set<std::string> live_files;     ///< data and delete files with status ADDED or EXISTING
  std::set<std::string> all_files;      ///< also files in DELETED entries
  std::set<std::string> delete_files;   ///< the position/equality delete files among all_files
};

/// Reads the manifest lists and manifests of `snapshots` (each manifest once).
Result<ReachableFiles> CollectReachableFiles(io::FileSystem& fs, const TableMetadata& m,
                                             const std::vector<const Snapshot*>& snapshots);

/// A path compared by its local form: "file:///a//b" and "/a/b" are the same file.
std::string NormalizePath(const std::string& path_or_uri);

/// Result of merging a snapshot's manifests.
struct ManifestRewrite {
  std::shared_ptr<TableMetadata> metadata;      ///< base + the "replace" snapshot on main
  int64_t snapshot_id = 0;
  std::vector<std::string> written_files;       ///< new manifests and the manifest list
  std::vector<std::string> replaced_manifests;
  std::vector<std::string> new_manifests;
  int64_t kept_manifests = 0;
  int64_t entries = 0;                          ///< live entries carried over
};

/// Merges main's current manifests, per content and partition spec, into as few manifests as fit
/// `target_size_bytes` each (live entries only, as EXISTING with their sequence numbers). nullopt
/// when there is nothing to merge (every group already one manifest without deleted entries).
Result<std::optional<ManifestRewrite>> RewriteManifests(io::FileSystem& fs, const TableMetadata& base,
                                                        int64_t target_size_bytes, int64_t now_ms);

}  // namespace ldp::iceberg
