#pragma once
// What `ldp delete` and `ldp update` share: running the change and printing its result.

#include <functional>
#include <string>

#include "ldp/cli/command.h"
#include "ldp/services/row_delta.h"

namespace ldp::cli {

/// Prints what a row-level operation did (JSON with --json, else a short report).
void PrintRowDelta(const GlobalOptions& g, const services::RowDeltaResult& r, double secs);

using RowChange = std::function<Result<services::RowDeltaResult>(services::Project&, engine::Connection&,
                                                                 const catalog::TableIdentifier&)>;
/// Opens the project and an engine connection, applies `change` to table `table` (NS.NAME) and
/// prints what it did with the time it took.
Status RunRowChange(const GlobalOptions& g, const std::string& table, const RowChange& change);

}  // namespace ldp::cli
