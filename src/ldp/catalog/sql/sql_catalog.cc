#include "ldp/catalog/sql/sql_catalog.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "ldp/catalog/sql/sql_connection.h"

namespace ldp::catalog {
namespace {

// The layout Java's JdbcCatalog (V1 schema) and pyiceberg's SqlCatalog create. pyiceberg declares
// the property columns NOT NULL; Java leaves them nullable. We follow pyiceberg and read NULLs
// from Java-written files without complaint.
constexpr const char* kCreateTablesSql =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    " catalog_name VARCHAR(255) NOT NULL,"
    " table_namespace VARCHAR(255) NOT NULL,"
    " table_name VARCHAR(255) NOT NULL,"
    " metadata_location VARCHAR(1000),"
    " previous_metadata_location VARCHAR(1000),"
    " iceberg_type VARCHAR(5),"
    " PRIMARY KEY (catalog_name, table_namespace, table_name));"
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    " catalog_name VARCHAR(255) NOT NULL,"
    " namespace VARCHAR(255) NOT NULL,"
    " property_key VARCHAR(255) NOT NULL,"
    " property_value VARCHAR(1000) NOT NULL,"
    " PRIMARY KEY (catalog_name, namespace, property_key));";

constexpr const char* kExistsKey = "exists";
constexpr const char* kExistsValue = "true";

using sql::Row;

Status ValidateName(std::string_view what, const std::string& name) {
  if (name.empty()) return InvalidArgument("empty {}", what);
  if (name.find('.') != std::string::npos) {
    return InvalidArgument("{} '{}' contains '.', which the SQL catalog uses to join levels", what,
                           name);
  }
  return Status::OK();
}

Status ValidateNamespace(const Namespace& ns) {
  if (ns.empty()) return InvalidArgument("empty namespace");
  for (const auto& level : ns) LDP_RETURN_NOT_OK(ValidateName("namespace level", level));
  return Status::OK();
}

Status ValidateTable(const TableIdentifier& id) {
  LDP_RETURN_NOT_OK(ValidateNamespace(id.ns));
  return ValidateName("table name", id.name);
}

}  // namespace

struct SqlCatalog::Impl {
  std::string name;
  Options options;
  SchemaVersion version = SchemaVersion::kV1;

  // Guards everything below: one connection runs one transaction at a time.
  std::mutex mu;
  std::unique_ptr<sql::Connection> conn;
  std::minstd_rand rng;

  std::string Where() const { return fmt::format("catalog '{}' at {}", name, conn->Describe()); }

  /// " AND <only tables>" for files with the iceberg_type column (NULL means table).
  const char* TablesOnly() const {
    return version == SchemaVersion::kV1 ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)"
                                         : "";
  }

  /// `sql` with every "{C}" replaced by the connection's byte-order COLLATE clause (put after a
  /// column compared with >= / < in a prefix range).
  std::string Bytewise(std::string_view sql) const {
    std::string out(sql);
    const std::string c = conn->ByteOrderCollation();
    for (size_t p = out.find("{C}"); p != std::string::npos; p = out.find("{C}", p + c.size())) {
      out.replace(p, 3, c);
    }
    return out;
  }

  Status WithWhere(const Status& st) const {
    return Status(st.code(), fmt::format("{}: {}", Where(), st.message()));
  }

  /// Runs a statement and returns all its rows as text (NULL as nullopt).
  Result<std::vector<Row>> Query(std::string_view sql,
                                 std::initializer_list<std::string_view> args) {
    auto rows = conn->Query(Bytewise(sql), args);
    if (!rows.ok()) return WithWhere(rows.status());
    return rows;
  }

  /// Runs a statement without result rows; returns the number of rows it changed.
  Result<int> Execute(std::string_view sql, std::initializer_list<std::string_view> args) {
    auto n = conn->Execute(Bytewise(sql), args);
    if (!n.ok()) return WithWhere(n.status());
    return n;
  }

  Status ExecScript(const char* sql) {
    Status st = conn->ExecScript(sql);
    return st.ok() ? st : WithWhere(st);
  }

