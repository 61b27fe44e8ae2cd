#include "ldp/rest/catalog_service.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "ldp/iceberg/metadata_file.h"
#include "ldp/iceberg/table_changes.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/http.h"

namespace ldp::rest {

using nlohmann::json;

// ---- small HTTP helpers ----------------------------------------------------------------------

std::string PercentDecode(const std::string& s, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string PercentEncode(const std::string& s) { return io::PercentEncode(s); }

std::map<std::string, std::string> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = PercentDecode(part.substr(0, eq), true);
      std::string value = eq == std::string::npos ? "" : PercentDecode(part.substr(eq + 1), true);
      out[key] = value;
    }
    pos = amp + 1;
  }
  return out;
}

// ---- errors ----------------------------------------------------------------------------------

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotAuthorized:
      return 401;
    case ErrorCode::kNotFound:
    case ErrorCode::kNoSuchNamespace:
    case ErrorCode::kNoSuchTable:
      return 404;
    case ErrorCode::kNotImplemented:
      return 406;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kNamespaceNotEmpty:
    case ErrorCode::kCommitFailed:
      return 409;
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return 503;
    case ErrorCode::kCommitStateUnknown:
    case ErrorCode::kIOError:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorTypeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "BadRequestException";
    case ErrorCode::kNotAuthorized:
      return "NotAuthorizedException";
    case ErrorCode::kNotFound:
      return "NotFoundException";
    case ErrorCode::kNoSuchNamespace:
      return "NoSuchNamespaceException";
    case ErrorCode::kNoSuchTable:
      return "NoSuchTableException";
    case ErrorCode::kNotImplemented:
      return "UnsupportedOperationException";
    case ErrorCode::kAlreadyExists:
      return "AlreadyExistsException";
    case ErrorCode::kNamespaceNotEmpty:
      return "NamespaceNotEmptyException";
    case ErrorCode::kCommitFailed:
      return "CommitFailedException";
    case ErrorCode::kCommitStateUnknown:
      return "CommitStateUnknownException";
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return "ServiceUnavailableException";
    default:
      return "InternalServerError";
  }
}

namespace {

// "s3://bucket/a/b" -> {"s3://bucket", "/a/b"}; "file:///x" and "/x" -> {"", "/x"}.
std::pair<std::string, std::string> SplitRoot(const std::string& location) {
  if (location.rfind("file://", 0) == 0) return {"", location.substr(7)};
  size_t scheme = location.find("://");
  if (scheme == std::string::npos) return {"", location};
  size_t slash = location.find('/', scheme + 3);
  if (slash == std::string::npos) return {location, "/"};
  return {location.substr(0, slash), location.substr(slash)};
}

}  // namespace

Status CheckInsideWarehouse(const std::string& location, const std::string& warehouse) {
  auto [root_of_location, path] = SplitRoot(location);
  auto [root_of_warehouse, warehouse_path] = SplitRoot(warehouse);
  if (root_of_location != root_of_warehouse || (root_of_location.empty() && location.rfind("file:", 0) == 0 &&
                                                location.rfind("file://", 0) != 0)) {
    return InvalidArgument("location {} is not in the warehouse {}", location, warehouse);
  }
  if (path.empty() || path[0] != '/') {
    return InvalidArgument("location {} is not an absolute path", location);
  }
  if (path.find('%') != std::string::npos || path.find('\\') != std::string::npos ||
      path.find('\0') != std::string::npos) {
    return InvalidArgument("location {} contains '%' or '\\', which ldp does not accept", location);
  }
  std::vector<std::string> parts;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string seg = path.substr(pos, slash - pos);
    if (seg == "." || seg == "..") {
      return InvalidArgument("location {} contains a '{}' segment", location, seg);
    }
    if (!seg.empty()) parts.push_back(seg);
    pos = slash + 1;
  }
  std::string normal;
  for (const auto& p : parts) normal += "/" + p;
  std::string root = warehouse_path;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (normal.size() <= root.size() + 1 || normal.compare(0, root.size(), root) != 0 ||
      normal[root.size()] != '/') {
    return InvalidArgument("location {} is outside the warehouse {}", location, warehouse);
  }
  return Status::OK();
}

// ---- the service -----------------------------------------------------------------------------

