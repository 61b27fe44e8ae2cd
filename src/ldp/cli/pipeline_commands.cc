// Orchestrator commands: `ldp run`, `ldp task run`, `ldp runs`, `ldp logs`, `ldp pipelines`,
// `ldp graph` (docs/user-guide.md "Pipelines").
#include <signal.h>
#include <unistd.h>

#include <atomic>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/core/clock.h"
#include "ldp/orchestrator/airflow.h"
#include "ldp/orchestrator/notify.h"
#include "ldp/orchestrator/runner.h"
#include "ldp/orchestrator/scheduler.h"
#include "ldp/orchestrator/state_store.h"
#include "ldp/orchestrator/tasks.h"
#include "ldp/pipeline/dag.h"
#include "ldp/pipeline/spec.h"

namespace ldp::cli {
namespace {

namespace orch = ldp::orchestrator;
namespace pl = ldp::pipeline;

std::string PipelinesDir(const services::Project& p) { return p.root() + "/pipelines"; }
std::string StateDir(const services::Project& p) { return p.warehouse() + "/_ldp"; }

Result<std::unique_ptr<orch::StateStore>> OpenStore(const services::Project& p) {
  std::error_code ec;
  std::filesystem::create_directories(StateDir(p), ec);
  return orch::StateStore::Open(StateDir(p) + "/orchestrator.db");
}

std::string SelfExe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("ldp") : p.string();
}

std::string Time(double t) {
  if (t <= 0) return "";
  int64_t s = static_cast<int64_t>(t);
  return pl::TimeZone::Utc()->FormatIso(s).substr(0, 19);
}

std::string Duration(double a, double b) {
  if (a <= 0 || b <= 0) return "";
  return fmt::format("{:.2f}s", b - a);
}

// `ldp run PIPELINE [--date D | --from D1 --to D2] [--task T]...`
class RunCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("run", "Run a pipeline for one interval now, or backfill a range of intervals");
    c->add_option("pipeline", pipeline_, "Pipeline name (pipelines/NAME.yaml)")->required();
    c->add_option("--date", date_, "The interval starting at this date (YYYY-MM-DD [HH:MM]; default: the latest complete interval)");
    c->add_option("--from", from_, "Backfill: first date (YYYY-MM-DD)");
    c->add_option("--to", to_, "Backfill: last date (YYYY-MM-DD, inclusive)");
    c->add_option("--task", tasks_, "Run only this task (repeatable); its upstream tasks are taken as done");
    c->add_flag("--downstream", downstream_, "With --task: also rerun every task downstream of it");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto spec, pl::FindPipeline(PipelinesDir(*project), pipeline_));
    if (!date_.empty() && (!from_.empty() || !to_.empty())) return InvalidArgument("--date goes without --from/--to");
    if (from_.empty() != to_.empty()) return InvalidArgument("--from and --to go together");
    std::vector<pl::DataInterval> intervals;
    SystemClock clock;
    if (!date_.empty()) {
      LDP_ASSIGN_OR_RAISE(auto d, pl::ParseCivil(date_));
      LDP_ASSIGN_OR_RAISE(auto iv, pl::IntervalAt(spec, d));
      intervals.push_back(iv);
    } else if (!from_.empty()) {
      LDP_ASSIGN_OR_RAISE(auto a, pl::ParseCivil(from_));
      LDP_ASSIGN_OR_RAISE(auto b, pl::ParseCivil(to_));
      LDP_ASSIGN_OR_RAISE(intervals, pl::IntervalsBetween(spec, a, b));
    } else {
      LDP_ASSIGN_OR_RAISE(auto iv, pl::LatestCompleteInterval(spec, static_cast<int64_t>(clock.Now())));
      intervals.push_back(iv);
    }
    std::vector<std::string> only;
    for (const auto& t : tasks_) {
      if (!spec.FindTask(t)) return NotFound("pipeline {} has no task '{}'", spec.name, t);
      auto add = downstream_ ? pl::WithDownstream(spec, t) : std::vector<std::string>{t};
      for (const auto& x : add)
        if (std::find(only.begin(), only.end(), x) == only.end()) only.push_back(x);
    }
    LDP_ASSIGN_OR_RAISE(auto store, OpenStore(*project));
    auto executor = orch::MakeProcessExecutor(SelfExe(), project->root());
    orch::RunnerOptions o;
    o.log_dir = StateDir(*project) + "/logs";
    o.trigger = intervals.size() > 1 ? "backfill" : "manual";
    o.only_tasks = only;
    auto notifier = orch::MakeHttpNotifier();
    o.notifier = notifier.get();
    // Progress, and notification deliveries (failures to deliver too), on stderr.
    if (!g.quiet && !g.json) o.on_event = [](const std::string& line) { std::cerr << line << "\n"; };
    orch::Runner runner(spec, *store, *executor, clock, o);
    LDP_ASSIGN_OR_RAISE(auto runs, runner.Run(intervals));
    int failed = 0;
    std::string first_failure;
    nlohmann::json arr = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : runs) {
      nlohmann::json tasks = nlohmann::json::array();
      int ok = 0, bad = 0;
      for (const auto& t : r.tasks) {
        tasks.push_back({{"task", t.task_id}, {"status", t.status}, {"attempts", t.attempts}, {"message", t.message}});
        (t.status == orch::state::kSuccess || t.status == orch::state::kSkipped) ? ++ok : ++bad;
        if (t.status == orch::state::kFailed && first_failure.empty())
          first_failure = fmt::format("{} task {}: {}", r.run_id, t.task_id, t.message);
      }
      if (r.status != orch::state::kSuccess) ++failed;
      arr.push_back({{"run_id", r.run_id},
                     {"status", r.status},
                     {"data_interval_start", spec.tz->FormatIso(r.interval.start)},
                     {"data_interval_end", spec.tz->FormatIso(r.interval.end)},
                     {"tasks", tasks}});
      rows.push_back({r.run_id, r.status, std::to_string(ok), std::to_string(bad)});
    }
    if (g.json) {
      PrintJson({{"pipeline", spec.name}, {"runs", arr}});
    } else if (!g.quiet) {
      std::cout << RenderTable(MakeTable({"run", "status", "tasks ok", "tasks not ok"}, rows, {false, false, true, true}));
    }
    if (failed > 0)
      return Status(ErrorCode::kInternal, fmt::format("{} of {} run{} failed; first: {} (see `ldp logs RUN TASK`)", failed,
                                                       runs.size(), runs.size() == 1 ? "" : "s", first_failure));
    return Status::OK();
  }

 private:
  std::string pipeline_, date_, from_, to_;
  std::vector<std::string> tasks_;
  bool downstream_ = false;
};

