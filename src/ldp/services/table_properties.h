#pragma once
// Table properties (e.g. write.delete.mode): set and removed in one metadata commit, without a new
// snapshot. A lost commit race is retried on the new metadata.
//
// Thread-safety: free functions; safe when each thread uses its own Project.

#include <map>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/services/project.h"
#include "ldp/services/tables.h"

namespace ldp::services {

/// Sets `set` and removes `unset` in the table's properties. InvalidArgument for a write.*.mode
/// value other than copy-on-write / merge-on-read.
Result<LoadedTable> UpdateTableProperties(Project& project, const catalog::TableIdentifier& table,
                                          const std::map<std::string, std::string>& set,
                                          const std::vector<std::string>& unset);

}  // namespace ldp::services
