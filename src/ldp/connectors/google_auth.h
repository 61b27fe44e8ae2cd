#pragma once
// OAuth2 access tokens for Google APIs (the BigQuery source): a service-account JSON key is turned
// into a token with the JWT bearer grant (RFC 7523): a JWT signed with RS256 by the key's private
// key is POSTed to the key's token_uri. A plain access token (`gcloud auth print-access-token`)
// can be given instead. Tokens are cached until shortly before they expire.
//
// RS256 uses OpenSSL's libcrypto, loaded with dlopen on first use as io/crypto.cc does, so that
// commands which never talk to Google do not load it (docs/adr/0007-process-start-up.md).
//
// Thread-safety: a TokenSource is used by one thread.

#include <memory>
#include <string>

#include "ldp/core/clock.h"
#include "ldp/core/status.h"

namespace ldp::connectors {

/// The fields of a service-account key file that the grant needs.
struct ServiceAccountKey {
  std::string client_email;
  std::string private_key;     ///< PEM (PKCS#8); a secret
  std::string private_key_id;  ///< "kid" in the JWT header when present
  std::string token_uri;
  std::string project_id;
};

/// Reads a key file. NotFound when it cannot be read; InvalidArgument naming the file and the
/// missing field (never a key's content).
Result<ServiceAccountKey> LoadServiceAccountKey(const std::string& path);
Result<ServiceAccountKey> ParseServiceAccountKey(const std::string& json_text, const std::string& origin);

/// The signed JWT assertion: header {"alg":"RS256","typ":"JWT"[,"kid"]}, claims iss, scope, aud,
/// iat, exp = iat + 3600 (base64url, no padding).
Result<std::string> MakeJwtAssertion(const ServiceAccountKey& key, const std::string& scope,
                                     const std::string& audience, int64_t issued_at);

/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) of `data` with a PEM private key; raw signature bytes.
Result<std::string> SignRs256(const std::string& pem_private_key, const std::string& data);

struct AccessToken {
  std::string value;
  double expires_at = 0;  ///< seconds since the epoch; 0 = unknown (a token given as is)
};

/// Hands out a valid access token, exchanging a new JWT when the cached one is about to expire.
class TokenSource {
 public:
  /// A fixed token (never refreshed).
  static std::unique_ptr<TokenSource> Fixed(std::string token);
  /// Tokens from a service-account key; `token_uri` overrides the key's when non-empty.
  static std::unique_ptr<TokenSource> FromKey(ServiceAccountKey key, std::string scope, std::string token_uri,
                                              Clock* clock, double timeout_seconds);

  /// The current token. NotAuthorized when the token endpoint refuses the assertion;
  /// Unavailable when it cannot be reached. Messages name the token URI, never the JWT or key.
  Result<std::string> Get();
  /// Forgets the cached token (after the API answered 401 with it).
  void Invalidate() {
    if (!fixed_) token_ = {};
  }
  /// Token exchanges performed so far.
  int exchanges() const { return exchanges_; }

 private:
  TokenSource() = default;
  bool fixed_ = false;
  ServiceAccountKey key_;
  std::string scope_, token_uri_;
  Clock* clock_ = nullptr;
  double timeout_ = 60;
  AccessToken token_;
  int exchanges_ = 0;
};

/// Seconds before expiry at which a cached token is replaced.
inline constexpr double kTokenRefreshMargin = 300;

}  // namespace ldp::connectors
