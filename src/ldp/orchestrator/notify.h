#pragma once
// Notifications: Slack incoming webhooks and generic JSON webhooks, declared in a pipeline's
// `notifications:` list and sent on failure, retry exhaustion, success and missed schedules
// (docs/user-guide.md "Notifications", docs/adr/0015-orchestrator-notifications-and-airflow.md).
//
// Delivery never fails a run: problems come back as log lines. URLs are rendered from templates
// ({{ env.X }} for secrets) at send time and only their scheme and host are ever logged.
//
// Thread-safety: Notify may be called from several threads.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/orchestrator/runner.h"
#include "ldp/pipeline/spec.h"

namespace ldp::orchestrator {

/// One thing to tell people about.
struct NotificationEvent {
  std::string event;  ///< failure, retry_exhausted, success, missed_schedule
  std::string run_id;
  pipeline::DataInterval interval;
  std::string status;  ///< the run's (failure, success) or the task's (retry_exhausted)
  double seconds = 0;  ///< how long the run took
  std::vector<TaskSummary> tasks;  ///< failure, success: every task of the run
  std::string task_id;             ///< retry_exhausted: the task
  int attempts = 0;
  std::string message;
  struct Missed {
    pipeline::DataInterval interval;
    std::string run_id;
    double late_seconds = 0;  ///< how long after the interval's end it started (or now, when left out)
    bool left_out = false;    ///< catchup is off: this interval will not run
  };
  std::vector<Missed> missed;  ///< missed_schedule
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  /// Sends `ev` to every notification of `spec` that wants it; returns one line per delivery
  /// (or failure to deliver) for the logs. Never throws, never fails the caller.
  virtual std::vector<std::string> Notify(const pipeline::PipelineSpec& spec, const NotificationEvent& ev) = 0;
};

/// Delivers over HTTP (POST, JSON body, 10 s timeout, one retry on a connection error, 429 or 5xx).
std::unique_ptr<Notifier> MakeHttpNotifier();

/// "https://hooks.slack.com/..." for logs: scheme, host and port only.
std::string RedactUrl(const std::string& url);
/// A URL for logs of http tasks and URL sensors: the path kept (it says what was called), a
/// user:password@ removed and every query parameter's value replaced by "***" (API keys and
/// tokens travel there).
std::string RedactUrlSecrets(const std::string& url);

/// The Slack message text of an event (mrkdwn).
std::string SlackText(const pipeline::PipelineSpec& spec, const NotificationEvent& ev);
/// The JSON body of a generic webhook.
nlohmann::json WebhookPayload(const pipeline::PipelineSpec& spec, const NotificationEvent& ev);
/// Whether `n` wants `ev` (its `on` list; for missed_schedule, also `missed_after`).
bool Wants(const pipeline::NotificationSpec& n, const NotificationEvent& ev);

}  // namespace ldp::orchestrator
