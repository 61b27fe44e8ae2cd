#pragma once
// AWS Signature Version 4 (the `Authorization: AWS4-HMAC-SHA256 ...` header) for S3 requests,
// following the published algorithm: canonical request -> string to sign -> HMAC chain.
// SHA-256 and HMAC come from OpenSSL's libcrypto, loaded on first use (crypto.h).
//
// Thread-safety: free functions without shared state.

#include <string>
#include <utility>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::io {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty when not using temporary credentials
};

struct SigningRequest {
  std::string method;          ///< "GET", "PUT", ...
  std::string path;            ///< the URI path as sent, already percent-encoded ("/bucket/key")
  /// Query parameters, not encoded (SignRequest sorts and encodes them).
  std::vector<std::pair<std::string, std::string>> query;
  /// Headers to sign (name in any case; "host" must be among them).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;    ///< hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  std::string amz_date;        ///< "20130524T000000Z"
  std::string region;          ///< "us-east-1"
  std::string service = "s3";
};

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else %XX;
/// '/' is kept when `keep_slash` (object keys in paths).
std::string UriEncode(std::string_view s, bool keep_slash);

/// The canonical request (exposed for tests and for error messages on signature mismatches).
std::string CanonicalRequest(const SigningRequest& r);

/// The value of the Authorization header.
Result<std::string> SignRequest(const SigningRequest& r, const AwsCredentials& creds);

/// "YYYYMMDDTHHMMSSZ" for a Unix time.
std::string AmzDate(int64_t unix_seconds);

}  // namespace ldp::io