// `ldp task run PIPELINE TASK --date D`: one task alone, in this process.
class TaskCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("task", "Run one task of a pipeline (what an external scheduler calls)");
    c->require_subcommand(1);
    run_ = c->add_subcommand("run", "Run one task for the interval at --date, in this process; exit 0 ok, 99 skipped");
    run_->add_option("pipeline", pipeline_, "Pipeline name")->required();
    run_->add_option("task", task_, "Task id")->required();
    run_->add_option("--date", date_, "The interval starting at this date (YYYY-MM-DD [HH:MM])")->required();
    run_->add_option("--run-id", run_id_, "Run id for {{ run_id }} (default: PIPELINE@DATE)");
    run_->add_option("--result-file", result_file_, "Write the task's result as JSON here")->group("");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    int exit_code = 0;
    {
      auto st = RunTask(g, exit_code);
      if (!result_file_.empty()) {
        std::ofstream out(result_file_, std::ios::trunc);
        if (!st.ok()) result_["message"] = st.message();
        out << result_.dump();
      }
      if (!st.ok()) return st;
    }
    if (exit_code != 0) {
      std::cout.flush();
      std::exit(exit_code);
    }
    return Status::OK();
  }

 private:
  Status RunTask(const GlobalOptions& g, int& exit_code) {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto spec, pl::FindPipeline(PipelinesDir(*project), pipeline_));
    const pl::TaskSpec* task = spec.FindTask(task_);
    if (!task) return NotFound("pipeline {} has no task '{}'", spec.name, task_);
    LDP_ASSIGN_OR_RAISE(auto d, pl::ParseCivil(date_));
    LDP_ASSIGN_OR_RAISE(auto iv, pl::IntervalAt(spec, d));
    std::string run_id = run_id_.empty() ? orch::RunIdFor(spec, iv) : run_id_;
    // Relative paths in a task (read_csv('drops/...') in SQL too) are relative to the project
    // folder, whoever starts the task (`ldp run`, the scheduler, Airflow). The root is absolute.
    std::error_code ec;
    std::filesystem::current_path(project->root(), ec);
    std::ostream& log = g.json ? std::cerr : std::cout;
    LDP_ASSIGN_OR_RAISE(auto r, orch::ExecuteTask(*project, spec, *task, iv, run_id, log));
    result_ = {{"status", r.skipped ? "skipped" : "success"}, {"message", r.message}, {"inputs", r.inputs}};
    if (!r.table.empty()) result_["table"] = r.table;
    if (r.snapshot_id) result_["snapshot_id"] = *r.snapshot_id;
    if (g.json) PrintJson(result_);
    else if (!g.quiet) std::cout << task->id << ": " << (r.skipped ? "skipped" : "success") << (r.message.empty() ? "" : " (" + r.message + ")") << "\n";
    if (r.skipped) exit_code = orch::kSkipExitCode;
    return Status::OK();
  }

  CLI::App* run_ = nullptr;
  std::string pipeline_, task_, date_, run_id_, result_file_;
  nlohmann::json result_ = nlohmann::json::object();
};

