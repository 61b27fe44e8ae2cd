#pragma once
// Row-level changes: delete, update, merge (upsert) and overwrite by predicate, in either write
// mode chosen per operation by table properties (write.delete.mode, write.update.mode,
// write.merge.mode): copy-on-write rewrites the data files that hold affected rows; merge-on-read
// writes a position delete file (and new data files for changed rows). Predicates and expressions
// are DuckDB SQL over the table's columns. ADR 0008 records the design.
//
// Every operation validates its input (predicate, SET list, keys) before writing anything, and on
// any failure removes what it wrote. Commits are optimistic: after a lost race the operation checks
// what the concurrent commits changed and fails with CommitFailed naming the table when they
// touched its files (removed them, added deletes for them, or appended rows it would have had to
// change); otherwise it builds its snapshot again on the new base.
//
// Thread-safety: free functions; safe when each thread uses its own Project and Connection.

#include <cstdint>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/services/ingest.h"
#include "ldp/services/project.h"
#include "ldp/services/tables.h"

namespace ldp::services {

enum class WriteMode { kCopyOnWrite, kMergeOnRead };

/// The write mode a table property names ("copy-on-write" default, or "merge-on-read").
Result<WriteMode> TableWriteMode(const iceberg::TableMetadata& md, const std::string& property);
const char* WriteModeName(WriteMode mode);

struct RowDeltaResult {
  catalog::TableIdentifier table;
  std::string operation;          ///< "delete", "update", "merge", "overwrite"
  WriteMode mode = WriteMode::kCopyOnWrite;
  bool committed = false;         ///< false when no row matched (nothing written)
  int64_t snapshot_id = 0;
  int64_t rows_deleted = 0;
  int64_t rows_updated = 0;
  int64_t rows_inserted = 0;
  int64_t files_rewritten = 0;    ///< data files removed
  int64_t data_files_added = 0;
  int64_t delete_files_added = 0;
  int64_t files_scanned = 0;      ///< live data files that bounds could not rule out
  int64_t total_files = 0;
  int commit_attempts = 0;
  std::string metadata_location;
};

/// `ldp delete NS.T --where PREDICATE [--branch B]`: rows of the head of `branch` ("main" or an
/// existing branch; NotFound / InvalidArgument for a missing branch or a tag), committed to it;
/// concurrent commits are validated against that branch's head.
Result<RowDeltaResult> DeleteRows(Project& project, engine::Connection& conn, const catalog::TableIdentifier& table,
                                  const std::string& where, const std::string& branch = "main");

/// `ldp update NS.T --set "col = expr[, ...]" --where PREDICATE [--branch B]` (empty where = every
/// row); `branch` as for DeleteRows.
Result<RowDeltaResult> UpdateRows(Project& project, engine::Connection& conn, const catalog::TableIdentifier& table,
                                  const std::string& set, const std::string& where, const std::string& branch = "main");

/// One `col = expr` of a SET list.
struct Assignment {
  std::string column;
  std::string expression;
};
/// Splits "a = 1, b = f(x, y)" at top-level commas and the first top-level '='.
Result<std::vector<Assignment>> ParseAssignments(const std::string& set);

/// Ingest with --mode merge --key ... or --mode overwrite --where ...: `source_sql` is a SELECT of
/// the source rows with the table's columns. Called by Ingest after it resolved the source.
Result<IngestResult> IngestRowDelta(Project& project, engine::Connection& conn, const IngestOptions& options,
                                    const std::string& source_sql, const LoadedTable& table, IngestResult result);

}  // namespace ldp::services
