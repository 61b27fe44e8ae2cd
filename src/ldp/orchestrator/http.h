#pragma once
// HTTP requests for http tasks and URL sensors, through libcurl.
//
// libcurl is loaded with dlopen on the first request rather than linked: linking it would make
// every ldp process load libcurl and its TLS, LDAP and Kerberos libraries at start-up, which
// short commands such as `ldp query` would pay for (docs/adr/0007-process-start-up.md).
//
// Thread-safety: Request may be called from several threads.

#include <map>
#include <string>

#include "ldp/core/status.h"

namespace ldp::orchestrator {

struct HttpResponse {
  long status = 0;
  std::string body;
};

/// Performs one request. Unavailable when the server cannot be reached or libcurl is missing;
/// a non-2xx answer is a response, not an error.
Result<HttpResponse> HttpRequest(const std::string& method, const std::string& url,
                                 const std::map<std::string, std::string>& headers, const std::string& body,
                                 double timeout_seconds);

}  // namespace ldp::orchestrator
