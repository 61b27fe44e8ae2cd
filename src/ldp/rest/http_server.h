#pragma once
// Serves a CatalogService over HTTP with cpp-httplib (kept out of this header): a fixed thread
// pool, a body size limit, one log line per request, and a clean stop on SIGINT/SIGTERM.
//
// Thread-safety: Run blocks the calling thread; Stop may be called from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ldp/core/status.h"
#include "ldp/rest/catalog_service.h"

namespace ldp::rest {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8181;  ///< 0 picks a free port
  int threads = 8;
  size_t max_body_bytes = 16 * 1024 * 1024;
  /// Where request log lines go ("2026-11-26T19:40:01Z 127.0.0.1 GET /v1/config 200 0.4ms").
  std::function<void(const std::string&)> log;
  /// Called once the socket is bound, with the port actually used.
  std::function<void(int port)> on_listening;
};

/// True for addresses only this machine can reach (127.0.0.0/8, ::1, "localhost").
bool IsLoopback(const std::string& host);

class HttpServer {
 public:
  HttpServer(CatalogService& service, HttpServerOptions options);
  ~HttpServer();

  /// Binds, then serves until Stop() or SIGINT/SIGTERM. IOError when the address cannot be
  /// bound.
  Status Run();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ldp::rest
