#include "ldp/connectors/http_client.h"

#include <cstdint>

namespace ldp::connectors {

// Hand-written: the libraries ldp links (DuckDB through SQL aside) export no base64 encoder, and
// this runs for one header value per request.
std::string Base64Encode(const std::string& in, bool url) {
  const char* tbl = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    if (i + 1 < in.size()) out += tbl[(v >> 6) & 63];
    else if (!url) out += '=';
    if (!url) out += '=';
  }
  return out;
}

}  // namespace ldp::connectors
