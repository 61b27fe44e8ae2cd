#include "ldp/orchestrator/runner.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "ldp/orchestrator/notify.h"
#include "ldp/pipeline/dag.h"

namespace ldp::orchestrator {

using pipeline::CivilTime;
using pipeline::DataInterval;
using pipeline::PipelineSpec;
using pipeline::TaskSpec;

pipeline::TemplateContext MakeTemplateContext(const PipelineSpec& spec, const DataInterval& iv,
                                              const std::string& run_id, const std::string& task_id) {
  pipeline::TemplateContext ctx;
  CivilTime c = CivilTime::FromWallSeconds(spec.tz->ToWall(iv.start));
  std::string ds = fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
  ctx.vars["ds"] = ds;
  ctx.vars["ds_nodash"] = fmt::format("{:04}{:02}{:02}", c.year, c.month, c.day);
  ctx.vars["data_interval_start"] = spec.tz->FormatIso(iv.start);
  ctx.vars["data_interval_end"] = spec.tz->FormatIso(iv.end);
  ctx.vars["logical_date"] = spec.tz->FormatIso(iv.start);
  ctx.vars["run_id"] = run_id;
  ctx.vars["pipeline"] = spec.name;
  ctx.vars["task"] = task_id;
  ctx.params = spec.params;
  return ctx;
}

std::string RunIdFor(const PipelineSpec& spec, const DataInterval& iv) {
  CivilTime c = CivilTime::FromWallSeconds(spec.tz->ToWall(iv.start));
  if (c.hour == 0 && c.minute == 0 && c.second == 0)
    return fmt::format("{}@{:04}-{:02}-{:02}", spec.name, c.year, c.month, c.day);
  return fmt::format("{}@{:04}-{:02}-{:02}T{:02}:{:02}", spec.name, c.year, c.month, c.day, c.hour, c.minute);
}

Runner::Runner(const PipelineSpec& spec, StateStore& store, TaskExecutor& executor, Clock& clock, RunnerOptions options)
    : spec_(spec), store_(store), executor_(executor), clock_(clock), options_(std::move(options)) {
  if (!options_.random) {
    auto gen = std::make_shared<std::mt19937_64>(std::random_device{}());
    auto mu = std::make_shared<std::mutex>();
    options_.random = [gen, mu] {
      std::lock_guard<std::mutex> l(*mu);
      return std::uniform_real_distribution<double>(0, 1)(*gen);
    };
  }
}

double Runner::RetryDelay(const pipeline::RetryPolicy& p, int retry, double random01) {
  double d = p.retry_delay * std::pow(p.backoff, std::max(0, retry - 1));
  d = std::min(d, p.max_retry_delay);
  // Jitter: +-25% so that tasks failing together do not retry in lockstep.
  return d * (0.75 + 0.5 * random01);
}

void Runner::Event(const std::string& line) {
  if (!options_.on_event) return;
  std::lock_guard<std::mutex> l(event_mu_);
  options_.on_event(line);
}

void Runner::Notify(const NotificationEvent& ev) {
  if (!options_.notifier) return;
  bool wanted = false;
  for (const auto& n : spec_.notifications) wanted = wanted || Wants(n, ev);
  if (!wanted) return;
  auto lines = options_.notifier->Notify(spec_, ev);
  std::string dir = options_.log_dir + "/" + spec_.name + "/" + ev.run_id;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::lock_guard<std::mutex> l(event_mu_);
  std::ofstream log(dir + "/notifications.log", std::ios::app);
  for (const auto& line : lines) {
    log << fmt::format("[{}] {}\n", pipeline::TimeZone::Utc()->FormatIso(static_cast<int64_t>(clock_.Now())), line);
    if (options_.on_event) options_.on_event(ev.run_id + ": " + line);
  }
}

TaskSummary Runner::RunTask(const std::string& run_id, const DataInterval& iv, const TaskSpec& task) {
  TaskSummary sum;
  sum.task_id = task.id;
  const int max_attempts = task.policy.retries + 1;
  std::string dir = options_.log_dir + "/" + spec_.name + "/" + run_id;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  int used = 0;
  if (options_.resume) {
    auto before = store_.Attempts(run_id, task.id);
    if (before.ok()) used = static_cast<int>(before->size());
    if (used >= max_attempts) {
      sum.status = state::kFailed;
      sum.message = fmt::format("no tries left ({} made before the interruption)", used);
      sum.attempts = used;
      (void)store_.SetTaskState(run_id, task.id, sum.status, clock_.Now(), sum.message);
      return sum;
    }
  }
  (void)store_.SetTaskState(run_id, task.id, state::kRunning, clock_.Now());
  for (int n = used + 1; n <= max_attempts; ++n) {
    auto attempt_no = store_.NextAttempt(run_id, task.id);
    AttemptRecord rec;
    rec.run_id = run_id;
    rec.task_id = task.id;
    rec.attempt = attempt_no.ok() ? *attempt_no : n;
    rec.started_at = clock_.Now();
    rec.log_path = fmt::format("{}/{}.{}.log", dir, task.id, rec.attempt);
    {
      std::ofstream log(rec.log_path, std::ios::trunc);
      log << fmt::format("[ldp] {} task {} attempt {} (try {} of {}), interval {} .. {}\n", run_id, task.id,
                         rec.attempt, n, max_attempts, spec_.tz->FormatIso(iv.start), spec_.tz->FormatIso(iv.end));
    }
    (void)store_.StartAttempt(rec);
    Event(fmt::format("{} {}: running (try {} of {})", run_id, task.id, n, max_attempts));
    AttemptRequest req{&spec_, &task, run_id, iv, rec.attempt, rec.log_path, task.policy.timeout};
    AttemptOutcome out = executor_.Execute(req);
    rec.ended_at = clock_.Now();
    rec.status = out.status;
    rec.exit_code = out.exit_code;
    rec.message = out.message;
    rec.snapshot_id = out.snapshot_id;
    rec.table = out.table;
    rec.inputs = out.inputs;
    {
      std::ofstream log(rec.log_path, std::ios::app);
      log << fmt::format("[ldp] attempt {} ended: {}{}\n", rec.attempt, out.status,
                         out.message.empty() ? "" : " (" + out.message + ")");
    }
    (void)store_.FinishAttempt(rec);
    sum.attempts = n;
    sum.status = out.status;
    sum.message = out.message;
    if (out.status != state::kFailed) break;
    if (n < max_attempts) {
      double delay = RetryDelay(task.policy, n, options_.random());
      (void)store_.SetTaskState(run_id, task.id, state::kUpForRetry, clock_.Now(), out.message);
      Event(fmt::format("{} {}: failed ({}), retrying in {:.1f}s", run_id, task.id, out.message, delay));
      clock_.SleepFor(delay);
      (void)store_.SetTaskState(run_id, task.id, state::kRunning, clock_.Now());
    }
  }
  (void)store_.SetTaskState(run_id, task.id, sum.status, clock_.Now(), sum.message);
  Event(fmt::format("{} {}: {}{}", run_id, task.id, sum.status, sum.message.empty() ? "" : " (" + sum.message + ")"));
  if (sum.status == state::kFailed) {
    NotificationEvent ev;
    ev.event = "retry_exhausted";
    ev.run_id = run_id;
    ev.interval = iv;
    ev.status = sum.status;
    ev.task_id = task.id;
    ev.attempts = sum.attempts;
    ev.message = sum.message;
    Notify(ev);
  }
  return sum;
}

Result<RunSummary> Runner::RunOne(const DataInterval& iv) {
  RunSummary summary;
  summary.run_id = RunIdFor(spec_, iv);
  summary.interval = iv;
  RunRecord rec;
  rec.run_id = summary.run_id;
  rec.pipeline = spec_.name;
  rec.logical_date = spec_.tz->FormatIso(iv.start);
  rec.interval_start = iv.start;
  rec.interval_end = iv.end;
  rec.status = state::kRunning;
  rec.trigger = options_.trigger;
  rec.started_at = clock_.Now();
  LDP_RETURN_NOT_OK(store_.UpsertRun(rec));

  const std::vector<std::string> order = pipeline::TopologicalOrder(spec_);
  const size_t n = order.size();
  // Tasks by their index in `order`, so that finding the next ready task does no string lookups
  // (1,000-task DAGs: docs/benchmarks.md).
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index[order[i]] = i;
  std::vector<const TaskSpec*> task(n);
  for (const auto& t : spec_.tasks) task[index.at(t.id)] = &t;
  std::vector<char> selected(n, options_.only_tasks.empty());
  for (const auto& id : options_.only_tasks)
    if (index.count(id)) selected[index.at(id)] = 1;
  std::vector<std::vector<size_t>> deps(n);
  for (size_t i = 0; i < n; ++i)
    for (const auto& d : task[i]->depends_on) deps[i].push_back(index.at(d));
  // States of this run's tasks ("" = not started); tasks left out keep what an earlier run of the
  // interval recorded.
  std::vector<std::string> st(n);
  LDP_ASSIGN_OR_RAISE(auto previous, store_.TaskInstances(summary.run_id));
  for (const auto& t : previous)
    if (index.count(t.task_id) && !selected[index.at(t.task_id)]) st[index.at(t.task_id)] = t.status;
  std::vector<std::string> queued;
  for (size_t i = 0; i < n; ++i)
    if (selected[i]) queued.push_back(order[i]);
  LDP_RETURN_NOT_OK(store_.SetTaskStates(summary.run_id, queued, state::kQueued, clock_.Now()));

  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  size_t lo = 0;  // every selected task before `lo` has started or been decided
  std::vector<std::thread> threads;
  std::map<size_t, TaskSummary> results;
  const std::string run_id = summary.run_id;
  // Under `mu`: decides the tasks whose upstream failed or was skipped, and claims the next task
  // that can run (nullopt when none can now). One pass suffices: `order` is topological.
  auto next_ready = [&]() -> std::optional<size_t> {
    while (lo < n && (!selected[lo] || !st[lo].empty())) ++lo;
    for (size_t i = lo; i < n; ++i) {
      if (!selected[i] || !st[i].empty()) continue;
      bool failed = false, skipped = false, waiting = false;
      for (size_t d : deps[i]) {
        const std::string& ds = st[d];
        if (ds == state::kFailed || ds == state::kUpstreamFailed) failed = true;
        else if (ds == state::kSkipped) skipped = true;
        else if (ds == state::kSuccess) continue;
        // A dependency left out of the selection (`--task T`) counts as done: asked for explicitly.
        else if (!selected[d]) continue;
        else waiting = true;
      }
      if (failed || (skipped && !waiting)) {
        std::string s = failed ? state::kUpstreamFailed : state::kSkipped;
        st[i] = s;
        results[i] = TaskSummary{order[i], s, failed ? "an upstream task failed" : "an upstream task was skipped", 0};
        (void)store_.SetTaskState(run_id, order[i], s, clock_.Now(), results[i].message);
        Event(fmt::format("{} {}: {}", run_id, order[i], s));
        continue;
      }
      if (waiting || in_flight >= spec_.max_active_tasks) continue;
      st[i] = state::kRunning;
      ++in_flight;
      return i;
    }
    return std::nullopt;
  };
  // A worker runs its task, then, while it holds the lock, claims the next ready task itself: a
  // chain runs on one thread with no hand-off to the main thread and no thread start per task.
  auto worker = [&](size_t i) {
    std::optional<size_t> next = i;
    while (next) {
      TaskSummary s = RunTask(run_id, iv, *task[*next]);
      std::lock_guard<std::mutex> l(mu);
      st[*next] = s.status;
      results[*next] = s;
      --in_flight;
      next = next_ready();
      cv.notify_all();  // the main thread starts whatever else became ready
    }
  };
  {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      while (auto i = next_ready()) threads.emplace_back(worker, *i);
      if (in_flight == 0) break;
      cv.wait(lock);
    }
  }
  for (auto& th : threads) th.join();

