#pragma once
// SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto, loaded with dlopen on first use: only commands
// that talk to object storage pay for loading it (docs/adr/0007-process-start-up.md).
//
// Thread-safety: thread-safe.

#include <string>
#include <string_view>

#include "ldp/core/status.h"

namespace ldp::io {

/// Raw 32-byte SHA-256 digest.
Result<std::string> Sha256(std::string_view data);
/// Raw 32-byte HMAC-SHA256.
Result<std::string> HmacSha256(std::string_view key, std::string_view data);
/// Lower-case hex of raw bytes.
std::string Hex(std::string_view raw);

}  // namespace ldp::io