  void Backoff(int attempt) {
    // 1, 2, 4, ... up to 64 ms, each randomized to [half, full] so competing processes spread out.
    int cap_us = 1000 << std::min(attempt, 6);
    std::uniform_int_distribution<int> dist(cap_us / 2, cap_us);
    std::this_thread::sleep_for(std::chrono::microseconds(dist(rng)));
  }

  /// Calls `attempt` again while it fails with Unavailable (a lock held elsewhere), with a small
  /// randomized backoff, for up to busy_timeout_ms. SQLite's own busy handler already waits for
  /// most locks; this covers the cases it gives up on at once (and WAL recovery or mode changes).
  /// REQUIRES: mu held (or the catalog not yet shared).
  template <typename Fn>
  Status Retry(Fn&& attempt) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(std::max(options.busy_timeout_ms, 0));
    for (int i = 0;; ++i) {
      Status st = attempt();
      if (st.code() != ErrorCode::kUnavailable) return st;
      if (std::chrono::steady_clock::now() >= deadline) {
        return st.WithContext(fmt::format("still locked after {} attempts", i + 1));
      }
      Backoff(i);
    }
  }

  enum class Txn { kRead, kWrite };

  /// Runs `body` in one transaction, retried as a whole while the file is locked elsewhere.
  /// Writes start with BEGIN IMMEDIATE: taking the write lock up front means SQLite's busy
  /// handler waits for it, whereas upgrading a read transaction fails at once with SQLITE_BUSY.
  /// `body` must reset whatever it fills, as it may run several times. Errors from SQLite get
  /// `what` in front; a non-busy failure of COMMIT itself is reported as `commit_error`.
  /// REQUIRES: mu held (or the catalog not yet shared).
  template <typename Fn>
  Status RunTxn(Txn kind, std::string_view what, Fn&& body,
                ErrorCode commit_error = ErrorCode::kIOError) {
    Status st = Retry([&]() -> Status {
      Status begun = conn->Begin(kind == Txn::kWrite);
      if (!begun.ok()) return WithWhere(begun);
      Status body_status = body();
      if (!body_status.ok()) {
        conn->RollbackIfOpen();
        return body_status;
      }
      Status commit_status = conn->Commit();
      if (commit_status.ok()) return Status::OK();
      commit_status = WithWhere(commit_status);
      // Unavailable: nothing was written and the transaction may run again.
      if (commit_status.code() == ErrorCode::kUnavailable) return commit_status;
      return Status(commit_error, "committing: " + commit_status.message());
    });
    switch (st.code()) {
      case ErrorCode::kIOError:
      case ErrorCode::kUnavailable:
      case ErrorCode::kCommitStateUnknown:
        return st.WithContext(what);
      default:
        return st;
    }
  }

  // ---- queries used inside transactions

  Result<bool> NamespaceExists(const std::string& ns) {
    std::string lo = ns + ".";
    std::string hi = ns + "/";  // '/' follows '.', so [lo, hi) is every "ns.<something>"
    LDP_ASSIGN_OR_RAISE(auto rows, Query("SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 AND "
                                         "(table_namespace = ?2 OR (table_namespace{C} >= ?3 AND "
                                         "table_namespace{C} < ?4)) LIMIT 1",
                                         {name, ns, lo, hi}));
    if (!rows.empty()) return true;
    LDP_ASSIGN_OR_RAISE(rows, Query("SELECT 1 FROM iceberg_namespace_properties WHERE "
                                    "catalog_name = ?1 AND (namespace = ?2 OR "
                                    "(namespace{C} >= ?3 AND namespace{C} < ?4)) LIMIT 1",
                                    {name, ns, lo, hi}));
    return !rows.empty();
  }

  Status RequireNamespace(const std::string& ns) {
    LDP_ASSIGN_OR_RAISE(bool exists, NamespaceExists(ns));
    if (!exists) return NoSuchNamespace("namespace {} does not exist in {}", ns, Where());
    return Status::OK();
  }

  /// The row holding `id` (table or view), if any: {metadata_location, iceberg_type}.
  Result<std::optional<Row>> FindRow(const TableIdentifier& id) {
    std::string sql = version == SchemaVersion::kV1
                          ? "SELECT metadata_location, iceberg_type FROM iceberg_tables"
                          : "SELECT metadata_location, NULL FROM iceberg_tables";
    sql += " WHERE catalog_name = ?1 AND table_namespace = ?2 AND table_name = ?3";
    LDP_ASSIGN_OR_RAISE(auto rows, Query(sql, {name, NamespaceToString(id.ns), id.name}));
    if (rows.empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(rows.front()));
  }

  static bool IsTableRow(const Row& row) { return !row[1] || *row[1] == "TABLE"; }

  Status Initialize() {
    LDP_RETURN_NOT_OK(Retry([&] {
                        Status st = conn->Setup();
                        return st.ok() ? st : WithWhere(st);
                      }).WithContext("preparing the catalog"));

    bool have_tables = false;
    bool have_props = false;
    LDP_RETURN_NOT_OK(RunTxn(Txn::kRead, "reading the catalog schema", [&]() -> Status {
      auto t = conn->HasTable("iceberg_tables");
      auto p = t.ok() ? conn->HasTable("iceberg_namespace_properties") : t;
      if (!p.ok()) return WithWhere(p.status());
      have_tables = *t;
      have_props = *p;
      return Status::OK();
    }));
    if (!have_tables || !have_props) {
      LDP_RETURN_NOT_OK(RunTxn(Txn::kWrite, "creating the catalog tables",
                               [&] { return ExecScript(kCreateTablesSql); }));
    }

    // Probe the columns like pyiceberg does: a catalog without iceberg_type is a V0 catalog.
    return RunTxn(Txn::kRead, "checking the catalog schema", [&]() -> Status {
      const std::pair<const char*, const char*> required[] = {
          {"iceberg_tables", "catalog_name"},
          {"iceberg_tables", "table_namespace"},
          {"iceberg_tables", "table_name"},
          {"iceberg_tables", "metadata_location"},
          {"iceberg_tables", "previous_metadata_location"},
          {"iceberg_namespace_properties", "catalog_name"},
          {"iceberg_namespace_properties", "namespace"},
          {"iceberg_namespace_properties", "property_key"},
          {"iceberg_namespace_properties", "property_value"}};
      for (const auto& [table, column] : required) {
        auto has = conn->HasColumn(table, column);
        if (!has.ok()) return WithWhere(has.status());
        if (!*has) {
          return IOError("{} is not an Iceberg SQL catalog: table {} has no column {}",
                         conn->Describe(), table, column);
        }
      }
      auto v1 = conn->HasColumn("iceberg_tables", "iceberg_type");
      if (!v1.ok()) return WithWhere(v1.status());
      version = *v1 ? SchemaVersion::kV1 : SchemaVersion::kV0;
      return Status::OK();
    });
  }
};