  bool any_failed = false;
  for (size_t i = 0; i < n; ++i) {
    if (st[i] == state::kFailed || st[i] == state::kUpstreamFailed) any_failed = true;
    if (results.count(i)) summary.tasks.push_back(results[i]);
  }
  summary.status = any_failed ? state::kFailed : state::kSuccess;
  LDP_RETURN_NOT_OK(store_.FinishRun(summary.run_id, summary.status, clock_.Now()));
  Event(fmt::format("{}: {}", summary.run_id, summary.status));
  NotificationEvent ev;
  ev.event = any_failed ? "failure" : "success";
  ev.run_id = summary.run_id;
  ev.interval = iv;
  ev.status = summary.status;
  ev.seconds = clock_.Now() - rec.started_at;
  ev.tasks = summary.tasks;
  Notify(ev);
  return summary;
}

Result<std::vector<RunSummary>> Runner::Run(const std::vector<DataInterval>& intervals) {
  LDP_RETURN_NOT_OK(store_.FailInterrupted(spec_.name, clock_.Now()).status());
  std::vector<std::optional<Result<RunSummary>>> out(intervals.size());
  std::mutex mu;
  size_t next = 0;
  auto worker = [&] {
    while (true) {
      size_t i;
      {
        std::lock_guard<std::mutex> l(mu);
        if (next >= intervals.size()) return;
        i = next++;
      }
      out[i] = RunOne(intervals[i]);
    }
  };
  int n = std::max(1, std::min<int>(spec_.max_active_runs, static_cast<int>(intervals.size())));
  if (n == 1) {
    worker();
  } else {
    std::vector<std::thread> ws;
    for (int i = 0; i < n; ++i) ws.emplace_back(worker);
    for (auto& w : ws) w.join();
  }
  std::vector<RunSummary> result;
  for (auto& r : out) {
    if (!r->ok()) return r->status();
    result.push_back(std::move(**r));
  }
  return result;
}

}  // namespace ldp::orchestrator
