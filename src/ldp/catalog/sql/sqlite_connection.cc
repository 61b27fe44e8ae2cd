// SQLite under a SqlCatalog (see sql_connection.h).

#include <sqlite3.h>

#include <utility>

#include "ldp/catalog/sql/sql_connection.h"

namespace ldp::catalog::sql {
namespace {

bool IsBusy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

/// A prepared statement, finalized on destruction.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(Stmt&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(std::string path) : path_(std::move(path)) {}
  ~SqliteConnection() override {
    // Every statement is finalized by its Stmt, so this closes the connection for real.
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  Status Open(int busy_timeout_ms) {
    int rc = sqlite3_open_v2(path_.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      // The handle is allocated even on failure; the destructor closes it.
      return IOError("{}", db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    return Status::OK();
  }

  // WAL lets readers and one writer work side by side; the mode is stored in the file. On a file
  // system without shared memory SQLite stays in its rollback journal, which still works, only
  // with more waiting.
  Status Setup() override { return ExecScript("PRAGMA journal_mode=WAL"); }

  const std::string& Describe() const override { return path_; }

  Result<std::vector<Row>> Query(std::string_view sql,
                                 std::initializer_list<std::string_view> args) override {
    LDP_ASSIGN_OR_RAISE(Stmt stmt, Prepare(sql, args));
    std::vector<Row> rows;
    while (true) {
      int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_DONE) return rows;
      if (rc != SQLITE_ROW) return SqlError(rc);
      int n = sqlite3_column_count(stmt.get());
      Row row;
      row.reserve(n);
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(stmt.get(), i) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), i));
          int bytes = sqlite3_column_bytes(stmt.get(), i);
          row.emplace_back(std::string(text != nullptr ? text : "", static_cast<size_t>(bytes)));
        }
      }
      rows.push_back(std::move(row));
    }
  }

  Result<int> Execute(std::string_view sql,
                      std::initializer_list<std::string_view> args) override {
    LDP_ASSIGN_OR_RAISE(Stmt stmt, Prepare(sql, args));
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return SqlError(rc);
    return sqlite3_changes(db_);
  }

  Status ExecScript(const char* sql) override {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::OK() : SqlError(rc);
  }

  // Writes start with BEGIN IMMEDIATE: taking the write lock up front means SQLite's busy
  // handler waits for it, whereas upgrading a read transaction fails at once with SQLITE_BUSY.
  Status Begin(bool write) override { return ExecScript(write ? "BEGIN IMMEDIATE" : "BEGIN"); }

  Status Commit() override {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::OK();
    Status st = SqlError(rc);
    // After a busy COMMIT the transaction is still open and nothing was written.
    RollbackIfOpen();
    return st;
  }

  void RollbackIfOpen() override {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  Result<bool> HasTable(const std::string& table) override {
    LDP_ASSIGN_OR_RAISE(auto rows,
                        Query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                              {table}));
    return !rows.empty();
  }

  Result<bool> HasColumn(const std::string& table, const std::string& column) override {
    LDP_ASSIGN_OR_RAISE(auto rows,
                        Query("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", {table, column}));
    return !rows.empty();
  }

  const char* ByteOrderCollation() const override { return ""; }  // BINARY is the default

 private:
  // Busy and locked mean another connection holds the lock: Unavailable, so the transaction is
  // retried. Everything else is a failure of the file or of SQLite: IOError.
  Status SqlError(int rc) const {
    const char* msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    if (IsBusy(rc)) return Unavailable("{} (sqlite code {})", msg, rc);
    return IOError("{} (sqlite code {})", msg, rc);
  }

  Result<Stmt> Prepare(std::string_view sql, std::initializer_list<std::string_view> args) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return SqlError(rc);
    int index = 1;
    for (std::string_view arg : args) {
      rc = sqlite3_bind_text(raw, index++, arg.data(), static_cast<int>(arg.size()),
                             SQLITE_TRANSIENT);
      if (rc != SQLITE_OK) return SqlError(rc);
    }
    return stmt;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path, int busy_timeout_ms) {
  auto conn = std::make_unique<SqliteConnection>(path);
  LDP_RETURN_NOT_OK(conn->Open(busy_timeout_ms));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace ldp::catalog::sql
