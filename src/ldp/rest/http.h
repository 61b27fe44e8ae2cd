#pragma once
// Plain HTTP request and response values, so that the REST catalog's routing and handlers run
// (and are tested) without sockets; http_server.cc converts to and from cpp-httplib.
//
// Thread-safety: values.

#include <map>
#include <string>

namespace ldp::rest {

struct HttpRequest {
  std::string method;  ///< "GET", "HEAD", "POST", "DELETE", ...
  /// The request target as sent: percent-encoded path plus optional "?query".
  std::string target;
  /// Header names in lower case.
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote_addr;

  /// The header's value, or "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string body;  ///< JSON, or empty (204, HEAD)
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
};

/// Percent-decodes one URL component ("a%1Fb" -> "a\x1f" "b"; '+' -> ' ' when `plus_is_space`).
/// Malformed escapes are kept as they are.
std::string PercentDecode(const std::string& s, bool plus_is_space);

/// Percent-encodes everything but unreserved characters (RFC 3986).
std::string PercentEncode(const std::string& s);

/// "a=1&b=x%20y" -> {a: "1", b: "x y"} (later keys win).
std::map<std::string, std::string> ParseQuery(const std::string& query);

}  // namespace ldp::rest
