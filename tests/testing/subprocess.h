#pragma once
// Runs a program as a child process and collects its exit code, stdout and stderr separately.
// Header-only so that any test binary can use it without a link-line change.
//
// The child's stdout and stderr go to files (not pipes), so a test may start several children,
// wait for them in any order and never deadlock on a full pipe.
//
// Thread-safety: each Subprocess is used by one thread at a time.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ldp/core/status.h"

extern char** environ;

namespace ldp::testing {

/// What a finished process did.
struct ProcessResult {
  int exit_code = -1;  ///< exit status, or 128 + signal when killed by a signal
  bool signaled = false;
  std::string out;  ///< everything written to stdout
  std::string err;  ///< everything written to stderr

  /// "exit 2\n--- stdout ---\n...\n--- stderr ---\n..." for assertion messages.
  std::string Describe() const {
    return "exit " + std::to_string(exit_code) + (signaled ? " (signal)" : "") +
           "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  }
};

struct SubprocessOptions {
  /// Variables to set (or, with nullopt, remove) on top of this process's environment.
  std::map<std::string, std::optional<std::string>> env;
  /// Working directory of the child; empty = inherit.
  std::string cwd;
};

/// One started child process.
class Subprocess {
 public:
  /// Starts argv[0] (a path; PATH is not searched) with the given arguments; stdin is /dev/null.
  static Result<Subprocess> Start(const std::vector<std::string>& argv,
                                  const SubprocessOptions& options = {}) {
    if (argv.empty()) return InvalidArgument("no program given");
    Subprocess p;
    char tmpl[] = "/tmp/ldp-subprocess-XXXXXX";
    if (!mkdtemp(tmpl)) return IOError("mkdtemp: {}", std::strerror(errno));
    p.dir_ = tmpl;
    std::string out_path = p.dir_ + "/stdout";
    std::string err_path = p.dir_ + "/stderr";

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // posix_spawn has no portable chdir action before glibc 2.29's _np variant; Debian 12 has it.
    if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());

    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : options.env) {
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
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (auto& a : args) argp.push_back(a.data());
    argp.push_back(nullptr);

    pid_t pid = 0;
    int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argp.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      p.Cleanup();
      return IOError("starting {}: {}", args[0], std::strerror(rc));
    }
    p.pid_ = pid;
    return p;
  }

  Subprocess(Subprocess&& o) noexcept : pid_(o.pid_), dir_(std::move(o.dir_)) {
    o.pid_ = -1;
    o.dir_.clear();
  }
  Subprocess& operator=(Subprocess&&) = delete;
  Subprocess(const Subprocess&) = delete;
  ~Subprocess() {
    if (pid_ > 0) {  // never waited for: do not leave a zombie or a running child behind
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    Cleanup();
  }

  pid_t pid() const { return pid_; }
  /// The file the child's stdout goes to (readable while it runs).
  std::string stdout_path() const { return dir_ + "/stdout"; }

  /// Waits for the child to end and returns what it did. REQUIRES: not waited for before.
  Result<ProcessResult> Wait() {
    if (pid_ <= 0) return InvalidArgument("process already waited for");
    int status = 0;
    pid_t r;
    do {
      r = waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
    pid_ = -1;
    if (r < 0) return IOError("waitpid: {}", std::strerror(errno));
    ProcessResult out;
    if (WIFEXITED(status)) {
      out.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      out.signaled = true;
      out.exit_code = 128 + WTERMSIG(status);
    }
    out.out = Slurp(dir_ + "/stdout");
    out.err = Slurp(dir_ + "/stderr");
    Cleanup();
    return out;
  }

 private:
  Subprocess() = default;

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  void Cleanup() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }

  pid_t pid_ = -1;
  std::string dir_;
};

/// Runs a program to completion (see Subprocess::Start).
inline Result<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                        const SubprocessOptions& options = {}) {
  LDP_ASSIGN_OR_RAISE(Subprocess p, Subprocess::Start(argv, options));
  return p.Wait();
}

}  // namespace ldp::testing
