#include "ldp/connectors/postgres_client.h"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <map>
#include <set>

#include <fmt/format.h>

namespace ldp::connectors {
namespace {

struct Pq {
  PGconn* (*connectdb)(const char*) = nullptr;
  ConnStatusType (*status)(const PGconn*) = nullptr;
  char* (*error_message)(const PGconn*) = nullptr;
  void (*finish)(PGconn*) = nullptr;
  PGresult* (*exec)(PGconn*, const char*) = nullptr;
  ExecStatusType (*result_status)(const PGresult*) = nullptr;
  char* (*result_error_message)(const PGresult*) = nullptr;
  void (*clear)(PGresult*) = nullptr;
  int (*ntuples)(const PGresult*) = nullptr;
  int (*nfields)(const PGresult*) = nullptr;
  char* (*fname)(const PGresult*, int) = nullptr;
  Oid (*ftype)(const PGresult*, int) = nullptr;
  int (*fmod)(const PGresult*, int) = nullptr;
  char* (*getvalue)(const PGresult*, int, int) = nullptr;
  int (*getlength)(const PGresult*, int, int) = nullptr;
  int (*getisnull)(const PGresult*, int, int) = nullptr;
  int (*get_copy_data)(PGconn*, char**, int) = nullptr;
  int (*put_copy_data)(PGconn*, const char*, int) = nullptr;
  int (*put_copy_end)(PGconn*, const char*) = nullptr;
  PGresult* (*get_result)(PGconn*) = nullptr;
  void (*freemem)(void*) = nullptr;
  char* (*cmd_tuples)(PGresult*) = nullptr;
  bool ok = false;
};

const Pq& LoadPq() {
  static Pq p = [] {
    Pq p;
    void* h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) return p;
    auto sym = [&](auto& f, const char* name) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(h, name));
      return f != nullptr;
    };
    p.ok = sym(p.connectdb, "PQconnectdb") && sym(p.status, "PQstatus") && sym(p.error_message, "PQerrorMessage") &&
           sym(p.finish, "PQfinish") && sym(p.exec, "PQexec") && sym(p.result_status, "PQresultStatus") &&
           sym(p.result_error_message, "PQresultErrorMessage") && sym(p.clear, "PQclear") &&
           sym(p.ntuples, "PQntuples") && sym(p.nfields, "PQnfields") && sym(p.fname, "PQfname") &&
           sym(p.ftype, "PQftype") && sym(p.fmod, "PQfmod") && sym(p.getvalue, "PQgetvalue") &&
           sym(p.getlength, "PQgetlength") && sym(p.getisnull, "PQgetisnull") &&
           sym(p.get_copy_data, "PQgetCopyData") && sym(p.put_copy_data, "PQputCopyData") &&
           sym(p.put_copy_end, "PQputCopyEnd") && sym(p.get_result, "PQgetResult") && sym(p.freemem, "PQfreemem") &&
           sym(p.cmd_tuples, "PQcmdTuples");
    return p;
  }();
  return p;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Drains results after a COPY; the error of the first failed one, if any.
std::string DrainError(const Pq& pq, PGconn* c) {
  std::string err;
  while (PGresult* r = pq.get_result(c)) {
    if (pq.result_status(r) != PGRES_COMMAND_OK && pq.result_status(r) != PGRES_TUPLES_OK && err.empty())
      err = Trim(pq.result_error_message(r));
    pq.clear(r);
  }
  return err;
}

}  // namespace

std::string SplitPgUri(const std::string& uri, std::map<std::string, std::string>* params) {
  static const std::set<std::string> kOurs = {"table", "query", "cursor", "cursor_column", "mode", "key"};
  size_t q = uri.find('?');
  if (q == std::string::npos) return uri;
  std::string base = uri.substr(0, q), rest = uri.substr(q + 1), kept;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t amp = rest.find('&', start);
    std::string kv = rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    size_t eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (kOurs.count(k)) {
      // Percent-decoding: a query or table name may carry spaces and quotes.
      std::string dec;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size()) {
          dec += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          dec += v[i] == '+' ? ' ' : v[i];
        }
      }
      (*params)[k] = dec;
    } else if (!kv.empty()) {
      kept += (kept.empty() ? "" : "&") + kv;
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return kept.empty() ? base : base + "?" + kept;
}

std::string PgQuoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string PgQuoteQualified(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return PgQuoteIdent(name);
  return PgQuoteIdent(name.substr(0, dot)) + "." + PgQuoteIdent(name.substr(dot + 1));
}

