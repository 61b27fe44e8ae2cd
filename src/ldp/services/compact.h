#pragma once
// `ldp maintain compact`: rewrites small data files (and files with deletes attached) of each
// partition into fewer files near the target size, with the rows the delete files remove left out,
// as one "replace" snapshot. Delete files that apply to no remaining data file go in the same
// snapshot. Files keep their partition spec and tuple; rows are written in the table's sort order.
// Rows stream through DuckDB (one COPY per bin). docs/adr/0010-compaction.md records the design.
//
// Commits are optimistic: after a lost race the concurrent commits are checked; when they removed
// an input file or added a delete file that applies to one, the compaction fails with CommitFailed
// (its files are removed); otherwise (appends, unrelated changes) it commits on the new base.
//
// Thread-safety: free functions; safe when each thread uses its own Project and Connection.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/services/project.h"

namespace ldp::services {

struct CompactOptions {
  catalog::TableIdentifier table;
  /// Default: table property write.target-file-size-bytes, else the project's (512 MiB).
  std::optional<int64_t> target_size;
  /// Only files that may hold rows matching this DuckDB predicate (partition and metrics pruning).
  std::string where;
  bool dry_run = false;
  /// Called once after the new files and manifests are written, before the first commit attempt
  /// (tests commit concurrently from it).
  std::function<void()> before_commit;
};

/// One bin: files of one partition rewritten together.
struct CompactGroup {
  int32_t spec_id = 0;
  std::string partition;                  ///< "a=1/b=x" (the files' folder under data/), "" unpartitioned
  std::vector<std::string> input_files;   ///< file_path URIs
  int64_t input_bytes = 0;
  int64_t input_records = 0;              ///< record_count of the inputs (deleted rows included)
  int64_t delete_files = 0;               ///< delete files that apply to the inputs
  std::vector<std::string> output_files;  ///< empty in a dry run
  int64_t output_bytes = 0;
  int64_t output_records = 0;
};

struct CompactResult {
  catalog::TableIdentifier table;
  bool dry_run = false;
  bool committed = false;               ///< false when there was nothing to compact (or a dry run)
  int64_t snapshot_id = 0;
  int64_t target_size = 0;
  int64_t min_size = 0;                 ///< files below this were candidates
  int64_t total_files = 0;              ///< live data files of the table
  int64_t files_considered = 0;         ///< after --where pruning
  std::vector<CompactGroup> groups;
  std::vector<std::string> removed_delete_files;
  int64_t data_files_removed = 0;
  int64_t data_files_added = 0;
  int64_t records_removed = 0;          ///< rows dropped because deletes applied to them
  std::optional<int32_t> sort_order_id; ///< the order the new files are sorted by
  int commit_attempts = 0;
  std::string metadata_location;
};

Result<CompactResult> Compact(Project& project, engine::Connection& conn, const CompactOptions& options);

/// Parses a size: "134217728", "128MB", "128 MiB", "1.5GB", "512k" (K/M/G/T; 1024-based, as
/// Iceberg's sizes are; a trailing B or iB is optional). InvalidArgument names the text.
Result<int64_t> ParseByteSize(const std::string& text);

}  // namespace ldp::services
