#pragma once
// `ldp alter NS.T --partition-by "..."`: evolving a table's partition spec (format v2 rules) as a
// metadata-only commit. Data files keep the spec they were written with; new writes use the new
// default spec.
//
// Thread-safety: free functions; safe when each thread uses its own Project.

#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/services/project.h"

namespace ldp::services {

struct PartitionEvolutionResult {
  catalog::TableIdentifier table;
  bool changed = false;          ///< false when the table was already partitioned that way
  int32_t spec_id = 0;           ///< the default spec id afterwards
  std::string spec_text;         ///< e.g. "day(ts), bucket(16, id)" or "unpartitioned"
  std::string previous_spec_text;
  std::string metadata_location;
};

/// Sets the table's default partition spec to `text` ("" or "unpartitioned" for none). Retries the
/// catalog commit when another writer wins a race (the change is re-applied on the new metadata).
/// NoSuchTable / NoSuchNamespace name the table; InvalidArgument names the bad term or column;
/// nothing is written when the spec is already the default.
Result<PartitionEvolutionResult> EvolveTablePartitioning(Project& project, const catalog::TableIdentifier& table,
                                                         const std::string& text);

}  // namespace ldp::services
