#include "ldp/catalog/rest/rest_catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ldp/catalog/rest/http_client.h"
#include "ldp/iceberg/table_diff.h"

namespace ldp::catalog::rest {
namespace {

using json = nlohmann::json;

enum class Op { kRead, kCreate, kCommit, kDrop };

std::string NsPath(const Namespace& ns) {
  // Levels are joined by the unit separator 0x1F (encoded %1F), as the spec says.
  std::string out;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i > 0) out += "%1F";
    out += PercentEncode(ns[i]);
  }
  return out;
}

json NsJson(const Namespace& ns) { return json(ns); }

Result<std::map<std::string, std::string>> StringMap(const json& j, const std::string& what) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) return IOError("{}: expected an object", what);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) {
      out[it.key()] = it.value().get<std::string>();
    } else {
      out[it.key()] = it.value().dump();
    }
  }
  return out;
}

std::string Base64(const std::string& in) {
  // Hand-written: four lines for HTTP Basic, rather than pulling a codec library in.
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace

struct RestCatalog::Impl {
  RestOptions opt;
  std::string base;    // uri without trailing '/'
  std::string prefix;  // effective
  std::string token;   // current bearer token
  std::unique_ptr<HttpClient> http;

  std::string Where() const { return fmt::format("REST catalog {}", base); }

  /// "/v1/{prefix}/" + rest
  std::string Path(const std::string& rest) const {
    return prefix.empty() ? "/v1/" + rest : "/v1/" + PercentEncode(prefix) + "/" + rest;
  }
  std::string TablePath(const TableIdentifier& id) const {
    return Path("namespaces/" + NsPath(id.ns) + "/tables/" + PercentEncode(id.name));
  }

  Status FetchToken() {
    auto colon = opt.credential.find(':');
    std::string id = colon == std::string::npos ? "" : opt.credential.substr(0, colon);
    std::string secret = colon == std::string::npos ? opt.credential : opt.credential.substr(colon + 1);
    std::string url = opt.oauth2_server_uri.empty() ? base + "/v1/oauth/tokens" : opt.oauth2_server_uri;
    std::string form = "grant_type=client_credentials&scope=" + PercentEncode(opt.scope);
    if (!id.empty()) form += "&client_id=" + PercentEncode(id);
    form += "&client_secret=" + PercentEncode(secret);
    LDP_ASSIGN_OR_RAISE(auto reply,
                        http->Request("POST", url,
                                      {{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Accept", "application/json"}},
                                      form));
    json j = json::parse(reply.body, nullptr, false);
    if (reply.status != 200) {
      std::string why = j.is_object() ? j.value("error_description", j.value("error", std::string()))
                                      : reply.body.substr(0, 200);
      return NotAuthorized("{}: POST {}: {} getting an OAuth2 token for client '{}': {}", Where(),
                           url, reply.status, id, why);
    }
    if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
      return NotAuthorized("{}: POST {}: the token response has no access_token", Where(), url);
    token = j["access_token"].get<std::string>();
    return Status::OK();
  }

  /// Sends a request; the reply as it came (any status).
  Result<HttpReply> Send(const std::string& method, const std::string& path, const json* body) {
    std::string payload = body ? body->dump() : std::string();
    for (int attempt = 0;; ++attempt) {
      std::map<std::string, std::string> headers = {{"Accept", "application/json"},
                                                    {"X-Client-Version", "ldp"}};
      if (body) headers["Content-Type"] = "application/json";
      if (!token.empty()) headers["Authorization"] = "Bearer " + token;
      auto reply = http->Request(method, base + path, headers, payload);
      if (!reply.ok()) return reply.status().WithContext(Where());
      // An expired OAuth2 token: fetch a new one once.
      if (reply->status == 401 && !opt.credential.empty() && attempt == 0) {
        LDP_RETURN_NOT_OK(FetchToken());
        continue;
      }
      return reply;
    }
  }

  /// Turns a non-2xx reply into a Status naming the request.
  Status ErrorOf(const std::string& method, const std::string& path, const HttpReply& r, Op op) {
    std::string type;
    std::string message;
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
      type = j["error"].value("type", std::string());
      message = j["error"].value("message", std::string());
    } else {
      message = r.body.substr(0, 300);
    }
    std::string text = fmt::format("{}: {} {}: {}{}{}{}", Where(), method, path, r.status,
                                   type.empty() ? "" : " ", type, message.empty() ? "" : ": " + message);
    switch (r.status) {
      case 400:
      case 422:
        return Status(ErrorCode::kInvalidArgument, text);
      case 401:
      case 403:
      case 419:
        return Status(ErrorCode::kNotAuthorized, text);
      case 404:
        if (type.find("NoSuchNamespace") != std::string::npos)
          return Status(ErrorCode::kNoSuchNamespace, text);
        if (type.find("NoSuchTable") != std::string::npos || op == Op::kCommit)
          return Status(ErrorCode::kNoSuchTable, text);
        return Status(ErrorCode::kNotFound, text);
      case 406:
      case 501:
        return Status(ErrorCode::kNotImplemented, text);
      case 409:
        if (type.find("NotEmpty") != std::string::npos) return Status(ErrorCode::kNamespaceNotEmpty, text);
        if (op == Op::kCommit || type.find("CommitFailed") != std::string::npos)
          return Status(ErrorCode::kCommitFailed, text);
        return Status(ErrorCode::kAlreadyExists, text);
      case 500:
      case 502:
      case 504:
        // The spec: a commit answered 500/502/504 may or may not have been applied.
        if (op == Op::kCommit) return Status(ErrorCode::kCommitStateUnknown, text);
        return Status(ErrorCode::kIOError, text);
      case 503:
        return Status(ErrorCode::kUnavailable, text);
      default:
        return Status(ErrorCode::kIOError, text);
    }
  }

  /// Sends and parses a 2xx JSON reply (null for an empty body); errors via ErrorOf.
  Result<json> Call(const std::string& method, const std::string& path, const json* body,
                    Op op = Op::kRead) {
    LDP_ASSIGN_OR_RAISE(auto r, Send(method, path, body));
    if (r.status < 200 || r.status >= 300) return ErrorOf(method, path, r, op);
    if (r.body.empty()) return json();
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded())
      return IOError("{}: {} {}: the reply is not JSON: {}", Where(), method, path, r.body.substr(0, 200));
    return j;
  }

  Result<bool> Exists(const std::string& path) {
    LDP_ASSIGN_OR_RAISE(auto r, Send("HEAD", path, nullptr));
    if (r.status >= 200 && r.status < 300) return true;
    if (r.status == 404) return false;
    return ErrorOf("HEAD", path, r, Op::kRead);
  }

  Result<CatalogTable> ParseLoadResult(const std::string& method, const std::string& path,
                                       const json& j) {
    if (!j.is_object() || !j.contains("metadata") || !j["metadata"].is_object())
      return IOError("{}: {} {}: the reply has no 'metadata'", Where(), method, path);
    CatalogTable t;
    if (j.contains("metadata-location") && j["metadata-location"].is_string())
      t.metadata_location = j["metadata-location"].get<std::string>();
    auto md = iceberg::TableMetadata::FromJson(j["metadata"]);
    if (!md.ok()) return md.status().WithContext(fmt::format("{}: {} {}", Where(), method, path));
    t.metadata = *md;
    return t;
  }

  /// Pages through a list endpoint, collecting `key` arrays.
  Result<std::vector<json>> ListAll(const std::string& path, const std::string& key,
                                    const std::string& query) {
    std::vector<json> all;
    std::string page_token;
    for (int pages = 0; pages < 100000; ++pages) {
      std::string q = query;
      if (!page_token.empty()) q += (q.empty() ? "" : "&") + std::string("pageToken=") + PercentEncode(page_token);
      std::string full = q.empty() ? path : path + "?" + q;
      LDP_ASSIGN_OR_RAISE(json j, Call("GET", full, nullptr));
      if (!j.is_object() || !j.contains(key) || !j[key].is_array())
        return IOError("{}: GET {}: the reply has no '{}' list", Where(), full, key);
      for (auto& e : j[key]) all.push_back(e);
      if (!j.contains("next-page-token") || !j["next-page-token"].is_string() ||
          j["next-page-token"].get<std::string>().empty())
        return all;
      page_token = j["next-page-token"].get<std::string>();
    }
    return IOError("{}: GET {}: too many pages", Where(), path);
  }
};

RestCatalog::RestCatalog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RestCatalog::~RestCatalog() = default;

Result<std::unique_ptr<RestCatalog>> RestCatalog::Open(const RestOptions& options) {
  if (options.uri.rfind("http://", 0) != 0 && options.uri.rfind("https://", 0) != 0)
    return InvalidArgument("REST catalog uri '{}' must start with http:// or https://", options.uri);
  if (!options.credential.empty() && !options.token.empty())
    return InvalidArgument("REST catalog {}: give either a token or a credential, not both", options.uri);
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  impl->base = options.uri;
  while (!impl->base.empty() && impl->base.back() == '/') impl->base.pop_back();
  if (impl->base.size() >= 3 && impl->base.substr(impl->base.size() - 3) == "/v1") impl->base.resize(impl->base.size() - 3);
  impl->token = options.token;
  LDP_ASSIGN_OR_RAISE(impl->http, HttpClient::Make(options.timeout_seconds));
  if (!options.credential.empty()) LDP_RETURN_NOT_OK(impl->FetchToken());

  std::string path = "/v1/config";
  if (!options.warehouse.empty()) path += "?warehouse=" + PercentEncode(options.warehouse);
  LDP_ASSIGN_OR_RAISE(json config, impl->Call("GET", path, nullptr));
  if (!config.is_object()) return IOError("{}: GET {}: the reply is not an object", impl->Where(), path);
  LDP_ASSIGN_OR_RAISE(auto defaults, StringMap(config.value("defaults", json()), "defaults"));
  LDP_ASSIGN_OR_RAISE(auto overrides, StringMap(config.value("overrides", json()), "overrides"));
  // Precedence as in the spec: defaults < client configuration < overrides.
  std::map<std::string, std::string> merged = defaults;
  if (!options.prefix.empty()) merged["prefix"] = options.prefix;
  for (const auto& [k, v] : overrides) merged[k] = v;
  if (auto it = merged.find("prefix"); it != merged.end()) impl->prefix = it->second;
  if (auto it = overrides.find("uri"); it != overrides.end() && !it->second.empty()) {
    impl->base = it->second;
    while (!impl->base.empty() && impl->base.back() == '/') impl->base.pop_back();
  }
  return std::unique_ptr<RestCatalog>(new RestCatalog(std::move(impl)));
}

const std::string& RestCatalog::name() const { return impl_->opt.name; }
const std::string& RestCatalog::prefix() const { return impl_->prefix; }

// ---- namespaces

Status RestCatalog::CreateNamespace(const Namespace& ns,
                                    const std::map<std::string, std::string>& properties) {
  json body = {{"namespace", NsJson(ns)}, {"properties", properties}};
  return impl_->Call("POST", impl_->Path("namespaces"), &body, Op::kCreate).status();
}

Result<bool> RestCatalog::NamespaceExists(const Namespace& ns) {
  return impl_->Exists(impl_->Path("namespaces/" + NsPath(ns)));
}

Result<std::vector<Namespace>> RestCatalog::ListNamespaces(const Namespace& parent) {
  std::string q = parent.empty() ? "" : "parent=" + NsPath(parent);
  LDP_ASSIGN_OR_RAISE(auto list, impl_->ListAll(impl_->Path("namespaces"), "namespaces", q));
  std::vector<Namespace> out;
  for (const auto& e : list) {
    if (!e.is_array()) continue;
    Namespace ns;
    for (const auto& level : e) {
      if (level.is_string()) ns.push_back(level.get<std::string>());
    }
    if (!ns.empty()) out.push_back(std::move(ns));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::map<std::string, std::string>> RestCatalog::LoadNamespaceProperties(const Namespace& ns) {
  std::string path = impl_->Path("namespaces/" + NsPath(ns));
  LDP_ASSIGN_OR_RAISE(json j, impl_->Call("GET", path, nullptr));
  return StringMap(j.is_object() ? j.value("properties", json()) : json(), "properties");
}

Status RestCatalog::DropNamespace(const Namespace& ns) {
  return impl_->Call("DELETE", impl_->Path("namespaces/" + NsPath(ns)), nullptr, Op::kDrop).status();
}

Status RestCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                              const std::map<std::string, std::string>& updates,
                                              const std::vector<std::string>& removals) {
  json body = {{"updates", updates}, {"removals", removals}};
  return impl_->Call("POST", impl_->Path("namespaces/" + NsPath(ns) + "/properties"), &body)
      .status();
}

// ---- tables

Result<std::vector<TableIdentifier>> RestCatalog::ListTables(const Namespace& ns) {
  LDP_ASSIGN_OR_RAISE(auto list,
                      impl_->ListAll(impl_->Path("namespaces/" + NsPath(ns) + "/tables"),
                                     "identifiers", ""));
  std::vector<TableIdentifier> out;
  for (const auto& e : list) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) continue;
    TableIdentifier id;
    id.ns = ns;
    if (e.contains("namespace") && e["namespace"].is_array()) id.ns = e["namespace"].get<Namespace>();
    id.name = e["name"].get<std::string>();
    out.push_back(std::move(id));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<CatalogTable> RestCatalog::LoadTable(const TableIdentifier& id) {
  std::string path = impl_->TablePath(id);
  LDP_ASSIGN_OR_RAISE(json j, impl_->Call("GET", path, nullptr));
  return impl_->ParseLoadResult("GET", path, j);
}

Result<std::string> RestCatalog::LoadTableLocation(const TableIdentifier& id) {
  LDP_ASSIGN_OR_RAISE(CatalogTable t, LoadTable(id));
  return t.metadata_location;
}

Result<bool> RestCatalog::TableExists(const TableIdentifier& id) {
  return impl_->Exists(impl_->TablePath(id));
}

Status RestCatalog::CreateTable(const TableIdentifier& id, const std::string& metadata_location) {
  json body = {{"name", id.name}, {"metadata-location", metadata_location}};
  return impl_->Call("POST", impl_->Path("namespaces/" + NsPath(id.ns) + "/register"), &body,
                     Op::kCreate)
      .status();
}

Status RestCatalog::ReplaceTableLocation(const TableIdentifier& id, const std::string&,
                                         const std::string& new_location) {
  json body = {{"name", id.name}, {"metadata-location", new_location}, {"overwrite", true}};
  return impl_->Call("POST", impl_->Path("namespaces/" + NsPath(id.ns) + "/register"), &body, Op::kCommit)
      .status();
}

Status RestCatalog::CommitTable(const TableIdentifier& id, const std::string&, const std::string&) {
  return NotImplemented(
      "{}: table {}: a REST catalog commits metadata changes, not metadata locations",
      impl_->Where(), id.ToString());
}

Status RestCatalog::CommitTables(const std::vector<TableCommit>& commits) {
  return NotImplemented("{}: a REST catalog commits metadata changes, not metadata locations",
                        impl_->Where());
}

Status RestCatalog::DropTable(const TableIdentifier& id) {
  return impl_->Call("DELETE", impl_->TablePath(id) + "?purgeRequested=false", nullptr, Op::kDrop)
      .status();
}

Status RestCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  json body = {{"source", {{"namespace", NsJson(from.ns)}, {"name", from.name}}},
               {"destination", {{"namespace", NsJson(to.ns)}, {"name", to.name}}}};
  return impl_->Call("POST", impl_->Path("tables/rename"), &body, Op::kCreate).status();
}

Result<CatalogTable> RestCatalog::CreateTable(const TableIdentifier& id,
                                              const iceberg::TableMetadata& md) {
  json mj = md.ToJson();
  json body = {{"name", id.name}, {"stage-create", false}};
  for (const auto& s : mj["schemas"]) {
    if (s.value("schema-id", -1) == md.current_schema_id) body["schema"] = s;
  }
  for (const auto& s : mj["partition-specs"]) {
    if (s.value("spec-id", -1) == md.default_spec_id) body["partition-spec"] = s;
  }
  if (mj.contains("sort-orders")) {
    for (const auto& o : mj["sort-orders"]) {
      // An unsorted table sends no write-order (the server's default is unsorted, id 0).
      if (o.value("order-id", -1) == md.default_sort_order_id && o.contains("fields") &&
          !o["fields"].empty()) {
        body["write-order"] = o;
      }
    }
  }
  std::map<std::string, std::string> props = md.properties;
  if (md.format_version != 2) props["format-version"] = std::to_string(md.format_version);
  body["properties"] = props;
  std::string path = impl_->Path("namespaces/" + NsPath(id.ns) + "/tables");
  LDP_ASSIGN_OR_RAISE(json j, impl_->Call("POST", path, &body, Op::kCreate));
  return impl_->ParseLoadResult("POST", path, j);
}

Result<CatalogTable> RestCatalog::CommitTable(const TableIdentifier& id,
                                              const iceberg::TableMetadata& base,
                                              const iceberg::TableMetadata& next) {
  LDP_ASSIGN_OR_RAISE(iceberg::MetadataDiff diff, iceberg::DiffMetadata(base, next));
  json body = {{"identifier", {{"namespace", NsJson(id.ns)}, {"name", id.name}}},
               {"requirements", diff.requirements},
               {"updates", diff.updates}};
  std::string path = impl_->TablePath(id);
  LDP_ASSIGN_OR_RAISE(json j, impl_->Call("POST", path, &body, Op::kCommit));
  return impl_->ParseLoadResult("POST", path, j);
}

}  // namespace ldp::catalog::rest
