#pragma once
// HTTP requests for http tasks, URL sensors and notifications, through io/http.h. Bodies are
// kept up to 1 MiB: they go to logs, not into tables.
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
