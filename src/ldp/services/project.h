#pragma once
// A project: a folder with `ldp.yaml` and a warehouse. Opening a project gives the catalog and the
// file system every command works on.
//
// Thread-safety: a Project is used by one thread at a time (the catalog inside is thread-safe).

#include <map>
#include <memory>
#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/io/file_system.h"

namespace YAML {
class Node;
}

namespace ldp::services {

/// A catalog's settings: ldp.yaml's `catalog:` and each entry of `catalogs:` (ADR 0023).
struct CatalogConfig {
  std::string type = "sql";          ///< "sql" or "rest"
  /// sql: a SQLite file (relative to the project) or a postgresql:// URI; rest: the server's URI.
  std::string uri;
  std::string name = "default";      ///< `catalog_name` column in the SQL catalog
  std::string password;              ///< sql on PostgreSQL (after ${ENV} expansion)
  std::string warehouse;             ///< rest: warehouse sent to /v1/config
  std::string token;                 ///< rest: bearer token
  std::string credential;            ///< rest: OAuth2 client_id:client_secret
  std::string oauth2_server_uri;     ///< rest: token endpoint
  std::string prefix;                ///< rest: catalog prefix
  std::string origin;                ///< where it is configured ("/p/ldp.yaml:12: catalogs.prod"), for errors
  /// `catalogs:` only: a ${ENV} secret whose variable is not set, reported when the catalog is used.
  std::string env_error;
};

/// What ldp.yaml says.
struct ProjectConfig {
  std::string name = "ldp";
  std::string warehouse = "warehouse";        ///< relative to the project folder, or absolute
  std::string catalog_type = "sql";           ///< "sql" or "rest"
  /// sql: a SQLite file (relative to the project) or a postgresql:// URI; rest: the server's URI.
  std::string catalog_uri = "warehouse/catalog.db";
  std::string catalog_name = "default";       ///< `catalog_name` column in the SQL catalog
  std::string catalog_password;               ///< sql on PostgreSQL (after ${ENV} expansion)
  std::string catalog_warehouse;              ///< rest: warehouse sent to /v1/config
  std::string catalog_token;                  ///< rest: bearer token
  std::string catalog_credential;             ///< rest: OAuth2 client_id:client_secret
  std::string catalog_oauth2_server_uri;      ///< rest: token endpoint
  std::string catalog_prefix;                 ///< rest: catalog prefix
  int64_t target_file_size_bytes = 512LL * 1024 * 1024;
  std::string memory_limit;                   ///< DuckDB memory_limit; empty = DuckDB's default
  /// `storage:` — used when the warehouse is an s3:// URI (ADR 0018). Empty fields fall back to
  /// the AWS environment variables.
  struct Storage {
    std::string endpoint;            ///< storage.s3.endpoint / AWS_ENDPOINT_URL(_S3)
    std::string region;              ///< storage.s3.region / AWS_REGION / AWS_DEFAULT_REGION
    std::string path_style;          ///< "true"/"false"; default: true with an endpoint
    std::string access_key_id;       ///< storage.s3.access-key-id / AWS_ACCESS_KEY_ID
    std::string secret_access_key;   ///< storage.s3.secret-access-key / AWS_SECRET_ACCESS_KEY
    std::string session_token;       ///< storage.s3.session-token / AWS_SESSION_TOKEN
    std::string cache_dir = ".ldp/cache";  ///< local staging and read cache, relative to the project
    int64_t cache_max_bytes = 10LL << 30;
    int64_t part_size = 16LL << 20;  ///< multipart upload part size (at least 5 MiB)
  } storage;
  /// `catalogs:` — other catalogs to read tables from (`ldp clone NS.T --from NAME`), by name.
  std::map<std::string, CatalogConfig> catalogs;
};

class Project {
 public:
  /// Creates ldp.yaml (unless present) and the warehouse with its catalog in `dir`.
  /// AlreadyExists when `dir` already holds an ldp.yaml (init is not destructive).
  static Result<std::unique_ptr<Project>> Init(const std::string& dir, const std::string& name = "");

  /// Opens the project in `dir` (NotFound naming the folder when there is no ldp.yaml; the
  /// message says to run `ldp init`).
  static Result<std::unique_ptr<Project>> Open(const std::string& dir);

  const std::string& root() const { return root_; }
  const ProjectConfig& config() const { return config_; }
  /// Absolute warehouse folder.
  const std::string& warehouse() const { return warehouse_; }
  catalog::Catalog& catalog() { return *catalog_; }
  io::FileSystem& fs() { return *fs_; }

  /// Default location of a new table: <warehouse>/<ns>.db/<name> as a file:// URI
  /// (pyiceberg's layout).
  std::string DefaultTableLocation(const catalog::TableIdentifier& id) const;

  /// Opens the catalog `name` of ldp.yaml's `catalogs:` section, to read tables from.
  /// InvalidArgument listing the configured names when there is no such entry; NotFound when its
  /// SQLite file does not exist (a source catalog is never created).
  Result<std::unique_ptr<catalog::Catalog>> OpenNamedCatalog(const std::string& name) const;

  /// Parses an ldp.yaml (exposed for tests). Errors name the file, line and field.
  static Result<ProjectConfig> ParseConfig(const std::string& path);

 private:
  Project() = default;
  static Status ParseCatalogConfig(const std::string& path, const YAML::Node& cat, const std::string& field,
                                   bool defer_env_errors, CatalogConfig* c);

  std::string root_;
  std::string warehouse_;
  ProjectConfig config_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::shared_ptr<io::FileSystem> fs_;
};

/// Opens the catalog `config` describes; a relative SQLite path is relative to `project_root`.
/// `create`: create a missing SQLite file (a project's own catalog); else NotFound naming it.
Result<std::unique_ptr<catalog::Catalog>> OpenCatalog(const std::string& project_root, const CatalogConfig& config,
                                                      bool create);

/// Resolves the project folder: --project if given, else $LDP_PROJECT, else the current folder.
std::string ResolveProjectDir(const std::string& flag_value);

}  // namespace ldp::services
