#pragma once
// HTTP GET/POST for the connectors (REST API and BigQuery sources, file downloads): whole
// responses with their headers, or a body streamed to a callback.
//
// libcurl is loaded with dlopen on first use, as orchestrator/http.cc does, so that commands which
// never touch the network do not load it (docs/adr/0007-process-start-up.md). That client keeps
// only 1 MiB of a body and no headers, which a connector cannot work with; this one is separate.
//
// Thread-safety: Request may be called from several threads.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "ldp/core/status.h"

namespace ldp::connectors {

struct HttpResponse {
  long status = 0;
  /// Header names lower-cased; a repeated header keeps its last value; ":status" is the code.
  std::map<std::string, std::string> headers;
  std::string body;
};

struct HttpRequestSpec {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
  double timeout_seconds = 60;
  /// Ask for and decode gzip/deflate bodies (off for downloads, whose length is checked against
  /// Content-Length).
  bool decode_content = true;
  /// When set, a 2xx body goes here piece by piece (the response's body stays empty; an error
  /// answer's body is kept in it); returning false aborts the transfer.
  std::function<bool(const char* data, size_t n)> on_body;
};

/// Performs one request. Unavailable when the host cannot be reached (or libcurl is missing);
/// any HTTP status is a response, not an error. Messages name the URL given.
Result<HttpResponse> HttpFetch(const HttpRequestSpec& request);

/// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& s);
/// Base64 (RFC 4648, padded; url=true: the URL-safe alphabet without padding).
std::string Base64Encode(const std::string& in, bool url = false);

}  // namespace ldp::connectors
