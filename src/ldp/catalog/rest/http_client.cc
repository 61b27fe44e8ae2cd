#include "ldp/catalog/rest/http_client.h"

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <cctype>
#include <type_traits>

namespace ldp::catalog::rest {
namespace {

struct Curl {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  void (*easy_reset)(CURL*) = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  bool ok = false;
};

// Function-local static: initialised once, thread-safely, on the first request.
const Curl& Lib() {
  static Curl c = [] {
    Curl c;
    void* h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) return c;
    bool all = true;
    auto sym = [&](auto& f, const char* name) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(h, name));
      all = all && f != nullptr;
    };
    sym(c.global_init, "curl_global_init");
    sym(c.easy_init, "curl_easy_init");
    sym(c.easy_setopt, "curl_easy_setopt");
    sym(c.easy_perform, "curl_easy_perform");
    sym(c.easy_getinfo, "curl_easy_getinfo");
    sym(c.easy_reset, "curl_easy_reset");
    sym(c.easy_cleanup, "curl_easy_cleanup");
    sym(c.easy_strerror, "curl_easy_strerror");
    sym(c.slist_append, "curl_slist_append");
    sym(c.slist_free_all, "curl_slist_free_all");
    c.ok = all;
    if (c.ok) c.global_init(CURL_GLOBAL_DEFAULT);
    return c;
  }();
  return c;
}

size_t Append(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

std::string PercentEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::unique_ptr<HttpClient>> HttpClient::Make(double timeout_seconds) {
  if (!Lib().ok) {
    return Unavailable("libcurl (Debian package libcurl4) is not installed; a REST catalog needs it");
  }
  std::unique_ptr<HttpClient> c(new HttpClient());
  c->handle_ = Lib().easy_init();
  if (c->handle_ == nullptr) return Internal("curl_easy_init failed");
  c->timeout_seconds_ = timeout_seconds;
  return c;
}

HttpClient::~HttpClient() {
  if (handle_ != nullptr) Lib().easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpReply> HttpClient::Request(const std::string& method, const std::string& url,
                                      const std::map<std::string, std::string>& headers,
                                      const std::string& body) {
  const Curl& c = Lib();
  std::lock_guard<std::mutex> lock(mu_);
  CURL* h = static_cast<CURL*>(handle_);
  // Reset clears the options of the previous request but keeps its open connection.
  c.easy_reset(h);
  HttpReply reply;
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = c.slist_append(list, (k + ": " + v).c_str());
  // No "Expect: 100-continue" round trip before larger bodies (curl's default above 1 KiB): the
  // server answers a commit at once anyway.
  list = c.slist_append(list, "Expect:");
  c.easy_setopt(h, CURLOPT_URL, url.c_str());
  if (method == "HEAD") {
    c.easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method == "POST") {
    c.easy_setopt(h, CURLOPT_POST, 1L);
    c.easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    c.easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  } else if (method != "GET") {
    c.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
      c.easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
      c.easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
  }
  if (list) c.easy_setopt(h, CURLOPT_HTTPHEADER, list);
  c.easy_setopt(h, CURLOPT_WRITEFUNCTION, &Append);
  c.easy_setopt(h, CURLOPT_WRITEDATA, &reply.body);
  c.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  c.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  c.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  if (timeout_seconds_ > 0)
    c.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds_ * 1000));
  CURLcode rc = c.easy_perform(h);
  if (rc == CURLE_OK) c.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
  c.slist_free_all(list);
  if (rc != CURLE_OK) return Unavailable("{} {}: {}", method, url, c.easy_strerror(rc));
  return reply;
}

}  // namespace ldp::catalog::rest
