#pragma once
// The changes of a catalog commit, as the Iceberg REST API spells them (open-api
// `TableRequirement` and `TableUpdate`): requirements checked against the current metadata, and
// updates applied to a copy of it. Used by the REST catalog server (rest/); a REST client will
// produce the same JSON.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "ldp/core/status.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {

/// Checks that `requirements` and `updates` are arrays of objects whose `type` / `action` ldp
/// knows, before anything is evaluated. InvalidArgument naming the entry otherwise (an unknown
/// update must be refused whole, never half-applied).
Status CheckChangeShapes(const nlohmann::json& requirements, const nlohmann::json& updates);

/// True when the requirements contain `assert-create` (the table must not exist yet).
bool RequiresCreate(const nlohmann::json& requirements);

/// Checks every requirement against `base` (nullptr when the table does not exist).
/// CommitFailed naming the requirement that is not met; InvalidArgument for malformed fields.
Status CheckRequirements(const nlohmann::json& requirements, const TableMetadata* base);

/// Applies `updates` in order to a copy of `base` (nullptr: a table being created, which starts
/// empty; `default_location` is used when no set-location comes) and returns the new metadata,
/// validated, with last-updated-ms = `now_ms`. The metadata-log is not touched (the committer
/// adds the previous file). InvalidArgument naming the update at fault (unknown schema/spec/
/// order/snapshot ids, downgrades, duplicate snapshots, stale sequence numbers, ...);
/// NotImplemented for a format version ldp cannot write.
Result<std::shared_ptr<TableMetadata>> ApplyUpdates(const TableMetadata* base,
                                                    const nlohmann::json& updates,
                                                    const std::string& default_location,
                                                    int64_t now_ms);

/// The locations an update list sets (set-location), for the caller to check them.
std::vector<std::string> LocationsSetBy(const nlohmann::json& updates);

}  // namespace ldp::iceberg
