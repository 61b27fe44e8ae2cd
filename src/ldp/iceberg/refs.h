#pragma once
// Snapshot references (spec "Snapshot References"): branches and tags, ancestry, and moving refs
// in table metadata. `main` is the branch that `current-snapshot-id` follows; moving it appends
// to the snapshot-log, moving any other ref does not.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {

inline constexpr const char* kMainBranch = "main";

/// The snapshot a branch points at: for "main" the current snapshot (nullptr in an empty table);
/// for another branch its ref, nullptr when there is no such branch.
const Snapshot* BranchHead(const TableMetadata& m, const std::string& branch);

/// OK when a commit may go to `branch`: "main", or an existing branch. NotFound for a missing
/// branch, InvalidArgument for a tag.
Status CheckWritableBranch(const TableMetadata& m, const std::string& branch);

/// `snapshot_id` and its ancestors, newest first, while parents resolve (an expired parent ends
/// the chain). Empty when `snapshot_id` is not in the metadata.
std::vector<const Snapshot*> Ancestors(const TableMetadata& m, int64_t snapshot_id);

/// True when `ancestor` is `of` or one of its ancestors.
bool IsAncestor(const TableMetadata& m, int64_t ancestor, int64_t of);

/// The latest ancestor of main's head committed strictly before `timestamp_ms` (Java's
/// rollbackToTime rule), or nullptr.
const Snapshot* LatestMainAncestorBefore(const TableMetadata& m, int64_t timestamp_ms);

/// Names of the refs pointing at `snapshot_id`, sorted ("main" first).
std::vector<std::string> RefsAt(const TableMetadata& m, int64_t snapshot_id);

/// Ref names ldp accepts: 1-255 characters, none of whitespace, '@', '"', '/', not only digits
/// (a bare number is a snapshot id), not "." or "..". InvalidArgument saying why.
Status ValidateRefName(const std::string& name);

/// Points ref `name` at `ref.snapshot_id` (creating it or moving it). For "main" the current
/// snapshot follows and a snapshot-log entry at `now_ms` is added when it changes.
/// REQUIRES: the snapshot exists in `m`; "main" is a branch.
void SetRef(TableMetadata* m, const std::string& name, const SnapshotRef& ref, int64_t now_ms);

/// Removes ref `name` (not "main").
void RemoveRef(TableMetadata* m, const std::string& name);

}  // namespace ldp::iceberg
