#pragma once
// Base64 (RFC 4648) for the few places that need it: HTTP Basic headers (REST API source, REST
// catalog server), JWT segments (Google service-account auth) and BigQuery BYTES values.
// Hand-written because no library ldp links exports it (OpenSSL's EVP_EncodeBlock is in libcrypto,
// which ldp loads lazily only for object storage and signing: docs/adr/0007-process-start-up.md).
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>

#include "ldp/core/status.h"

namespace ldp {

/// Padded standard alphabet; url=true: the URL-safe alphabet without padding (JWT).
std::string Base64Encode(std::string_view in, bool url = false);

/// Decodes either alphabet, with or without padding. InvalidArgument on any other character.
Result<std::string> Base64Decode(std::string_view in);

}  // namespace ldp
