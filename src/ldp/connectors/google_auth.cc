#include "ldp/connectors/google_auth.h"

#include <dlfcn.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ldp/connectors/http_client.h"

namespace ldp::connectors {
namespace {

// The libcrypto entry points RS256 needs, resolved by name (the headers give only the types).
struct Libcrypto {
  decltype(&BIO_new_mem_buf) bio_new_mem_buf = nullptr;
  decltype(&BIO_free) bio_free = nullptr;
  decltype(&PEM_read_bio_PrivateKey) pem_read_private_key = nullptr;
  decltype(&EVP_PKEY_free) pkey_free = nullptr;
  decltype(&EVP_PKEY_get_base_id) pkey_base_id = nullptr;
  decltype(&EVP_MD_CTX_new) md_ctx_new = nullptr;
  decltype(&EVP_MD_CTX_free) md_ctx_free = nullptr;
  decltype(&EVP_DigestSignInit) digest_sign_init = nullptr;
  decltype(&EVP_DigestSign) digest_sign = nullptr;
  decltype(&EVP_sha256) sha256 = nullptr;
  decltype(&ERR_get_error) err_get = nullptr;
  decltype(&ERR_error_string_n) err_string = nullptr;
  bool ok = false;
};

const Libcrypto& Crypto() {
  static Libcrypto c = [] {
    Libcrypto c;
    void* h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!h) return c;
    auto sym = [&](auto& f, const char* name) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(h, name));
      return f != nullptr;
    };
    c.ok = sym(c.bio_new_mem_buf, "BIO_new_mem_buf") && sym(c.bio_free, "BIO_free") &&
           sym(c.pem_read_private_key, "PEM_read_bio_PrivateKey") && sym(c.pkey_free, "EVP_PKEY_free") &&
           sym(c.pkey_base_id, "EVP_PKEY_get_base_id") && sym(c.md_ctx_new, "EVP_MD_CTX_new") &&
           sym(c.md_ctx_free, "EVP_MD_CTX_free") && sym(c.digest_sign_init, "EVP_DigestSignInit") &&
           sym(c.digest_sign, "EVP_DigestSign") && sym(c.sha256, "EVP_sha256") && sym(c.err_get, "ERR_get_error") &&
           sym(c.err_string, "ERR_error_string_n");
    return c;
  }();
  return c;
}

std::string CryptoError(const Libcrypto& c) {
  unsigned long e = c.err_get();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  c.err_string(e, buf, sizeof(buf));
  while (c.err_get() != 0) {
  }
  return buf;
}

}  // namespace

Result<ServiceAccountKey> ParseServiceAccountKey(const std::string& text, const std::string& origin) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgument("credentials {}: not a JSON service-account key", origin);
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  if (!str("type").empty() && str("type") != "service_account")
    return InvalidArgument("credentials {}: type '{}' is not supported (a service_account key is needed; or give an "
                           "access token)", origin, str("type"));
  ServiceAccountKey k;
  k.client_email = str("client_email");
  k.private_key = str("private_key");
  k.private_key_id = str("private_key_id");
  k.token_uri = str("token_uri");
  k.project_id = str("project_id");
  if (k.token_uri.empty()) k.token_uri = "https://oauth2.googleapis.com/token";
  if (k.client_email.empty()) return InvalidArgument("credentials {}: no 'client_email'", origin);
  if (k.private_key.empty()) return InvalidArgument("credentials {}: no 'private_key'", origin);
  return k;
}

Result<ServiceAccountKey> LoadServiceAccountKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("credentials file {} cannot be read", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseServiceAccountKey(ss.str(), path);
}

