#pragma once
// HTTP for the connectors (REST API and BigQuery sources, file downloads): whole responses with
// their headers, or a body streamed to a callback. A thin layer over io/http.h, which holds the one
// libcurl client of ldp.
//
// Thread-safety: HttpFetch may be called from several threads.

#include <cstdint>
#include <string>

#include "ldp/core/base64.h"
#include "ldp/core/status.h"
#include "ldp/io/http.h"

namespace ldp::connectors {

using HttpResponse = io::HttpResponse;
using HttpRequestSpec = io::HttpRequest;

/// Performs one request. Unavailable when the host cannot be reached (or libcurl is missing);
/// any HTTP status is a response, not an error. Messages name the URL given.
inline Result<HttpResponse> HttpFetch(const HttpRequestSpec& request) { return io::HttpPerform(request); }

/// Percent-encodes a query parameter value.
inline std::string UrlEncode(const std::string& s) { return io::PercentEncode(s); }
using ldp::Base64Encode;

}  // namespace ldp::connectors
