#pragma once
// Sinks: where `ldp export` writes a table or a query's rows, with the same write dispositions
// everywhere (append, replace, merge on key columns):
//   - a DuckDB database file (`out.duckdb`, table from ?table= or SinkOptions::table)
//   - PostgreSQL (`postgresql://user@host/db?table=schema.t`), bulk-loaded with COPY
//   - CSV, Parquet or JSON files: one file, or a folder (partitioned by columns when asked)
// Rows stream from DuckDB to the target; ldp never holds them (docs/adr/0019-connectors.md).
//
// Thread-safety: one thread.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ldp/connectors/options.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"

namespace ldp::connectors {

enum class WriteDisposition { kAppend, kReplace, kMerge };
Result<WriteDisposition> ParseWriteDisposition(const std::string& text);
const char* WriteDispositionName(WriteDisposition d);

enum class SinkKind { kFile, kDuckDb, kPostgres };

struct SinkOptions {
  WriteDisposition disposition = WriteDisposition::kReplace;
  std::vector<std::string> keys;          ///< merge: the key columns
  std::string table;                      ///< DuckDB/PostgreSQL target table (else ?table= in the URI)
  std::string format;                     ///< files: csv, parquet or json ("" = from the extension)
  std::vector<std::string> partition_by;  ///< files: write a folder with Hive-style col=value folders
  std::string staging_dir;                ///< where the PostgreSQL sink stages its CSV chunks
};

/// SinkOptions from the words users give, the same for `ldp export` flags and pipeline `export`
/// tasks: mode (append, replace, merge; "" = replace), the key columns (merge needs at least one),
/// partition columns, target table and file format. InvalidArgument names what is wrong.
Result<SinkOptions> MakeSinkOptions(const std::string& mode, std::vector<std::string> keys,
                                    std::vector<std::string> partition_by, std::string table, std::string format);

struct SinkResult {
  std::string target;  ///< as shown (no password)
  int64_t rows = 0;
  bool created = false;  ///< the target table was created by this write
};

class Sink {
 public:
  virtual ~Sink() = default;
  /// Writes the rows of `select_sql` (run on `conn`). Atomic for DuckDB and PostgreSQL targets:
  /// on any error the target is as it was.
  virtual Result<SinkResult> Write(engine::Connection& conn, const std::string& select_sql) = 0;
};

/// The kind of target `to` names (postgresql:// -> kPostgres; *.duckdb / *.ddb / duckdb:// ->
/// kDuckDb; anything else is a file or folder).
SinkKind KindOfTarget(const std::string& to);

Result<std::unique_ptr<Sink>> MakeSink(const std::string& to, const SinkOptions& options);

/// The CSV file the PostgreSQL sink sends to COPY byte for byte, when `select` is
/// `SELECT * FROM read_csv('FILE')` and DuckDB's sniffer finds a dialect and types PostgreSQL's CSV
/// parser reads the same way; nullopt when the rows go through DuckDB instead.
std::optional<std::string> PostgresPassthroughCsv(engine::Connection& conn, const std::string& select);

}  // namespace ldp::connectors
