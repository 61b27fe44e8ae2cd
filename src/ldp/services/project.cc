#include "ldp/services/project.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include "ldp/catalog/rest/rest_catalog.h"
#include "ldp/catalog/sql/sql_catalog.h"
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

// The S3 file system of an s3:// warehouse: ldp.yaml's storage section, else the AWS variables.
Result<std::shared_ptr<io::FileSystem>> OpenS3Warehouse(const std::string& root, const ProjectConfig& config,
                                                        const std::string& cfg_path, std::string* warehouse) {
  auto parsed = io::ParseS3Uri(config.warehouse);
  if (!parsed.ok()) return parsed.status().WithContext(fmt::format("{}: warehouse", cfg_path));
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
        "{}: warehouse {} needs S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
        "storage.s3.access-key-id and storage.s3.secret-access-key",
        cfg_path, config.warehouse);
  o.cache_dir = Absolute(root, st.cache_dir);
  o.cache_max_bytes = st.cache_max_bytes;
  *warehouse = "s3://" + parsed->first + (parsed->second.empty() ? "" : "/" + parsed->second);
  return io::MakeS3FileSystem(o, parsed->first);
}

}  // namespace

// The `catalog:` mapping. Secrets (password, token, credential) may be written as ${NAME} to take
// them from the environment, so that ldp.yaml can be committed; they are never printed.
Status Project::ParseCatalogConfig(const std::string& path, const YAML::Node& cat, ProjectConfig* c) {
  static const char* kKnownKeys[] = {"type",  "uri",        "name",   "password",
                                     "warehouse", "token", "credential", "oauth2-server-uri",
                                     "prefix"};
  for (const auto& kv : cat) {
    std::string key = kv.first.as<std::string>();
    bool known = false;
    for (const char* k : kKnownKeys) known = known || key == k;
    if (!known)
      return InvalidArgument("{}:{}: unknown field 'catalog.{}'", path, kv.first.Mark().line + 1, key);
  }
  auto field = [&](const char* key, std::string* out, bool secret) -> Status {
    YAML::Node n = cat[key];
    if (!n) return Status::OK();
    if (!n.IsScalar())
      return InvalidArgument("{}:{}: field 'catalog.{}' must be a string", path, n.Mark().line + 1, key);
    std::string v = n.as<std::string>();
    if (secret && v.size() > 3 && v.rfind("${", 0) == 0 && v.back() == '}') {
      std::string var = v.substr(2, v.size() - 3);
      const char* env = std::getenv(var.c_str());
      if (env == nullptr || *env == '\0')
        return InvalidArgument("{}:{}: catalog.{} refers to environment variable {}, which is not set",
                               path, n.Mark().line + 1, key, var);
      v = env;
    }
    *out = v;
    return Status::OK();
  };
  LDP_RETURN_NOT_OK(field("type", &c->catalog_type, false));
  LDP_RETURN_NOT_OK(field("uri", &c->catalog_uri, false));
  LDP_RETURN_NOT_OK(field("name", &c->catalog_name, false));
  LDP_RETURN_NOT_OK(field("password", &c->catalog_password, true));
  LDP_RETURN_NOT_OK(field("warehouse", &c->catalog_warehouse, false));
  LDP_RETURN_NOT_OK(field("token", &c->catalog_token, true));
  LDP_RETURN_NOT_OK(field("credential", &c->catalog_credential, true));
  LDP_RETURN_NOT_OK(field("oauth2-server-uri", &c->catalog_oauth2_server_uri, false));
  LDP_RETURN_NOT_OK(field("prefix", &c->catalog_prefix, false));
  const int line = cat["type"] ? cat["type"].Mark().line + 1 : cat.Mark().line + 1;
  if (c->catalog_type == "sql") {
    if (!c->catalog_password.empty() && !IsPostgresUri(c->catalog_uri))
      return InvalidArgument("{}:{}: catalog.password is only used with a postgresql:// uri", path, line);
    for (const char* k : {"token", "credential", "oauth2-server-uri", "prefix", "warehouse"}) {
      if (cat[k]) return InvalidArgument("{}:{}: catalog.{} applies to type rest, not sql", path, line, k);
    }
  } else if (c->catalog_type == "rest") {
    if (!cat["uri"])
      return InvalidArgument("{}:{}: catalog.uri is required for a rest catalog (http://host:port)", path, line);
    if (!c->catalog_token.empty() && !c->catalog_credential.empty())
      return InvalidArgument("{}:{}: catalog: give token or credential, not both", path, line);
    if (cat["password"]) return InvalidArgument("{}:{}: catalog.password applies to type sql, not rest", path, line);
  } else {
    return InvalidArgument("{}:{}: catalog.type '{}' is not supported (use: sql, rest)", path, line,
                           c->catalog_type);
  }
  return Status::OK();
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
  static const char* kKnown[] = {"name", "warehouse", "catalog", "write", "engine", "storage"};
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
    LDP_RETURN_NOT_OK(ParseCatalogConfig(path, cat, &c));
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
    p->fs_ = io::LocalFileSystem();
    LDP_RETURN_NOT_OK(p->fs_->CreateDirs(p->warehouse_));
  }
  if (config.catalog_type == "rest") {
    catalog::rest::RestOptions o;
    o.uri = config.catalog_uri;
    o.warehouse = config.catalog_warehouse;
    o.token = config.catalog_token;
    o.credential = config.catalog_credential;
    o.oauth2_server_uri = config.catalog_oauth2_server_uri;
    o.prefix = config.catalog_prefix;
    o.name = config.catalog_name;
    LDP_ASSIGN_OR_RAISE(p->catalog_, catalog::rest::RestCatalog::Open(o));
  } else if (IsPostgresUri(config.catalog_uri)) {
    LDP_ASSIGN_OR_RAISE(p->catalog_, catalog::SqlCatalog::OpenPostgres(config.catalog_uri,
                                                                       config.catalog_password,
                                                                       config.catalog_name));
  } else {
    // The SQLite catalog is a local file, whatever the warehouse's storage.
    std::string catalog_path = Absolute(root, config.catalog_uri);
    LDP_RETURN_NOT_OK(io::LocalFileSystem()->CreateDirs(fs::path(catalog_path).parent_path().string()));
    LDP_ASSIGN_OR_RAISE(p->catalog_, catalog::SqlCatalog::Open(catalog_path, config.catalog_name));
  }
  return p;
}

std::string Project::DefaultTableLocation(const catalog::TableIdentifier& id) const {
  return io::ToFileUri(fmt::format("{}/{}.db/{}", warehouse_, catalog::NamespaceToString(id.ns), id.name));
}

}  // namespace ldp::services
