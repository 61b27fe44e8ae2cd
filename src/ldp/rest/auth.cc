#include "ldp/rest/auth.h"

#include <strings.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "ldp/core/base64.h"
#include "ldp/rest/http.h"

namespace ldp::rest {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Compares without stopping at the first difference, so response times do not reveal how much
// of a guessed secret was right.
bool SecretEquals(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= a[i] ^ b[i % (b.empty() ? 1 : b.size())];
  return diff == 0 && !b.empty();
}

std::string RandomToken() {
  std::random_device rd;  // /dev/urandom on Linux
  std::string out;
  for (int i = 0; i < 8; ++i) out += fmt::format("{:08x}", rd());
  return out;
}

}  // namespace

Status ReadTokensFile(const std::string& path, AuthOptions* options) {
  std::ifstream in(path);
  if (!in) return NotFound("tokens file {} cannot be read", path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = Trim(line);
    if (line.empty()) continue;
    constexpr std::string_view kCredential = "credential ";
    if (line.rfind(kCredential, 0) == 0) {
      std::string cred = Trim(line.substr(kCredential.size()));
      size_t colon = cred.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == cred.size()) {
        return InvalidArgument("{} line {}: want 'credential CLIENT_ID:CLIENT_SECRET'", path, n);
      }
      options->clients[cred.substr(0, colon)] = cred.substr(colon + 1);
    } else {
      options->tokens.push_back(line);
    }
  }
  return Status::OK();
}

Authenticator::Authenticator(AuthOptions options) : options_(std::move(options)) {
  for (const auto& t : options_.tokens) {
    if (!t.empty()) static_tokens_.insert(t);
  }
  enabled_ = !static_tokens_.empty() || !options_.clients.empty();
}

int64_t Authenticator::Now() const {
  if (options_.now_s) return options_.now_s();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Authenticator::Check(const std::string& authorization) const {
  if (!enabled_) return Status::OK();
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      strncasecmp(authorization.c_str(), kBearer.data(), kBearer.size()) != 0) {
    return NotAuthorized("missing bearer token (send 'Authorization: Bearer TOKEN')");
  }
  const std::string token = Trim(authorization.substr(kBearer.size()));
  bool ok = false;
  for (const auto& t : static_tokens_) ok |= SecretEquals(token, t);
  if (ok) return Status::OK();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = issued_.find(token);
  if (it == issued_.end()) return NotAuthorized("unknown bearer token");
  if (it->second <= Now()) return NotAuthorized("bearer token expired");
  return Status::OK();
}

Result<nlohmann::json> Authenticator::IssueToken(const std::string& form_body,
                                                 const std::string& authorization) {
  auto form = ParseQuery(form_body);
  std::string grant = form["grant_type"];
  if (grant.empty()) return InvalidArgument("invalid_request: missing grant_type");
  if (grant != "client_credentials") {
    return InvalidArgument("unsupported_grant_type: only client_credentials is supported, got {}",
                           grant);
  }
  std::string id = form["client_id"];
  std::string secret = form["client_secret"];
  constexpr std::string_view kBasic = "Basic ";
  if (id.empty() && authorization.size() > kBasic.size() &&
      strncasecmp(authorization.c_str(), kBasic.data(), kBasic.size()) == 0) {
    auto decoded = Base64Decode(Trim(authorization.substr(kBasic.size())));
    std::string pair = decoded.ok() ? *decoded : std::string();
    size_t colon = pair.find(':');
    if (colon != std::string::npos) {
      id = PercentDecode(pair.substr(0, colon), true);
      secret = PercentDecode(pair.substr(colon + 1), true);
    }
  }
  if (id.empty()) return InvalidArgument("invalid_request: missing client_id");
  auto it = options_.clients.find(id);
  // Compare against something even for unknown clients, so both cases take the same time.
  bool ok = SecretEquals(secret, it == options_.clients.end() ? std::string("\x01") : it->second);
  if (it == options_.clients.end() || !ok) {
    return NotAuthorized("invalid_client: unknown client or wrong secret");
  }
  std::string token = RandomToken();
  int64_t now = Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(issued_, [&](const auto& e) { return e.second <= now; });
    issued_[token] = now + options_.token_lifetime_s;
  }
  nlohmann::json out;
  out["access_token"] = token;
  out["token_type"] = "bearer";
  out["expires_in"] = options_.token_lifetime_s;
  out["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token";
  if (auto scope = form.find("scope"); scope != form.end()) out["scope"] = scope->second;
  return out;
}

}  // namespace ldp::rest
