#pragma once
// A real PostgreSQL 15 for tests, started once per test binary by tests/servers/pg_up.sh and
// stopped when the binary exits. Each test takes its own database (NewDatabase) so tests never
// see each other's rows.
//
//   auto* pg = ldp::testing::PostgresServer::Get();
//   if (!pg->ok()) GTEST_SKIP() << pg->error();   // only when postgresql-15 is not installed
//   std::string uri = pg->NewDatabase("catalog");   // postgresql://postgres@127.0.0.1:P/catalog_3
//
// Header-only so that any test binary can use it without a link-line change.
// Thread-safety: Get() and NewDatabase() may be called from any thread.

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "testing/subprocess.h"

#ifndef LDP_SOURCE_DIR
#error "LDP_SOURCE_DIR must be defined (tests/CMakeLists.txt does)"
#endif

namespace ldp::testing {

class PostgresServer {
 public:
  /// The server of this test binary, started on first use.
  static PostgresServer* Get() {
    static PostgresServer* server = [] {
      auto* s = new PostgresServer();
      s->Start();
      std::atexit([] { Get()->Stop(); });
      return s;
    }();
    return server;
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  /// postgresql:// URI of the `postgres` database (superuser, trust auth).
  std::string AdminUri() const { return UriFor("postgres"); }
  std::string UriFor(const std::string& db) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }

  /// Creates a fresh, empty database named `<prefix>_<n>` and returns its URI.
  std::string NewDatabase(const std::string& prefix) {
    static std::atomic<int> counter{0};
    std::string name = prefix + "_" + std::to_string(++counter);
    auto r = Psql("CREATE DATABASE " + name);
    if (!r.ok() || r->exit_code != 0) {
      ADD_FAILURE() << "CREATE DATABASE " << name << ": "
                    << (r.ok() ? r->Describe() : r.status().ToString());
    }
    return UriFor(name);
  }

  /// Runs SQL with psql against `uri` (default: the admin database); -At output.
  Result<ProcessResult> Psql(const std::string& sql, const std::string& uri = "") const {
    return RunProcess({"/usr/bin/psql", uri.empty() ? AdminUri() : uri, "-v", "ON_ERROR_STOP=1",
                       "-Atc", sql});
  }

 private:
  void Start() {
    char tmpl[] = "/tmp/ldp-pg-XXXXXX";
    if (!mkdtemp(tmpl)) { error_ = "mkdtemp failed"; return; }
    dir_ = tmpl;
    chmod(dir_.c_str(), 0755);  // the postgres user (when we are root) must reach it
    std::string up = std::string(LDP_SOURCE_DIR) + "/tests/servers/pg_up.sh";
    if (!std::filesystem::exists("/usr/lib/postgresql/15/bin/initdb")) {
      error_ = "postgresql-15 is not installed (scripts/setup.sh --test installs it)";
      return;
    }
    auto r = RunProcess({"/bin/bash", up, dir_ + "/pg"});
    if (!r.ok() || r->exit_code != 0) {
      error_ = "pg_up.sh failed: " + (r.ok() ? r->Describe() : r.status().ToString());
      return;
    }
    std::string uri = r->out.substr(0, r->out.find('\n'));
    auto colon = uri.rfind(':');
    port_ = std::atoi(uri.c_str() + colon + 1);
  }
  void Stop() {
    if (dir_.empty()) return;
    std::string down = std::string(LDP_SOURCE_DIR) + "/tests/servers/pg_down.sh";
    (void)RunProcess({"/bin/bash", down, dir_ + "/pg"});
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
  std::string error_;
  int port_ = 0;
};

}  // namespace ldp::testing
