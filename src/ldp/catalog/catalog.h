#pragma once
// The catalog: which metadata file is current for each table, and the namespaces tables live in.
// A commit is a compare-and-swap of that pointer; everything else about a table lives in its
// metadata files (see iceberg/).
//
// Thread-safety: implementations are thread-safe and safe across processes sharing one catalog.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::catalog {

/// A namespace is a list of levels: {"nyc"} or {"a", "b"}.
using Namespace = std::vector<std::string>;

struct TableIdentifier {
  Namespace ns;
  std::string name;

  /// "nyc.yellow_trips" (levels joined by '.').
  std::string ToString() const;
  /// Parses "ns.name" or "a.b.name" (last part is the table). InvalidArgument on empty parts.
  static Result<TableIdentifier> Parse(const std::string& text);
  bool operator==(const TableIdentifier&) const = default;
  bool operator<(const TableIdentifier& o) const {
    return ns != o.ns ? ns < o.ns : name < o.name;
  }
};

std::string NamespaceToString(const Namespace& ns);
Result<Namespace> ParseNamespace(const std::string& text);

/// One table's part of a multi-table commit (CommitTables).
struct TableCommit {
  TableIdentifier id;
  /// The metadata location the pointer must still have; nullopt registers a new table (which
  /// must not exist yet).
  std::optional<std::string> expected;
  std::string new_location;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  /// Name of this catalog (the `catalog_name` column in SQL catalogs).
  virtual const std::string& name() const = 0;

  // ---- namespaces
  /// AlreadyExists when it exists. Empty `properties` stores {"exists": "true"}.
  virtual Status CreateNamespace(const Namespace& ns, const std::map<std::string, std::string>& properties) = 0;
  virtual Result<bool> NamespaceExists(const Namespace& ns) = 0;
  /// Namespaces directly under `parent` (all top-level ones when empty).
  virtual Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) = 0;
  /// NoSuchNamespace when missing.
  virtual Result<std::map<std::string, std::string>> LoadNamespaceProperties(const Namespace& ns) = 0;
  /// NoSuchNamespace when missing; NamespaceNotEmpty when it holds tables.
  virtual Status DropNamespace(const Namespace& ns) = 0;
  virtual Status UpdateNamespaceProperties(const Namespace& ns,
                                           const std::map<std::string, std::string>& updates,
                                           const std::vector<std::string>& removals) = 0;

  // ---- tables
  /// Tables in a namespace (NoSuchNamespace when missing), sorted by name.
  virtual Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) = 0;
  /// Current metadata location; NoSuchTable when missing.
  virtual Result<std::string> LoadTableLocation(const TableIdentifier& id) = 0;
  virtual Result<bool> TableExists(const TableIdentifier& id) = 0;
  /// Registers a new table pointing at `metadata_location`. NoSuchNamespace when the namespace is
  /// missing; AlreadyExists when the table exists.
  virtual Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) = 0;
  /// Atomically moves the pointer from `expected` to `new_location`. CommitFailed when the current
  /// pointer is no longer `expected` (another writer won); NoSuchTable when the table is gone.
  virtual Status CommitTable(const TableIdentifier& id, const std::string& expected,
                             const std::string& new_location) = 0;
  /// Points an existing table at another metadata file (`ldp register --overwrite`). The SQL
  /// catalog moves the pointer from `expected` (CommitFailed when it moved meanwhile); the REST
  /// catalog registers with `overwrite: true`, since its commits carry changes, not locations.
  virtual Status ReplaceTableLocation(const TableIdentifier& id, const std::string& expected,
                                      const std::string& new_location) {
    return CommitTable(id, expected, new_location);
  }
  /// Applies every commit or none (one transaction): the REST catalog's multi-table
  /// `transactions/commit` and staged creates. CommitFailed when any pointer moved or a table to
  /// register already exists; NoSuchTable / NoSuchNamespace when a table or namespace is missing;
  /// InvalidArgument when a table appears twice. Nothing changes on any error.
  virtual Status CommitTables(const std::vector<TableCommit>& commits) = 0;
  /// Removes the catalog row (files are left alone). NoSuchTable when missing.
  virtual Status DropTable(const TableIdentifier& id) = 0;
  /// NoSuchTable / AlreadyExists / NoSuchNamespace as appropriate.
  virtual Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) = 0;
};

}  // namespace ldp::catalog
