#pragma once
// The engine: ldp's only door to DuckDB. Everything that moves rows (reading files, writing
// Parquet, running SQL) goes through here; no other file includes duckdb.h.
//
// Thread-safety: a Database may be shared; a Connection is used by one thread at a time.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"

struct ArrowArrayStream;  // include/ldp/arrow.h: the Arrow C stream interface

namespace ldp::engine {

/// Broad kind of a result column, enough to format and convert values.
enum class ValueKind { kBoolean, kInteger, kFloat, kDecimal, kString, kTemporal, kBlob, kNested, kOther };

struct ResultColumn {
  std::string name;
  ValueKind kind = ValueKind::kOther;
};

/// A fully materialised result, values rendered as text (nullopt = NULL). For small results:
/// reports, metadata look-ups. Bulk data never goes through this; it stays inside DuckDB.
struct MaterializedResult {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  /// Index of a column by name, or -1.
  int ColumnIndex(std::string_view name) const;
};

/// A result read in batches as DuckDB produces it, so that a large result never sits in memory
/// whole. Values are rendered as text like MaterializedResult (nullopt = NULL); `columns` keeps
/// each column's real kind. Used by one thread; the connection must outlive the stream and run
/// nothing else until the stream is destroyed.
class ResultStream {
 public:
  virtual ~ResultStream() = default;
  virtual const std::vector<ResultColumn>& columns() const = 0;
  /// The next batch of rows (at most DuckDB's vector size, 2048), or an empty batch at the end.
  virtual Result<std::vector<std::vector<std::optional<std::string>>>> Next() = 0;
};

/// The C++ body of a scalar SQL function NAME(x) -> INTEGER (see Connection::RegisterInt32Function).
/// Each member handles one argument type; a null member leaves that overload out. The functions
/// are called from DuckDB's worker threads and must be thread-safe.
struct Int32Function {
  std::function<int32_t(int64_t)> of_bigint;
  std::function<int32_t(__int128)> of_hugeint;
  std::function<int32_t(std::string_view)> of_bytes;  ///< VARCHAR (UTF-8 bytes) and BLOB
};

/// Progress of a running statement, as DuckDB estimates it (percentage in [0,100], or -1).
using ProgressCallback = std::function<void(double percentage)>;

class Connection {
 public:
  virtual ~Connection() = default;

  /// Runs `sql`, discarding any result. Errors carry DuckDB's message.
  virtual Status Execute(std::string_view sql) = 0;

  /// Runs `sql`, calling `progress` about every 100 ms from the calling thread while it runs.
  virtual Status ExecuteWithProgress(std::string_view sql, const ProgressCallback& progress) = 0;

  /// Runs `sql` and returns every row as text.
  virtual Result<MaterializedResult> Query(std::string_view sql) = 0;

  /// Runs `sql` and returns its rows batch by batch (see ResultStream).
  virtual Result<std::unique_ptr<ResultStream>> Stream(std::string_view sql) = 0;

  /// Runs `sql` (a query) and hands its rows to `out` as an Arrow C stream (include/ldp/arrow.h)
  /// with DuckDB's own column types, one data chunk per Arrow batch. The stream holds
  /// `keep_alive` until its consumer releases it; keep_alive must own this connection (and its
  /// database), which runs nothing else meanwhile. Errors while reading come back through the
  /// stream (get_next returns EIO, get_last_error says why).
  virtual Status StreamArrow(std::string_view sql, ArrowArrayStream* out, std::shared_ptr<void> keep_alive) = 0;

  /// Runs `sql` returning one value (first column of the first row); NotFound when no row.
  virtual Result<std::optional<std::string>> QueryScalar(std::string_view sql) = 0;

  /// Registers NAME(x) -> INTEGER in the database, computed by `fn` for every non-null x (NULL
  /// stays NULL), with overloads for BIGINT, HUGEINT, VARCHAR and BLOB arguments as `fn` provides.
  /// Registering a name twice in one database is a no-op (the first registration stays).
  virtual Status RegisterInt32Function(const std::string& name, Int32Function fn) = 0;

  /// Appends rows to the temporary table `table` (all of whose `columns` columns are BIGINT)
  /// through DuckDB's appender: `produce` calls its argument once per row with `columns` values.
  /// For bulk values that ldp computes itself, without SQL text per row (deletion vectors,
  /// services/deletion_vectors.h). An error of `produce` or of the appender is returned.
  virtual Status AppendInt64Rows(const std::string& table, size_t columns,
                                 const std::function<Status(const std::function<Status(const int64_t*)>&)>& produce) {
    (void)table, (void)columns, (void)produce;
    return NotImplemented("appending rows is not supported by this engine");
  }
};

struct DatabaseOptions {
  std::string path;            ///< empty = in-memory
  int threads = 0;             ///< 0 = DuckDB's default (all cores)
  std::string memory_limit;    ///< e.g. "1GB"; empty = DuckDB's default
  std::string temp_directory;  ///< spill folder; empty = DuckDB's default
  /// Session time zone for TIMESTAMPTZ rendering and casts; empty = DuckDB's default (the
  /// machine's zone, as in DuckDB's own CLI). Setting one loads the ICU extension up front, which
  /// costs a few milliseconds on every start, so ldp leaves it empty.
  std::string time_zone;
};

class Database {
 public:
  virtual ~Database() = default;
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options = {});
  virtual Result<std::unique_ptr<Connection>> Connect() = 0;
};

/// Quotes an identifier for SQL: "my ""col""".
std::string QuoteIdent(std::string_view name);
/// Quotes a string literal for SQL: 'it''s'.
std::string QuoteLiteral(std::string_view value);

/// Version string of the linked DuckDB ("v1.4.4").
std::string DuckDBVersion();

}  // namespace ldp::engine