// `ldp runs [PIPELINE | RUN_ID]`
class RunsCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("runs", "Run history: runs of every pipeline or of one; with a run id, its tasks and attempts");
    c->add_option("what", what_, "A pipeline name, or a run id (PIPELINE@DATE) to show its tasks");
    c->add_option("--limit", limit_, "At most this many runs (default 50)");
    return c;
  }
  bool ExitFast() const override { return true; }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto store, OpenStore(*project));
    if (what_.find('@') != std::string::npos) return ShowRun(g, *store);
    LDP_ASSIGN_OR_RAISE(auto runs, store->ListRuns(what_, limit_));
    if (!what_.empty() && runs.empty()) {
      auto spec = pl::FindPipeline(PipelinesDir(*project), what_);
      if (!spec.ok()) return spec.status();
    }
    nlohmann::json arr = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : runs) {
      arr.push_back({{"run_id", r.run_id}, {"pipeline", r.pipeline}, {"status", r.status}, {"trigger", r.trigger},
                     {"logical_date", r.logical_date}, {"interval_start", r.interval_start},
                     {"interval_end", r.interval_end}, {"started_at", r.started_at}, {"ended_at", r.ended_at}});
      rows.push_back({r.run_id, r.status, r.trigger, r.logical_date, Time(r.started_at), Duration(r.started_at, r.ended_at)});
    }
    if (g.json) {
      PrintJson(arr);
    } else {
      std::cout << RenderTable(MakeTable({"run", "status", "trigger", "logical date", "started (UTC)", "took"}, rows));
    }
    return Status::OK();
  }

 private:
  Status ShowRun(const GlobalOptions& g, orch::StateStore& store) {
    LDP_ASSIGN_OR_RAISE(auto run, store.GetRun(what_));
    if (!run) return NotFound("no run '{}' (see `ldp runs`)", what_);
    LDP_ASSIGN_OR_RAISE(auto tasks, store.TaskInstances(what_));
    LDP_ASSIGN_OR_RAISE(auto attempts, store.Attempts(what_));
    if (g.json) {
      nlohmann::json t = nlohmann::json::array(), a = nlohmann::json::array();
      for (const auto& x : tasks)
        t.push_back({{"task", x.task_id}, {"status", x.status}, {"attempts", x.attempts}, {"message", x.message},
                     {"started_at", x.started_at}, {"ended_at", x.ended_at}});
      for (const auto& x : attempts) {
        nlohmann::json j = {{"task", x.task_id}, {"attempt", x.attempt}, {"status", x.status},
                            {"exit_code", x.exit_code}, {"started_at", x.started_at}, {"ended_at", x.ended_at},
                            {"log_path", x.log_path}, {"message", x.message}, {"inputs", x.inputs}};
        if (x.snapshot_id) j["snapshot_id"] = *x.snapshot_id;
        if (!x.table.empty()) j["table"] = x.table;
        a.push_back(j);
      }
      PrintJson({{"run_id", run->run_id}, {"pipeline", run->pipeline}, {"status", run->status},
                 {"logical_date", run->logical_date}, {"tasks", t}, {"attempts", a}});
      return Status::OK();
    }
    std::cout << fmt::format("{}  {}  (logical date {})\n", run->run_id, run->status, run->logical_date);
    std::vector<std::vector<std::string>> rows;
    for (const auto& x : attempts)
      rows.push_back({x.task_id, std::to_string(x.attempt), x.status, Duration(x.started_at, x.ended_at),
                      x.snapshot_id ? std::to_string(*x.snapshot_id) : "", x.message});
    std::cout << RenderTable(MakeTable({"task", "attempt", "status", "took", "snapshot", "message"}, rows));
    for (const auto& x : tasks)
      if (x.attempts == 0) std::cout << x.task_id << ": " << x.status << "\n";
    return Status::OK();
  }
  std::string what_;
  int limit_ = 50;
};

