#pragma once
// Downloads an http(s) URL to a local file for the file ingest path: streamed to disk (bounded
// memory), retried with back-off, and resumed with a `Range` request where the server allows it
// (it answered 206), so a dropped connection does not restart a large file from zero.
//
// Thread-safety: pure function.

#include <cstdint>
#include <string>

#include "ldp/connectors/retry.h"
#include "ldp/core/clock.h"
#include "ldp/core/status.h"

namespace ldp::connectors {

struct DownloadOptions {
  RetryPolicy retry{5, 1, 30};
  double timeout_seconds = 0;  ///< whole transfer; 0 = none
  Clock* clock = nullptr;      ///< waits between attempts; nullptr = the system clock
};

struct DownloadResult {
  int64_t bytes = 0;
  int attempts = 0;
  int resumed = 0;  ///< attempts that continued with a Range request
};

/// Downloads `url` into `path` (created or truncated). NotFound for 404, NotAuthorized for
/// 401/403, Unavailable when the server still fails after the attempts; messages name the URL.
Result<DownloadResult> DownloadToFile(const std::string& url, const std::string& path, const DownloadOptions& options = {});

}  // namespace ldp::connectors