SqlCatalog::SqlCatalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqlCatalog::~SqlCatalog() = default;

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(const std::string& sqlite_path,
                                                     const std::string& catalog_name) {
  return Open(sqlite_path, catalog_name, Options());
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(const std::string& sqlite_path,
                                                     const std::string& catalog_name,
                                                     const Options& options) {
  if (catalog_name.empty()) return InvalidArgument("empty catalog name");
  // SQLite reads "" as "a private temporary database", which would silently lose everything.
  if (sqlite_path.empty())
    return InvalidArgument("empty SQLite path for catalog '{}'", catalog_name);

  auto conn = sql::OpenSqlite(sqlite_path, options.busy_timeout_ms);
  if (!conn.ok()) {
    return IOError("cannot open catalog '{}' at {}: {}", catalog_name, sqlite_path,
                   conn.status().message());
  }
  return Open(std::move(*conn), catalog_name, options);
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::OpenPostgres(const std::string& uri,
                                                             const std::string& password,
                                                             const std::string& catalog_name) {
  return OpenPostgres(uri, password, catalog_name, Options());
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::OpenPostgres(const std::string& uri,
                                                             const std::string& password,
                                                             const std::string& catalog_name,
                                                             const Options& options) {
  if (catalog_name.empty()) return InvalidArgument("empty catalog name");
  if (uri.empty()) return InvalidArgument("empty PostgreSQL URI for catalog '{}'", catalog_name);
  LDP_ASSIGN_OR_RAISE(auto conn, sql::OpenPostgres(uri, password));
  return Open(std::move(conn), catalog_name, options);
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(std::unique_ptr<sql::Connection> conn,
                                                     const std::string& catalog_name,
                                                     const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->conn = std::move(conn);
  impl->name = catalog_name;
  impl->options = options;
  impl->rng.seed(
      std::random_device()() ^ static_cast<unsigned>(getpid()) ^
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  // No lock needed: the catalog is not shared with anyone until Open returns.
  LDP_RETURN_NOT_OK(impl->Initialize());
  return std::unique_ptr<SqlCatalog>(new SqlCatalog(std::move(impl)));
}

const std::string& SqlCatalog::name() const { return impl_->name; }
const std::string& SqlCatalog::path() const { return impl_->conn->Describe(); }
SqlCatalog::SchemaVersion SqlCatalog::schema_version() const { return impl_->version; }

// ---- namespaces

Status SqlCatalog::CreateNamespace(const Namespace& ns,
                                   const std::map<std::string, std::string>& properties) {
  LDP_RETURN_NOT_OK(ValidateNamespace(ns));
  for (const auto& [key, value] : properties) {
    if (key.empty())
      return InvalidArgument("empty property key for namespace {}", NamespaceToString(ns));
  }
  const std::string ns_str = NamespaceToString(ns);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("creating namespace {}", ns_str), [&]() -> Status {
        LDP_ASSIGN_OR_RAISE(bool exists, impl_->NamespaceExists(ns_str));
        if (exists)
          return AlreadyExists("namespace {} already exists in {}", ns_str, impl_->Where());
        std::map<std::string, std::string> rows = properties;
        if (rows.empty()) rows.emplace(kExistsKey, kExistsValue);
        for (const auto& [key, value] : rows) {
          LDP_RETURN_NOT_OK(impl_->Execute(
              "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
              "property_value) VALUES (?1, ?2, ?3, ?4)",
              {impl_->name, ns_str, key, value}));
        }
        return Status::OK();
      });
}

Result<bool> SqlCatalog::NamespaceExists(const Namespace& ns) {
  LDP_RETURN_NOT_OK(ValidateNamespace(ns));
  const std::string ns_str = NamespaceToString(ns);
  bool exists = false;
  std::lock_guard<std::mutex> lock(impl_->mu);
  LDP_RETURN_NOT_OK(impl_->RunTxn(Impl::Txn::kRead, fmt::format("looking up namespace {}", ns_str),
                                  [&]() -> Status {
                                    LDP_ASSIGN_OR_RAISE(exists, impl_->NamespaceExists(ns_str));
                                    return Status::OK();
                                  }));
  return exists;
}

Result<std::vector<Namespace>> SqlCatalog::ListNamespaces(const Namespace& parent) {
  if (!parent.empty()) LDP_RETURN_NOT_OK(ValidateNamespace(parent));
  const std::string parent_str = NamespaceToString(parent);
  std::set<Namespace> found;
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto body = [&]() -> Status {
    found.clear();
    std::vector<Row> rows;
    if (parent.empty()) {
      LDP_ASSIGN_OR_RAISE(
          rows, impl_->Query("SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 "
                             "UNION SELECT namespace FROM iceberg_namespace_properties "
                             "WHERE catalog_name = ?1",
                             {impl_->name}));
    } else {
      LDP_RETURN_NOT_OK(impl_->RequireNamespace(parent_str));
      std::string lo = parent_str + ".";
      std::string hi = parent_str + "/";
      LDP_ASSIGN_OR_RAISE(
          rows, impl_->Query("SELECT table_namespace FROM iceberg_tables WHERE catalog_name = ?1 "
                             "AND table_namespace{C} >= ?2 AND table_namespace{C} < ?3 "
                             "UNION SELECT namespace FROM iceberg_namespace_properties "
                             "WHERE catalog_name = ?1 AND namespace{C} >= ?2 AND namespace{C} < ?3",
                             {impl_->name, lo, hi}));
    }
    for (const auto& row : rows) {
      if (!row[0]) continue;
      Result<Namespace> ns = ParseNamespace(*row[0]);
      if (!ns.ok() || ns->size() <= parent.size()) continue;  // malformed rows are skipped
      ns->resize(parent.size() + 1);
      found.insert(std::move(*ns));
    }
    return Status::OK();
  };
  LDP_RETURN_NOT_OK(impl_->RunTxn(Impl::Txn::kRead,
                                  parent.empty()
                                      ? std::string("listing namespaces")
                                      : fmt::format("listing namespaces in {}", parent_str),
                                  body));
  return std::vector<Namespace>(found.begin(), found.end());
}

Result<std::map<std::string, std::string>> SqlCatalog::LoadNamespaceProperties(
    const Namespace& ns) {
  LDP_RETURN_NOT_OK(ValidateNamespace(ns));
  const std::string ns_str = NamespaceToString(ns);
  std::map<std::string, std::string> props;
  std::lock_guard<std::mutex> lock(impl_->mu);
  LDP_RETURN_NOT_OK(impl_->RunTxn(
      Impl::Txn::kRead, fmt::format("loading properties of namespace {}", ns_str), [&]() -> Status {
        props.clear();
        LDP_RETURN_NOT_OK(impl_->RequireNamespace(ns_str));
        LDP_ASSIGN_OR_RAISE(auto rows, impl_->Query("SELECT property_key, property_value FROM "
                                                    "iceberg_namespace_properties WHERE "
                                                    "catalog_name = ?1 AND namespace = ?2",
                                                    {impl_->name, ns_str}));
        for (auto& row : rows) {
          if (row[0]) props[*row[0]] = row[1].value_or("");
        }
        return Status::OK();
      }));
  return props;
}

Status SqlCatalog::DropNamespace(const Namespace& ns) {
  LDP_RETURN_NOT_OK(ValidateNamespace(ns));
  const std::string ns_str = NamespaceToString(ns);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("dropping namespace {}", ns_str), [&]() -> Status {
        LDP_RETURN_NOT_OK(impl_->RequireNamespace(ns_str));
        LDP_ASSIGN_OR_RAISE(auto tables, impl_->Query("SELECT count(*) FROM iceberg_tables WHERE "
                                                      "catalog_name = ?1 AND table_namespace = ?2",
                                                      {impl_->name, ns_str}));
        const std::string count = tables.empty() ? "0" : tables[0][0].value_or("0");
        if (count != "0") {
          return NamespaceNotEmpty("namespace {} in {} is not empty: it holds {} table(s)", ns_str,
                                   impl_->Where(), count);
        }
        // Java's JdbcCatalog also refuses when child namespaces exist; pyiceberg would drop the
        // properties and leave the namespace existing through its children.
        std::string lo = ns_str + ".";
        std::string hi = ns_str + "/";
        LDP_ASSIGN_OR_RAISE(
            auto children,
            impl_->Query("SELECT 1 FROM iceberg_tables WHERE catalog_name = ?1 AND "
                         "table_namespace{C} >= ?2 AND table_namespace{C} < ?3 "
                         "UNION ALL SELECT 1 FROM iceberg_namespace_properties WHERE "
                         "catalog_name = ?1 AND namespace{C} >= ?2 AND namespace{C} < ?3 "
                         "LIMIT 1",
                         {impl_->name, lo, hi}));
        if (!children.empty()) {
          return NamespaceNotEmpty("namespace {} in {} is not empty: it has child namespaces",
                                   ns_str, impl_->Where());
        }
        return impl_
            ->Execute(
                "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ?1 AND "
                "namespace = ?2",
                {impl_->name, ns_str})
            .status();
      });
}

Status SqlCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                             const std::map<std::string, std::string>& updates,
                                             const std::vector<std::string>& removals) {
  LDP_RETURN_NOT_OK(ValidateNamespace(ns));
  const std::string ns_str = NamespaceToString(ns);
  for (const auto& key : removals) {
    if (updates.count(key) != 0) {
      return InvalidArgument("property '{}' of namespace {} is both updated and removed", key,
                             ns_str);
    }
  }
  for (const auto& [key, value] : updates) {
    if (key.empty()) return InvalidArgument("empty property key for namespace {}", ns_str);
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("updating properties of namespace {}", ns_str),
      [&]() -> Status {
        LDP_RETURN_NOT_OK(impl_->RequireNamespace(ns_str));
        int removed = 0;
        for (const auto& key : removals) {
          LDP_ASSIGN_OR_RAISE(int n, impl_->Execute("DELETE FROM iceberg_namespace_properties "
                                                    "WHERE catalog_name = ?1 AND namespace = ?2 "
                                                    "AND property_key = ?3",
                                                    {impl_->name, ns_str, key}));
          removed += n;
        }
        // Delete then insert rather than an upsert, so files whose key differs still work.
        for (const auto& [key, value] : updates) {
          LDP_RETURN_NOT_OK(
              impl_->Execute("DELETE FROM iceberg_namespace_properties WHERE "
                             "catalog_name = ?1 AND namespace = ?2 AND "
                             "property_key = ?3",
                             {impl_->name, ns_str, key}));
          LDP_RETURN_NOT_OK(impl_->Execute(
              "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, "
              "property_value) VALUES (?1, ?2, ?3, ?4)",
              {impl_->name, ns_str, key, value}));
        }
        if (removed > 0 && updates.empty()) {
          LDP_ASSIGN_OR_RAISE(auto left, impl_->Query("SELECT 1 FROM iceberg_namespace_properties "
                                                      "WHERE catalog_name = ?1 AND namespace = ?2 "
                                                      "LIMIT 1",
                                                      {impl_->name, ns_str}));
          if (left.empty()) {
            LDP_RETURN_NOT_OK(
                impl_->Execute("INSERT INTO iceberg_namespace_properties (catalog_name, namespace, "
                               "property_key, property_value) VALUES (?1, ?2, ?3, ?4)",
                               {impl_->name, ns_str, kExistsKey, kExistsValue}));
          }
        }
        return Status::OK();
      });
}

// ---- tables

Result<std::vector<TableIdentifier>> SqlCatalog::ListTables(const Namespace& ns) {
  LDP_RETURN_NOT_OK(ValidateNamespace(ns));
  const std::string ns_str = NamespaceToString(ns);
  std::vector<TableIdentifier> tables;
  std::lock_guard<std::mutex> lock(impl_->mu);
  LDP_RETURN_NOT_OK(impl_->RunTxn(
      Impl::Txn::kRead, fmt::format("listing tables in namespace {}", ns_str), [&]() -> Status {
        tables.clear();
        LDP_RETURN_NOT_OK(impl_->RequireNamespace(ns_str));
        std::string sql =
            "SELECT table_name FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = "
            "?2";
        sql += impl_->TablesOnly();
        sql += " ORDER BY table_name";
        LDP_ASSIGN_OR_RAISE(auto rows, impl_->Query(sql, {impl_->name, ns_str}));
        for (auto& row : rows) {
          if (row[0]) tables.push_back(TableIdentifier{ns, std::move(*row[0])});
        }
        return Status::OK();
      }));
  return tables;
}

Result<std::string> SqlCatalog::LoadTableLocation(const TableIdentifier& id) {
  LDP_RETURN_NOT_OK(ValidateTable(id));
  std::string location;
  std::lock_guard<std::mutex> lock(impl_->mu);
  LDP_RETURN_NOT_OK(impl_->RunTxn(
      Impl::Txn::kRead, fmt::format("loading table {}", id.ToString()), [&]() -> Status {
        LDP_ASSIGN_OR_RAISE(auto row, impl_->FindRow(id));
        if (!row || !Impl::IsTableRow(*row)) {
          return NoSuchTable("table {} does not exist in {}", id.ToString(), impl_->Where());
        }
        if (!(*row)[0] || (*row)[0]->empty()) {
          return NoSuchTable("table {} in {} has no metadata location", id.ToString(),
                             impl_->Where());
        }
        location = *(*row)[0];
        return Status::OK();
      }));
  return location;
}

Result<bool> SqlCatalog::TableExists(const TableIdentifier& id) {
  LDP_RETURN_NOT_OK(ValidateTable(id));
  bool exists = false;
  std::lock_guard<std::mutex> lock(impl_->mu);
  LDP_RETURN_NOT_OK(impl_->RunTxn(
      Impl::Txn::kRead, fmt::format("looking up table {}", id.ToString()), [&]() -> Status {
        LDP_ASSIGN_OR_RAISE(auto row, impl_->FindRow(id));
        exists = row && Impl::IsTableRow(*row);
        return Status::OK();
      }));
  return exists;
}

Status SqlCatalog::CreateTable(const TableIdentifier& id, const std::string& metadata_location) {
  LDP_RETURN_NOT_OK(ValidateTable(id));
  if (metadata_location.empty()) {
    return InvalidArgument("empty metadata location for table {}", id.ToString());
  }
  const std::string ns_str = NamespaceToString(id.ns);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("creating table {}", id.ToString()), [&]() -> Status {
        LDP_RETURN_NOT_OK(impl_->RequireNamespace(ns_str));
        LDP_ASSIGN_OR_RAISE(auto row, impl_->FindRow(id));
        if (row) {
          return AlreadyExists("{} {} already exists in {}",
                               Impl::IsTableRow(*row) ? "table" : "a view named", id.ToString(),
                               impl_->Where());
        }
        if (impl_->version == SchemaVersion::kV1) {
          return impl_
              ->Execute(
                  "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                  "metadata_location, previous_metadata_location, iceberg_type) "
                  "VALUES (?1, ?2, ?3, ?4, NULL, 'TABLE')",
                  {impl_->name, ns_str, id.name, metadata_location})
              .status();
        }
        return impl_
            ->Execute(
                "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                "metadata_location, previous_metadata_location) "
                "VALUES (?1, ?2, ?3, ?4, NULL)",
                {impl_->name, ns_str, id.name, metadata_location})
            .status();
      });
}

