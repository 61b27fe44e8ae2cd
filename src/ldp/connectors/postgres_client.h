#pragma once
// A thin PostgreSQL client over libpq: connect, run statements, stream COPY out and in.
//
// libpq is loaded with dlopen on first use (like libcurl in http_client.cc): linking it would make
// every ldp process load libpq and its TLS/Kerberos/LDAP libraries at start-up, which short
// commands pay for (docs/adr/0007-process-start-up.md).
//
// Thread-safety: a PgConnection is used by one thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::connectors {

struct PgColumn {
  std::string name;
  uint32_t type_oid = 0;
  int type_mod = -1;
};

struct PgResult {
  std::vector<PgColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

class PgConnection {
 public:
  /// Connects with a libpq connection string or postgresql:// URI. Unavailable when the server
  /// cannot be reached, NotAuthorized when it refuses the credentials. Messages name `shown`
  /// (the URI without its password), never the password.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo, const std::string& shown);
  ~PgConnection();

  /// Runs one or more statements; the last result's rows (text) and columns.
  Result<PgResult> Exec(const std::string& sql);
  /// Runs `COPY ... TO STDOUT` and hands every row (as PostgreSQL sends it) to `on_row`.
  Result<int64_t> CopyOut(const std::string& copy_sql, const std::function<Status(const char*, size_t)>& on_row);
  /// Runs `COPY ... FROM STDIN`, pulling data from `next` until it returns an empty string.
  Result<int64_t> CopyIn(const std::string& copy_sql, const std::function<Result<std::string>()>& next);

 private:
  explicit PgConnection(void* conn, std::string shown) : conn_(conn), shown_(std::move(shown)) {}
  Status Error(const std::string& what) const;
  void* conn_;
  std::string shown_;
};

/// Quotes an identifier for PostgreSQL; a dotted "schema.table" quotes each part.
std::string PgQuoteQualified(const std::string& name);
std::string PgQuoteIdent(const std::string& name);
std::string PgQuoteLiteral(const std::string& value);

/// Splits ldp's own query parameters (table, query, cursor, ...) off a postgresql:// URI: libpq
/// rejects parameters it does not know. Returns the URI for libpq and fills `params`.
std::string SplitPgUri(const std::string& uri, std::map<std::string, std::string>* params);

}  // namespace ldp::connectors
