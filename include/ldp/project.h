#pragma once
// ldp's C++ API: a project (a folder with ldp.yaml, a warehouse of Iceberg tables and its catalog),
// ingesting files into tables, querying them with DuckDB SQL with results streamed in batches,
// listing and describing tables, and changing rows. The same operations as the `ldp` command.
//
//   auto project = ldp::Project::Open("/path/to/project");
//   if (!project.ok()) { std::cerr << project.status().ToString() << "\n"; return 1; }
//   auto summary = project->Ingest("trips.parquet", "nyc.trips");
//   auto result = project->Query("SELECT count(*) FROM nyc.trips");
//   for (;;) {
//     auto batch = result->Next();           // Result<RowBatch>
//     if (!batch.ok() || batch->rows.empty()) break;
//     ...
//   }
//
// Nothing of DuckDB, SQLite or any other dependency appears in this header: values come back as
// text in DuckDB's rendering, with each column's kind to convert them by.
//
// Thread-safety: a Project is used by one thread at a time; separate Project objects (also in
// separate processes) may work on the same project at once: commits are atomic and retried.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ldp/status.h"

struct ArrowArrayStream;  // ldp/arrow.h

namespace ldp {

/// How an ingest treats the rows a table already has.
enum class IngestMode {
  kAppend,   ///< add the source's rows
  kReplace,  ///< replace the table's rows (or, with `where`, only the matching ones)
  kMerge,    ///< upsert on `keys`: matching rows replaced, the others added
  /// Deprecated spelling of kReplace (the write dispositions are append, replace, merge everywhere).
  kOverwrite = kReplace,
};

struct IngestOptions {
  IngestMode mode = IngestMode::kAppend;
  /// "parquet", "csv" or "json"; empty = from the file extension.
  std::string format;
  /// kMerge: the key columns.
  std::vector<std::string> keys;
  /// kReplace: replace only the rows matching this SQL predicate (empty = every row).
  std::string where;
  /// The partition spec of a table this ingest creates, e.g. "day(ts), bucket(16, id)".
  std::string partition_by;
  /// The branch to commit to ("main" or an existing branch).
  std::string branch = "main";
  /// Merge a changed source schema into the table's (new columns, allowed type promotions).
  bool evolve = false;
};

struct IngestSummary {
  std::string table;           ///< "ns.name"
  bool created_table = false;
  bool committed = false;      ///< false when the source had no rows: nothing changed
  int64_t snapshot_id = 0;
  int64_t rows = 0;            ///< rows read from the source
  int64_t data_files = 0;
  int64_t bytes = 0;
  int64_t rows_deleted = 0;    ///< overwrite/merge: existing rows removed or replaced
  int64_t rows_updated = 0;    ///< merge: existing rows replaced by a source row
  int64_t rows_inserted = 0;   ///< merge/overwrite: rows added
};

/// `ldp clone` options: every field is optional; see Project::Clone.
struct CloneOptions {
  /// Read SOURCE ("ns.name") from this Iceberg REST catalog (e.g. `ldp serve` of another project).
  std::string from_catalog;
  std::string from_token;      ///< bearer token for from_catalog
  std::string from_warehouse;  ///< warehouse to ask from_catalog for
  double sample_percent = 0;   ///< > 0: keep this percentage of rows (deterministic for `seed`)
  int64_t seed = 0;
  std::string where;           ///< SQL predicate on the source's columns
  int64_t limit = -1;          ///< >= 0: at most this many rows
  std::string snapshot;        ///< snapshot id, branch or tag; empty = current
  bool replace = false;        ///< replace an existing table of that name
  /// Read SOURCE ("ns.name") from this catalog of ldp.yaml's `catalogs:` section (by name).
  std::string from;
};

struct CloneSummary {
  std::string table;             ///< "ns.name"
  std::string source;            ///< as recorded in the ldp.clone.source property
  int64_t source_snapshot_id = -1;
  std::string filter;            ///< as recorded in ldp.clone.filter
  int64_t rows = 0;
  int64_t data_files = 0;
  int64_t bytes = 0;
  int64_t snapshot_id = 0;       ///< the clone's snapshot (0 when no row was selected)
};

/// The broad type of a result column: enough to convert its text values.
enum class ValueKind { kBoolean, kInteger, kFloat, kDecimal, kString, kTemporal, kBlob, kNested, kOther };

struct Column {
  std::string name;
  ValueKind kind = ValueKind::kOther;
};

/// A batch of result rows. Each value is DuckDB's text rendering ("42", "3.5", "true",
/// "2023-01-01 00:15:00"); std::nullopt is NULL.
struct RowBatch {
  std::vector<std::vector<std::optional<std::string>>> rows;
};

/// The rows of a query, read batch by batch as the engine produces them, so a result larger than
/// memory can be consumed. Holds its own engine connection; valid after its Project is gone.
class QueryResult {
 public:
  QueryResult(QueryResult&&) noexcept;
  QueryResult& operator=(QueryResult&&) noexcept;
  ~QueryResult();

