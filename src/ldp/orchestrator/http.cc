#include "ldp/orchestrator/http.h"

#include "ldp/io/http.h"

namespace ldp::orchestrator {

Result<HttpResponse> HttpRequest(const std::string& method, const std::string& url,
                                 const std::map<std::string, std::string>& headers, const std::string& body,
                                 double timeout_seconds) {
  io::HttpRequest req;
  req.method = method;
  req.url = url;
  req.headers = headers;
  req.body = body;
  req.timeout_seconds = timeout_seconds;
  req.decode_content = false;
  // Keep at most 1 MiB of a response body: it goes to a log, not into tables.
  req.max_body_bytes = 1 << 20;
  LDP_ASSIGN_OR_RAISE(io::HttpResponse r, io::HttpPerform(req));
  return HttpResponse{r.status, std::move(r.body)};
}

}  // namespace ldp::orchestrator
