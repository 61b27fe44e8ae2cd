#pragma once
// Paths as other writers leave them in metadata, manifest lists and manifests, turned into paths
// ldp reads (docs/adr/0021-foreign-tables.md): file:// URIs (also Hadoop's "file:/a/b"), plain
// absolute paths, paths relative to the table location, and prefixes rewritten for a table whose
// folder was moved (`ldp register --relocate FROM=TO`, kept as table properties
// `ldp.relocate.N` = "FROM=TO"). s3:// and s3a:// pass through to the file system; any other
// scheme is refused as not supported, and a relative path may not climb out of the table.
//
// Thread-safety: a value; Resolve is const.

#include <string>
#include <utility>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::iceberg {

struct TableMetadata;

/// Table property prefix of relocations: ldp.relocate.0 = "FROM=TO", ...
inline constexpr const char* kRelocatePropertyPrefix = "ldp.relocate.";

class PathResolver {
 public:
  PathResolver() = default;
  PathResolver(std::string table_location, std::vector<std::pair<std::string, std::string>> relocations);
  /// The table's location and the relocations in its properties.
  static PathResolver ForTable(const TableMetadata& metadata);

  /// `path` as ldp reads it; `what` names it in errors ("manifest list", "data file", ...).
  Result<std::string> Resolve(const std::string& path, const char* what) const;
  /// Whether Resolve can change anything (a relocation, or a location to resolve against).
  bool has_relocations() const { return !relocations_.empty(); }

 private:
  std::string location_;  ///< table location as a local path (or an s3:// URI)
  std::vector<std::pair<std::string, std::string>> relocations_;  ///< normalised prefixes
};

/// "FROM=TO" -> {FROM, TO} (both non-empty), else InvalidArgument.
Result<std::pair<std::string, std::string>> ParseRelocation(const std::string& text);

}  // namespace ldp::iceberg
