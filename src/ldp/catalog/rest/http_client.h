#pragma once
// The REST catalog's HTTP client: one io::HttpSession, so the connection is kept open and reused
// between requests (HTTP keep-alive), which matters for the many small requests a catalog makes.
//
// Thread-safety: thread-safe (requests on one client are serialized).

#include <map>
#include <memory>
#include <string>

#include "ldp/core/status.h"
#include "ldp/io/http.h"

namespace ldp::catalog::rest {

struct HttpReply {
  long status = 0;
  std::string body;
};

class HttpClient {
 public:
  /// Unavailable when libcurl is not installed.
  static Result<std::unique_ptr<HttpClient>> Make(double timeout_seconds);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Performs one request. Unavailable when the server cannot be reached (the message names the
  /// method and URL); any HTTP status is a reply, not an error.
  Result<HttpReply> Request(const std::string& method, const std::string& url,
                            const std::map<std::string, std::string>& headers,
                            const std::string& body);

 private:
  HttpClient() = default;
  std::unique_ptr<io::HttpSession> session_;
  double timeout_seconds_ = 30;
};

/// Percent-encodes everything but RFC 3986 unreserved characters.
inline std::string PercentEncode(const std::string& text) { return io::PercentEncode(text); }

}  // namespace ldp::catalog::rest
