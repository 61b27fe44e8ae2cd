// PostgreSQL under a SqlCatalog (see sql_connection.h), through libpq.
//
// libpq is loaded with dlopen on the first connection rather than linked: linking it would make
// every ldp process load libpq and its TLS, Kerberos and LDAP libraries at start-up, which short
// commands on the default SQLite catalog would pay for (docs/adr/0007-process-start-up.md).
// Only the header is used at build time, for the types.

#include <dlfcn.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ldp/catalog/sql/sql_connection.h"

namespace ldp::catalog::sql {
namespace {

struct LibPq {
  bool ok = false;
  std::string error;
  PGconn* (*connectdb_params)(const char* const*, const char* const*, int) = nullptr;
  ConnStatusType (*status)(const PGconn*) = nullptr;
  char* (*error_message)(const PGconn*) = nullptr;
  void (*finish)(PGconn*) = nullptr;
  void (*reset)(PGconn*) = nullptr;
  PGresult* (*exec)(PGconn*, const char*) = nullptr;
  PGresult* (*exec_params)(PGconn*, const char*, int, const Oid*, const char* const*, const int*,
                           const int*, int) = nullptr;
  ExecStatusType (*result_status)(const PGresult*) = nullptr;
  char* (*result_error_field)(const PGresult*, int) = nullptr;
  char* (*result_error_message)(const PGresult*) = nullptr;
  int (*ntuples)(const PGresult*) = nullptr;
  int (*nfields)(const PGresult*) = nullptr;
  int (*getisnull)(const PGresult*, int, int) = nullptr;
  char* (*getvalue)(const PGresult*, int, int) = nullptr;
  int (*getlength)(const PGresult*, int, int) = nullptr;
  char* (*cmd_tuples)(PGresult*) = nullptr;
  void (*clear)(PGresult*) = nullptr;
  PGTransactionStatusType (*transaction_status)(const PGconn*) = nullptr;
  PQnoticeProcessor (*set_notice_processor)(PGconn*, PQnoticeProcessor, void*) = nullptr;
};

const LibPq& Lib() {
  static LibPq lib = [] {
    LibPq l;
    void* h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      l.error = "libpq (Debian package libpq5) is not installed; a postgresql:// catalog needs it";
      return l;
    }
    bool all = true;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      all = all && fn != nullptr;
    };
    sym(l.connectdb_params, "PQconnectdbParams");
    sym(l.status, "PQstatus");
    sym(l.error_message, "PQerrorMessage");
    sym(l.finish, "PQfinish");
    sym(l.reset, "PQreset");
    sym(l.exec, "PQexec");
    sym(l.exec_params, "PQexecParams");
    sym(l.result_status, "PQresultStatus");
    sym(l.result_error_field, "PQresultErrorField");
    sym(l.result_error_message, "PQresultErrorMessage");
    sym(l.ntuples, "PQntuples");
    sym(l.nfields, "PQnfields");
    sym(l.getisnull, "PQgetisnull");
    sym(l.getvalue, "PQgetvalue");
    sym(l.getlength, "PQgetlength");
    sym(l.cmd_tuples, "PQcmdTuples");
    sym(l.clear, "PQclear");
    sym(l.transaction_status, "PQtransactionStatus");
    sym(l.set_notice_processor, "PQsetNoticeProcessor");
    l.ok = all;
    if (!all) l.error = "libpq.so.5 lacks a function ldp needs";
    return l;
  }();
  return lib;
}

/// Frees a PGresult on destruction.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() {
    if (r_ != nullptr) Lib().clear(r_);
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

/// "?12" -> "$12": SqlCatalog writes SQLite's numbered parameters. The catalog's SQL has no
/// string literal containing '?', so a plain scan is enough.
std::string ToDollarParams(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  for (char c : sql) out += c == '?' ? '$' : c;
  return out;
}

