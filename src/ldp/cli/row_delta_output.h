#pragma once
// Output shared by `ldp delete` and `ldp update`.

#include "ldp/cli/command.h"
#include "ldp/services/row_delta.h"

namespace ldp::cli {

/// Prints what a row-level operation did (JSON with --json, else a short report).
void PrintRowDelta(const GlobalOptions& g, const services::RowDeltaResult& r, double secs);

}  // namespace ldp::cli
