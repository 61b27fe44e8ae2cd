#pragma once
// A throwaway S3-compatible server for tests: OpenStack Swift with s3api (Debian packages), started
// by the project's own tests/servers/swift_s3_up.sh on free loopback ports, once per test process,
// and stopped when the process exits. s3api checks SigV4 signatures and payload hashes.
//
//   ldp::testing::S3Server* s3 = ldp::testing::S3Server::Get();   // nullptr: see SkipReason()
//   s3->endpoint(), kS3AccessKey / kS3SecretKey, s3->NewBucket()
//
// Thread-safety: Get() is thread-safe; the server is shared by the process's tests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "testing/subprocess.h"

namespace ldp::testing {

inline constexpr const char* kS3AccessKey = "test:tester";
inline constexpr const char* kS3SecretKey = "testing";

class S3Server {
 public:
  /// The process's server, started on first use; nullptr when it cannot run (SkipReason says why).
  static S3Server* Get() {
    static std::once_flag once;
    std::call_once(once, [] {
      auto s = std::unique_ptr<S3Server>(new S3Server());
      if (s->Start()) Instance() = std::move(s);
    });
    return Instance().get();
  }
  /// Empty when the server runs; else why it does not (packages missing, or start failed).
  static std::string& SkipReason() {
    static std::string reason;
    return reason;
  }
  /// Whether the Debian packages are installed (CI installs them: then a failed start is an error).
  static bool Installed() {
    return std::filesystem::exists("/usr/bin/swift-proxy-server") && std::filesystem::exists("/usr/bin/memcached");
  }

  ~S3Server() {
    (void)RunProcess({"/bin/bash", std::string(LDP_SOURCE_DIR) + "/tests/servers/swift_s3_down.sh", root_});
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  /// A new bucket name, unique in this process (created by the caller, e.g. through ldp).
  std::string NewBucketName() {
    static std::atomic<int> n{0};
    return "ldp-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  }

 private:
  S3Server() = default;
  static std::unique_ptr<S3Server>& Instance() {
    static std::unique_ptr<S3Server> s;
    return s;
  }

  static bool PortFree(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    ::close(fd);
    return ok;
  }

  bool Start() {
    if (!Installed()) {
      SkipReason() =
          "OpenStack Swift is not installed (scripts/setup.sh --test installs swift, swift-proxy, swift-account, "
          "swift-container, swift-object, memcached)";
      return false;
    }
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> pick(20000, 60000);
    for (int i = 0; i < 50 && port_ == 0; ++i) {
      int p = pick(rng);
      bool all = true;
      for (int k = 0; k <= 4 && all; ++k) all = PortFree(p + k);
      if (all) port_ = p;
    }
    if (port_ == 0) {
      SkipReason() = "no free ports for the S3 server";
      return false;
    }
    char tmpl[] = "/tmp/ldp-swift-XXXXXX";
    root_ = ::mkdtemp(tmpl) ? tmpl : "/tmp/ldp-swift-" + std::to_string(::getpid());
    auto r = RunProcess({"/bin/bash", std::string(LDP_SOURCE_DIR) + "/tests/servers/swift_s3_up.sh", root_,
                         std::to_string(port_)});
    if (!r.ok() || r->exit_code != 0) {
      SkipReason() = "swift_s3_up.sh failed: " + (r.ok() ? r->Describe() : r.status().ToString());
      (void)RunProcess({"/bin/bash", std::string(LDP_SOURCE_DIR) + "/tests/servers/swift_s3_down.sh", root_});
      return false;
    }
    return true;
  }

  int port_ = 0;
  std::string root_;
};

/// In a test body: skips when Swift is not installed, fails when it is installed but did not start.
#define LDP_REQUIRE_S3(var)                                                                   \
  ::ldp::testing::S3Server* var = ::ldp::testing::S3Server::Get();                            \
  if (!var) {                                                                                 \
    if (::ldp::testing::S3Server::Installed()) FAIL() << ::ldp::testing::S3Server::SkipReason(); \
    GTEST_SKIP() << ::ldp::testing::S3Server::SkipReason();                                   \
  }

}  // namespace ldp::testing
