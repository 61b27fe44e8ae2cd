#include "ldp/catalog/rest/http_client.h"

namespace ldp::catalog::rest {

Result<std::unique_ptr<HttpClient>> HttpClient::Make(double timeout_seconds) {
  std::unique_ptr<HttpClient> c(new HttpClient());
  LDP_ASSIGN_OR_RAISE(c->session_, io::HttpSession::Make());
  c->timeout_seconds_ = timeout_seconds;
  return c;
}

Result<HttpReply> HttpClient::Request(const std::string& method, const std::string& url,
                                      const std::map<std::string, std::string>& headers,
                                      const std::string& body) {
  io::HttpRequest req;
  req.method = method;
  req.url = url;
  req.headers = headers;
  req.body = body;
  req.timeout_seconds = timeout_seconds_;
  req.follow_redirects = false;
  LDP_ASSIGN_OR_RAISE(io::HttpResponse r, session_->Perform(req));
  return HttpReply{r.status, std::move(r.body)};
}

}  // namespace ldp::catalog::rest