// `ldp logs RUN [TASK] [--attempt N]`
class LogsCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("logs", "Print the log files of a run's task attempts");
    c->add_option("run", run_, "Run id (PIPELINE@DATE; see `ldp runs`)")->required();
    c->add_option("task", task_, "Only this task");
    c->add_option("--attempt", attempt_, "Only this attempt number");
    return c;
  }
  bool ExitFast() const override { return true; }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto store, OpenStore(*project));
    LDP_ASSIGN_OR_RAISE(auto run, store->GetRun(run_));
    if (!run) return NotFound("no run '{}' (see `ldp runs`)", run_);
    LDP_ASSIGN_OR_RAISE(auto attempts, store->Attempts(run_, task_));
    if (!task_.empty() && attempts.empty()) return NotFound("run {} has no attempts of task '{}'", run_, task_);
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& a : attempts) {
      if (attempt_ > 0 && a.attempt != attempt_) continue;
      std::ifstream in(a.log_path);
      std::stringstream ss;
      ss << in.rdbuf();
      if (g.json) {
        arr.push_back({{"task", a.task_id}, {"attempt", a.attempt}, {"status", a.status}, {"log_path", a.log_path},
                       {"log", ss.str()}});
      } else {
        std::cout << fmt::format("==> {} attempt {} ({}) {}\n", a.task_id, a.attempt, a.status, a.log_path) << ss.str();
      }
    }
    if (g.json) PrintJson(arr);
    return Status::OK();
  }

 private:
  std::string run_, task_;
  int attempt_ = 0;
};

