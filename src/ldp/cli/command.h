#pragma once
// A CLI subcommand: registers its flags, then runs. One file per command (cli/*_command.cc).

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/services/project.h"

namespace ldp::cli {

/// Flags every command takes.
struct GlobalOptions {
  std::string project;  ///< --project DIR (else $LDP_PROJECT, else ".")
  bool json = false;    ///< --json: machine-readable output on stdout
  bool quiet = false;   ///< --quiet: no progress output
};

/// The command line as given, without the program name (set by Main).
const std::vector<std::string>& RawArguments();

class Command {
 public:
  virtual ~Command() = default;
  /// Adds the subcommand and its flags to `app`.
  virtual CLI::App* Register(CLI::App& app) = 0;
  /// Runs the command; errors go back to main, which prints them and sets the exit code.
  virtual Status Run(const GlobalOptions& global) = 0;
  /// True for read-only commands whose process may end right after a successful Run without
  /// tearing down DuckDB and the catalog (nothing is left to write; saves ~15 ms per query).
  virtual bool ExitFast() const { return false; }
};

std::unique_ptr<Command> MakeInitCommand();
std::unique_ptr<Command> MakeIngestCommand();
std::unique_ptr<Command> MakeQueryCommand();
std::unique_ptr<Command> MakeTablesCommand();
std::unique_ptr<Command> MakeDescribeCommand();
std::unique_ptr<Command> MakeSnapshotsCommand();
std::unique_ptr<Command> MakeExportCommand();
std::unique_ptr<Command> MakeDemoCommand();
std::unique_ptr<Command> MakeBranchCommand();
std::unique_ptr<Command> MakeTagCommand();
std::unique_ptr<Command> MakeRollbackCommand();
std::unique_ptr<Command> MakeMaintainCommand();
std::unique_ptr<Command> MakeDeleteCommand();
std::unique_ptr<Command> MakeUpdateCommand();
std::unique_ptr<Command> MakePropertiesCommand();
std::unique_ptr<Command> MakeAlterCommand();
std::unique_ptr<Command> MakeRegisterCommand();
std::unique_ptr<Command> MakeUnregisterCommand();
std::unique_ptr<Command> MakeCloneCommand();
// Orchestrator (cli/pipeline_commands.cc)
std::unique_ptr<Command> MakeRunCommand();
std::unique_ptr<Command> MakeTaskCommand();
std::unique_ptr<Command> MakeRunsCommand();
std::unique_ptr<Command> MakeLogsCommand();
std::unique_ptr<Command> MakePipelinesCommand();
std::unique_ptr<Command> MakeGraphCommand();
std::unique_ptr<Command> MakeSchedulerCommand();
std::unique_ptr<Command> MakeServeCommand();
std::unique_ptr<Command> MakeStateCommand();

// Shared helpers for commands.
Result<std::unique_ptr<services::Project>> OpenProject(const GlobalOptions& g);
/// Prints a JSON value on stdout (pretty) followed by a newline.
void PrintJson(const nlohmann::json& j);

}  // namespace ldp::cli