std::string PgQuoteLiteral(const std::string& v) {
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo, const std::string& shown) {
  const Pq& pq = LoadPq();
  if (!pq.ok) return Unavailable("libpq (libpq5) is not installed; PostgreSQL connectors need it");
  PGconn* c = pq.connectdb(conninfo.c_str());
  if (!c) return Internal("PQconnectdb returned nothing");
  if (pq.status(c) != CONNECTION_OK) {
    std::string msg = Trim(pq.error_message(c));
    pq.finish(c);
    bool auth = msg.find("authentication") != std::string::npos || msg.find("password") != std::string::npos;
    if (auth) return NotAuthorized("PostgreSQL {}: {}", shown, msg);
    return Unavailable("PostgreSQL {}: cannot connect: {}", shown, msg);
  }
  return std::unique_ptr<PgConnection>(new PgConnection(c, shown));
}

PgConnection::~PgConnection() { LoadPq().finish(static_cast<PGconn*>(conn_)); }

Status PgConnection::Error(const std::string& what) const {
  return InvalidArgument("PostgreSQL {}: {}: {}", shown_, what, Trim(LoadPq().error_message(static_cast<PGconn*>(conn_))));
}

Result<PgResult> PgConnection::Exec(const std::string& sql) {
  const Pq& pq = LoadPq();
  PGconn* c = static_cast<PGconn*>(conn_);
  PGresult* r = pq.exec(c, sql.c_str());
  if (!r) return Error("running a statement");
  ExecStatusType st = pq.result_status(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = Trim(pq.result_error_message(r));
    pq.clear(r);
    return InvalidArgument("PostgreSQL {}: {}", shown_, msg);
  }
  PgResult out;
  int nf = pq.nfields(r), nt = pq.ntuples(r);
  for (int i = 0; i < nf; ++i)
    out.columns.push_back({pq.fname(r, i), static_cast<uint32_t>(pq.ftype(r, i)), pq.fmod(r, i)});
  for (int t = 0; t < nt; ++t) {
    std::vector<std::optional<std::string>> row;
    for (int i = 0; i < nf; ++i)
      row.push_back(pq.getisnull(r, t, i) ? std::nullopt
                                          : std::optional<std::string>(std::string(pq.getvalue(r, t, i), pq.getlength(r, t, i))));
    out.rows.push_back(std::move(row));
  }
  pq.clear(r);
  return out;
}

Result<int64_t> PgConnection::CopyOut(const std::string& copy_sql,
                                      const std::function<Status(const char*, size_t)>& on_row) {
  const Pq& pq = LoadPq();
  PGconn* c = static_cast<PGconn*>(conn_);
  PGresult* r = pq.exec(c, copy_sql.c_str());
  if (!r) return Error("starting COPY");
  if (pq.result_status(r) != PGRES_COPY_OUT) {
    std::string msg = Trim(pq.result_error_message(r));
    pq.clear(r);
    return InvalidArgument("PostgreSQL {}: {}", shown_, msg);
  }
  pq.clear(r);
  int64_t rows = 0;
  Status failed;
  for (;;) {
    char* buf = nullptr;
    int n = pq.get_copy_data(c, &buf, 0);
    if (n == -1) break;  // done
    if (n == -2) return Error("reading COPY data");
    if (failed.ok()) failed = on_row(buf, static_cast<size_t>(n));
    pq.freemem(buf);
    ++rows;
  }
  std::string err = DrainError(pq, c);
  if (!failed.ok()) return failed;
  if (!err.empty()) return InvalidArgument("PostgreSQL {}: {}", shown_, err);
  return rows;
}

Result<int64_t> PgConnection::CopyIn(const std::string& copy_sql, const std::function<Result<std::string>()>& next) {
  const Pq& pq = LoadPq();
  PGconn* c = static_cast<PGconn*>(conn_);
  PGresult* r = pq.exec(c, copy_sql.c_str());
  if (!r) return Error("starting COPY");
  if (pq.result_status(r) != PGRES_COPY_IN) {
    std::string msg = Trim(pq.result_error_message(r));
    pq.clear(r);
    return InvalidArgument("PostgreSQL {}: {}", shown_, msg);
  }
  pq.clear(r);
  Status failed;
  for (;;) {
    auto chunk = next();
    if (!chunk.ok()) {
      failed = chunk.status();
      break;
    }
    if (chunk->empty()) break;
    if (pq.put_copy_data(c, chunk->data(), static_cast<int>(chunk->size())) != 1) return Error("sending COPY data");
  }
  // An error on our side aborts the COPY, so the server keeps none of its rows.
  if (pq.put_copy_end(c, failed.ok() ? nullptr : "aborted by ldp") != 1) return Error("ending COPY");
  int64_t rows = 0;
  std::string err;
  while (PGresult* res = pq.get_result(c)) {
    if (pq.result_status(res) != PGRES_COMMAND_OK) {
      if (err.empty()) err = Trim(pq.result_error_message(res));
    } else {
      const char* n = pq.cmd_tuples(res);
      if (n && *n) rows = std::stoll(n);
    }
    pq.clear(res);
  }
  if (!failed.ok()) return failed;
  if (!err.empty()) return InvalidArgument("PostgreSQL {}: {}", shown_, err);
  return rows;
}

}  // namespace ldp::connectors