Result<std::string> SignRs256(const std::string& pem, const std::string& data) {
  const Libcrypto& c = Crypto();
  if (!c.ok) return Unavailable("libcrypto.so.3 (OpenSSL 3) is needed to sign service-account tokens: apt-get install libssl3");
  BIO* bio = c.bio_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Internal("BIO_new_mem_buf failed");
  EVP_PKEY* key = c.pem_read_private_key(bio, nullptr, nullptr, nullptr);
  c.bio_free(bio);
  if (!key) return InvalidArgument("the private_key of the credentials is not a PEM private key ({})", CryptoError(c));
  if (c.pkey_base_id(key) != EVP_PKEY_RSA) {
    c.pkey_free(key);
    return InvalidArgument("the private_key of the credentials is not an RSA key (RS256 needs one)");
  }
  EVP_MD_CTX* ctx = c.md_ctx_new();
  std::string sig;
  Status st;
  size_t len = 0;
  if (!ctx || c.digest_sign_init(ctx, nullptr, c.sha256(), nullptr, key) != 1 ||
      c.digest_sign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    st = Internal("RS256 signing failed: {}", CryptoError(c));
  } else {
    sig.resize(len);
    if (c.digest_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                      reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
      st = Internal("RS256 signing failed: {}", CryptoError(c));
    sig.resize(len);
  }
  if (ctx) c.md_ctx_free(ctx);
  c.pkey_free(key);
  if (!st.ok()) return st;
  return sig;
}

Result<std::string> MakeJwtAssertion(const ServiceAccountKey& key, const std::string& scope,
                                     const std::string& audience, int64_t iat) {
  nlohmann::json header{{"alg", "RS256"}, {"typ", "JWT"}};
  if (!key.private_key_id.empty()) header["kid"] = key.private_key_id;
  nlohmann::json claims{{"iss", key.client_email}, {"scope", scope}, {"aud", audience}, {"iat", iat}, {"exp", iat + 3600}};
  std::string signing_input = Base64Encode(header.dump(), true) + "." + Base64Encode(claims.dump(), true);
  LDP_ASSIGN_OR_RAISE(auto sig, SignRs256(key.private_key, signing_input));
  return signing_input + "." + Base64Encode(sig, true);
}

std::unique_ptr<TokenSource> TokenSource::Fixed(std::string token) {
  std::unique_ptr<TokenSource> t(new TokenSource());
  t->fixed_ = true;
  t->token_.value = std::move(token);
  return t;
}

std::unique_ptr<TokenSource> TokenSource::FromKey(ServiceAccountKey key, std::string scope, std::string token_uri,
                                                  Clock* clock, double timeout_seconds) {
  std::unique_ptr<TokenSource> t(new TokenSource());
  t->token_uri_ = token_uri.empty() ? key.token_uri : std::move(token_uri);
  t->key_ = std::move(key);
  t->scope_ = std::move(scope);
  t->clock_ = clock;
  t->timeout_ = timeout_seconds;
  return t;
}

Result<std::string> TokenSource::Get() {
  if (fixed_) return token_.value;
  double now = clock_->Now();
  if (!token_.value.empty() && now < token_.expires_at - kTokenRefreshMargin) return token_.value;
  auto iat = static_cast<int64_t>(std::floor(now));
  LDP_ASSIGN_OR_RAISE(auto jwt, MakeJwtAssertion(key_, scope_, token_uri_, iat));
  HttpRequestSpec req;
  req.method = "POST";
  req.url = token_uri_;
  req.headers["Content-Type"] = "application/x-www-form-urlencoded";
  req.headers["Accept"] = "application/json";
  req.body = "grant_type=" + UrlEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + jwt;
  req.timeout_seconds = timeout_;
  HttpResponse resp;
  for (int attempt = 1;; ++attempt) {
    ++exchanges_;
    auto r = HttpFetch(req);
    if (!r.ok()) {
      if (attempt >= 3) return Unavailable("token exchange at {}: {}", token_uri_, r.status().message());
    } else if (r->status >= 500 || r->status == 429) {
      if (attempt >= 3) return Unavailable("token exchange at {}: HTTP {} after {} attempts", token_uri_, r->status, attempt);
    } else {
      resp = std::move(*r);
      break;
    }
    clock_->SleepFor(attempt);
  }
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, false);
  if (resp.status < 200 || resp.status >= 300) {
    // OAuth2 errors (RFC 6749 5.2): {"error": "invalid_grant", "error_description": "..."}.
    std::string why;
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
      why = j["error"].get<std::string>();
      if (j.contains("error_description") && j["error_description"].is_string())
        why += ": " + j["error_description"].get<std::string>();
    } else {
      why = resp.body.substr(0, 200);
    }
    for (auto& ch : why)
      if (ch == '\n' || ch == '\r') ch = ' ';
    return NotAuthorized("token exchange at {} refused for {}: HTTP {}: {}", token_uri_, key_.client_email, resp.status, why);
  }
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string())
    return InvalidArgument("token exchange at {}: the answer has no access_token", token_uri_);
  token_.value = j["access_token"].get<std::string>();
  double expires_in = j.contains("expires_in") && j["expires_in"].is_number() ? j["expires_in"].get<double>() : 3600;
  token_.expires_at = now + expires_in;
  return token_.value;
}

}  // namespace ldp::connectors
