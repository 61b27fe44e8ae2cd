#pragma once
// Large deletion vectors (docs/adr/0024-footer-deletes-and-large-deletion-vectors.md): a vector
// with more than iceberg::kInlineDeletionVectorRanges ranges is not written into the SQL text of
// the read (services/live_rows.h) but decoded again, streaming from its Puffin blob
// (iceberg/puffin.h), into a temporary table of the DuckDB connection that runs the read. The
// table lives as long as the connection (so every view and stream built on it can use it; nothing
// on disk to remove) and DuckDB spills it to its temp directory under its memory limit; ldp holds
// one range at a time.
//
// Thread-safety: free functions; the connection is used by one thread.

#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/iceberg/scan.h"
#include "ldp/io/file_system.h"

namespace ldp::services {

/// Whether `plan` has a deletion vector that is not inline (iceberg::DeleteFileInfo::dv_inline).
bool HasLargeDeletionVectors(const iceberg::ScanPlan& plan);

/// Loads every deletion vector of `plan` that is not inline into a temporary table of `conn`
/// (columns lo, hi: BIGINT, the ranges of deleted positions) and sets its `dv_relation`. A vector
/// already loaded into this connection (same Puffin file, offset and length: Puffin files are
/// immutable) is not read again. Errors name the Puffin file.
Status LoadLargeDeletionVectors(io::FileSystem& fs, engine::Connection& conn, iceberg::ScanPlan* plan);

}  // namespace ldp::services
