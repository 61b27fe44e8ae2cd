#pragma once
// A small HTTP client for the REST catalog, over libcurl. One connection is kept open and reused
// between requests (HTTP keep-alive), which matters for the many small requests a catalog makes.
//
// libcurl is loaded with dlopen on first use rather than linked: linking it would make every ldp
// process load libcurl and its TLS, LDAP and Kerberos libraries at start-up, which commands on a
// local catalog would pay for (docs/adr/0007-process-start-up.md).
//
// Thread-safety: thread-safe (requests on one client are serialized).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ldp/core/status.h"

namespace ldp::catalog::rest {

struct HttpReply {
  long status = 0;
  std::string body;
};

class HttpClient {
 public:
  /// Unavailable when libcurl is not installed.
  static Result<std::unique_ptr<HttpClient>> Make(double timeout_seconds);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Performs one request. Unavailable when the server cannot be reached (the message names the
  /// method and URL); any HTTP status is a reply, not an error.
  Result<HttpReply> Request(const std::string& method, const std::string& url,
                            const std::map<std::string, std::string>& headers,
                            const std::string& body);

 private:
  HttpClient() = default;
  std::mutex mu_;
  void* handle_ = nullptr;  // CURL*
  double timeout_seconds_ = 30;
};

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(const std::string& text);

}  // namespace ldp::catalog::rest
