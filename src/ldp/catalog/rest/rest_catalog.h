#pragma once
// A client of an Iceberg REST catalog (apache/iceberg open-api/rest-catalog-open-api.yaml):
// `catalog: {type: rest, uri, warehouse, token | credential, prefix}` in ldp.yaml.
//
// Opening asks GET /v1/config first (its `overrides` win over ldp.yaml, its `defaults` fill what
// ldp.yaml leaves out: `prefix`, `uri`). Tables are committed as requirements + updates computed
// from the base and next metadata the writers build (iceberg/table_diff.h); the server writes the
// metadata files. A 409 is CommitFailed, so ldp's writers reload and retry as on the SQL catalog.
// Errors name the request ("REST catalog http://...: POST /v1/namespaces/nyc/tables/trips: 409
// CommitFailedException: ...").
//
// Auth: a static bearer `token`, or a `credential` "client_id:client_secret" exchanged for a token
// with the OAuth2 client-credentials grant at `oauth2-server-uri` (default {uri}/v1/oauth/tokens);
// a 401 fetches a new token once and repeats the request.
//
// Thread-safety: thread-safe (one HTTP connection, requests serialized).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ldp/catalog/catalog.h"
#include "ldp/catalog/metadata_catalog.h"
#include "ldp/core/status.h"

namespace ldp::catalog::rest {

class HttpClient;

struct RestOptions {
  std::string uri;        ///< e.g. http://127.0.0.1:8181 (without /v1)
  std::string warehouse;  ///< sent as ?warehouse= to /v1/config when not empty
  std::string token;      ///< static bearer token
  std::string credential; ///< "client_id:client_secret" for OAuth2 client credentials
  std::string oauth2_server_uri;  ///< token endpoint; default {uri}/v1/oauth/tokens
  std::string scope = "catalog";  ///< OAuth2 scope sent with the token request
  std::string prefix;     ///< catalog prefix; /v1/config's overrides.prefix wins
  std::string name = "rest";
  double timeout_seconds = 60;
};

class RestCatalog final : public Catalog, public MetadataCatalog {
 public:
  /// Connects: fetches a token when a credential is given, then GET /v1/config.
  /// InvalidArgument for a bad uri or credential; NotAuthorized; Unavailable when the server
  /// cannot be reached or libcurl is missing.
  static Result<std::unique_ptr<RestCatalog>> Open(const RestOptions& options);
  ~RestCatalog() override;

  const std::string& name() const override;
  /// The effective prefix after /v1/config.
  const std::string& prefix() const;

  Status CreateNamespace(const Namespace& ns,
                         const std::map<std::string, std::string>& properties) override;
  Result<bool> NamespaceExists(const Namespace& ns) override;
  Result<std::vector<Namespace>> ListNamespaces(const Namespace& parent) override;
  Result<std::map<std::string, std::string>> LoadNamespaceProperties(const Namespace& ns) override;
  Status DropNamespace(const Namespace& ns) override;
  Status UpdateNamespaceProperties(const Namespace& ns,
                                   const std::map<std::string, std::string>& updates,
                                   const std::vector<std::string>& removals) override;

  Result<std::vector<TableIdentifier>> ListTables(const Namespace& ns) override;
  Result<std::string> LoadTableLocation(const TableIdentifier& id) override;
  Result<bool> TableExists(const TableIdentifier& id) override;
  /// Registers an existing metadata file (POST .../register).
  Status CreateTable(const TableIdentifier& id, const std::string& metadata_location) override;
  Status ReplaceTableLocation(const TableIdentifier& id, const std::string& expected,
                              const std::string& new_location) override;
  /// NotImplemented: a REST catalog commits metadata changes (MetadataCatalog::CommitTable),
  /// not metadata locations.
  Status CommitTable(const TableIdentifier& id, const std::string& expected,
                     const std::string& new_location) override;
  Status CommitTables(const std::vector<TableCommit>& commits) override;
  /// Drops the catalog entry, files stay (purgeRequested=false).
  Status DropTable(const TableIdentifier& id) override;
  Status RenameTable(const TableIdentifier& from, const TableIdentifier& to) override;

  Result<CatalogTable> LoadTable(const TableIdentifier& id) override;
  Result<CatalogTable> CreateTable(const TableIdentifier& id,
                                   const iceberg::TableMetadata& md) override;
  Result<CatalogTable> CommitTable(const TableIdentifier& id, const iceberg::TableMetadata& base,
                                   const iceberg::TableMetadata& next) override;

 private:
  struct Impl;
  explicit RestCatalog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ldp::catalog::rest
