#pragma once
// Queries: DuckDB SQL in which `ns.table` names an Iceberg table of the project's catalog.
//
// How names are found (docs/adr/0002-query-table-resolution.md): the SQL is parsed by DuckDB
// itself (json_serialize_sql); every base-table reference whose schema part is a catalog
// namespace becomes a temporary view over that table's planned data files, read with
// read_parquet(schema = MAP{field id: ...}) so that columns resolve by field id. When a table is
// referenced once, the conjuncts of its WHERE clause on plain columns prune data files by their
// column bounds first.

#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/iceberg/scan.h"
#include "ldp/services/project.h"
#include "ldp/services/tables.h"

namespace ldp::services {

/// What planning did for one referenced table.
struct TableScanInfo {
  catalog::TableIdentifier table;
  int64_t snapshot_id = 0;       ///< 0 = table has no snapshot
  int64_t planned_files = 0;
  int64_t total_files = 0;
  int predicates = 0;            ///< predicates used for pruning
};

/// A table named in a query's text, loaded and planned (without predicates) ahead of time.
struct PrefetchedTable {
  LoadedTable table;
  iceberg::ScanPlan plan;
};
using QueryPrefetch = std::map<catalog::TableIdentifier, PrefetchedTable>;

/// Loads and plans every catalog table whose name ("ns.name" or "ns"."name") appears in `sql`,
/// without the engine, so that `ldp query` can do it while DuckDB starts. Optional: everything
/// works without it, and a false match only costs a load.
/// With `as_of`, tables are planned at that snapshot (see RunQuery).
Result<QueryPrefetch> PrefetchTables(Project& project, const std::string& sql, const std::string& as_of = "");

/// Creates views for every catalog table `sql` references. NoSuchTable / NoSuchNamespace name a
/// reference that is not in the catalog; InvalidArgument carries DuckDB's parser error.
/// With `prefetch`, tables found there are not loaded again, and a statement with nothing to prune
/// (no WHERE clause, or only single-file tables) is not parsed: the prefetched tables are its
/// references (a reference the text missed is resolved by RunQuery's retry through the parser).
Result<std::vector<TableScanInfo>> PrepareTables(Project& project, engine::Connection& conn,
                                                 const std::string& sql,
                                                 const QueryPrefetch* prefetch = nullptr,
                                                 const std::string& as_of = "");

struct QueryOutcome {
  engine::MaterializedResult result;
  std::vector<TableScanInfo> scans;
};

/// The conjuncts of a WHERE predicate over `schema`'s columns that can prune data files by their
/// bounds. InvalidArgument when the text does not parse as one SQL expression.
Result<std::vector<iceberg::ColumnPredicate>> PredicatesForWhere(engine::Connection& conn, const iceberg::Schema& schema,
                                                                  const std::string& where);

/// The SELECT of a planned scan's rows exactly as a query reads the table (the view PrepareTables
/// creates): deletes applied, columns of `schema` resolved by field id when the table's schema
/// changed. The plan's files are made local first (object storage: the read cache). Used by
/// `ldp clone` (services/clone.h) to read any table the way queries do.
Result<std::string> PlannedRowsSql(io::FileSystem& fs, engine::Connection& conn, const iceberg::TableMetadata& md,
                                   const iceberg::Schema& schema, const iceberg::ScanPlan& plan,
                                   const std::string& table_name);

/// Runs a query and materialises its result. `as_of` (a snapshot id, branch or tag name, or a
/// timestamp; services/snapshots.h ResolveSnapshot) reads every table at that version, with the
/// schema of that snapshot; a table written `ns."name@AS_OF"` in the SQL is read at its own
/// version (docs/adr/0009-time-travel-in-sql.md).
Result<QueryOutcome> RunQuery(Project& project, engine::Connection& conn, const std::string& sql,
                              const QueryPrefetch* prefetch = nullptr, const std::string& as_of = "");

/// Output formats for files and results.
enum class FileFormat { kCsv, kParquet, kJson };
Result<FileFormat> ParseFileFormat(const std::string& text);

struct ExportResult {
  int64_t rows = 0;
  std::string path;
  FileFormat format = FileFormat::kCsv;
};

/// Writes a table (or the result of a query) to a file.
Result<ExportResult> ExportTable(Project& project, engine::Connection& conn,
                                 const catalog::TableIdentifier& table, const std::string& path,
                                 FileFormat format);
Result<ExportResult> ExportQuery(Project& project, engine::Connection& conn, const std::string& sql,
                                 const std::string& path, FileFormat format);

}  // namespace ldp::services
