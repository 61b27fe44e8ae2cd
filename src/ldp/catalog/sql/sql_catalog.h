#pragma once
// A catalog kept in a SQLite file or a PostgreSQL database, in the table layout shared by Java's JdbcCatalog, pyiceberg's
// SqlCatalog and iceberg-rust's SqlCatalog, so any of them can open the same file:
//
//   iceberg_tables(catalog_name, table_namespace, table_name,
//                  metadata_location, previous_metadata_location, iceberg_type)
//   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
//
// Namespaces are stored dot-joined ("a.b"), so neither namespace levels nor table names may contain
// '.'. Several catalogs can share one file; rows whose catalog_name differs are invisible.
// A namespace exists when it has a property row, or when a table lives in it or below it
// (pyiceberg's rule), so ListNamespaces also reports levels implied by deeper ones.
//
// Both databases run the same SQL (the connection under it, sql_connection.h, only adapts
// parameters, transactions and error codes). Commits are a compare-and-swap on metadata_location
// in the UPDATE's WHERE clause, so any number of processes and users can share one catalog.
//
// Thread-safety: thread-safe; one connection per SqlCatalog, serialized by a mutex. Safe across
// processes sharing the catalog. SQLite: the file is in WAL mode, writes run in `BEGIN IMMEDIATE`
// transactions, and a transaction that meets a lock is retried as a whole. PostgreSQL: READ
// COMMITTED transactions; one that meets a concurrent writer (serialization failure, deadlock, a
// concurrent insert of the same key) is retried as a whole. Do not use a SqlCatalog in a process
// fork()ed after it was opened; open a new one in the child.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"

namespace ldp::catalog {

namespace sql {
class Connection;
}

class SqlCatalog final : public Catalog {
 public:
  struct Options {
    /// How long one operation waits for other writers before failing with Unavailable.
    int busy_timeout_ms = 30000;
  };

  /// Which layout the file has. kV0 files (written by older Java/pyiceberg versions) lack the
  /// iceberg_type column; they are used as they are, never migrated.
  enum class SchemaVersion { kV0, kV1 };

  /// Opens `sqlite_path`, creating the file and the two tables when missing.
  /// InvalidArgument for an empty catalog name; IOError when the file cannot be opened or is not
  /// a usable SQLite catalog; Unavailable when it stays locked by other writers.
  static Result<std::unique_ptr<SqlCatalog>> Open(const std::string& sqlite_path,
                                                  const std::string& catalog_name);
  static Result<std::unique_ptr<SqlCatalog>> Open(const std::string& sqlite_path,
                                                  const std::string& catalog_name,
                                                  const Options& options);

  /// Connects to PostgreSQL (`uri`: postgresql://user@host:port/db; `password` when not empty is
  /// given to libpq beside it and never shown), creating the two tables when missing.
  /// Unavailable when libpq is missing or the server cannot be reached; IOError when the
  /// database holds tables of that name that are not a usable catalog.
  static Result<std::unique_ptr<SqlCatalog>> OpenPostgres(const std::string& uri,
                                                          const std::string& password,
                                                          const std::string& catalog_name);
  static Result<std::unique_ptr<SqlCatalog>> OpenPostgres(const std::string& uri,
                                                          const std::string& password,
                                                          const std::string& catalog_name,
                                                          const Options& options);

  ~SqlCatalog() override;
  SqlCatalog(const SqlCatalog&) = delete;
  SqlCatalog& operator=(const SqlCatalog&) = delete;

  const std::string& name() const override;
  /// The SQLite file this catalog lives in (for PostgreSQL: the URI without its password).
  const std::string& path() const;
  SchemaVersion schema_version() const;

  // Every method below may also fail with InvalidArgument (empty or dotted names), IOError (the
  // file failed) or Unavailable (other writers held the lock for longer than busy_timeout_ms).

  /// AlreadyExists when it exists (also when it only exists through tables below it).
  Status CreateNamespace(const Namespace& ns,
                         const std::map<std::string, std::string>& properties) override;
  Result<bool> NamespaceExists(const Namespace& ns) override;
  /// Sorted. NoSuchNamespace when `parent` is not empty and does not exist.
  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override;
  /// The stored rows, including {"exists": "true"}; empty when the namespace only exists through
  /// its tables. NoSuchNamespace when missing.
  Result<std::map<std::string, std::string>> LoadNamespaceProperties(const Namespace& ns) override;
  /// NoSuchNamespace when missing; NamespaceNotEmpty when it holds tables or child namespaces.
  Status DropNamespace(const Namespace& ns) override;
  /// NoSuchNamespace when missing; InvalidArgument when a key is both updated and removed.
  /// Removing absent keys is not an error. When no property row would remain, {"exists": "true"}
  /// is kept so the namespace does not vanish.
  Status UpdateNamespaceProperties(const Namespace& ns,
                                   const std::map<std::string, std::string>& updates,
                                   const std::vector<std::string>& removals) override;

  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) override;
  Result<std::string> LoadTableLocation(const TableIdentifier& id) override;
  Result<bool> TableExists(const TableIdentifier& id) override;
  /// AlreadyExists also when a view holds the name.
  Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) override;
  /// Also sets previous_metadata_location to `expected`. CommitStateUnknown when SQLite failed
  /// while committing, so the outcome cannot be told.
  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& new_location) override;
  /// One BEGIN IMMEDIATE transaction for all of them. CommitStateUnknown when SQLite failed
  /// while committing.
  Status CommitTables(const std::vector<TableCommit>& commits) override;
  Status DropTable(const TableIdentifier& id) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) override;

 private:
  struct Impl;
  static Result<std::unique_ptr<SqlCatalog>> Open(std::unique_ptr<sql::Connection> conn,
                                                  const std::string& catalog_name,
                                                  const Options& options);
  explicit SqlCatalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ldp::catalog