  const std::vector<Column>& columns() const;
  /// The next batch (up to 2,048 rows); a batch with no rows at the end.
  Result<RowBatch> Next();
  /// Every remaining row in one batch (for results known to be small).
  Result<RowBatch> ReadAll();

  struct Impl;
  explicit QueryResult(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

struct QueryOptions {
  /// Read every table as of a snapshot id, branch, tag or time ("2026-01-02 03:04:05Z").
  std::string as_of;
};

/// One field of a table schema. Nested fields are listed after their parent, named by path
/// ("address.city"; list elements "tags.element", map parts "attrs.key" / "attrs.value").
struct Field {
  int32_t id = 0;
  std::string name;
  std::string type;  ///< Iceberg type: "long", "timestamp", "decimal(10, 2)", "struct", ...
  bool required = false;
};

struct TableDescription {
  std::string table;  ///< "ns.name"
  std::string location;
  std::string metadata_location;
  std::string table_uuid;
  int format_version = 2;
  int32_t schema_id = 0;
  std::vector<Field> fields;
  std::string partition_spec;  ///< e.g. "day(ts), bucket(16, id)"; empty = unpartitioned
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  int64_t records = 0;     ///< in the current snapshot
  int64_t data_files = 0;  ///< in the current snapshot
};

struct SnapshotInfo {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string operation;  ///< "append", "overwrite", "delete", "replace"
  std::map<std::string, std::string> summary;
  bool current = false;
};

/// What Delete or Update changed.
struct RowChangeSummary {
  std::string table;
  std::string operation;   ///< "delete" or "update"
  std::string write_mode;  ///< "copy-on-write" or "merge-on-read" (table properties)
  bool committed = false;  ///< false when no row matched: nothing written
  int64_t snapshot_id = 0;
  int64_t rows_deleted = 0;
  int64_t rows_updated = 0;
  int64_t files_rewritten = 0;
  int64_t delete_files_added = 0;
};

/// What Project::RunPipeline runs: one interval (`date`, or the latest complete one when `date`,
/// `from` and `to` are empty) or a backfill (`from` .. `to`), all tasks or some.
struct PipelineRunOptions {
  std::string date;  ///< "YYYY-MM-DD" or "YYYY-MM-DD HH:MM": the interval starting there
  std::string from;  ///< backfill: every interval starting on these days (inclusive)
  std::string to;
  /// Only these tasks (their upstream tasks count as done): the rerun of a failed task.
  std::vector<std::string> tasks;
  bool downstream = false;  ///< with `tasks`: also every task downstream of them
  /// The `ldp` command that runs each task (`ldp task run`); empty: see Project::RunPipeline.
  std::string ldp_binary;
};

struct PipelineTaskState {
  std::string task;
  std::string status;  ///< success, failed, upstream_failed, skipped
  int attempts = 0;
  std::string message;
};

struct PipelineRunInfo {
  std::string run_id;  ///< "PIPELINE@YYYY-MM-DD" (see `ldp runs`)
  std::string status;  ///< success or failed
  std::string data_interval_start, data_interval_end;  ///< ISO 8601 with the zone's offset
  std::vector<PipelineTaskState> tasks;
};

struct PipelineRunSummary {
  std::string pipeline;
  std::vector<PipelineRunInfo> runs;
  int failed_runs = 0;
};

class Project {
 public:
  /// Creates a project in `dir` (ldp.yaml, warehouse/, the SQLite catalog) and opens it.
  /// AlreadyExists when `dir` already has an ldp.yaml.
  static Result<Project> Init(const std::string& dir);
  /// Opens the project in `dir`; NotFound when it has no ldp.yaml.
  static Result<Project> Open(const std::string& dir);

  Project(Project&&) noexcept;
  Project& operator=(Project&&) noexcept;
  ~Project();

  /// The project folder and the warehouse folder (absolute).
  const std::string& root() const;
  const std::string& warehouse() const;

  /// Ingests SOURCE (a file, a glob or a folder of Parquet, CSV or JSON files) into TABLE
  /// ("ns.name"), creating the namespace and the table when missing. One atomic snapshot; on any
  /// error nothing changes.
  Result<IngestSummary> Ingest(const std::string& source, const std::string& table,
                               const IngestOptions& options = {});

  /// Copies SOURCE ("ns.name" of this catalog or of options.from_catalog, or a table location:
  /// metadata file or table folder) into a new table TABLE with the source's schema, partition
  /// spec, sort order and properties, deletes applied (`ldp clone`). On error nothing is created.
  Result<CloneSummary> Clone(const std::string& source, const std::string& table, const CloneOptions& options = {});

  /// Runs DuckDB SQL in which `ns.name` is a table of the catalog.
  Result<QueryResult> Query(const std::string& sql, const QueryOptions& options = {});

  /// Runs a query like Query and hands its rows to `out` as an Arrow C stream (ldp/arrow.h) with
  /// their real types (int64, decimal128, timestamp[us, tz], lists, structs, ...), a batch at a
  /// time: the way into pyarrow, polars or Arrow C++ without copying through text. The caller
  /// owns `out` and calls out->release when done; the stream keeps what it reads from alive, so it
  /// may outlive this Project.
  Status QueryArrow(const std::string& sql, ArrowArrayStream* out, const QueryOptions& options = {});

  /// The tables of namespace `ns` and those below it ("" = all), as "ns.name", sorted.
  Result<std::vector<std::string>> Tables(const std::string& ns = "");
  Result<TableDescription> Describe(const std::string& table);
  /// A table's snapshots, oldest first.
  Result<std::vector<SnapshotInfo>> Snapshots(const std::string& table);

  /// Deletes the rows matching `where` (SQL predicate) in one snapshot.
  Result<RowChangeSummary> Delete(const std::string& table, const std::string& where);
  /// Sets columns ("col = expr[, ...]") on the rows matching `where` ("" = every row).
  Result<RowChangeSummary> Update(const std::string& table, const std::string& set, const std::string& where);

  /// Runs pipeline `name` (pipelines/NAME.yaml) as `ldp run` does, and waits for it: tasks in
  /// dependency order with retries and timeouts, the run history in the project's state store,
  /// notifications sent. Failed tasks are not an error: see the summary's statuses. Errors: a
  /// pipeline or task that does not exist (NotFound), an invalid pipeline file or date
  /// (InvalidArgument), an interval already running in another process (AlreadyExists).
  /// Every task is a child process running `ldp task run`, so the ldp command is needed; it is
  /// `options.ldp_binary`, else $LDP_BINARY, else the `ldp` installed beside this library
  /// (LIBDIR/../bin/ldp), else `ldp` on the PATH; NotFound when there is none.
  Result<PipelineRunSummary> RunPipeline(const std::string& name, const PipelineRunOptions& options = {});

  struct Impl;

 private:
  explicit Project(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ldp
