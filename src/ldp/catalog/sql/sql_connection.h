#pragma once
// The database under a SqlCatalog: one connection to SQLite or PostgreSQL. SqlCatalog holds all
// the SQL (shared by both, written with SQLite's `?N` parameters, which the PostgreSQL connection
// turns into `$N`); a connection only runs statements, transactions and a few schema probes, and
// sorts its errors into the codes SqlCatalog's retry loop understands:
//   Unavailable  the transaction met another writer (SQLite busy/locked; PostgreSQL serialization
//                failure, deadlock or unique violation from a concurrent insert) and may simply be
//                run again;
//   IOError      anything else (the file, the server or the connection failed).
//
// Internal to the catalog module. Thread-safety: not thread-safe; SqlCatalog serializes calls.

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::catalog::sql {

/// One result row as text; NULL as nullopt.
using Row = std::vector<std::optional<std::string>>;

class Connection {
 public:
  virtual ~Connection() = default;

  /// Called once after opening, retried while it returns Unavailable (SQLite: WAL mode).
  virtual Status Setup() { return Status::OK(); }

  /// Where the catalog lives, for messages: a file path, or a URI without its password.
  virtual const std::string& Describe() const = 0;

  /// Runs one statement with text parameters bound to ?1, ?2, ... and returns its rows.
  virtual Result<std::vector<Row>> Query(std::string_view sql,
                                         std::initializer_list<std::string_view> args) = 0;
  /// Runs one statement without result rows; returns the number of rows it changed.
  virtual Result<int> Execute(std::string_view sql,
                              std::initializer_list<std::string_view> args) = 0;
  /// Runs statements without parameters (may be several, separated by ';').
  virtual Status ExecScript(const char* sql) = 0;

  /// Starts a transaction; `write` takes the write lock up front where the database needs it
  /// (SQLite's BEGIN IMMEDIATE).
  virtual Status Begin(bool write) = 0;
  /// Commits. Unavailable when nothing was written and the whole transaction may be retried;
  /// IOError when the outcome is unknown. The transaction is closed afterwards either way.
  virtual Status Commit() = 0;
  /// Rolls back the open transaction, if any.
  virtual void RollbackIfOpen() = 0;

  /// Whether a table / a column of a table exists (no transaction needed).
  virtual Result<bool> HasTable(const std::string& table) = 0;
  virtual Result<bool> HasColumn(const std::string& table, const std::string& column) = 0;

  /// A COLLATE clause (with a leading space) that makes text comparisons byte-wise, or "" when
  /// they already are. SqlCatalog's prefix ranges ("a." <= ns < "a/") rely on byte order.
  virtual const char* ByteOrderCollation() const = 0;
};

/// Opens (creating when missing) a SQLite file, in WAL mode, with `busy_timeout_ms`.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, int busy_timeout_ms);

/// Connects to PostgreSQL. `uri` is a postgresql:// URI (or libpq key=value string); `password`,
/// when not empty, is passed to libpq beside it (never shown in messages). libpq is loaded with
/// dlopen on first use so that commands on a SQLite catalog do not load it (ADR 0007).
/// Unavailable when libpq is not installed or the server cannot be reached; InvalidArgument for a
/// malformed URI.
Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& uri, const std::string& password);

/// `uri` without a password (user:secret@ -> user@, password=... dropped), for messages.
std::string RedactUri(const std::string& uri);

}  // namespace ldp::catalog::sql
