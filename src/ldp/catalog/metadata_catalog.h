#pragma once
// A catalog that owns its tables' metadata files: the Iceberg REST catalog. ldp's writers still
// build the whole next TableMetadata; such a catalog receives it together with the base it was
// built from, sends the difference (requirements + updates, iceberg/table_diff.h) and lets the
// server write the metadata file. services/tables.cc uses this interface when the project's
// catalog implements it (docs/adr/0017-catalog-choice.md).
//
// Thread-safety: implementations are thread-safe.

#include <map>
#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::catalog {

struct CatalogTable {
  std::string metadata_location;
  iceberg::TableMetadataPtr metadata;
};

class MetadataCatalog {
 public:
  virtual ~MetadataCatalog() = default;

  /// The current metadata. NoSuchTable / NoSuchNamespace when missing.
  virtual Result<CatalogTable> LoadTable(const TableIdentifier& id) = 0;

  /// Creates a table with `md`'s current schema, default spec, default sort order and
  /// properties; the server picks the location. AlreadyExists / NoSuchNamespace.
  virtual Result<CatalogTable> CreateTable(const TableIdentifier& id,
                                           const iceberg::TableMetadata& md) = 0;

  /// Commits `next`, built from `base` (which the table must still be in what `next` depends
  /// on). CommitFailed when another writer changed that first (the caller reloads and retries);
  /// CommitStateUnknown when the outcome cannot be told; NoSuchTable.
  virtual Result<CatalogTable> CommitTable(const TableIdentifier& id,
                                           const iceberg::TableMetadata& base,
                                           const iceberg::TableMetadata& next) = 0;
};

}  // namespace ldp::catalog
