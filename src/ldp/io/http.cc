#include "ldp/io/http.h"

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <type_traits>

namespace ldp::io {
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

// Function-local static: loaded once, thread-safely, on the first request.
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

Status Missing() {
  return Unavailable("libcurl is not installed (Debian package libcurl4); ldp needs it for HTTP and S3");
}

struct Transfer {
  const Curl* curl;
  CURL* handle;
  const HttpRequest* req;
  HttpResponse* resp;
  bool aborted = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->req->on_body) {
    long code = 0;
    t->curl->easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &code);
    // Streamed bodies go to the callback only for 2xx answers; an error page stays in `body`.
    if (code >= 200 && code < 300) {
      if (t->req->on_body(data, len)) return len;
      t->aborted = true;
      return 0;
    }
    if (t->resp->body.size() < (1u << 16)) t->resp->body.append(data, std::min<size_t>(len, (1u << 16) - t->resp->body.size()));
    return len;
  }
  size_t cap = t->req->max_body_bytes;
  if (cap == 0) {
    t->resp->body.append(data, len);
  } else if (t->resp->body.size() < cap) {
    t->resp->body.append(data, std::min(len, cap - t->resp->body.size()));
  }
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (redirects, 100 Continue)
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

// Sets every option of `req` on `h`, performs it and fills `resp`.
Status Run(const Curl& c, CURL* h, const HttpRequest& req, HttpResponse* resp) {
  Transfer t{&c, h, &req, resp};
  curl_slist* list = nullptr;
  for (const auto& [k, v] : req.headers) list = c.slist_append(list, (k + ": " + v).c_str());
  // No "Expect: 100-continue" round trip before larger bodies (curl's default above 1 KiB).
  list = c.slist_append(list, "Expect:");
  const std::string& body = req.body_ref ? *req.body_ref : req.body;
  c.easy_setopt(h, CURLOPT_URL, req.url.c_str());
  auto send_body = [&] {
    c.easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    c.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  };
  if (req.method == "HEAD") {
    c.easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "POST") {
    c.easy_setopt(h, CURLOPT_POST, 1L);
    send_body();
  } else if (req.method != "GET") {
    c.easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!body.empty() || req.body_ref || req.method == "PUT") send_body();
  }
  c.easy_setopt(h, CURLOPT_HTTPHEADER, list);
  c.easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  c.easy_setopt(h, CURLOPT_WRITEDATA, &t);
  c.easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  c.easy_setopt(h, CURLOPT_HEADERDATA, &t);
  c.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (req.follow_redirects) c.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  // gzip and deflate only: servers answering "br" often use brotli's slowest level (cpp-httplib
  // takes ~70 ms for a 17 KB catalog answer that gzip compresses in under 1 ms).
  if (req.decode_content) c.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  if (req.connect_timeout_seconds > 0)
    c.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout_seconds * 1000));
  if (req.timeout_seconds > 0) c.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_seconds * 1000));
  CURLcode rc = c.easy_perform(h);
  c.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
  c.slist_free_all(list);
  if (t.aborted) return IOError("{} {}: transfer aborted", req.method, req.url);
  if (rc != CURLE_OK) return Unavailable("{} {}: {}", req.method, req.url, c.easy_strerror(rc));
  return Status::OK();
}

}  // namespace

bool HttpAvailable() { return Lib().ok; }

Result<HttpResponse> HttpPerform(const HttpRequest& request) {
  const Curl& c = Lib();
  if (!c.ok) return Missing();
  CURL* h = c.easy_init();
  if (!h) return Internal("curl_easy_init failed");
  HttpResponse resp;
  Status st = Run(c, h, request, &resp);
  c.easy_cleanup(h);
  if (!st.ok()) return st;
  return resp;
}

Result<std::unique_ptr<HttpSession>> HttpSession::Make() {
  if (!Lib().ok) return Missing();
  std::unique_ptr<HttpSession> s(new HttpSession());
  s->handle_ = Lib().easy_init();
  if (s->handle_ == nullptr) return Internal("curl_easy_init failed");
  return s;
}

HttpSession::~HttpSession() {
  if (handle_ != nullptr) Lib().easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpResponse> HttpSession::Perform(const HttpRequest& request) {
  const Curl& c = Lib();
  std::lock_guard<std::mutex> lock(mu_);
  CURL* h = static_cast<CURL*>(handle_);
  // Reset clears the options of the previous request but keeps its open connection.
  c.easy_reset(h);
  HttpResponse resp;
  LDP_RETURN_NOT_OK(Run(c, h, request, &resp));
  return resp;
}

std::string PercentEncode(std::string_view text, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

}  // namespace ldp::io
