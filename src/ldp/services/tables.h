#pragma once
// Tables of a project: loading current metadata through the catalog, creating tables, and
// committing new metadata with the catalog's compare-and-swap.
//
// Thread-safety: free functions; safe when each thread uses its own Project.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/iceberg/snapshot_update.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/services/project.h"

namespace ldp::services {

struct LoadedTable {
  catalog::TableIdentifier id;
  std::string metadata_location;
  iceberg::TableMetadataPtr metadata;
};

/// Loads a table's current metadata. NoSuchTable names the table (and says whether the namespace
/// exists); IOError/InvalidArgument name the metadata file.
Result<LoadedTable> LoadTable(Project& project, const catalog::TableIdentifier& id);

/// Creates the namespace when missing, writes 00000-<uuid>.metadata.json and registers the table.
/// AlreadyExists when the table exists (the metadata file written for it is removed again).
Result<LoadedTable> CreateTable(Project& project, const catalog::TableIdentifier& id,
                                iceberg::SchemaPtr schema, iceberg::PartitionSpec spec,
                                std::map<std::string, std::string> properties);

/// Writes `next` as the following metadata version of `base` (metadata-log extended) and swaps
/// the catalog pointer. CommitFailed when another writer committed first; the written metadata
/// file is removed again in that case.
Result<LoadedTable> CommitMetadata(Project& project, const LoadedTable& base,
                                   std::shared_ptr<iceberg::TableMetadata> next);

/// The commit loop of every write that adds a snapshot. `produce` builds the next metadata on the
/// current base (writing per-attempt files such as the manifest list), which is committed with
/// CommitMetadata. When another writer won the race (CommitFailed or AlreadyExists), the attempt's
/// files are removed, the table is reloaded, `revalidate` checks the work still applies to it (it
/// may adjust the reloaded base), and it goes again after a short random pause, up to 50 attempts.
/// `*attempts` counts the attempts made. Errors: produce's or revalidate's as they are, the last
/// commit error with `what` as context, or CommitStateUnknown as it is (files may be referenced:
/// the caller must keep them).
Result<LoadedTable> CommitWithRetry(
    Project& project, LoadedTable& table, const std::string& what, int* attempts,
    const std::function<Result<iceberg::PendingSnapshot>(const iceberg::TableMetadata& base)>& produce,
    const std::function<Status(LoadedTable& reloaded)>& revalidate);

/// A metadata-only change of a table (properties, schema, partition spec, sort order, refs): the
/// next metadata built from the loaded table, nullptr when there is nothing to change, or an error
/// (e.g. a ref it needs is gone). Called again on a fresh load when another writer committed.
using MetadataChange = std::function<Result<std::shared_ptr<iceberg::TableMetadata>>(const LoadedTable&)>;

/// Loads the table, applies `change`, sets last-updated-ms, validates and commits; when another
/// writer committed first, reloads and applies it again (up to 20 attempts, short random pauses).
/// Returns the committed table, or the loaded one when `change` gave nullptr. `*attempts` (when
/// given) counts the attempts; `what` names the change in errors.
Result<LoadedTable> UpdateTableMetadata(Project& project, const catalog::TableIdentifier& id, const std::string& what,
                                        const MetadataChange& change, int* attempts = nullptr);

/// Milliseconds since the epoch (the wall clock used for snapshot timestamps).
int64_t NowMs();

}  // namespace ldp::services