namespace {

using catalog::Namespace;
using catalog::TableIdentifier;
using iceberg::TableMetadata;

constexpr char kNamespaceSeparator = '\x1f';

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse ErrorResponse(int status, const std::string& type, const std::string& message) {
  json body;
  body["error"] = {{"message", message}, {"type", type}, {"code", status}};
  return JsonResponse(status, body);
}

HttpResponse ErrorResponse(const Status& st) {
  return ErrorResponse(HttpStatusFor(st.code()), ErrorTypeFor(st.code()), st.message());
}

Result<json> ParseBody(const HttpRequest& req) {
  if (req.body.empty()) return InvalidArgument("the request needs a JSON body");
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("the request body is not valid JSON");
  if (!j.is_object()) return InvalidArgument("the request body must be a JSON object");
  return j;
}

Result<Namespace> NamespaceFromPath(const std::string& segment) {
  Namespace ns;
  size_t pos = 0;
  while (true) {
    size_t sep = segment.find(kNamespaceSeparator, pos);
    std::string level =
        segment.substr(pos, sep == std::string::npos ? std::string::npos : sep - pos);
    if (level.empty()) return InvalidArgument("namespace '{}' has an empty level", segment);
    ns.push_back(std::move(level));
    if (sep == std::string::npos) break;
    pos = sep + 1;
  }
  return ns;
}

Result<Namespace> NamespaceFromJson(const json& j, const std::string& what) {
  if (!j.is_array()) return InvalidArgument("'{}' must be an array of strings", what);
  Namespace ns;
  for (const auto& level : j) {
    if (!level.is_string() || level.get<std::string>().empty()) {
      return InvalidArgument("'{}' must be an array of non-empty strings", what);
    }
    ns.push_back(level.get<std::string>());
  }
  if (ns.empty()) return InvalidArgument("'{}' is empty", what);
  return ns;
}

Result<TableIdentifier> IdentifierFromJson(const json& j, const std::string& what) {
  if (!j.is_object()) return InvalidArgument("'{}' must be an object", what);
  TableIdentifier id;
  LDP_ASSIGN_OR_RAISE(id.ns, NamespaceFromJson(j.value("namespace", json()), what + ".namespace"));
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
    return InvalidArgument("'{}.name' must be a non-empty string", what);
  }
  id.name = j["name"].get<std::string>();
  return id;
}

Result<std::map<std::string, std::string>> StringMapFromJson(const json& j,
                                                             const std::string& what) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) return InvalidArgument("'{}' must be an object of strings", what);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) {
      return InvalidArgument("'{}.{}' must be a string", what, it.key());
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

json NamespaceJson(const Namespace& ns) {
  json arr = json::array();
  for (const auto& l : ns) arr.push_back(l);
  return arr;
}

std::string JoinForToken(const Namespace& ns) {
  std::string s;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (i) s.push_back(kNamespaceSeparator);
    s += ns[i];
  }
  return s;
}

/// Page of `items` (sorted by `key`) after `token`, at most `size` long (0 = all).
template <typename T, typename KeyFn>
std::pair<std::vector<T>, std::optional<std::string>> Page(const std::vector<T>& items,
                                                           const std::string& token, size_t size,
                                                           KeyFn key) {
  std::vector<T> out;
  for (const auto& item : items) {
    if (!token.empty() && key(item) <= token) continue;
    if (size > 0 && out.size() == size) return {out, key(out.back())};
    out.push_back(item);
  }
  return {out, std::nullopt};
}

