#include "ldp/services/project.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "ldp/catalog/rest/rest_catalog.h"
#include "ldp/catalog/sql/sql_catalog.h"
#include "ldp/io/object_store_router.h"
#include "ldp/io/s3_file_system.h"

namespace ldp::services {
namespace fs = std::filesystem;

namespace {

constexpr const char* kConfigFile = "ldp.yaml";

std::string Absolute(const std::string& root, const std::string& p) {
  fs::path path(p);
  if (path.is_relative()) path = fs::path(root) / path;
  return path.lexically_normal().string();
}

std::string DefaultConfigText(const std::string& name) {
  return fmt::format(
      "# ldp project configuration\n"
      "name: {}\n"
      "# Folder with the Iceberg tables (relative to this file, or absolute).\n"
      "warehouse: warehouse\n"
      "catalog:\n"
      "  # sql = an embedded SQLite catalog with the JDBC / pyiceberg SqlCatalog layout\n"
      "  type: sql\n"
      "  uri: warehouse/catalog.db\n"
      "  name: default\n"
      "write:\n"
      "  # Data files are split at about this size (table property write.target-file-size-bytes\n"
      "  # overrides it per table).\n"
      "  target-file-size-bytes: 536870912\n",
      name);
}

bool IsPostgresUri(const std::string& uri) {
  return uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The S3 settings of the project: ldp.yaml's storage section, else the AWS variables. One resolution
// for the warehouse (ADR 0018) and for tables elsewhere on object storage (ADR 0023); `what` names
// the location in the error when credentials are missing.
Result<io::S3FileSystemOptions> S3Settings(const std::string& root, const ProjectConfig& config,
                                           const std::string& cfg_path, const std::string& what) {
  const auto& st = config.storage;
  io::S3FileSystemOptions o;
  o.s3.endpoint = !st.endpoint.empty() ? st.endpoint : !Env("AWS_ENDPOINT_URL_S3").empty() ? Env("AWS_ENDPOINT_URL_S3")
                                                                                             : Env("AWS_ENDPOINT_URL");
  o.s3.region = !st.region.empty() ? st.region : !Env("AWS_REGION").empty() ? Env("AWS_REGION")
                                                 : !Env("AWS_DEFAULT_REGION").empty() ? Env("AWS_DEFAULT_REGION")
                                                                                      : "us-east-1";
  o.s3.path_style = st.path_style.empty() ? !o.s3.endpoint.empty() : st.path_style == "true";
  o.s3.credentials.access_key_id = !st.access_key_id.empty() ? st.access_key_id : Env("AWS_ACCESS_KEY_ID");
  o.s3.credentials.secret_access_key =
      !st.secret_access_key.empty() ? st.secret_access_key : Env("AWS_SECRET_ACCESS_KEY");
  o.s3.credentials.session_token = !st.session_token.empty() ? st.session_token : Env("AWS_SESSION_TOKEN");
  o.s3.part_size = st.part_size;
  if (o.s3.credentials.access_key_id.empty() || o.s3.credentials.secret_access_key.empty())
    return InvalidArgument(
        "{} needs S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
        "storage.s3.access-key-id and storage.s3.secret-access-key in {}",
        what, cfg_path);
  o.cache_dir = Absolute(root, st.cache_dir);
  o.cache_max_bytes = st.cache_max_bytes;
  return o;
}

// The S3 file system of an s3:// warehouse.
Result<std::shared_ptr<io::FileSystem>> OpenS3Warehouse(const std::string& root, const ProjectConfig& config,
                                                        const std::string& cfg_path, std::string* warehouse) {
  auto parsed = io::ParseS3Uri(config.warehouse);
  if (!parsed.ok()) return parsed.status().WithContext(fmt::format("{}: warehouse", cfg_path));
  LDP_ASSIGN_OR_RAISE(io::S3FileSystemOptions o,
                      S3Settings(root, config, cfg_path, "warehouse " + config.warehouse));
  *warehouse = "s3://" + parsed->first + (parsed->second.empty() ? "" : "/" + parsed->second);
  return io::MakeS3FileSystem(o, parsed->first);
}

// The file system of a local warehouse: the local disk, and tables on object storage (registered or
// cloned from s3://) through an S3 file system made on first use with the project's settings.
std::shared_ptr<io::FileSystem> LocalWarehouseFileSystem(const std::string& root, const ProjectConfig& config,
                                                         const std::string& cfg_path) {
  return io::MakeObjectStoreRouter(
      [root, config, cfg_path](std::string_view uri) -> Result<std::shared_ptr<io::FileSystem>> {
        LDP_ASSIGN_OR_RAISE(auto bk, io::ParseS3Uri(uri));
        LDP_ASSIGN_OR_RAISE(io::S3FileSystemOptions o, S3Settings(root, config, cfg_path, std::string(uri)));
        return io::MakeS3FileSystem(o, bk.first);
      });
}

bool ValidCatalogName(const std::string& n) {
  if (n.empty()) return false;
  for (char ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-') return false;
  return true;
}

}  // namespace

// A catalog mapping: `catalog:` (field "catalog") or an entry of `catalogs:` ("catalogs.NAME").
// Secrets (password, token, credential) may be written as ${NAME} to take them from the
// environment, so that ldp.yaml can be committed; they are never printed.
Status Project::ParseCatalogConfig(const std::string& path, const YAML::Node& cat, const std::string& field,
                                   bool defer_env_errors, CatalogConfig* c) {
  static const char* kKnownKeys[] = {"type",  "uri",        "name",   "password",
                                     "warehouse", "token", "credential", "oauth2-server-uri",
                                     "prefix"};
  for (const auto& kv : cat) {
    std::string key = kv.first.as<std::string>();
    bool known = false;
    for (const char* k : kKnownKeys) known = known || key == k;
    if (!known)
      return InvalidArgument("{}:{}: unknown field '{}.{}'", path, kv.first.Mark().line + 1, field, key);
  }
  auto get = [&](const char* key, std::string* out, bool secret) -> Status {
    YAML::Node n = cat[key];
    if (!n) return Status::OK();
    if (!n.IsScalar())
      return InvalidArgument("{}:{}: field '{}.{}' must be a string", path, n.Mark().line + 1, field, key);
    std::string v = n.as<std::string>();
    if (secret && v.size() > 3 && v.rfind("${", 0) == 0 && v.back() == '}') {
      std::string var = v.substr(2, v.size() - 3);
      const char* env = std::getenv(var.c_str());
      if (env == nullptr || *env == '\0') {
        std::string err = fmt::format("{}:{}: {}.{} refers to environment variable {}, which is not set", path,
                                      n.Mark().line + 1, field, key, var);
        // A source catalog's secret is needed only when that catalog is used: every other command
        // works without it.
        if (!defer_env_errors) return InvalidArgument("{}", err);
        if (c->env_error.empty()) c->env_error = err;
        return Status::OK();
      }
      v = env;
    }
    *out = v;
    return Status::OK();
  };
  LDP_RETURN_NOT_OK(get("type", &c->type, false));
  LDP_RETURN_NOT_OK(get("uri", &c->uri, false));
  LDP_RETURN_NOT_OK(get("name", &c->name, false));
  LDP_RETURN_NOT_OK(get("password", &c->password, true));
  LDP_RETURN_NOT_OK(get("warehouse", &c->warehouse, false));
  LDP_RETURN_NOT_OK(get("token", &c->token, true));
  LDP_RETURN_NOT_OK(get("credential", &c->credential, true));
  LDP_RETURN_NOT_OK(get("oauth2-server-uri", &c->oauth2_server_uri, false));
  LDP_RETURN_NOT_OK(get("prefix", &c->prefix, false));
  const int line = cat["type"] ? cat["type"].Mark().line + 1 : cat.Mark().line + 1;
  c->origin = fmt::format("{}:{}: {}", path, line, field);
  if (c->type == "sql") {
    if (!c->password.empty() && !IsPostgresUri(c->uri))
      return InvalidArgument("{}:{}: {}.password is only used with a postgresql:// uri", path, line, field);
    for (const char* k : {"token", "credential", "oauth2-server-uri", "prefix", "warehouse"}) {
      if (cat[k]) return InvalidArgument("{}:{}: {}.{} applies to type rest, not sql", path, line, field, k);
    }
  } else if (c->type == "rest") {
    if (!cat["uri"])
      return InvalidArgument("{}:{}: {}.uri is required for a rest catalog (http://host:port)", path, line, field);
    if (!c->token.empty() && !c->credential.empty())
      return InvalidArgument("{}:{}: {}: give token or credential, not both", path, line, field);
    if (cat["password"])
      return InvalidArgument("{}:{}: {}.password applies to type sql, not rest", path, line, field);
  } else {
    return InvalidArgument("{}:{}: {}.type '{}' is not supported (use: sql, rest)", path, line, field, c->type);
  }
  return Status::OK();
}

Result<std::unique_ptr<catalog::Catalog>> OpenCatalog(const std::string& root, const CatalogConfig& config,
                                                      bool create) {
  if (config.type == "rest") {
    catalog::rest::RestOptions o;
    o.uri = config.uri;
    while (o.uri.size() > 1 && o.uri.back() == '/') o.uri.pop_back();
    o.warehouse = config.warehouse;
    o.token = config.token;
    o.credential = config.credential;
    o.oauth2_server_uri = config.oauth2_server_uri;
    o.prefix = config.prefix;
    o.name = config.name;
    auto cat = catalog::rest::RestCatalog::Open(o);
    if (!cat.ok()) return std::move(cat).status();
    return std::unique_ptr<catalog::Catalog>(std::move(*cat));
  }
  if (IsPostgresUri(config.uri)) {
    auto cat = catalog::SqlCatalog::OpenPostgres(config.uri, config.password, config.name);
    if (!cat.ok()) return std::move(cat).status();
    return std::unique_ptr<catalog::Catalog>(std::move(*cat));
  }
  // The SQLite catalog is a local file, whatever the warehouse's storage.
  std::string catalog_path = Absolute(root, config.uri);
  if (create) {
    LDP_RETURN_NOT_OK(io::LocalFileSystem()->CreateDirs(fs::path(catalog_path).parent_path().string()));
  } else if (!fs::is_regular_file(catalog_path)) {
    return NotFound("{}: SQLite catalog {} does not exist", config.origin, catalog_path);
  }
  auto cat = catalog::SqlCatalog::Open(catalog_path, config.name);
  if (!cat.ok()) return std::move(cat).status();
  return std::unique_ptr<catalog::Catalog>(std::move(*cat));
}

Result<std::unique_ptr<catalog::Catalog>> Project::OpenNamedCatalog(const std::string& name) const {
  auto it = config_.catalogs.find(name);
  if (it == config_.catalogs.end()) {
    std::string names;
    for (const auto& [n, c] : config_.catalogs) names += (names.empty() ? "" : ", ") + n;
    if (names.empty())
      return InvalidArgument("no catalog named '{}': {}/{} has no `catalogs:` section (name: type, uri, ...)", name,
                             root_, kConfigFile);
    return InvalidArgument("no catalog named '{}' in {}/{} (configured: {})", name, root_, kConfigFile, names);
  }
  if (!it->second.env_error.empty()) return InvalidArgument("{}", it->second.env_error);
  auto cat = OpenCatalog(root_, it->second, /*create=*/false);
  if (!cat.ok()) return cat.status().WithContext(fmt::format("catalog {}", name));
  return cat;
}

std::string ResolveProjectDir(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LDP_PROJECT"); env && *env) return env;
  return ".";
}

Result<ProjectConfig> Project::ParseConfig(const std::string& path) {
  ProjectConfig c;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    return InvalidArgument("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg);
  } catch (const YAML::Exception& e) {
    return IOError("reading {}: {}", path, e.what());
  }
  if (!root.IsMap()) return InvalidArgument("{}: expected a mapping at the top level", path);
  auto str = [&](const YAML::Node& n, const char* field, std::string* out) -> Status {
    if (!n) return Status::OK();
    if (!n.IsScalar())
      return InvalidArgument("{}:{}: field '{}' must be a string", path, n.Mark().line + 1, field);
    *out = n.as<std::string>();
    return Status::OK();
  };
  static const char* kKnown[] = {"name", "warehouse", "catalog", "catalogs", "write", "engine", "storage"};
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known)
      return InvalidArgument("{}:{}: unknown field '{}'", path, kv.first.Mark().line + 1, key);
  }
  LDP_RETURN_NOT_OK(str(root["name"], "name", &c.name));
  LDP_RETURN_NOT_OK(str(root["warehouse"], "warehouse", &c.warehouse));
  if (auto cat = root["catalog"]) {
    if (!cat.IsMap()) return InvalidArgument("{}:{}: 'catalog' must be a mapping", path, cat.Mark().line + 1);
    CatalogConfig cc;
    cc.uri = c.catalog_uri;
    LDP_RETURN_NOT_OK(ParseCatalogConfig(path, cat, "catalog", /*defer_env_errors=*/false, &cc));
    c.catalog_type = cc.type;
    c.catalog_uri = cc.uri;
    c.catalog_name = cc.name;
    c.catalog_password = cc.password;
    c.catalog_warehouse = cc.warehouse;
    c.catalog_token = cc.token;
    c.catalog_credential = cc.credential;
    c.catalog_oauth2_server_uri = cc.oauth2_server_uri;
    c.catalog_prefix = cc.prefix;
  }
  if (auto cats = root["catalogs"]) {
    if (!cats.IsMap())
      return InvalidArgument("{}:{}: 'catalogs' must be a mapping of names to catalogs (type, uri, ...)", path,
                             cats.Mark().line + 1);
    for (const auto& kv : cats) {
      const std::string name = kv.first.as<std::string>();
      const int line = kv.first.Mark().line + 1;
      if (!ValidCatalogName(name))
        return InvalidArgument("{}:{}: catalogs: name '{}' may only have letters, digits, '_' and '-'", path, line,
                               name);
      if (!kv.second.IsMap())
        return InvalidArgument("{}:{}: 'catalogs.{}' must be a mapping (type, uri, ...)", path, line, name);
      CatalogConfig cc;
      LDP_RETURN_NOT_OK(ParseCatalogConfig(path, kv.second, "catalogs." + name, /*defer_env_errors=*/true, &cc));
      if (cc.uri.empty())
        return InvalidArgument("{}:{}: catalogs.{}.uri is required (a SQLite file, a postgresql:// URI or, for "
                               "type rest, http://host:port)",
                               path, line, name);
      c.catalogs[name] = cc;
    }
  }
  if (auto w = root["write"]) {
    if (auto t = w["target-file-size-bytes"]) {
      try {
        c.target_file_size_bytes = t.as<int64_t>();
      } catch (const YAML::Exception&) {
        return InvalidArgument("{}:{}: write.target-file-size-bytes must be an integer", path,
                               t.Mark().line + 1);
      }
      if (c.target_file_size_bytes <= 0)
        return InvalidArgument("{}:{}: write.target-file-size-bytes must be positive", path, t.Mark().line + 1);
    }
  }
  if (auto e = root["engine"]) {
    LDP_RETURN_NOT_OK(str(e["memory-limit"], "engine.memory-limit", &c.memory_limit));
  }
  if (auto st = root["storage"]) {
    if (!st.IsMap()) return InvalidArgument("{}:{}: 'storage' must be a mapping", path, st.Mark().line + 1);
    auto size = [&](const YAML::Node& n, const char* field, int64_t min, int64_t* out) -> Status {
      if (!n) return Status::OK();
      try {
        *out = n.as<int64_t>();
      } catch (const YAML::Exception&) {
        return InvalidArgument("{}:{}: {} must be a number of bytes", path, n.Mark().line + 1, field);
      }
      if (*out < min) return InvalidArgument("{}:{}: {} must be at least {}", path, n.Mark().line + 1, field, min);
      return Status::OK();
    };
    if (auto s3 = st["s3"]) {
      if (!s3.IsMap()) return InvalidArgument("{}:{}: 'storage.s3' must be a mapping", path, s3.Mark().line + 1);
      for (const auto& kv : s3) {
        std::string key = kv.first.as<std::string>();
        static const char* kS3Keys[] = {"endpoint", "region", "path-style", "access-key-id", "secret-access-key",
                                        "session-token", "part-size"};
        bool ok = false;
        for (const char* k : kS3Keys) ok = ok || key == k;
        if (!ok) return InvalidArgument("{}:{}: unknown field 'storage.s3.{}'", path, kv.first.Mark().line + 1, key);
      }
      LDP_RETURN_NOT_OK(str(s3["endpoint"], "storage.s3.endpoint", &c.storage.endpoint));
      LDP_RETURN_NOT_OK(str(s3["region"], "storage.s3.region", &c.storage.region));
      LDP_RETURN_NOT_OK(str(s3["path-style"], "storage.s3.path-style", &c.storage.path_style));
      LDP_RETURN_NOT_OK(str(s3["access-key-id"], "storage.s3.access-key-id", &c.storage.access_key_id));
      LDP_RETURN_NOT_OK(str(s3["secret-access-key"], "storage.s3.secret-access-key", &c.storage.secret_access_key));
      LDP_RETURN_NOT_OK(str(s3["session-token"], "storage.s3.session-token", &c.storage.session_token));
      LDP_RETURN_NOT_OK(size(s3["part-size"], "storage.s3.part-size", 5LL << 20, &c.storage.part_size));
      if (!c.storage.path_style.empty() && c.storage.path_style != "true" && c.storage.path_style != "false")
        return InvalidArgument("{}:{}: storage.s3.path-style must be true or false", path,
                               s3["path-style"].Mark().line + 1);
    }
    LDP_RETURN_NOT_OK(str(st["cache-dir"], "storage.cache-dir", &c.storage.cache_dir));
    LDP_RETURN_NOT_OK(size(st["cache-size"], "storage.cache-size", 0, &c.storage.cache_max_bytes));
  }
  return c;
}

Result<std::unique_ptr<Project>> Project::Init(const std::string& dir, const std::string& name) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IOError("creating project folder {}: {}", dir, ec.message());
  std::string root = fs::absolute(dir).lexically_normal().string();
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string cfg = root + "/" + kConfigFile;
  auto local = io::LocalFileSystem();
  LDP_ASSIGN_OR_RAISE(bool exists, local->Exists(cfg));
  if (exists) return AlreadyExists("{} already exists: this folder is already an ldp project", cfg);
  std::string project_name = name.empty() ? fs::path(root).filename().string() : name;
  if (project_name.empty()) project_name = "ldp";
  LDP_RETURN_NOT_OK(local->WriteFile(cfg, DefaultConfigText(project_name)));
  return Open(root);
}