Status SqlCatalog::CommitTable(const TableIdentifier& id, const std::string& expected,
                               const std::string& new_location) {
  LDP_RETURN_NOT_OK(ValidateTable(id));
  if (new_location.empty()) {
    return InvalidArgument("empty new metadata location for table {}", id.ToString());
  }
  const std::string ns_str = NamespaceToString(id.ns);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("committing table {}", id.ToString()),
      [&]() -> Status {
        // The compare-and-swap itself, as Java's JdbcCatalog and pyiceberg phrase it.
        std::string sql =
            "UPDATE iceberg_tables SET metadata_location = ?1, previous_metadata_location = ?2 "
            "WHERE catalog_name = ?3 AND table_namespace = ?4 AND table_name = ?5 AND "
            "metadata_location = ?6";
        sql += impl_->TablesOnly();
        LDP_ASSIGN_OR_RAISE(int changed, impl_->Execute(sql, {new_location, expected, impl_->name,
                                                              ns_str, id.name, expected}));
        if (changed == 1) return Status::OK();
        // Lost: tell a missing table from a moved pointer (same transaction, so consistent).
        LDP_ASSIGN_OR_RAISE(auto row, impl_->FindRow(id));
        if (!row || !Impl::IsTableRow(*row)) {
          return NoSuchTable("cannot commit table {}: it does not exist in {}", id.ToString(),
                             impl_->Where());
        }
        return CommitFailed("commit to table {} in {} lost: metadata location is {}, expected {}",
                            id.ToString(), impl_->Where(), (*row)[0].value_or("NULL"), expected);
      },
      ErrorCode::kCommitStateUnknown);
}

