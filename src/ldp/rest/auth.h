#pragma once
// Who may use the REST catalog: static bearer tokens and OAuth2 client credentials (the
// deprecated but still widely used `POST /v1/oauth/tokens`, RFC 6749 section 4.4), which issue
// short-lived random bearer tokens.
//
// Thread-safety: thread-safe (issued tokens are guarded by a mutex).

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::rest {

struct AuthOptions {
  /// Bearer tokens accepted as they are.
  std::vector<std::string> tokens;
  /// OAuth2 clients: client_id -> client_secret.
  std::map<std::string, std::string> clients;
  /// Lifetime of tokens issued at /v1/oauth/tokens.
  int64_t token_lifetime_s = 3600;
  /// Seconds since the epoch; injectable so tests can expire tokens without sleeping.
  std::function<int64_t()> now_s;
};

/// Reads a tokens file: one entry a line; `#` starts a comment; blank lines are skipped; a line
/// `credential CLIENT_ID:CLIENT_SECRET` adds an OAuth2 client, any other line is a bearer token.
/// NotFound / IOError for the file, InvalidArgument naming the line for a malformed credential.
Status ReadTokensFile(const std::string& path, AuthOptions* options);

class Authenticator {
 public:
  explicit Authenticator(AuthOptions options);

  /// True when any token or client is configured (otherwise every request is let through).
  bool enabled() const { return enabled_; }

  /// Checks an `Authorization` header value. NotAuthorized saying why.
  Status Check(const std::string& authorization) const;

  /// Handles a client-credentials token request (form body; the client may also authenticate
  /// with HTTP Basic in `authorization`). Returns the OAuth2 token response. InvalidArgument for
  /// a malformed request or another grant type (OAuth error "invalid_request" /
  /// "unsupported_grant_type"), NotAuthorized for unknown clients or wrong secrets
  /// ("invalid_client").
  Result<nlohmann::json> IssueToken(const std::string& form_body, const std::string& authorization);

 private:
  int64_t Now() const;

  AuthOptions options_;
  bool enabled_ = false;
  std::set<std::string> static_tokens_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> issued_;  ///< token -> expiry (seconds since the epoch)
};

}  // namespace ldp::rest
