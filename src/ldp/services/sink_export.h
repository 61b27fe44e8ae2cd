#pragma once
// `ldp export` into a sink (connectors/sink.h): a DuckDB database file, PostgreSQL, or files with
// a write disposition (append, replace, merge) and optional partition folders.

#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/connectors/sink.h"
#include "ldp/services/project.h"

namespace ldp::services {

/// Writes table `table` (or, when empty, the rows of `sql`) to `to`. For PostgreSQL and DuckDB
/// targets the table name defaults to the source table's name.
Result<connectors::SinkResult> ExportToSink(Project& project, engine::Connection& conn,
                                            const std::optional<catalog::TableIdentifier>& table,
                                            const std::string& sql, const std::string& to,
                                            connectors::SinkOptions options);

}  // namespace ldp::services