Status SqlCatalog::CommitTables(const std::vector<TableCommit>& commits) {
  std::set<TableIdentifier> seen;
  for (const auto& c : commits) {
    LDP_RETURN_NOT_OK(ValidateTable(c.id));
    if (c.new_location.empty()) {
      return InvalidArgument("empty new metadata location for table {}", c.id.ToString());
    }
    if (!seen.insert(c.id).second) {
      return InvalidArgument("table {} appears twice in one commit", c.id.ToString());
    }
  }
  if (commits.empty()) return Status::OK();
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("committing {} table(s)", commits.size()),
      [&]() -> Status {
        for (const auto& c : commits) {
          const std::string ns_str = NamespaceToString(c.id.ns);
          LDP_ASSIGN_OR_RAISE(auto row, impl_->FindRow(c.id));
          if (!c.expected) {
            LDP_RETURN_NOT_OK(impl_->RequireNamespace(ns_str));
            if (row) {
              return CommitFailed("cannot create table {}: {} already exists in {}",
                                  c.id.ToString(),
                                  Impl::IsTableRow(*row) ? "a table" : "a view", impl_->Where());
            }
            if (impl_->version == SchemaVersion::kV1) {
              LDP_RETURN_NOT_OK(impl_->Execute(
                  "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                  "metadata_location, previous_metadata_location, iceberg_type) "
                  "VALUES (?1, ?2, ?3, ?4, NULL, 'TABLE')",
                  {impl_->name, ns_str, c.id.name, c.new_location}));
            } else {
              LDP_RETURN_NOT_OK(impl_->Execute(
                  "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                  "metadata_location, previous_metadata_location) VALUES (?1, ?2, ?3, ?4, NULL)",
                  {impl_->name, ns_str, c.id.name, c.new_location}));
            }
            continue;
          }
          if (!row || !Impl::IsTableRow(*row)) {
            return NoSuchTable("cannot commit table {}: it does not exist in {}",
                               c.id.ToString(), impl_->Where());
          }
          if ((*row)[0].value_or("") != *c.expected) {
            return CommitFailed(
                "commit to table {} in {} lost: metadata location is {}, expected {}",
                c.id.ToString(), impl_->Where(), (*row)[0].value_or("NULL"), *c.expected);
          }
          LDP_ASSIGN_OR_RAISE(
              int changed,
              impl_->Execute(
                  "UPDATE iceberg_tables SET metadata_location = ?1, previous_metadata_location = "
                  "?2 WHERE catalog_name = ?3 AND table_namespace = ?4 AND table_name = ?5 AND "
                  "metadata_location = ?6",
                  {c.new_location, *c.expected, impl_->name, ns_str, c.id.name, *c.expected}));
          // Without SQLite's write lock (PostgreSQL) the row may have moved since it was read:
          // the UPDATE's own WHERE is the compare-and-swap.
          if (changed != 1) {
            return CommitFailed("commit to table {} in {} lost: metadata location moved from {}",
                                c.id.ToString(), impl_->Where(), *c.expected);
          }
        }
        return Status::OK();
      },
      ErrorCode::kCommitStateUnknown);
}

