#pragma once
// Time travel and snapshot references of a table: which snapshot an --as-of value names,
// branches and tags (create, drop, fast-forward), rollback of main. Every change is one metadata
// commit with the catalog's compare-and-swap, re-validated and retried when another writer won.
//
// Thread-safety: free functions; safe when each thread uses its own Project.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/services/project.h"
#include "ldp/services/tables.h"

namespace ldp::services {

/// Parses a point in time: "2026-01-31", "2026-01-31 12:00[:00[.123]]" or with a 'T'; an optional
/// "Z" or "+HH:MM"/"-HH:MM" offset (UTC when none). Milliseconds since the epoch; InvalidArgument
/// naming the text otherwise.
Result<int64_t> ParseTimestampMs(const std::string& text);

/// Parses a duration "30s", "15m", "12h", "3d", "2w" (a bare number is days). Milliseconds.
Result<int64_t> ParseDurationMs(const std::string& text);

/// A cutoff given either as a duration back from `now_ms` ("3d") or as a timestamp.
Result<int64_t> ParseCutoffMs(const std::string& text, int64_t now_ms);

/// The snapshot an --as-of value names in `m` (of table `table`): a branch or tag name first,
/// then a snapshot id (digits), then a timestamp (the snapshot that was current then, from the
/// snapshot-log). NotFound names the table and what is missing: an unknown ref or id, a time before
/// the table's first (retained) snapshot, a table without snapshots.
Result<const iceberg::Snapshot*> ResolveSnapshot(const iceberg::TableMetadata& m, const std::string& table,
                                                 const std::string& as_of);

/// Splits a table name with a time-travel suffix, "trips@v1" -> {"trips", "v1"}; no '@' -> {name, ""}.
std::pair<std::string, std::string> SplitTravelSuffix(const std::string& table_name);

/// Retention settings of a new ref; unset fields are not written (table defaults apply).
struct RefRetention {
  std::optional<int32_t> min_snapshots_to_keep;  ///< branches only
  std::optional<int64_t> max_snapshot_age_ms;    ///< branches only
  std::optional<int64_t> max_ref_age_ms;
};

/// Creates branch or tag `name` (type "branch" | "tag") at `at` (a snapshot id or ref name; empty =
/// main's current snapshot). AlreadyExists when the name is taken; InvalidArgument for a bad name
/// or retention; NotFound when `at` resolves to nothing or the table has no snapshot.
Result<LoadedTable> CreateRef(Project& project, const catalog::TableIdentifier& id, const std::string& name,
                              const std::string& type, const std::string& at, const RefRetention& retention);

/// Removes branch or tag `name`; NotFound when there is no such ref of that type; "main" cannot be
/// dropped.
Result<LoadedTable> DropRef(Project& project, const catalog::TableIdentifier& id, const std::string& name,
                            const std::string& type);

/// Moves branch `target` to the head of branch `source` when `target`'s head is an ancestor of it
/// (write-audit-publish: `main` to an audited branch). InvalidArgument when it is not.
Result<LoadedTable> FastForward(Project& project, const catalog::TableIdentifier& id, const std::string& target,
                                const std::string& source);

/// Points main back at `snapshot_id`, which must be an ancestor of main's head.
Result<LoadedTable> RollbackTo(Project& project, const catalog::TableIdentifier& id, int64_t snapshot_id);
/// Points main at the latest ancestor of its head committed before `timestamp_ms`.
Result<LoadedTable> RollbackToTime(Project& project, const catalog::TableIdentifier& id, int64_t timestamp_ms);

/// "2026-01-31 12:00:00.000Z".
std::string FormatTimestampMs(int64_t ms);

}  // namespace ldp::services
