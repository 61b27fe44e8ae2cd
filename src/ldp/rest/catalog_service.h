#pragma once
// The Iceberg REST catalog (apache/iceberg open-api/rest-catalog-open-api.yaml) over an ldp
// Catalog and FileSystem: routing, request parsing, the spec's error model, and the commit state
// machine (requirements checked, updates applied, the next metadata file written, then the
// catalog's compare-and-swap). No sockets here: http_server.cc feeds it requests.
//
// Thread-safety: thread-safe (the catalog and file system are; the service keeps no mutable
// state besides the authenticator's issued tokens).

#include <memory>
#include <string>

#include "ldp/catalog/catalog.h"
#include "ldp/io/file_system.h"
#include "ldp/rest/auth.h"
#include "ldp/rest/http.h"

namespace ldp::rest {

struct ServiceOptions {
  /// Absolute local warehouse folder: every table location and registered metadata file must be
  /// inside it.
  std::string warehouse;
  /// Optional catalog prefix, advertised in /v1/config `overrides.prefix`; requests may use
  /// `/v1/{prefix}/...` or plain `/v1/...`.
  std::string prefix;
  /// How often a commit that lost the compare-and-swap to another writer is re-evaluated
  /// (requirements re-checked against the new metadata) before answering 409.
  int commit_attempts = 4;
  AuthOptions auth;
};

class CatalogService {
 public:
  CatalogService(catalog::Catalog& catalog, std::shared_ptr<io::FileSystem> fs,
                 ServiceOptions options);

  /// Answers one request. Never throws; every error is a JSON `{"error": {...}}` body with the
  /// status the spec names (HEAD answers carry no body).
  HttpResponse Handle(const HttpRequest& request);

  bool auth_enabled() const { return auth_.enabled(); }

 private:
  catalog::Catalog& catalog_;
  std::shared_ptr<io::FileSystem> fs_;
  ServiceOptions options_;
  Authenticator auth_;
};

/// The HTTP status and `type` of the spec's error model for a Status code.
int HttpStatusFor(ErrorCode code);
std::string ErrorTypeFor(ErrorCode code);

/// True when `location` (file:// URI or absolute path) lies strictly inside `warehouse` after
/// lexical normalisation, with no "." or ".." segments. InvalidArgument saying why otherwise.
Status CheckInsideWarehouse(const std::string& location, const std::string& warehouse);

}  // namespace ldp::rest
