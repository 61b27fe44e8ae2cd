#include "ldp/connectors/http_client.h"

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>

namespace ldp::connectors {
namespace {

struct Curl {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  bool ok = false;
};

const Curl& LoadCurl() {
  static Curl c = [] {
    Curl c;
    void* h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) return c;
    auto sym = [&](auto& f, const char* name) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(h, name));
    };
    sym(c.global_init, "curl_global_init");
    sym(c.easy_init, "curl_easy_init");
    sym(c.easy_setopt, "curl_easy_setopt");
    sym(c.easy_perform, "curl_easy_perform");
    sym(c.easy_getinfo, "curl_easy_getinfo");
    sym(c.easy_cleanup, "curl_easy_cleanup");
    sym(c.easy_strerror, "curl_easy_strerror");
    sym(c.slist_append, "curl_slist_append");
    sym(c.slist_free_all, "curl_slist_free_all");
    c.ok = c.global_init && c.easy_init && c.easy_setopt && c.easy_perform && c.easy_getinfo && c.easy_cleanup &&
           c.easy_strerror && c.slist_append && c.slist_free_all;
    if (c.ok) c.global_init(CURL_GLOBAL_DEFAULT);
    return c;
  }();
  return c;
}

struct Transfer {
  HttpResponse* resp;
  const HttpRequestSpec* req;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  // Streamed bodies go to the callback only for 2xx answers; an error page stays in `body`.
  auto st = t->resp->headers.find(":status");
  bool ok = st != t->resp->headers.end() && !st->second.empty() && st->second[0] == '2';
  if (t->req->on_body && ok) return t->req->on_body(data, size * n) ? size * n : 0;
  if (t->req->on_body && t->resp->body.size() > (1 << 16)) return size * n;
  t->resp->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (redirects)
    size_t sp = line.find(' ');
    t->resp->headers[":status"] = sp == std::string::npos ? "" : line.substr(sp + 1, 3);
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string k = line.substr(0, colon);
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
    t->resp->headers[k] = v;
  }
  return size * n;
}

}  // namespace

Result<HttpResponse> HttpFetch(const HttpRequestSpec& req) {
  const Curl& c = LoadCurl();
  if (!c.ok) return Unavailable("libcurl (libcurl4) is not installed; HTTP sources need it");
  CURL* h = c.easy_init();
  if (!h) return Internal("curl_easy_init failed");
  HttpResponse resp;
  Transfer t{&resp, &req};
  curl_slist* list = nullptr;
  for (const auto& [k, v] : req.headers) list = c.slist_append(list, (k + ": " + v).c_str());
  c.easy_setopt(h, CURLOPT_URL, req.url.c_str());
  if (req.method != "GET") c.easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (!req.body.empty() || req.method == "POST") {
    c.easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str());
    c.easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
  }
  if (list) c.easy_setopt(h, CURLOPT_HTTPHEADER, list);
  c.easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  c.easy_setopt(h, CURLOPT_WRITEDATA, &t);
  c.easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  c.easy_setopt(h, CURLOPT_HEADERDATA, &t);
  c.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  c.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (req.decode_content) c.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  if (req.timeout_seconds > 0) c.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_seconds * 1000));
  CURLcode rc = c.easy_perform(h);
  if (rc == CURLE_OK) c.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  c.slist_free_all(list);
  c.easy_cleanup(h);
  if (rc == CURLE_WRITE_ERROR && req.on_body) return IOError("{} {}: transfer aborted", req.method, req.url);
  if (rc != CURLE_OK) return Unavailable("{} {}: {}", req.method, req.url, c.easy_strerror(rc));
  return resp;
}

std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Hand-written: the libraries ldp links (DuckDB through SQL aside) export no base64 encoder, and
// this runs for one header value per request.
std::string Base64Encode(const std::string& in, bool url) {
  const char* tbl = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    if (i + 1 < in.size()) out += tbl[(v >> 6) & 63];
    else if (!url) out += '=';
    if (!url) out += '=';
  }
  return out;
}

}  // namespace ldp::connectors