Status SqlCatalog::DropTable(const TableIdentifier& id) {
  LDP_RETURN_NOT_OK(ValidateTable(id));
  const std::string ns_str = NamespaceToString(id.ns);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("dropping table {}", id.ToString()), [&]() -> Status {
        std::string sql =
            "DELETE FROM iceberg_tables WHERE catalog_name = ?1 AND table_namespace = ?2 AND "
            "table_name = ?3";
        sql += impl_->TablesOnly();
        LDP_ASSIGN_OR_RAISE(int changed, impl_->Execute(sql, {impl_->name, ns_str, id.name}));
        if (changed == 0) {
          return NoSuchTable("table {} does not exist in {}", id.ToString(), impl_->Where());
        }
        return Status::OK();
      });
}

Status SqlCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  LDP_RETURN_NOT_OK(ValidateTable(from));
  LDP_RETURN_NOT_OK(ValidateTable(to));
  const std::string from_ns = NamespaceToString(from.ns);
  const std::string to_ns = NamespaceToString(to.ns);
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->RunTxn(
      Impl::Txn::kWrite, fmt::format("renaming table {} to {}", from.ToString(), to.ToString()),
      [&]() -> Status {
        LDP_ASSIGN_OR_RAISE(auto from_row, impl_->FindRow(from));
        if (!from_row || !Impl::IsTableRow(*from_row)) {
          return NoSuchTable("table {} does not exist in {}", from.ToString(), impl_->Where());
        }
        LDP_RETURN_NOT_OK(impl_->RequireNamespace(to_ns));
        LDP_ASSIGN_OR_RAISE(auto to_row, impl_->FindRow(to));
        if (to_row) {
          return AlreadyExists("cannot rename table {} to {}: {} already exists in {}",
                               from.ToString(), to.ToString(),
                               Impl::IsTableRow(*to_row) ? "a table" : "a view", impl_->Where());
        }
        LDP_ASSIGN_OR_RAISE(
            int changed,
            impl_->Execute("UPDATE iceberg_tables SET table_namespace = ?1, table_name = ?2 WHERE "
                           "catalog_name = ?3 AND table_namespace = ?4 AND table_name = ?5",
                           {to_ns, to.name, impl_->name, from_ns, from.name}));
        if (changed != 1) {
          return NoSuchTable("table {} does not exist in {}", from.ToString(), impl_->Where());
        }
        return Status::OK();
      });
}

}  // namespace ldp::catalog