/// libpq's message on one line: its line breaks and tabs become single spaces.
std::string Trim(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool space = c == '\n' || c == '\t' || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void IgnoreNotice(void*, const char*) {}  // "relation already exists, skipping" and the like

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(std::string described) : described_(std::move(described)) {}
  ~PostgresConnection() override {
    if (conn_ != nullptr) Lib().finish(conn_);
  }

  Status Connect(const std::string& uri, const std::string& password) {
    std::vector<const char*> keys = {"dbname"};
    std::vector<const char*> values = {uri.c_str()};
    if (!password.empty()) {
      keys.push_back("password");
      values.push_back(password.c_str());
    }
    keys.push_back("connect_timeout");
    values.push_back("10");
    keys.push_back(nullptr);
    values.push_back(nullptr);
    // expand_dbname=1: `dbname` may be a whole URI; the keys after it override its parts.
    conn_ = Lib().connectdb_params(keys.data(), values.data(), 1);
    if (conn_ == nullptr) return Unavailable("cannot connect to {}: out of memory", described_);
    if (Lib().status(conn_) != CONNECTION_OK) {
      std::string msg = Trim(Lib().error_message(conn_));
      if (msg.find("invalid") != std::string::npos && msg.find("URI") != std::string::npos)
        return InvalidArgument("catalog uri {}: {}", described_, msg);
      return Unavailable("cannot connect to PostgreSQL at {}: {}", described_, msg);
    }
    Lib().set_notice_processor(conn_, IgnoreNotice, nullptr);
    return Status::OK();
  }

  const std::string& Describe() const override { return described_; }

  Result<std::vector<Row>> Query(std::string_view sql,
                                 std::initializer_list<std::string_view> args) override {
    LDP_ASSIGN_OR_RAISE(auto r, Run(sql, args));
    std::vector<Row> rows;
    int n = Lib().ntuples(r->get());
    int cols = Lib().nfields(r->get());
    rows.reserve(n);
    for (int i = 0; i < n; ++i) {
      Row row;
      row.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (Lib().getisnull(r->get(), i, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(Lib().getvalue(r->get(), i, c),
                                       static_cast<size_t>(Lib().getlength(r->get(), i, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<int> Execute(std::string_view sql,
                      std::initializer_list<std::string_view> args) override {
    LDP_ASSIGN_OR_RAISE(auto r, Run(sql, args));
    const char* n = Lib().cmd_tuples(r->get());
    return n != nullptr && *n != '\0' ? std::atoi(n) : 0;
  }

  Status ExecScript(const char* sql) override {
    LDP_RETURN_NOT_OK(EnsureConnected());
    PgResult r(Lib().exec(conn_, sql));
    return Check(r.get());
  }

  // READ COMMITTED is enough: every write SqlCatalog makes is either a compare-and-swap in the
  // UPDATE's own WHERE (re-checked by PostgreSQL against the row a concurrent writer left) or an
  // INSERT that a concurrent one makes fail with a unique violation, which retries the whole
  // transaction (see PgError).
  Status Begin(bool write) override { return ExecScript("BEGIN"); }

  Status Commit() override {
    PgResult r(Lib().exec(conn_, "COMMIT"));
    Status st = Check(r.get());
    if (!st.ok()) {
      RollbackIfOpen();
      // A serialization failure at COMMIT means nothing was written; anything else (the
      // connection broke) leaves the outcome unknown.
      return st.code() == ErrorCode::kUnavailable ? st : IOError("{}", st.message());
    }
    // COMMIT of an aborted transaction answers "ROLLBACK" without an error.
    return Status::OK();
  }

  void RollbackIfOpen() override {
    if (conn_ == nullptr) return;
    PGTransactionStatusType t = Lib().transaction_status(conn_);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) {
      PgResult r(Lib().exec(conn_, "ROLLBACK"));
    }
  }

  Result<bool> HasTable(const std::string& table) override {
    LDP_ASSIGN_OR_RAISE(auto rows, Query("SELECT 1 FROM information_schema.tables WHERE "
                                         "table_schema = current_schema() AND table_name = ?1",
                                         {table}));
    return !rows.empty();
  }

  Result<bool> HasColumn(const std::string& table, const std::string& column) override {
    LDP_ASSIGN_OR_RAISE(auto rows,
                        Query("SELECT 1 FROM information_schema.columns WHERE "
                              "table_schema = current_schema() AND table_name = ?1 AND "
                              "column_name = ?2",
                              {table, column}));
    return !rows.empty();
  }

  const char* ByteOrderCollation() const override { return " COLLATE \"C\""; }

 private:
  // A connection lost between transactions (server restart, idle timeout) is re-opened once, at
  // the next BEGIN (ExecScript); inside a transaction a broken connection fails the statement.
  Status EnsureConnected() {
    if (Lib().status(conn_) == CONNECTION_OK) return Status::OK();
    Lib().reset(conn_);
    if (Lib().status(conn_) != CONNECTION_OK) {
      return IOError("connection to PostgreSQL at {} lost: {}", described_,
                     Trim(Lib().error_message(conn_)));
    }
    return Status::OK();
  }

  Status Check(PGresult* r) {
    ExecStatusType s = r != nullptr ? Lib().result_status(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
      return Status::OK();
    const char* state = r != nullptr ? Lib().result_error_field(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = Trim(r != nullptr ? Lib().result_error_message(r) : Lib().error_message(conn_));
    if (msg.empty()) msg = Trim(Lib().error_message(conn_));
    std::string code = state != nullptr ? state : "";
    // 40001 serialization failure, 40P01 deadlock, 23505 unique violation (a concurrent insert
    // of the same key won; run again, the transaction then sees the row), 55P03 lock not
    // available: all say "another writer", so the transaction is retried.
    if (code == "40001" || code == "40P01" || code == "23505" || code == "55P03") {
      return Unavailable("{} (sqlstate {})", msg, code);
    }
    if (code.empty()) return IOError("{}", msg);
    return IOError("{} (sqlstate {})", msg, code);
  }

  Result<std::unique_ptr<PgResult>> Run(std::string_view sql,
                                        std::initializer_list<std::string_view> args) {
    std::string text = ToDollarParams(sql);
    std::vector<std::string> owned(args.begin(), args.end());  // NUL-terminated copies
    std::vector<const char*> values;
    values.reserve(owned.size());
    for (const auto& a : owned) values.push_back(a.c_str());
    auto r = std::make_unique<PgResult>(
        Lib().exec_params(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
    LDP_RETURN_NOT_OK(Check(r->get()));
    return r;
  }

  std::string described_;
  PGconn* conn_ = nullptr;
};

}  // namespace

std::string RedactUri(const std::string& uri) {
  std::string out = uri;
  // scheme://user:password@host -> scheme://user@host
  if (auto scheme = out.find("://"); scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t at = out.find('@', start);
    size_t slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  // password=... in a query string or a key=value string
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p)) {
    size_t end = out.find_first_of("& ", p);
    out.replace(p, (end == std::string::npos ? out.size() : end) - p, "password=***");
    p += 12;
  }
  return out;
}

Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& uri,
                                                 const std::string& password) {
  static std::mutex mu;  // dlopen once
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!Lib().ok) return Unavailable("{}", Lib().error);
  }
  auto conn = std::make_unique<PostgresConnection>(RedactUri(uri));
  LDP_RETURN_NOT_OK(conn->Connect(uri, password));
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace ldp::catalog::sql