Result<std::unique_ptr<Project>> Project::Open(const std::string& dir) {
  std::error_code ec;
  std::string root = fs::absolute(dir, ec).lexically_normal().string();
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  std::string cfg = root + "/" + kConfigFile;
  if (!fs::exists(cfg))
    return NotFound("no ldp project in {} (missing {}): run `ldp init {}` first, or pass --project DIR",
                    root, kConfigFile, dir);
  LDP_ASSIGN_OR_RAISE(ProjectConfig config, ParseConfig(cfg));
  std::unique_ptr<Project> p(new Project());
  p->root_ = root;
  p->config_ = config;
  p->warehouse_ = Absolute(root, config.warehouse);
  if (config.warehouse.rfind("s3://", 0) == 0) {
    LDP_ASSIGN_OR_RAISE(p->fs_, OpenS3Warehouse(root, config, cfg, &p->warehouse_));
  } else {
    p->fs_ = LocalWarehouseFileSystem(root, config, cfg);
    LDP_RETURN_NOT_OK(p->fs_->CreateDirs(p->warehouse_));
  }
  CatalogConfig main;
  main.type = config.catalog_type;
  main.uri = config.catalog_uri;
  main.name = config.catalog_name;
  main.password = config.catalog_password;
  main.warehouse = config.catalog_warehouse;
  main.token = config.catalog_token;
  main.credential = config.catalog_credential;
  main.oauth2_server_uri = config.catalog_oauth2_server_uri;
  main.prefix = config.catalog_prefix;
  main.origin = cfg + ": catalog";
  LDP_ASSIGN_OR_RAISE(p->catalog_, OpenCatalog(root, main, /*create=*/true));
  return p;
}

std::string Project::DefaultTableLocation(const catalog::TableIdentifier& id) const {
  return io::ToFileUri(fmt::format("{}/{}.db/{}", warehouse_, catalog::NamespaceToString(id.ns), id.name));
}

}  // namespace ldp::services
