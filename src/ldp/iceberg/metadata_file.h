#pragma once
// Finding and reading a table's metadata file the way other writers leave it: plain or gzip
// (`NNNNN-<uuid>.gz.metadata.json`, `.metadata.json.gz`, as Java writes with
// write.metadata.compression-codec=gzip), named by a catalog, or to be found in a table folder
// (`metadata/version-hint.text` of Hadoop tables, else the highest-numbered metadata file).
//
// Thread-safety: free functions; the FileSystem must be thread-safe.

#include <string>

#include "ldp/core/status.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"

namespace ldp::iceberg {

/// The text of a metadata file, inflated when it is gzip (detected by its magic bytes, whatever
/// its name). NotFound / IOError name the file; InvalidArgument when gzip data is damaged.
Result<std::string> ReadMetadataText(io::FileSystem& fs, const std::string& location);

/// LOCATION as a user gives it to `ldp register`: a metadata file is returned as is; a table
/// folder (or its metadata/ folder) resolves to the file named by metadata/version-hint.text
/// (`N` -> vN.metadata.json, or a file name), else to the metadata file with the highest version
/// number. NotFound says what was looked for and where.
Result<std::string> ResolveMetadataLocation(io::FileSystem& fs, const std::string& location);

/// Records the metadata file `next` replaces in its metadata-log, keeping the newest
/// `write.metadata.previous-versions-max` entries (default 100, as Java does): an unbounded log
/// makes every load and commit of a long-lived table slower.
void AppendMetadataLog(TableMetadata& next, int64_t previous_updated_ms, const std::string& previous_location);

}  // namespace ldp::iceberg
