#include "ldp/io/sigv4.h"

#include <algorithm>
#include <ctime>

#include "ldp/io/crypto.h"
#include "ldp/io/http.h"

namespace ldp::io {
namespace {

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Header values are trimmed and inner runs of spaces collapse to one (SigV4 "Trimall").
std::string TrimAll(std::string_view v) {
  std::string out;
  bool space = false;
  for (char ch : v) {
    if (ch == ' ' || ch == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) { return PercentEncode(s, keep_slash); }

std::string CanonicalRequest(const SigningRequest& r) {
  std::vector<std::pair<std::string, std::string>> q;
  for (const auto& [k, v] : r.query) q.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(q.begin(), q.end());
  std::string query;
  for (const auto& [k, v] : q) query += (query.empty() ? "" : "&") + k + "=" + v;
  std::vector<std::pair<std::string, std::string>> h;
  for (const auto& [k, v] : r.headers) h.emplace_back(Lower(k), TrimAll(v));
  std::sort(h.begin(), h.end());
  std::string headers, signed_headers;
  for (const auto& [k, v] : h) {
    headers += k + ":" + v + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + k;
  }
  return r.method + "\n" + (r.path.empty() ? "/" : r.path) + "\n" + query + "\n" + headers + "\n" + signed_headers +
         "\n" + r.payload_hash;
}

Result<std::string> SignRequest(const SigningRequest& r, const AwsCredentials& creds) {
  if (r.amz_date.size() != 16) return InvalidArgument("bad x-amz-date '{}'", r.amz_date);
  std::string date = r.amz_date.substr(0, 8);
  std::string scope = date + "/" + r.region + "/" + r.service + "/aws4_request";
  std::string canonical = CanonicalRequest(r);
  LDP_ASSIGN_OR_RAISE(std::string canonical_hash, Sha256(canonical));
  std::string to_sign = "AWS4-HMAC-SHA256\n" + r.amz_date + "\n" + scope + "\n" + Hex(canonical_hash);
  LDP_ASSIGN_OR_RAISE(std::string k_date, HmacSha256("AWS4" + creds.secret_access_key, date));
  LDP_ASSIGN_OR_RAISE(std::string k_region, HmacSha256(k_date, r.region));
  LDP_ASSIGN_OR_RAISE(std::string k_service, HmacSha256(k_region, r.service));
  LDP_ASSIGN_OR_RAISE(std::string k_signing, HmacSha256(k_service, "aws4_request"));
  LDP_ASSIGN_OR_RAISE(std::string sig, HmacSha256(k_signing, to_sign));
  std::vector<std::string> names;
  for (const auto& [k, v] : r.headers) names.push_back(Lower(k));
  std::sort(names.begin(), names.end());
  std::string signed_headers;
  for (const auto& n : names) signed_headers += (signed_headers.empty() ? "" : ";") + n;
  return "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope + ",SignedHeaders=" + signed_headers +
         ",Signature=" + Hex(sig);
}

std::string AmzDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace ldp::io
