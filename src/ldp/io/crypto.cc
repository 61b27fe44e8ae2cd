#include "ldp/io/crypto.h"

#include <dlfcn.h>

namespace ldp::io {
namespace {

// The few libcrypto entry points SigV4 needs, resolved by name: OpenSSL 3's one-shot SHA256() and
// HMAC() with EVP_sha256().
struct Libcrypto {
  unsigned char* (*sha256)(const unsigned char*, size_t, unsigned char*) = nullptr;
  const void* (*evp_sha256)() = nullptr;
  unsigned char* (*hmac)(const void*, const void*, int, const unsigned char*, size_t, unsigned char*,
                         unsigned int*) = nullptr;
  bool ok = false;
};

const Libcrypto& Load() {
  static Libcrypto c = [] {
    Libcrypto c;
    void* h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!h) return c;
    c.sha256 = reinterpret_cast<decltype(c.sha256)>(dlsym(h, "SHA256"));
    c.evp_sha256 = reinterpret_cast<decltype(c.evp_sha256)>(dlsym(h, "EVP_sha256"));
    c.hmac = reinterpret_cast<decltype(c.hmac)>(dlsym(h, "HMAC"));
    c.ok = c.sha256 && c.evp_sha256 && c.hmac;
    return c;
  }();
  return c;
}

Status Missing() { return Unavailable("libcrypto.so.3 (OpenSSL 3) is needed for S3 signing: apt-get install libssl3"); }

}  // namespace

Result<std::string> Sha256(std::string_view data) {
  const auto& c = Load();
  if (!c.ok) return Missing();
  unsigned char out[32];
  c.sha256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), 32);
}

Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  const auto& c = Load();
  if (!c.ok) return Missing();
  unsigned char out[32];
  unsigned int len = 0;
  if (!c.hmac(c.evp_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) ||
      len != 32)
    return Internal("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(out), 32);
}

std::string Hex(std::string_view raw) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char ch : raw) {
    out += kDigits[ch >> 4];
    out += kDigits[ch & 15];
  }
  return out;
}

}  // namespace ldp::io
