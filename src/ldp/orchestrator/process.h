#pragma once
// Child processes for task attempts: each runs in its own process group, with stdout and stderr
// appended to a log file, so that a timeout kills the whole tree (SIGTERM to the group, SIGKILL
// after a grace period).
//
// Thread-safety: RunProcess may be called from several threads at once.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::orchestrator {

struct ProcessSpec {
  std::vector<std::string> argv;  ///< argv[0] is a path (or a name found on PATH)
  /// Variables set (value) or removed (nullopt) on top of this process's environment.
  std::map<std::string, std::optional<std::string>> env;
  std::string cwd;       ///< empty: inherit
  std::string log_path;  ///< stdout and stderr are appended here; empty: inherit ours
  double timeout = 0;    ///< seconds; 0 = none
  double kill_grace = 5; ///< seconds between SIGTERM and SIGKILL on timeout
};

struct ProcessOutcome {
  int exit_code = -1;  ///< exit status, or 128 + signal
  bool timed_out = false;
  double seconds = 0;
};

/// Starts the process in a new process group and waits for it. IOError when it cannot start.
Result<ProcessOutcome> RunProcess(const ProcessSpec& spec);

}  // namespace ldp::orchestrator
