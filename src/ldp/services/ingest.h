#pragma once
// Ingest: any file source (Parquet, CSV, JSON; a file, a glob or a folder) into an Iceberg table,
// as one atomic snapshot. Rows go from the source to Parquet data files inside DuckDB (COPY with
// Iceberg field ids); ldp only writes the metadata around them.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/schema.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/services/project.h"

namespace ldp::services {

enum class SourceFormat { kAuto, kParquet, kCsv, kJson };
enum class IngestMode { kAppend, kOverwrite, kMerge };

Result<SourceFormat> ParseSourceFormat(const std::string& text);
Result<IngestMode> ParseIngestMode(const std::string& text);

/// A resolved file source: the files and their format.
struct FileSource {
  std::vector<std::string> files;  ///< local paths, sorted
  SourceFormat format = SourceFormat::kParquet;
  /// DuckDB table function call over the files, e.g. read_parquet(['a','b'], union_by_name=true).
  std::string relation_sql;
};

/// Expands SOURCE (a file, a glob or a folder) and works out the format (from --format or the
/// extension). NotFound names the path or pattern; InvalidArgument names an empty file or an
/// unknown extension.
Result<FileSource> ResolveFileSource(engine::Connection& conn, const std::string& source,
                                     SourceFormat format);

struct IngestOptions {
  std::string source;
  catalog::TableIdentifier table;
  IngestMode mode = IngestMode::kAppend;
  SourceFormat format = SourceFormat::kAuto;
  /// The branch the snapshot is committed to: "main", or an existing branch (whose head becomes
  /// the snapshot's parent; main is left alone).
  std::string branch = "main";
  /// kMerge: the key columns (upsert: rows with a key of the source are replaced, others added).
  std::vector<std::string> keys;
  /// kOverwrite: replace only the rows matching this DuckDB predicate (empty = the whole table).
  std::string where;
  /// --partition-by "day(ts), bucket(16, id)": the spec of a table this ingest creates; for an
  /// existing table it must match the table's spec (`ldp alter` changes a spec).
  std::optional<std::string> partition_by;
  /// --sort-by "col desc nulls last, day(ts)": the sort order of a table this ingest creates; for
  /// an existing table it must match the table's default order (`ldp alter --sort-by` changes it).
  /// Rows are written sorted by the table's default sort order either way.
  std::optional<std::string> sort_by;
  /// Merge the source schema into the table's (iceberg::MergeSourceSchema): new columns are
  /// added, allowed promotions applied, a column whose name differs only in case matches; the
  /// new schema is committed with the data, in the same snapshot commit.
  bool evolve = false;
  /// A DuckDB relation to read instead of resolving `source` as files (connector sources stage
  /// their records and pass the relation over the staged files; `source` then only names it in
  /// messages). services/source_ingest.h.
  std::string relation_sql;
  /// relation_sql has exactly the table's columns with its types (`ldp clone` writing into the table
  /// it created from the source's schema): the source-to-table type check is skipped.
  bool relation_has_table_columns = false;
  /// Called with DuckDB's progress estimate (0..100) while data files are written.
  std::function<void(double)> progress;
};

struct IngestResult {
  catalog::TableIdentifier table;
  bool created_table = false;
  bool committed = false;        ///< false when the source had no rows and nothing changed
  int64_t snapshot_id = 0;
  int64_t rows = 0;
  int64_t data_files = 0;
  int64_t bytes = 0;
  int source_files = 0;
  int commit_attempts = 0;
  int32_t spec_id = 0;           ///< the partition spec the files were written with
  int64_t partitions = 0;        ///< distinct partitions written (0 when unpartitioned)
  std::string metadata_location;
  // Merge and overwrite --where (services/row_delta.h):
  std::string write_mode;       ///< "copy-on-write" or "merge-on-read"
  int64_t rows_deleted = 0;     ///< existing rows removed (overwrite --where) or replaced (merge)
  int64_t rows_updated = 0;     ///< merge: existing rows replaced by a source row
  int64_t rows_inserted = 0;    ///< source rows that matched no existing row (or all, overwrite)
  int64_t files_rewritten = 0;  ///< data files removed (copy-on-write)
  int64_t delete_files = 0;     ///< position delete files added (merge-on-read)
  bool schema_evolved = false;            ///< --evolve changed the schema
  int32_t schema_id = 0;                  ///< the schema the data was written with
  std::vector<std::string> schema_notes;  ///< --evolve decisions, one line each
};

/// Runs one ingest. On any error nothing becomes visible: no snapshot, no catalog row for a table
/// that did not exist, and the files written for it are removed.
Result<IngestResult> Ingest(Project& project, engine::Connection& conn, const IngestOptions& options);

/// DataFile entries (metrics from the Parquet footers) for Parquet files ldp wrote with `schema`.
Result<std::vector<iceberg::DataFile>> CollectDataFiles(engine::Connection& conn, const iceberg::Schema& schema,
                                                        const std::vector<std::string>& local_files);

/// The target data file size: table property write.target-file-size-bytes, else the project's.
int64_t TargetFileSize(const Project& project, const iceberg::TableMetadata& md);

/// Opens the DuckDB engine configured for a project (memory limit from ldp.yaml).
Result<std::unique_ptr<engine::Database>> OpenEngine(const Project& project);

/// Applies the project's engine settings to a connection of a database opened without them.
Status ConfigureEngine(const Project& project, engine::Connection& conn);

}  // namespace ldp::services
