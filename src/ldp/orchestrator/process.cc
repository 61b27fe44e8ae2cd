#include "ldp/orchestrator/process.h"

#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace ldp::orchestrator {

Result<ProcessOutcome> RunProcess(const ProcessSpec& spec) {
  if (spec.argv.empty()) return InvalidArgument("no program to run");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!spec.log_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A new process group (pgid = the child's pid), so that killpg reaches every descendant.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : spec.env) {
    if (v)
      env[k] = *v;
    else
      env.erase(k);
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0].c_str(), &actions, &attr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return IOError("starting {}: {}", args[0], std::strerror(rc));

  ProcessOutcome out;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  int status = 0;
  double term_sent_at = -1;
  // waitpid has no timeout, and a SIGCHLD handler would be process-wide. A pidfd (Linux 5.3)
  // becomes readable when the child exits: poll() on it wakes at once, and at least every 50 ms to
  // check the timeout. Without pidfds: a growing sleep (1 ms to 20 ms), which adds up to ~half a
  // sleep of latency per task.
  int pidfd = -1;
#ifdef SYS_pidfd_open
  pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#endif
  struct PidFd {
    int fd;
    ~PidFd() {
      if (fd >= 0) close(fd);
    }
  } pidfd_guard{pidfd};
  int sleep_us = 1000;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return IOError("waitpid: {}", std::strerror(errno));
    double t = elapsed();
    if (spec.timeout > 0 && t >= spec.timeout && term_sent_at < 0) {
      out.timed_out = true;
      killpg(pid, SIGTERM);
      term_sent_at = t;
    }
    if (term_sent_at >= 0 && t >= term_sent_at + spec.kill_grace) {
      killpg(pid, SIGKILL);
      term_sent_at = 1e300;  // sent; keep waiting for the exit
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      (void)poll(&p, 1, 50);
      continue;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
    sleep_us = std::min(sleep_us * 2, 20000);
  }
  // The leader is gone; anything it left behind in its group goes too (a shell's background
  // children on timeout).
  if (out.timed_out) killpg(pid, SIGKILL);
  out.seconds = elapsed();
  if (WIFEXITED(status))
    out.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    out.exit_code = 128 + WTERMSIG(status);
  return out;
}

}  // namespace ldp::orchestrator
