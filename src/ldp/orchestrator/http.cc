#include "ldp/orchestrator/http.h"

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <mutex>

namespace ldp::orchestrator {
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
    auto sym = [&](auto& f, const char* name) { f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(h, name)); };
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

size_t Append(char* data, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  // Keep at most 1 MiB of a response body: it goes to a log, not into tables.
  if (s->size() < (1 << 20)) s->append(data, std::min(size * n, (1u << 20) - s->size()));
  return size * n;
}

}  // namespace

Result<HttpResponse> HttpRequest(const std::string& method, const std::string& url,
                                 const std::map<std::string, std::string>& headers, const std::string& body,
                                 double timeout_seconds) {
  const Curl& c = LoadCurl();
  if (!c.ok) return Unavailable("libcurl (libcurl4) is not installed; http tasks and URL sensors need it");
  CURL* h = c.easy_init();
  if (!h) return Internal("curl_easy_init failed");
  HttpResponse resp;
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = c.slist_append(list, (k + ": " + v).c_str());
  c.easy_setopt(h, CURLOPT_URL, url.c_str());
  c.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") c.easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!body.empty()) {
    c.easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    c.easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (list) c.easy_setopt(h, CURLOPT_HTTPHEADER, list);
  c.easy_setopt(h, CURLOPT_WRITEFUNCTION, &Append);
  c.easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
  c.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  c.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (timeout_seconds > 0) c.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_seconds * 1000));
  CURLcode rc = c.easy_perform(h);
  if (rc == CURLE_OK) c.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  c.slist_free_all(list);
  c.easy_cleanup(h);
  if (rc != CURLE_OK) return Unavailable("{} {}: {}", method, url, c.easy_strerror(rc));
  return resp;
}

}  // namespace ldp::orchestrator
