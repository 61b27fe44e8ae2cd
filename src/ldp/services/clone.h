#pragma once
// `ldp clone`: a copy (or a slice) of a table from this project's catalog, from a table location
// (metadata file or table folder, local or s3://), from a catalog named in ldp.yaml's `catalogs:`
// or from another project's REST catalog given by URI, into a
// new local table with the source's schema (field ids kept), partition spec, sort order and
// properties. The source's live rows (deletes applied) are read as queries read them
// (services/query.h PlannedRowsSql) and written by the ingest writer (partitioned and sorted
// writes included) inside DuckDB; ldp never holds the rows. docs/adr/0022-clone.md.
//
// Thread-safety: free functions.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/services/project.h"

namespace ldp::services {

/// Table properties a clone records (its provenance).
inline constexpr const char* kCloneSourceProperty = "ldp.clone.source";
inline constexpr const char* kCloneMetadataProperty = "ldp.clone.source-metadata";
inline constexpr const char* kCloneSnapshotProperty = "ldp.clone.snapshot-id";
inline constexpr const char* kCloneFilterProperty = "ldp.clone.filter";

struct CloneOptions {
  /// NS.T of this project's catalog (or, with `from_catalog`, of that catalog); else a table
  /// location: a metadata file or a table folder, local or s3:// (iceberg::ResolveMetadataLocation).
  /// A SOURCE with a '/' or a scheme is a location.
  std::string source;
  catalog::TableIdentifier to;
  /// A catalog of ldp.yaml's `catalogs:` section to read NS.T from (SQL or REST; ADR 0023).
  std::string from;
  /// Another catalog to read NS.T from: an Iceberg REST catalog URI (e.g. `ldp serve` of another
  /// project), with an optional bearer token, OAuth2 credential and warehouse.
  std::string from_catalog;
  std::string from_token;
  std::string from_credential;
  std::string from_warehouse;
  /// A snapshot id, branch or tag name (services/snapshots.h ResolveSnapshot); empty = current.
  std::string snapshot;
  /// Keep a deterministic PCT percent of the rows (0 < PCT <= 100), chosen by a hash of each
  /// row's values and `seed`: the same rows on every run, whatever the thread count.
  std::optional<double> sample_percent;
  int64_t seed = 0;
  /// A DuckDB predicate over the source's columns.
  std::string where;
  /// At most this many rows (the first ones in the order of the source's data files).
  std::optional<int64_t> limit;
  /// Replace an existing table of that name (its catalog entry is re-pointed at the clone in one
  /// swap; the old table's files are kept).
  bool replace = false;
  /// DuckDB's progress estimate (0..100) while data files are written.
  std::function<void(double)> progress;
};

struct CloneResult {
  catalog::TableIdentifier table;
  std::string source;           ///< as recorded in ldp.clone.source
  std::string source_metadata;  ///< the metadata file read
  int64_t source_snapshot_id = -1;  ///< -1 when the source has no snapshot
  int64_t source_rows = 0;      ///< records in the source snapshot's live data files (before deletes)
  int64_t source_files = 0;     ///< data files read (after pruning by --where)
  std::string filter;           ///< as recorded in ldp.clone.filter ("" = every row)
  int64_t rows = 0;
  int64_t data_files = 0;
  int64_t bytes = 0;
  int64_t partitions = 0;
  int64_t snapshot_id = 0;      ///< the clone's snapshot (0 when no row was selected)
  std::string metadata_location;
  bool replaced = false;
};

/// Clones. Everything about the source (it exists, its snapshot, its data and delete files, the
/// --where predicate) is checked before anything is created; a failure while copying removes the
/// new table's catalog row, metadata and data files again (and with --replace leaves the old
/// table as it was). Errors: AlreadyExists (target exists without `replace`), NotFound (source
/// table, location, snapshot or a data file), InvalidArgument (bad predicate or percentage).
Result<CloneResult> CloneTable(Project& project, engine::Connection& conn, const CloneOptions& options);

/// "cloned from SOURCE at snapshot ID (FILTER)" for a table with clone provenance, else "".
std::string CloneProvenanceText(const std::map<std::string, std::string>& properties);

}  // namespace ldp::services
