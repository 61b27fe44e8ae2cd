#pragma once
// The one retry policy of the HTTP sources (REST API, BigQuery) and file downloads: how many
// attempts, and exponential back-off between them, capped. Sources read it from their `retry:`
// options.
//
// Thread-safety: a value type.

#include <cstdint>

#include "ldp/connectors/options.h"
#include "ldp/core/status.h"

namespace ldp::connectors {

struct RetryPolicy {
  int64_t max_attempts = 5;
  double backoff_seconds = 1;
  double max_backoff_seconds = 60;

  /// The wait after failed attempt `attempt` (counted from 1): backoff * 2^(attempt-1), at most
  /// max_backoff_seconds.
  double Delay(int attempt) const;

  /// From a source's `retry.max_attempts`, `retry.backoff_seconds`, `retry.max_backoff_seconds`
  /// (defaults as above); InvalidArgument naming the option when one is out of range.
  static Result<RetryPolicy> FromOptions(const ConnectorOptions& o);
};

}  // namespace ldp::connectors
