#include "ldp/connectors/retry.h"

#include <algorithm>
#include <cmath>

namespace ldp::connectors {

double RetryPolicy::Delay(int attempt) const {
  return std::min(max_backoff_seconds, backoff_seconds * std::pow(2.0, std::max(attempt, 1) - 1));
}

Result<RetryPolicy> RetryPolicy::FromOptions(const ConnectorOptions& o) {
  RetryPolicy p;
  LDP_ASSIGN_OR_RAISE(p.max_attempts, o.Int("retry.max_attempts", p.max_attempts));
  LDP_ASSIGN_OR_RAISE(p.backoff_seconds, o.Double("retry.backoff_seconds", p.backoff_seconds));
  LDP_ASSIGN_OR_RAISE(p.max_backoff_seconds, o.Double("retry.max_backoff_seconds", p.max_backoff_seconds));
  if (p.max_attempts < 1) return InvalidArgument("retry.max_attempts must be at least 1");
  if (p.backoff_seconds < 0) return InvalidArgument("retry.backoff_seconds must not be negative");
  if (p.max_backoff_seconds < 0) return InvalidArgument("retry.max_backoff_seconds must not be negative");
  return p;
}

}  // namespace ldp::connectors
