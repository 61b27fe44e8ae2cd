#include "ldp/rest/http_server.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

namespace ldp::rest {
namespace {

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Whether the current request was already logged by the service wrapper (requests httplib
// answers itself, such as 413 for a too large body, are logged by its logger callback instead).
thread_local bool t_logged = false;

}  // namespace

bool IsLoopback(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  return host.rfind("127.", 0) == 0;
}

struct HttpServer::Impl {
  CatalogService& service;
  HttpServerOptions options;
  httplib::Server server;
  std::atomic<bool> stopping{false};

  Impl(CatalogService& s, HttpServerOptions o) : service(s), options(std::move(o)) {}

  void Log(const std::string& method, const std::string& path, const std::string& remote,
           int status, double ms) {
    if (!options.log) return;
    options.log(fmt::format("{} {} {} {} {} {:.1f}ms", UtcNow(), remote, method, path, status, ms));
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    HttpRequest in;
    in.method = req.method;
    in.target = req.target.empty() ? req.path : req.target;
    in.body = req.body;
    in.remote_addr = req.remote_addr;
    for (const auto& [k, v] : req.headers) {
      std::string key = k;
      for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in.headers[key] = v;
    }
    HttpResponse out = service.Handle(in);
    res.status = out.status;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    if (!out.body.empty()) res.set_content(out.body, out.content_type.c_str());
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::string path = in.target.substr(0, in.target.find('?'));
    Log(req.method, path, req.remote_addr, out.status, ms);
    t_logged = true;
  }
};

HttpServer::HttpServer(CatalogService& service, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {
  auto& s = impl_->server;
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->Serve(req, res);
  };
  s.Get(".*", handler);  // also HEAD
  s.Post(".*", handler);
  s.Delete(".*", handler);
  s.Put(".*", handler);
  s.Patch(".*", handler);
  const int threads = std::max(1, impl_->options.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_payload_max_length(impl_->options.max_body_bytes);
  s.set_read_timeout(30, 0);
  s.set_keep_alive_timeout(5);
  // Small answers go out at once rather than waiting on Nagle's algorithm.
  s.set_tcp_nodelay(true);
  // httplib answers "Accept-Encoding: br" with brotli at quality 11, which costs ~70 ms for a
  // 17 KB table metadata answer (gzip: < 1 ms); libcurl asks for br whenever it can decode it.
  // The request is not const where httplib owns it, so its header may be rewritten here.
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    auto& headers = const_cast<httplib::Headers&>(req.headers);  // case-insensitive keys
    auto range = headers.equal_range("Accept-Encoding");
    for (auto it = range.first; it != range.second; ++it) {
      std::string kept;
      size_t pos = 0;
      while (pos <= it->second.size()) {
        size_t comma = it->second.find(',', pos);
        if (comma == std::string::npos) comma = it->second.size();
        std::string token = it->second.substr(pos, comma - pos);
        token.erase(0, token.find_first_not_of(' '));
        if (!token.empty() && token.rfind("br", 0) != 0) kept += (kept.empty() ? "" : ", ") + token;
        pos = comma + 1;
      }
      it->second = kept;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    // Answers httplib gives itself (413, 400 for an unparsable request line) get the spec's
    // error body too.
    if (!res.body.empty()) return;
    std::string type = res.status == 413 ? "PayloadTooLargeException" : "BadRequestException";
    std::string msg = res.status == 413 ? "request body too large" : "malformed HTTP request";
    nlohmann::json body;
    body["error"] = {{"message", msg}, {"type", type}, {"code", res.status}};
    res.set_content(body.dump(), "application/json");
  });
  s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    if (!t_logged) impl_->Log(req.method, req.path, req.remote_addr, res.status, 0.0);
    t_logged = false;
  });
}

HttpServer::~HttpServer() = default;

void HttpServer::Stop() {
  impl_->stopping = true;
  impl_->server.stop();
}

Status HttpServer::Run() {
  // SIGINT/SIGTERM are taken by a thread of ours (sigwait), not by an async handler: stopping the
  // server is not async-signal-safe. Blocking them here, before the pool starts, makes every
  // server thread inherit the mask. SIGUSR2 wakes the waiter when the server ends otherwise.
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, &old);

  auto& s = impl_->server;
  int port = impl_->options.port;
  bool bound = false;
  if (port == 0) {
    port = s.bind_to_any_port(impl_->options.host);
    bound = port > 0;
  } else {
    bound = s.bind_to_port(impl_->options.host, port);
  }
  if (!bound) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return IOError("cannot listen on {}:{} (address in use or not available)", impl_->options.host,
                   impl_->options.port);
  }
  std::thread waiter([this, set] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR2) {
      if (impl_->options.log)
        impl_->options.log(fmt::format("{} stopping (signal {})", UtcNow(), sig));
      Stop();
    }
  });
  if (impl_->options.on_listening) impl_->options.on_listening(port);
  bool ok = s.listen_after_bind();
  pthread_kill(waiter.native_handle(), SIGUSR2);
  waiter.join();
  // A signal that arrived after the waiter ended stays pending; drop it before unblocking.
  sigset_t pending;
  sigpending(&pending);
  if (sigismember(&pending, SIGUSR2)) {
    int sig = 0;
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGUSR2);
    sigwait(&only, &sig);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (!ok && !impl_->stopping) return IOError("the HTTP server stopped unexpectedly");
  return Status::OK();
}

}  // namespace ldp::rest
