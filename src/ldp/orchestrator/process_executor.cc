// The TaskExecutor of real runs: every attempt is a child process in its own process group
// (docs/adr/0014-orchestrator-execution-model.md).

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ldp/orchestrator/process.h"
#include "ldp/orchestrator/runner.h"
#include "ldp/orchestrator/tasks.h"

namespace ldp::orchestrator {
namespace {

class ProcessExecutor final : public TaskExecutor {
 public:
  ProcessExecutor(std::string ldp_binary, std::string project_dir)
      : ldp_(std::move(ldp_binary)), project_(std::move(project_dir)) {}

  AttemptOutcome Execute(const AttemptRequest& req) override {
    AttemptOutcome out;
    ProcessSpec p;
    p.log_path = req.log_path;
    p.timeout = req.timeout;
    std::string result_path = req.log_path + ".result.json";
    const auto& task = *req.task;
    if (task.type == "shell") {
      // Shell tasks skip the `ldp task run` hop: the shell is the group leader.
      auto c = RenderConfig(*req.spec, task, req.interval, req.run_id);
      if (!c.ok()) return Fail(req, c.status().message());
      p.argv = {"/bin/sh", "-c", (*c)["command"].get<std::string>()};
      if (c->contains("env") && (*c)["env"].is_object())
        for (auto& [k, v] : (*c)["env"].items()) p.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
      std::string cwd = c->value("cwd", "");
      p.cwd = cwd.empty() ? project_ : (cwd[0] == '/' ? cwd : project_ + "/" + cwd);
    } else {
      pipeline::CivilTime w = pipeline::CivilTime::FromWallSeconds(req.spec->tz->ToWall(req.interval.start));
      p.argv = {ldp_,
                "task",
                "run",
                req.spec->name,
                task.id,
                "--date",
                fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", w.year, w.month, w.day, w.hour, w.minute, w.second),
                "--run-id",
                req.run_id,
                "--result-file",
                result_path,
                "--project",
                project_};
    }
    p.env["LDP_RUN_ID"] = req.run_id;
    p.env["LDP_TASK_ID"] = task.id;
    p.env["LDP_ATTEMPT"] = std::to_string(req.attempt);
    auto r = RunProcess(p);
    if (!r.ok()) return Fail(req, r.status().message());
    out.exit_code = r->exit_code;
    out.timed_out = r->timed_out;
    // What `ldp task run` reported (committed snapshot, message).
    std::ifstream in(result_path);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      auto j = nlohmann::json::parse(ss.str(), nullptr, false);
      if (j.is_object()) {
        out.message = j.value("message", "");
        out.table = j.value("table", "");
        if (j.contains("inputs") && j["inputs"].is_array())
          for (const auto& x : j["inputs"])
            if (x.is_string()) out.inputs.push_back(x.get<std::string>());
        if (j.contains("snapshot_id") && j["snapshot_id"].is_number_integer()) out.snapshot_id = j["snapshot_id"].get<int64_t>();
      }
      in.close();
      std::error_code ec;
      std::filesystem::remove(result_path, ec);
    }
    if (r->timed_out) {
      out.status = state::kFailed;
      out.message = fmt::format("timed out after {:g}s; its process group was killed", req.timeout);
    } else if (r->exit_code == 0) {
      out.status = state::kSuccess;
      if (out.message.empty()) out.message = fmt::format("exit 0 in {:.2f}s", r->seconds);
    } else if (r->exit_code == kSkipExitCode) {
      out.status = state::kSkipped;
      if (out.message.empty()) out.message = "skipped (exit 99)";
    } else {
      out.status = state::kFailed;
      if (out.message.empty()) out.message = fmt::format("exit {}", r->exit_code);
    }
    return out;
  }

 private:
  AttemptOutcome Fail(const AttemptRequest& req, const std::string& msg) {
    std::ofstream log(req.log_path, std::ios::app);
    log << "error: " << msg << "\n";
    AttemptOutcome out;
    out.status = state::kFailed;
    out.exit_code = -1;
    out.message = msg;
    return out;
  }
  std::string ldp_, project_;
};

}  // namespace

std::unique_ptr<TaskExecutor> MakeProcessExecutor(std::string ldp_binary, std::string project_dir) {
  return std::make_unique<ProcessExecutor>(std::move(ldp_binary), std::move(project_dir));
}

}  // namespace ldp::orchestrator
