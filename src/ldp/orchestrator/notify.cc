#include "ldp/orchestrator/notify.h"

#include <chrono>
#include <thread>

#include "ldp/orchestrator/http.h"
#include "ldp/pipeline/template.h"

namespace ldp::orchestrator {

using nlohmann::json;
using pipeline::NotificationSpec;
using pipeline::PipelineSpec;

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "(a URL)";
  size_t host_end = url.find_first_of("/?#", scheme + 3);
  std::string host = url.substr(0, host_end);
  // user:password@host: keep the host only.
  size_t at = host.find('@', scheme + 3);
  if (at != std::string::npos) host = host.substr(0, scheme + 3) + host.substr(at + 1);
  return host_end == std::string::npos ? host : host + "/...";
}

std::string RedactUrlSecrets(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "(a URL)";
  size_t host_end = url.find_first_of("/?#", scheme + 3);
  std::string authority = url.substr(scheme + 3, host_end == std::string::npos ? std::string::npos : host_end - scheme - 3);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string out = url.substr(0, scheme + 3) + authority;
  if (host_end == std::string::npos) return out;
  std::string rest = url.substr(host_end);
  if (size_t hash = rest.find('#'); hash != std::string::npos) rest.erase(hash);
  size_t q = rest.find('?');
  out += rest.substr(0, q);
  if (q == std::string::npos) return out;
  std::string query = rest.substr(q + 1);
  out += '?';
  size_t pos = 0;
  bool first = true;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      out += (first ? "" : "&") + part.substr(0, eq) + (eq == std::string::npos ? "" : "=***");
      first = false;
    }
    pos = amp + 1;
  }
  return out;
}

bool Wants(const NotificationSpec& n, const NotificationEvent& ev) {
  if (!n.Wants(ev.event)) return false;
  if (ev.event != "missed_schedule") return true;
  for (const auto& m : ev.missed)
    if (m.left_out || m.late_seconds >= n.missed_after) return true;
  return false;
}

namespace {

std::string Interval(const PipelineSpec& spec, const pipeline::DataInterval& iv) {
  return spec.tz->FormatIso(iv.start) + " .. " + spec.tz->FormatIso(iv.end);
}

std::string Late(double s) {
  if (s >= 86400) return fmt::format("{:.1f} d", s / 86400);
  if (s >= 3600) return fmt::format("{:.1f} h", s / 3600);
  if (s >= 60) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.0f} s", s);
}

}  // namespace

std::string SlackText(const PipelineSpec& spec, const NotificationEvent& ev) {
  std::string out;
  if (ev.event == "failure" || ev.event == "success") {
    int ok = 0;
    std::vector<std::string> bad;
    for (const auto& t : ev.tasks) {
      if (t.status == state::kSuccess || t.status == state::kSkipped) ++ok;
      else bad.push_back(t.task_id);
    }
    out = fmt::format("{} ldp pipeline *{}*: run `{}` {} ({}/{} tasks ok, {:.1f}s)\nInterval: {}",
                      ev.event == "success" ? ":white_check_mark:" : ":x:", spec.name, ev.run_id,
                      ev.event == "success" ? "succeeded" : "failed", ok, ev.tasks.size(), ev.seconds,
                      Interval(spec, ev.interval));
    for (const auto& t : ev.tasks)
      if (t.status == state::kFailed)
        out += fmt::format("\n• `{}` failed after {} tr{}: {}", t.task_id, t.attempts, t.attempts == 1 ? "y" : "ies",
                           t.message);
    std::string upstream;
    for (const auto& t : ev.tasks)
      if (t.status == state::kUpstreamFailed) upstream += (upstream.empty() ? "" : ", ") + t.task_id;
    if (!upstream.empty()) out += "\n• not run (upstream failed): " + upstream;
    if (ev.event == "failure") out += fmt::format("\nSee `ldp runs {}` and `ldp logs {}`", ev.run_id, ev.run_id);
  } else if (ev.event == "retry_exhausted") {
    out = fmt::format(":warning: ldp pipeline *{}*: task `{}` of run `{}` failed after {} tr{} (no retries left): {}",
                      spec.name, ev.task_id, ev.run_id, ev.attempts, ev.attempts == 1 ? "y" : "ies", ev.message);
  } else if (ev.event == "missed_schedule") {
    out = fmt::format(":alarm_clock: ldp pipeline *{}*: {} scheduled interval{} missed", spec.name, ev.missed.size(),
                      ev.missed.size() == 1 ? "" : "s");
    size_t shown = 0;
    for (const auto& m : ev.missed) {
      if (++shown > 20) {
        out += fmt::format("\n• ... and {} more", ev.missed.size() - 20);
        break;
      }
      out += m.left_out ? fmt::format("\n• `{}` will not run (catchup is off)", m.run_id)
                        : fmt::format("\n• `{}` started {} late", m.run_id, Late(m.late_seconds));
    }
  }
  return out;
}

