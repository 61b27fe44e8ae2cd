#pragma once
// Registering a table that some other writer made (Spark, Trino, Flink, pyiceberg, another ldp):
// the catalog gets a row pointing at its metadata file; no file is copied, moved or written.
//
// Thread-safety: free functions.

#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/services/project.h"

namespace ldp::services {

struct RegisterOptions {
  catalog::TableIdentifier table;
  /// A metadata file (also gzip), or a table folder (version-hint.text, else the newest
  /// NNNNN-*.metadata.json); see iceberg::ResolveMetadataLocation.
  std::string location;
  /// Point an existing catalog entry at `location` instead of refusing.
  bool overwrite = false;
  /// "FROM=TO" path prefixes: the table's files were moved from FROM to TO. The metadata is
  /// copied (with `location` rewritten and the relocations as ldp.relocate.N properties) into
  /// this project's warehouse, and readers rewrite FROM to TO in every path they read; the table's
  /// own files are never changed (docs/adr/0021-foreign-tables.md).
  std::vector<std::string> relocate;
};

struct RegisterResult {
  catalog::TableIdentifier table;
  std::string metadata_location;
  int format_version = 0;
  std::string table_uuid;
  int64_t current_snapshot_id = -1;  ///< -1 when the table has no snapshot
  int64_t snapshots = 0;
  int64_t data_files = 0;  ///< live data files of the current snapshot
  int64_t records = 0;     ///< from the manifests' record counts
  bool replaced = false;   ///< an existing entry was overwritten
};

/// Checks the table before the catalog row is written: the metadata parses (format versions ldp
/// reads), and the current snapshot's manifest list, manifests and (on a local file system) data
/// files exist and read. Any failure names the file at fault and registers nothing. Creates the
/// namespace when missing.
Result<RegisterResult> RegisterTable(Project& project, const RegisterOptions& options);

/// Removes the table's catalog row; never deletes a file. NoSuchTable when it is not registered.
/// Returns the metadata location the row pointed at.
Result<std::string> UnregisterTable(Project& project, const catalog::TableIdentifier& table);

}  // namespace ldp::services
