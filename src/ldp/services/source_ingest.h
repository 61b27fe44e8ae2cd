#pragma once
// Ingest from a connector source (REST API, PostgreSQL, ...): the source stages its records in
// bounded memory, the Iceberg write path (services/ingest.h) commits them as one snapshot, and
// only then is the incremental cursor saved. On any error nothing is committed and the cursor is
// left as it was (docs/adr/0019-connectors.md).

#include <optional>
#include <string>

#include "ldp/connectors/cursor_store.h"
#include "ldp/connectors/options.h"
#include "ldp/connectors/source.h"
#include "ldp/services/ingest.h"

namespace ldp::services {

struct SourceIngestResult {
  IngestResult ingest;
  std::string source;       ///< the source as shown (no secrets)
  std::string state_name;   ///< the name its cursor is kept under
  int64_t records = 0;      ///< records the source returned (before an incremental filter)
  int64_t pages = 0;
  std::optional<std::string> previous_cursor, cursor;  ///< cursor values before / after
};

/// Whether `source` (with or without a config file) is for a connector rather than the file path.
bool IsConnectorSource(const std::string& source, const std::string& config_path);

/// <warehouse>/_ldp/connectors.db
std::string CursorStorePath(const Project& project);

/// Runs one ingest from the source `connector` names into `options.table` (options.source and
/// options.relation_sql are set here). Errors never contain the connector's secrets.
Result<SourceIngestResult> IngestFromSource(Project& project, engine::Connection& conn, IngestOptions options,
                                            const connectors::ConnectorOptions& connector,
                                            const connectors::SourceContext& ctx = {});

/// Downloads an http(s) file source (connectors/download.h) into a staging folder and ingests it
/// with the file path (format from --format or the URL's extension); the download is removed
/// afterwards. services::Ingest calls this for http(s) sources.
Result<IngestResult> IngestFromUrl(Project& project, engine::Connection& conn, IngestOptions options);

}  // namespace ldp::services