json WebhookPayload(const PipelineSpec& spec, const NotificationEvent& ev) {
  json j = {{"event", ev.event}, {"pipeline", spec.name}, {"source", "ldp"}};
  if (!ev.run_id.empty()) {
    j["run_id"] = ev.run_id;
    j["data_interval_start"] = spec.tz->FormatIso(ev.interval.start);
    j["data_interval_end"] = spec.tz->FormatIso(ev.interval.end);
  }
  if (!ev.status.empty()) j["status"] = ev.status;
  if (ev.event == "failure" || ev.event == "success") {
    json tasks = json::array(), failed = json::array();
    for (const auto& t : ev.tasks) {
      tasks.push_back({{"task", t.task_id}, {"status", t.status}, {"attempts", t.attempts}, {"message", t.message}});
      if (t.status == state::kFailed) failed.push_back(t.task_id);
    }
    j["tasks"] = tasks;
    j["failed_tasks"] = failed;
    j["seconds"] = ev.seconds;
  }
  if (ev.event == "retry_exhausted") {
    j["task"] = ev.task_id;
    j["attempts"] = ev.attempts;
    j["message"] = ev.message;
  }
  if (ev.event == "missed_schedule") {
    json missed = json::array();
    for (const auto& m : ev.missed)
      missed.push_back({{"run_id", m.run_id},
                        {"data_interval_start", spec.tz->FormatIso(m.interval.start)},
                        {"data_interval_end", spec.tz->FormatIso(m.interval.end)},
                        {"late_seconds", m.late_seconds},
                        {"will_run", !m.left_out}});
    j["missed"] = missed;
  }
  j["text"] = SlackText(spec, ev);
  return j;
}

namespace {

class HttpNotifier final : public Notifier {
 public:
  std::vector<std::string> Notify(const PipelineSpec& spec, const NotificationEvent& ev) override {
    std::vector<std::string> lines;
    for (size_t i = 0; i < spec.notifications.size(); ++i) {
      const NotificationSpec& n = spec.notifications[i];
      if (!Wants(n, ev)) continue;
      std::string what = fmt::format("notification {} ({}, {}:{}) of {}", i + 1, n.type, spec.file, n.line, ev.event);
      const pipeline::DataInterval& iv = ev.missed.empty() ? ev.interval : ev.missed.front().interval;
      std::string run_id = ev.run_id.empty() && !ev.missed.empty() ? ev.missed.front().run_id : ev.run_id;
      auto ctx = MakeTemplateContext(spec, iv, run_id, ev.task_id);
      auto url = pipeline::Render(n.url, ctx);
      if (!url.ok()) {
        lines.push_back(fmt::format("{} not sent: url: {}", what, url.status().message()));
        continue;
      }
      std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
      bool bad_header = false;
      for (const auto& [k, v] : n.headers) {
        auto r = pipeline::Render(v, ctx);
        if (!r.ok()) {
          lines.push_back(fmt::format("{} not sent: headers.{}: {}", what, k, r.status().message()));
          bad_header = true;
          break;
        }
        headers[k] = *r;
      }
      if (bad_header) continue;
      std::string body = n.type == "slack" ? json{{"text", SlackText(spec, ev)}}.dump() : WebhookPayload(spec, ev).dump();
      std::string outcome;
      for (int attempt = 1; attempt <= 2; ++attempt) {
        auto r = HttpRequest("POST", *url, headers, body, 10);
        if (r.ok() && r->status >= 200 && r->status <= 299) {
          outcome = fmt::format("{} sent to {} ({})", what, RedactUrl(*url), r->status);
          break;
        }
        // The server's own message may quote the URL; say only what failed.
        outcome = r.ok() ? fmt::format("{} not delivered to {}: HTTP {}", what, RedactUrl(*url), r->status)
                         : fmt::format("{} not delivered to {}: cannot connect", what, RedactUrl(*url));
        bool transient = !r.ok() || r->status == 429 || r->status >= 500;
        if (!transient || attempt == 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      lines.push_back(outcome);
    }
    return lines;
  }
};

}  // namespace

std::unique_ptr<Notifier> MakeHttpNotifier() { return std::make_unique<HttpNotifier>(); }

}  // namespace ldp::orchestrator