Result<size_t> PageSize(const std::map<std::string, std::string>& q) {
  auto it = q.find("pageSize");
  if (it == q.end() || it->second.empty()) return size_t{0};
  size_t n = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9' || n > 1000000)
      return InvalidArgument("pageSize must be a positive integer");
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (n == 0) return InvalidArgument("pageSize must be a positive integer");
  return n;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A table's current state as the catalog and its metadata file say.
struct Current {
  std::string location;  ///< metadata location
  std::shared_ptr<TableMetadata> metadata;
};

/// One table's prepared commit: the new metadata written, waiting for the catalog swap.
struct Prepared {
  TableIdentifier id;
  std::optional<std::string> expected;  ///< nullopt: create
  std::string new_location;
  std::shared_ptr<TableMetadata> metadata;
  bool wrote = false;  ///< false for a no-op commit (nothing changes)
};

struct TableChange {
  TableIdentifier id;
  json requirements;
  json updates;
};

class Handler {
 public:
  Handler(catalog::Catalog& cat, io::FileSystem& fs, const ServiceOptions& opt)
      : cat_(cat), fs_(fs), opt_(opt) {}

  std::string DefaultLocation(const TableIdentifier& id) const {
    return io::ToFileUri(
        fmt::format("{}/{}.db/{}", opt_.warehouse, catalog::NamespaceToString(id.ns), id.name));
  }

  Result<Current> Load(const TableIdentifier& id) {
    LDP_ASSIGN_OR_RAISE(std::string loc, cat_.LoadTableLocation(id));
    auto text = iceberg::ReadMetadataText(fs_, loc);
    if (!text.ok()) {
      return Internal("table {}: cannot read metadata {}: {}", id.ToString(), loc,
                      text.status().message());
    }
    auto md = TableMetadata::FromJsonString(*text);
    if (!md.ok()) {
      return Internal("table {}: metadata {} is invalid: {}", id.ToString(), loc,
                      md.status().message());
    }
    return Current{loc, *md};
  }

  Status RequireNamespace(const Namespace& ns) {
    LDP_ASSIGN_OR_RAISE(bool exists, cat_.NamespaceExists(ns));
    if (!exists)
      return NoSuchNamespace("namespace {} does not exist", catalog::NamespaceToString(ns));
    return Status::OK();
  }

  /// Writes `md` as the version after `base_location` (or version 0) under its location.
  Result<std::string> WriteMetadata(const TableMetadata& md, const std::string* base_location) {
    int version = 0;
    if (base_location) {
      int v = iceberg::ParseMetadataVersion(*base_location);
      version = v < 0 ? 1 : v + 1;
    }
    std::string path =
        fmt::format("{}/metadata/{}", md.location, iceberg::MetadataFileName(version));
    LDP_RETURN_NOT_OK(CheckInsideWarehouse(path, opt_.warehouse));
    LDP_RETURN_NOT_OK(fs_.WriteFileExclusive(path, md.ToJsonString()));
    return path;
  }

  /// Checks requirements and applies updates of one table against its current state, and
  /// writes the new metadata file (not yet committed).
  Result<Prepared> Prepare(const TableChange& change) {
    Prepared p;
    p.id = change.id;
    std::optional<Current> current;
    auto loaded = Load(change.id);
    if (loaded.ok()) {
      current = std::move(*loaded);
    } else if (loaded.status().code() == ErrorCode::kNoSuchTable &&
               iceberg::RequiresCreate(change.requirements)) {
      LDP_RETURN_NOT_OK(RequireNamespace(change.id.ns));
    } else {
      return loaded.status();
    }
    const TableMetadata* base = current ? current->metadata.get() : nullptr;
    LDP_RETURN_NOT_OK(iceberg::CheckRequirements(change.requirements, base)
                          .WithContext(fmt::format("table {}", change.id.ToString())));
    if (current) p.expected = current->location;
    if (current && (!change.updates.is_array() || change.updates.empty())) {
      p.new_location = current->location;
      p.metadata = current->metadata;
      return p;  // nothing to change
    }
    for (const auto& loc : iceberg::LocationsSetBy(change.updates)) {
      LDP_RETURN_NOT_OK(CheckInsideWarehouse(loc, opt_.warehouse));
    }
    const int64_t now = NowMs();
    auto next = iceberg::ApplyUpdates(base, change.updates, DefaultLocation(change.id), now);
    if (!next.ok()) return next.status().WithContext(fmt::format("table {}", change.id.ToString()));
    p.metadata = *next;
    LDP_RETURN_NOT_OK(CheckInsideWarehouse(p.metadata->location, opt_.warehouse));
    if (current) {
      iceberg::AppendMetadataLog(*p.metadata, current->metadata->last_updated_ms, current->location);
    }
    LDP_ASSIGN_OR_RAISE(p.new_location,
                        WriteMetadata(*p.metadata, current ? &current->location : nullptr));
    p.wrote = true;
    return p;
  }

  void Discard(const std::vector<Prepared>& prepared) {
    for (const auto& p : prepared) {
      if (p.wrote) (void)fs_.Delete(p.new_location);
    }
  }

  /// Prepares and commits all changes at once, re-evaluating them when another writer won the
  /// compare-and-swap in between.
  Result<std::vector<Prepared>> Commit(const std::vector<TableChange>& changes) {
    for (int attempt = 0;; ++attempt) {
      std::vector<Prepared> prepared;
      Status st;
      for (const auto& c : changes) {
        auto p = Prepare(c);
        if (!p.ok()) {
          st = p.status();
          break;
        }
        prepared.push_back(std::move(*p));
      }
      if (!st.ok()) {
        Discard(prepared);
        return st;
      }
      std::vector<catalog::TableCommit> swaps;
      for (const auto& p : prepared) {
        if (p.wrote) swaps.push_back({p.id, p.expected, p.new_location});
      }
      st = cat_.CommitTables(swaps);
      if (st.ok()) return prepared;
      // After CommitStateUnknown a written file may be current: it must stay.
      if (st.code() != ErrorCode::kCommitStateUnknown) Discard(prepared);
      if (st.code() != ErrorCode::kCommitFailed || attempt + 1 >= opt_.commit_attempts) return st;
    }
  }

  json LoadResult(const std::optional<std::string>& location, const TableMetadata& md,
                  const std::string& snapshots_mode) {
    json j;
    j["metadata-location"] = location ? json(*location) : json(nullptr);
    if (snapshots_mode == "refs") {
      TableMetadata copy = md;
      std::set<int64_t> keep;
      for (const auto& [name, ref] : copy.refs) keep.insert(ref.snapshot_id);
      std::erase_if(copy.snapshots,
                    [&](const iceberg::Snapshot& s) { return keep.count(s.snapshot_id) == 0; });
      j["metadata"] = copy.ToJson();
    } else {
      j["metadata"] = md.ToJson();
    }
    j["config"] = json::object();
    return j;
  }

  // ---- namespaces

  HttpResponse ListNamespaces(const std::map<std::string, std::string>& q) {
    Namespace parent;
    if (auto it = q.find("parent"); it != q.end() && !it->second.empty()) {
      auto p = NamespaceFromPath(it->second);
      if (!p.ok()) return ErrorResponse(p.status());
      parent = *p;
    }
    auto size = PageSize(q);
    if (!size.ok()) return ErrorResponse(size.status());
    auto list = cat_.ListNamespaces(parent);
    if (!list.ok()) return ErrorResponse(list.status());
    std::sort(list->begin(), list->end(), [](const Namespace& a, const Namespace& b) {
      return JoinForToken(a) < JoinForToken(b);
    });
    auto token = q.count("pageToken") ? q.at("pageToken") : std::string();
    auto [page, next] = Page(*list, token, *size, JoinForToken);
    json out;
    out["namespaces"] = json::array();
    for (const auto& ns : page) out["namespaces"].push_back(NamespaceJson(ns));
    if (next) out["next-page-token"] = *next;
    return JsonResponse(200, out);
  }

  HttpResponse CreateNamespace(const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto ns = NamespaceFromJson(body->value("namespace", json()), "namespace");
    if (!ns.ok()) return ErrorResponse(ns.status());
    auto props = StringMapFromJson(body->value("properties", json()), "properties");
    if (!props.ok()) return ErrorResponse(props.status());
    Status st = cat_.CreateNamespace(*ns, *props);
    if (!st.ok()) return ErrorResponse(st);
    auto stored = cat_.LoadNamespaceProperties(*ns);
    json out;
    out["namespace"] = NamespaceJson(*ns);
    out["properties"] = stored.ok() ? json(*stored) : json(*props);
    return JsonResponse(200, out);
  }

  HttpResponse LoadNamespace(const Namespace& ns) {
    auto props = cat_.LoadNamespaceProperties(ns);
    if (!props.ok()) return ErrorResponse(props.status());
    json out;
    out["namespace"] = NamespaceJson(ns);
    out["properties"] = *props;
    return JsonResponse(200, out);
  }

  HttpResponse NamespaceExists(const Namespace& ns) {
    auto exists = cat_.NamespaceExists(ns);
    if (!exists.ok()) return ErrorResponse(exists.status());
    if (!*exists)
      return ErrorResponse(
          NoSuchNamespace("namespace {} does not exist", catalog::NamespaceToString(ns)));
    return NoContent();
  }

  HttpResponse DropNamespace(const Namespace& ns) {
    Status st = cat_.DropNamespace(ns);
    return st.ok() ? NoContent() : ErrorResponse(st);
  }

  HttpResponse UpdateNamespaceProperties(const Namespace& ns, const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto updates = StringMapFromJson(body->value("updates", json()), "updates");
    if (!updates.ok()) return ErrorResponse(updates.status());
    std::vector<std::string> removals;
    if (json r = body->value("removals", json()); !r.is_null()) {
      if (!r.is_array())
        return ErrorResponse(InvalidArgument("'removals' must be an array of strings"));
      for (const auto& k : r) {
        if (!k.is_string())
          return ErrorResponse(InvalidArgument("'removals' must be an array of strings"));
        removals.push_back(k.get<std::string>());
      }
    }
    for (const auto& k : removals) {
      if (updates->count(k)) {
        return ErrorResponse(422, "UnprocessableEntityException",
                             fmt::format("property '{}' is both updated and removed", k));
      }
    }
    auto before = cat_.LoadNamespaceProperties(ns);
    if (!before.ok()) return ErrorResponse(before.status());
    Status st = cat_.UpdateNamespaceProperties(ns, *updates, removals);
    if (!st.ok()) return ErrorResponse(st);
    json out;
    out["updated"] = json::array();
    out["removed"] = json::array();
    out["missing"] = json::array();
    for (const auto& [k, v] : *updates) out["updated"].push_back(k);
    for (const auto& k : removals) out[before->count(k) ? "removed" : "missing"].push_back(k);
    return JsonResponse(200, out);
  }

  // ---- tables

  HttpResponse ListTables(const Namespace& ns, const std::map<std::string, std::string>& q) {
    auto size = PageSize(q);
    if (!size.ok()) return ErrorResponse(size.status());
    auto list = cat_.ListTables(ns);
    if (!list.ok()) return ErrorResponse(list.status());
    auto token = q.count("pageToken") ? q.at("pageToken") : std::string();
    auto [page, next] =
        Page(*list, token, *size, [](const TableIdentifier& id) { return id.name; });
    json out;
    out["identifiers"] = json::array();
    for (const auto& id : page) {
      out["identifiers"].push_back({{"namespace", NamespaceJson(id.ns)}, {"name", id.name}});
    }
    if (next) out["next-page-token"] = *next;
    return JsonResponse(200, out);
  }

  HttpResponse CreateTable(const Namespace& ns, const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    if (!b.contains("name") || !b["name"].is_string() || b["name"].get<std::string>().empty()) {
      return ErrorResponse(InvalidArgument("'name' must be a non-empty string"));
    }
    if (!b.contains("schema") || !b["schema"].is_object()) {
      return ErrorResponse(InvalidArgument("'schema' must be a schema object"));
    }
    TableIdentifier id{ns, b["name"].get<std::string>()};
    auto props = StringMapFromJson(b.value("properties", json()), "properties");
    if (!props.ok()) return ErrorResponse(props.status());
    bool stage = b.value("stage-create", false);

    // The request becomes the update list a staged create's commit would carry, so a new table
    // is built by the same code that applies commits.
    json updates = json::array();
    int format_version = 2;
    if (auto fv = props->find("format-version"); fv != props->end()) {
      if (fv->second == "1" || fv->second == "2") {
        format_version = fv->second[0] - '0';
      } else {
        return ErrorResponse(
            NotImplemented("format-version {} is not supported (ldp writes 1 and 2)", fv->second));
      }
      props->erase(fv);
    }
    updates.push_back({{"action", "assign-uuid"}, {"uuid", iceberg::NewUuid()}});
    updates.push_back({{"action", "upgrade-format-version"}, {"format-version", format_version}});
    json schema = b["schema"];
    if (!schema.contains("schema-id")) schema["schema-id"] = 0;
    updates.push_back({{"action", "add-schema"}, {"schema", schema}});
    updates.push_back({{"action", "set-current-schema"}, {"schema-id", -1}});
    json spec = b.value("partition-spec", json());
    if (spec.is_null()) spec = json{{"spec-id", 0}, {"fields", json::array()}};
    if (!spec.is_object())
      return ErrorResponse(InvalidArgument("'partition-spec' must be an object"));
    if (!spec.contains("spec-id")) spec["spec-id"] = 0;
    updates.push_back({{"action", "add-spec"}, {"spec", spec}});
    updates.push_back({{"action", "set-default-spec"}, {"spec-id", -1}});
    json order = b.value("write-order", json());
    if (!order.is_null()) {
      if (!order.is_object())
        return ErrorResponse(InvalidArgument("'write-order' must be an object"));
      updates.push_back({{"action", "add-sort-order"}, {"sort-order", order}});
      updates.push_back({{"action", "set-default-sort-order"}, {"sort-order-id", -1}});
    }
    std::string location = DefaultLocation(id);
    if (b.contains("location") && !b["location"].is_null()) {
      if (!b["location"].is_string())
        return ErrorResponse(InvalidArgument("'location' must be a string"));
      location = b["location"].get<std::string>();
    }
    Status inside = CheckInsideWarehouse(location, opt_.warehouse);
    if (!inside.ok()) return ErrorResponse(inside);
    updates.push_back({{"action", "set-location"}, {"location", location}});
    if (!props->empty()) updates.push_back({{"action", "set-properties"}, {"updates", *props}});

    Status st = RequireNamespace(ns);
    if (!st.ok()) return ErrorResponse(st);
    auto exists = cat_.TableExists(id);
    if (!exists.ok()) return ErrorResponse(exists.status());
    if (*exists) return ErrorResponse(AlreadyExists("table {} already exists", id.ToString()));

    if (stage) {
      auto md = iceberg::ApplyUpdates(nullptr, updates, location, NowMs());
      if (!md.ok()) return ErrorResponse(md.status());
      return JsonResponse(200, LoadResult(std::nullopt, **md, "all"));
    }
    json requirements = json::array({{{"type", "assert-create"}}});
    auto done = Commit({TableChange{id, requirements, updates}});
    if (!done.ok()) {
      // Lost to a concurrent create of the same name: the spec's answer is 409 AlreadyExists.
      if (done.status().code() == ErrorCode::kCommitFailed) {
        return ErrorResponse(AlreadyExists("table {} already exists", id.ToString()));
      }
      return ErrorResponse(done.status());
    }
    const Prepared& p = done->front();
    return JsonResponse(200, LoadResult(p.new_location, *p.metadata, "all"));
  }

  HttpResponse RegisterTable(const Namespace& ns, const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    const json& b = *body;
    if (!b.contains("name") || !b["name"].is_string() || b["name"].get<std::string>().empty()) {
      return ErrorResponse(InvalidArgument("'name' must be a non-empty string"));
    }
    if (!b.contains("metadata-location") || !b["metadata-location"].is_string()) {
      return ErrorResponse(InvalidArgument("'metadata-location' must be a string"));
    }
    TableIdentifier id{ns, b["name"].get<std::string>()};
    std::string loc = b["metadata-location"].get<std::string>();
    bool overwrite = b.value("overwrite", false);
    Status st = CheckInsideWarehouse(loc, opt_.warehouse);
    if (!st.ok()) return ErrorResponse(st);
    auto text = iceberg::ReadMetadataText(fs_, loc);
    if (!text.ok()) {
      return ErrorResponse(
          InvalidArgument("cannot read metadata file {}: {}", loc, text.status().message()));
    }
    auto md = TableMetadata::FromJsonString(*text);
    if (!md.ok()) return ErrorResponse(md.status().WithContext(loc));
    st = CheckInsideWarehouse((*md)->location, opt_.warehouse);
    if (!st.ok()) return ErrorResponse(st);
    st = RequireNamespace(ns);
    if (!st.ok()) return ErrorResponse(st);
    std::optional<std::string> expected;
    if (overwrite) {
      auto current = cat_.LoadTableLocation(id);
      if (current.ok()) {
        expected = *current;
      } else if (current.status().code() != ErrorCode::kNoSuchTable) {
        return ErrorResponse(current.status());
      }
    }
    st = cat_.CommitTables({{id, expected, loc}});
    if (!st.ok()) {
      if (st.code() == ErrorCode::kCommitFailed && !expected) {
        return ErrorResponse(AlreadyExists("table {} already exists", id.ToString()));
      }
      return ErrorResponse(st);
    }
    return JsonResponse(200, LoadResult(loc, **md, "all"));
  }

  HttpResponse LoadTable(const TableIdentifier& id, const HttpRequest& req,
                         const std::map<std::string, std::string>& q) {
    std::string mode = q.count("snapshots") ? q.at("snapshots") : "all";
    if (mode != "all" && mode != "refs") {
      return ErrorResponse(InvalidArgument("snapshots must be 'all' or 'refs', got '{}'", mode));
    }
    auto current = Load(id);
    if (!current.ok()) return ErrorResponse(current.status());
    // The metadata location names one immutable file, so it is a strong validator.
    std::string etag =
        fmt::format("\"{:016x}-{}\"", std::hash<std::string>()(current->location), mode);
    if (req.Header("if-none-match") == etag) {
      HttpResponse r;
      r.status = 304;
      r.content_type.clear();
      r.headers["ETag"] = etag;
      return r;
    }
    HttpResponse r = JsonResponse(200, LoadResult(current->location, *current->metadata, mode));
    r.headers["ETag"] = etag;
    return r;
  }

  HttpResponse TableExists(const TableIdentifier& id) {
    auto exists = cat_.TableExists(id);
    if (!exists.ok()) return ErrorResponse(exists.status());
    if (!*exists) return ErrorResponse(NoSuchTable("table {} does not exist", id.ToString()));
    return NoContent();
  }

  Result<TableChange> ChangeFromJson(const json& b, const std::optional<TableIdentifier>& path_id) {
    TableChange c;
    if (path_id) {
      c.id = *path_id;
      if (b.contains("identifier") && !b["identifier"].is_null()) {
        LDP_ASSIGN_OR_RAISE(TableIdentifier given,
                            IdentifierFromJson(b["identifier"], "identifier"));
        if (!(given == *path_id)) {
          return InvalidArgument("identifier {} in the body differs from the path's {}",
                                 given.ToString(), path_id->ToString());
        }
      }
    } else {
      if (!b.contains("identifier"))
        return InvalidArgument("every table change needs an 'identifier'");
      LDP_ASSIGN_OR_RAISE(c.id, IdentifierFromJson(b["identifier"], "identifier"));
    }
    c.requirements = b.value("requirements", json::array());
    c.updates = b.value("updates", json::array());
    if (c.requirements.is_null()) c.requirements = json::array();
    if (c.updates.is_null()) c.updates = json::array();
    LDP_RETURN_NOT_OK(iceberg::CheckChangeShapes(c.requirements, c.updates)
                          .WithContext(fmt::format("table {}", c.id.ToString())));
    // Requirements and updates are read before anything is evaluated, so that a malformed field
    // is a 400 even when another requirement would fail first.
    return c;
  }

  HttpResponse CommitTable(const TableIdentifier& id, const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto change = ChangeFromJson(*body, id);
    if (!change.ok()) return ErrorResponse(change.status());
    auto done = Commit({*change});
    if (!done.ok()) return ErrorResponse(done.status());
    const Prepared& p = done->front();
    json out;
    out["metadata-location"] = p.new_location;
    out["metadata"] = p.metadata->ToJson();
    return JsonResponse(200, out);
  }

  HttpResponse CommitTransaction(const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    const json changes_json = body->value("table-changes", json());
    if (!changes_json.is_array() || changes_json.empty()) {
      return ErrorResponse(InvalidArgument("'table-changes' must be a non-empty array"));
    }
    std::vector<TableChange> changes;
    std::set<TableIdentifier> seen;
    for (size_t i = 0; i < changes_json.size(); ++i) {
      if (!changes_json[i].is_object()) {
        return ErrorResponse(InvalidArgument("table-changes[{}] must be an object", i));
      }
      auto c = ChangeFromJson(changes_json[i], std::nullopt);
      if (!c.ok())
        return ErrorResponse(c.status().WithContext(fmt::format("table-changes[{}]", i)));
      if (!seen.insert(c->id).second) {
        return ErrorResponse(
            InvalidArgument("table {} appears twice in table-changes", c->id.ToString()));
      }
      changes.push_back(std::move(*c));
    }
    auto done = Commit(changes);
    if (!done.ok()) return ErrorResponse(done.status());
    return NoContent();
  }

  Status PurgeFiles(const std::string& dir) {
    auto entries = fs_.List(dir);
    if (!entries.ok()) {
      return entries.status().code() == ErrorCode::kNotFound ? Status::OK() : entries.status();
    }
    for (const auto& e : *entries) {
      if (e.is_dir) {
        LDP_RETURN_NOT_OK(PurgeFiles(e.path));
      } else {
        LDP_RETURN_NOT_OK(fs_.Delete(e.path));
      }
    }
    return Status::OK();
  }

  HttpResponse DropTable(const TableIdentifier& id, const std::map<std::string, std::string>& q) {
    std::string purge_text = q.count("purgeRequested") ? q.at("purgeRequested") : "false";
    if (purge_text != "true" && purge_text != "false") {
      return ErrorResponse(InvalidArgument("purgeRequested must be true or false"));
    }
    std::optional<std::string> table_location;
    if (purge_text == "true") {
      auto current = Load(id);
      if (!current.ok()) return ErrorResponse(current.status());
      table_location = current->metadata->location;
      // Never delete outside the warehouse, whatever the metadata says.
      Status inside = CheckInsideWarehouse(*table_location, opt_.warehouse);
      if (!inside.ok()) return ErrorResponse(inside.WithContext("refusing to purge"));
    }
    Status st = cat_.DropTable(id);
    if (!st.ok()) return ErrorResponse(st);
    if (table_location) {
      Status purged = PurgeFiles(*table_location);
      if (!purged.ok()) {
        return ErrorResponse(purged.WithContext(
            fmt::format("table {} was dropped, but purging its files failed", id.ToString())));
      }
    }
    return NoContent();
  }

  HttpResponse RenameTable(const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto from = IdentifierFromJson(body->value("source", json()), "source");
    if (!from.ok()) return ErrorResponse(from.status());
    auto to = IdentifierFromJson(body->value("destination", json()), "destination");
    if (!to.ok()) return ErrorResponse(to.status());
    Status st = cat_.RenameTable(*from, *to);
    return st.ok() ? NoContent() : ErrorResponse(st);
  }

  HttpResponse ReportMetrics(const TableIdentifier& id, const HttpRequest& req) {
    auto body = ParseBody(req);
    if (!body.ok()) return ErrorResponse(body.status());
    auto exists = cat_.TableExists(id);
    if (!exists.ok()) return ErrorResponse(exists.status());
    if (!*exists) return ErrorResponse(NoSuchTable("table {} does not exist", id.ToString()));
    return NoContent();  // accepted and not kept: ldp has no metrics store
  }

  json Config() {
    json out;
    out["defaults"] = json::object();
    out["overrides"] = json::object();
    if (!opt_.prefix.empty()) out["overrides"]["prefix"] = opt_.prefix;
    out["endpoints"] = json::array();
    for (const char* e :
         {"GET /v1/{prefix}/namespaces", "POST /v1/{prefix}/namespaces",
          "GET /v1/{prefix}/namespaces/{namespace}", "HEAD /v1/{prefix}/namespaces/{namespace}",
          "DELETE /v1/{prefix}/namespaces/{namespace}",
          "POST /v1/{prefix}/namespaces/{namespace}/properties",
          "GET /v1/{prefix}/namespaces/{namespace}/tables",
          "POST /v1/{prefix}/namespaces/{namespace}/tables",
          "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
          "POST /v1/{prefix}/namespaces/{namespace}/register",
          "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
          "POST /v1/{prefix}/tables/rename", "POST /v1/{prefix}/transactions/commit"}) {
      out["endpoints"].push_back(e);
    }
    return out;
  }

  HttpResponse Route(const HttpRequest& req, Authenticator& auth) {
    std::string target = req.target;
    std::string query;
    if (auto qm = target.find('?'); qm != std::string::npos) {
      query = target.substr(qm + 1);
      target.resize(qm);
    }
    auto q = ParseQuery(query);
    // Split the raw path first and decode each segment: an encoded '/' stays inside its name.
    std::vector<std::string> seg;
    size_t pos = 0;
    while (pos < target.size()) {
      size_t slash = target.find('/', pos);
      if (slash == std::string::npos) slash = target.size();
      if (slash > pos) seg.push_back(PercentDecode(target.substr(pos, slash - pos), false));
      pos = slash + 1;
    }
    const std::string& m = req.method;
    auto not_found = [&] {
      return ErrorResponse(404, "NotFoundException",
                           fmt::format("no route for {} {}", m, req.target));
    };
    auto bad_method = [&] {
      HttpResponse r = ErrorResponse(405, "MethodNotAllowedException",
                                     fmt::format("{} is not allowed on {}", m, req.target));
      return r;
    };
    if (seg.empty() || seg[0] != "v1") return not_found();
    seg.erase(seg.begin());

    if (seg.size() == 2 && seg[0] == "oauth" && seg[1] == "tokens") {
      if (m != "POST") return bad_method();
      if (!auth.enabled()) {
        return JsonResponse(400, {{"error", "invalid_request"},
                                  {"error_description", "this server has no OAuth2 clients"}});
      }
      auto token = auth.IssueToken(req.body, req.Header("authorization"));
      if (!token.ok()) {
        const std::string& msg = token.status().message();
        std::string code = msg.substr(0, msg.find(':'));
        int status = token.status().code() == ErrorCode::kNotAuthorized ? 401 : 400;
        return JsonResponse(status, {{"error", code}, {"error_description", msg}});
      }
      return JsonResponse(200, *token);
    }

    if (Status st = auth.Check(req.Header("authorization")); !st.ok()) {
      HttpResponse r = ErrorResponse(st);
      r.headers["WWW-Authenticate"] = "Bearer";
      return r;
    }

    if (seg.size() == 1 && seg[0] == "config") {
      if (m != "GET") return bad_method();
      return JsonResponse(200, Config());
    }
    // Optional prefix: only the configured one.
    if (!seg.empty() && !opt_.prefix.empty() && seg[0] == opt_.prefix) seg.erase(seg.begin());
    if (seg.empty()) return not_found();

    if (seg[0] == "tables" && seg.size() == 2 && seg[1] == "rename") {
      return m == "POST" ? RenameTable(req) : bad_method();
    }
    if (seg[0] == "transactions" && seg.size() == 2 && seg[1] == "commit") {
      return m == "POST" ? CommitTransaction(req) : bad_method();
    }
    if (seg[0] != "namespaces") return not_found();
    if (seg.size() == 1) {
      if (m == "GET") return ListNamespaces(q);
      if (m == "POST") return CreateNamespace(req);
      return bad_method();
    }
    auto ns = NamespaceFromPath(seg[1]);
    if (!ns.ok()) return ErrorResponse(ns.status());
    if (seg.size() == 2) {
      if (m == "GET") return LoadNamespace(*ns);
      if (m == "HEAD") return NamespaceExists(*ns);
      if (m == "DELETE") return DropNamespace(*ns);
      return bad_method();
    }
    if (seg.size() == 3 && seg[2] == "properties") {
      return m == "POST" ? UpdateNamespaceProperties(*ns, req) : bad_method();
    }
    if (seg.size() == 3 && seg[2] == "register") {
      return m == "POST" ? RegisterTable(*ns, req) : bad_method();
    }
    if (seg[2] != "tables") return not_found();
    if (seg.size() == 3) {
      if (m == "GET") return ListTables(*ns, q);
      if (m == "POST") return CreateTable(*ns, req);
      return bad_method();
    }
    TableIdentifier id{*ns, seg[3]};
    if (seg.size() == 4) {
      if (m == "GET") return LoadTable(id, req, q);
      if (m == "HEAD") return TableExists(id);
      if (m == "POST") return CommitTable(id, req);
      if (m == "DELETE") return DropTable(id, q);
      return bad_method();
    }
    if (seg.size() == 5 && seg[4] == "metrics") {
      return m == "POST" ? ReportMetrics(id, req) : bad_method();
    }
    return not_found();
  }

 private:
  catalog::Catalog& cat_;
  io::FileSystem& fs_;
  const ServiceOptions& opt_;
};

}  // namespace

CatalogService::CatalogService(catalog::Catalog& catalog, std::shared_ptr<io::FileSystem> fs,
                               ServiceOptions options)
    : catalog_(catalog), fs_(std::move(fs)), options_(std::move(options)), auth_(options_.auth) {
  while (options_.warehouse.size() > 1 && options_.warehouse.back() == '/') {
    options_.warehouse.pop_back();
  }
}

HttpResponse CatalogService::Handle(const HttpRequest& request) {
  HttpResponse r;
  try {
    Handler h(catalog_, *fs_, options_);
    r = h.Route(request, auth_);
  } catch (const std::exception& e) {
    // nlohmann::json throws on type mismatches deep inside handlers; they are the client's
    // malformed input, never a reason to drop the connection.
    r = ErrorResponse(400, "BadRequestException", fmt::format("malformed request: {}", e.what()));
  }
  if (request.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace ldp::rest
