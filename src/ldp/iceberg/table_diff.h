#pragma once
// The REST commit that turns one table metadata into another: ldp's writers build the whole next
// metadata from a base (snapshot_update, schema_update, refs, ...); a REST catalog wants the
// change as requirements + updates (table_changes.h). DiffMetadata computes them, so every
// writer works unchanged on a REST catalog (docs/adr/0017-catalog-choice.md).
//
// Thread-safety: free functions over values.

#include <nlohmann/json.hpp>

#include "ldp/core/status.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {

struct MetadataDiff {
  nlohmann::json requirements = nlohmann::json::array();
  nlohmann::json updates = nlohmann::json::array();
};

/// Requirements that hold exactly while the table is still `base` in what `next` depends on
/// (table uuid; the snapshot of every branch when snapshots are added or removed, since a
/// concurrent commit on any branch takes the sequence number; every ref that changes; the
/// current schema / last column id when schemas change; default spec / last partition id when
/// specs change; default sort order when orders change) and the updates that turn `base` into
/// `next` when applied by ApplyUpdates (metadata-log, snapshot-log and last-updated-ms are the
/// server's). InvalidArgument when `next` is not a successor of `base` (another table uuid).
Result<MetadataDiff> DiffMetadata(const TableMetadata& base, const TableMetadata& next);

}  // namespace ldp::iceberg