// `ldp pipelines [--validate]`
class PipelinesCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("pipelines", "List the project's pipelines (pipelines/*.yaml) with their schedules and last runs; pause, unpause, trigger");
    c->add_flag("--validate", validate_, "Print every problem found and exit 2 when any pipeline is invalid");
    c->require_subcommand(0, 1);
    pause_ = c->add_subcommand("pause", "The scheduler leaves a paused pipeline alone");
    pause_->add_option("pipeline", name_, "Pipeline name")->required();
    unpause_ = c->add_subcommand("unpause", "Let the scheduler run the pipeline again (catchup runs what was missed)");
    unpause_->add_option("pipeline", name_, "Pipeline name")->required();
    trigger_ = c->add_subcommand("trigger", "Queue a run for the scheduler (`ldp run` runs one now instead)");
    trigger_->add_option("pipeline", name_, "Pipeline name")->required();
    trigger_->add_option("--date", date_, "The interval starting at this date (default: the latest complete one)");
    return c;
  }

  Status Change(const GlobalOptions& g, services::Project& project, orch::StateStore& store) {
    LDP_ASSIGN_OR_RAISE(auto spec, pl::FindPipeline(PipelinesDir(project), name_));
    if (!trigger_->parsed()) {
      bool paused = pause_->parsed();
      LDP_RETURN_NOT_OK(store.SetPaused(spec.name, paused));
      if (g.json) PrintJson({{"pipeline", spec.name}, {"paused", paused}});
      else if (!g.quiet) std::cout << spec.name << (paused ? " paused\n" : " unpaused\n");
      return Status::OK();
    }
    pl::DataInterval iv;
    if (date_.empty()) {
      SystemClock clock;
      LDP_ASSIGN_OR_RAISE(iv, pl::LatestCompleteInterval(spec, static_cast<int64_t>(clock.Now())));
    } else {
      LDP_ASSIGN_OR_RAISE(auto d, pl::ParseCivil(date_));
      LDP_ASSIGN_OR_RAISE(iv, pl::IntervalAt(spec, d));
    }
    orch::RunRecord r;
    r.run_id = orch::RunIdFor(spec, iv);
    r.pipeline = spec.name;
    r.logical_date = spec.tz->FormatIso(iv.start);
    r.interval_start = iv.start;
    r.interval_end = iv.end;
    r.trigger = "manual";
    LDP_ASSIGN_OR_RAISE(bool queued, store.QueueRun(r));
    if (!queued) return Status(ErrorCode::kAlreadyExists, fmt::format("run {} is running now", r.run_id));
    if (g.json) PrintJson({{"run_id", r.run_id}, {"status", "queued"}});
    else if (!g.quiet) std::cout << "Queued " << r.run_id << " (the scheduler runs it)\n";
    return Status::OK();
  }
  bool ExitFast() const override { return false; }  // pause/unpause/trigger write

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto store, OpenStore(*project));
    if (pause_->parsed() || unpause_->parsed() || trigger_->parsed()) return Change(g, *project, *store);
    nlohmann::json arr = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> problems;
    for (const auto& f : pl::PipelineFiles(PipelinesDir(*project))) {
      std::vector<std::string> errors;
      auto spec = pl::LoadPipelineFile(f, &errors);
      std::string rel = std::filesystem::relative(f, project->root()).string();
      if (!spec.ok()) {
        for (const auto& e : errors) problems.push_back(e);
        if (errors.empty()) problems.push_back(spec.status().message());
        std::string stem = std::filesystem::path(f).stem().string();
        arr.push_back({{"name", stem}, {"file", rel}, {"valid", false}, {"errors", errors}});
        rows.push_back({stem, "", "", "", "", "invalid: " + (errors.empty() ? spec.status().message() : errors.front())});
        continue;
      }
      LDP_ASSIGN_OR_RAISE(auto runs, store->ListRuns(spec->name, 1));
      std::string last = runs.empty() ? "" : runs[0].run_id + " " + runs[0].status;
      std::string schedule = spec->schedule ? spec->schedule->text() : "none";
      LDP_ASSIGN_OR_RAISE(bool paused, store->IsPaused(spec->name));
      if (paused) schedule += " (paused)";
      arr.push_back({{"name", spec->name}, {"file", rel}, {"valid", true}, {"schedule", schedule},
                     {"timezone", spec->timezone}, {"tasks", spec->tasks.size()}, {"catchup", spec->catchup},
                     {"paused", paused},
                     {"last_run", runs.empty() ? nlohmann::json(nullptr) : nlohmann::json(runs[0].run_id)},
                     {"last_status", runs.empty() ? nlohmann::json(nullptr) : nlohmann::json(runs[0].status)}});
      rows.push_back({spec->name, schedule, spec->timezone, std::to_string(spec->tasks.size()), rel, last});
    }
    if (g.json) {
      PrintJson(arr);
    } else {
      std::cout << RenderTable(MakeTable({"pipeline", "schedule", "timezone", "tasks", "file", "last run"}, rows,
                                         {false, false, false, true, false, false}));
      if (validate_)
        for (const auto& p : problems) std::cerr << p << "\n";
    }
    if (validate_ && !problems.empty())
      return InvalidArgument("{} problem{} in pipeline files; first: {}", problems.size(), problems.size() == 1 ? "" : "s",
                             problems.front());
    return Status::OK();
  }

 private:
  bool validate_ = false;
  CLI::App *pause_ = nullptr, *unpause_ = nullptr, *trigger_ = nullptr;
  std::string name_, date_;
};

// `ldp graph PIPELINE [--format text|mermaid]`
class GraphCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("graph", "Draw a pipeline's task graph (terminal text, or Mermaid)");
    c->add_option("pipeline", pipeline_, "Pipeline name")->required();
    c->add_option("--format", format_, "text (default) or mermaid")->check(CLI::IsMember({"text", "mermaid"}));
    return c;
  }
  bool ExitFast() const override { return true; }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto spec, pl::FindPipeline(PipelinesDir(*project), pipeline_));
    if (g.json) {
      nlohmann::json tasks = nlohmann::json::array();
      auto levels = pl::Levels(spec);
      for (const auto& t : spec.tasks)
        tasks.push_back({{"id", t.id}, {"type", t.type}, {"depends_on", t.depends_on}, {"level", levels[t.id]}});
      PrintJson({{"pipeline", spec.name}, {"order", pl::TopologicalOrder(spec)}, {"tasks", tasks}});
      return Status::OK();
    }
    std::cout << (format_ == "mermaid" ? pl::DrawMermaid(spec) : pl::DrawText(spec));
    return Status::OK();
  }

 private:
  std::string pipeline_, format_ = "text";
};

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

