#pragma once
// The one HTTP client of ldp, over libcurl: REST catalog client, S3 storage, connectors (REST API,
// BigQuery, downloads), http tasks, sensors and notifications all send their requests through it.
//
// libcurl is loaded with dlopen on the first request rather than linked: linking it would make
// every ldp process load libcurl and its TLS, LDAP and Kerberos libraries at start-up, which short
// commands such as `ldp query` would pay for (docs/adr/0007-process-start-up.md).
//
// Two ways to send: HttpPerform (a fresh connection per request, for occasional requests) and
// HttpSession (one connection kept open between requests, for clients that make many small ones).
// Retries are the caller's: what may be retried and how long to wait differs per protocol.
//
// Thread-safety: HttpPerform may be called from several threads; an HttpSession serializes the
// requests made on it.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ldp/core/status.h"

namespace ldp::io {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
  /// When set, sent instead of `body` without a copy (large uploads); must outlive the request.
  const std::string* body_ref = nullptr;
  double timeout_seconds = 60;
  double connect_timeout_seconds = 10;
  bool follow_redirects = true;
  /// Ask for and decode gzip/deflate bodies (off for downloads, whose length is checked against
  /// Content-Length).
  bool decode_content = true;
  /// Keep at most this many bytes of a body in memory (the rest is read and dropped); 0 = all.
  size_t max_body_bytes = 0;
  /// When set, a 2xx body goes here piece by piece (the response's body stays empty; an error
  /// answer's body is kept in it, up to 64 KiB); returning false aborts the transfer, which is
  /// then an IOError.
  std::function<bool(const char* data, size_t n)> on_body;
};

struct HttpResponse {
  long status = 0;
  /// Header names lower-cased; a repeated header keeps its last value; ":status" is the code.
  std::map<std::string, std::string> headers;
  std::string body;
};

/// Performs one request on a connection of its own. Unavailable when the host cannot be reached
/// or libcurl is missing (messages name the method and URL); any HTTP status is a response.
Result<HttpResponse> HttpPerform(const HttpRequest& request);

/// A connection reused between requests (HTTP keep-alive).
class HttpSession {
 public:
  /// Unavailable when libcurl is not installed.
  static Result<std::unique_ptr<HttpSession>> Make();
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  Result<HttpResponse> Perform(const HttpRequest& request);

 private:
  HttpSession() = default;
  std::mutex mu_;
  void* handle_ = nullptr;  // CURL*
};

/// Whether libcurl could be loaded.
bool HttpAvailable();

/// Percent-encodes everything but RFC 3986 unreserved characters (and '/' when keep_slash).
std::string PercentEncode(std::string_view text, bool keep_slash = false);

}  // namespace ldp::io