// `ldp scheduler [--once]`
class SchedulerCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("scheduler", "Run due intervals of every scheduled pipeline, until stopped (SIGINT/SIGTERM)");
    c->add_flag("--once", once_, "One pass (resume interrupted runs, run what is due), then exit");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto store, OpenStore(*project));
    auto executor = orch::MakeProcessExecutor(SelfExe(), project->root());
    SystemClock clock;
    orch::SchedulerOptions o;
    o.pipelines_dir = PipelinesDir(*project);
    o.log_dir = StateDir(*project) + "/logs";
    auto notifier = orch::MakeHttpNotifier();
    o.notifier = notifier.get();
    if (!g.quiet) o.on_event = [](const std::string& line) { std::cerr << line << std::endl; };
    orch::Scheduler scheduler(*store, *executor, clock, o);
    if (once_) {
      LDP_ASSIGN_OR_RAISE(auto runs, scheduler.Tick());
      int failed = 0;
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : runs) {
        arr.push_back({{"run_id", r.run_id}, {"status", r.status}});
        if (r.status != orch::state::kSuccess) ++failed;
        if (!g.json && !g.quiet) std::cout << r.run_id << " " << r.status << "\n";
      }
      if (g.json) PrintJson({{"runs", arr}});
      if (failed > 0) return Status(ErrorCode::kInternal, fmt::format("{} of {} runs failed", failed, runs.size()));
      return Status::OK();
    }
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    if (!g.quiet) std::cerr << "ldp scheduler: watching " << o.pipelines_dir << " (Ctrl-C to stop)" << std::endl;
    return scheduler.Loop(g_stop);
  }

 private:
  bool once_ = false;
};

}  // namespace

Status ExportAirflow(const GlobalOptions& g, const std::string& pipeline, const std::string& out_dir,
                     const std::string& k8s_image, const std::string& project_path) {
  LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
  LDP_ASSIGN_OR_RAISE(auto spec, pl::FindPipeline(PipelinesDir(*project), pipeline));
  orch::AirflowOptions o;
  std::error_code ec;
  o.project_dir = project_path.empty() ? std::filesystem::absolute(project->root(), ec).lexically_normal().string()
                                       : project_path;
  o.k8s_image = k8s_image;
  o.source_file = std::filesystem::relative(spec.file, project->root(), ec).string();
  o.now = static_cast<int64_t>(SystemClock().Now());
  LDP_ASSIGN_OR_RAISE(std::string text, orch::AirflowDag(spec, o));
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return IOError("cannot create {}: {}", out_dir, ec.message());
  std::string path = (std::filesystem::path(out_dir) / (spec.name + ".py")).string();
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return IOError("cannot write {}", tmp);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IOError("cannot write {}: {}", path, ec.message());
  if (g.json) {
    PrintJson({{"pipeline", spec.name}, {"path", path}, {"tasks", spec.tasks.size()},
               {"operator", k8s_image.empty() ? "BashOperator" : "KubernetesPodOperator"}});
  } else if (!g.quiet) {
    std::cout << "Wrote " << path << " (Airflow DAG '" << spec.name << "', " << spec.tasks.size() << " tasks)\n";
  }
  return Status::OK();
}

std::unique_ptr<Command> MakeRunCommand() { return std::make_unique<RunCommand>(); }
std::unique_ptr<Command> MakeTaskCommand() { return std::make_unique<TaskCommand>(); }
std::unique_ptr<Command> MakeRunsCommand() { return std::make_unique<RunsCommand>(); }
std::unique_ptr<Command> MakeLogsCommand() { return std::make_unique<LogsCommand>(); }
std::unique_ptr<Command> MakePipelinesCommand() { return std::make_unique<PipelinesCommand>(); }
std::unique_ptr<Command> MakeGraphCommand() { return std::make_unique<GraphCommand>(); }
std::unique_ptr<Command> MakeSchedulerCommand() { return std::make_unique<SchedulerCommand>(); }

}  // namespace ldp::cli
