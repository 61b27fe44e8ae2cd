#include "ldp/cli/app.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/version.h"
#include "ldp/engine/engine.h"

namespace ldp::cli {

Result<std::unique_ptr<services::Project>> OpenProject(const GlobalOptions& g) {
  return services::Project::Open(services::ResolveProjectDir(g.project));
}

namespace {
std::vector<std::string>& RawArgs() {
  static std::vector<std::string> args;
  return args;
}
}  // namespace

const std::vector<std::string>& RawArguments() { return RawArgs(); }

void PrintJson(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

namespace {

// Exit codes: 0 ok, 1 an operation failed, 2 bad usage or input, 3 something named does not
// exist (documented in docs/cli.md).
int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kOk: return 0;
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kNotFound:
    case ErrorCode::kNoSuchTable:
    case ErrorCode::kNoSuchNamespace: return 3;
    default: return 1;
  }
}

std::string OneLine(std::string s) {
  // DuckDB messages can span lines (a caret under the SQL); the first lines carry the meaning.
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (s.find("  ") != std::string::npos) s.replace(s.find("  "), 2, " ");
  return s;
}

}  // namespace

int Main(int argc, char** argv) {
  RawArgs().assign(argv + 1, argv + argc);
  CLI::App app{"ldp - a local data platform: Iceberg tables, SQL and pipelines on one machine", "ldp"};
  app.require_subcommand(0, 1);
  app.fallthrough();
  GlobalOptions global;
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");
  app.add_option("--project", global.project, "Project folder (default: $LDP_PROJECT or the current folder)");
  app.add_flag("--json", global.json, "Machine-readable JSON on stdout");
  app.add_flag("-q,--quiet", global.quiet, "Print nothing on success but the data asked for (no progress, no messages)");

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(MakeInitCommand());
  commands.push_back(MakeIngestCommand());
  commands.push_back(MakeQueryCommand());
  commands.push_back(MakeTablesCommand());
  commands.push_back(MakeDescribeCommand());
  commands.push_back(MakeSnapshotsCommand());
  commands.push_back(MakeExportCommand());
  commands.push_back(MakeDemoCommand());
  commands.push_back(MakeBranchCommand());
  commands.push_back(MakeTagCommand());
  commands.push_back(MakeRollbackCommand());
  commands.push_back(MakeMaintainCommand());
  commands.push_back(MakeDeleteCommand());
  commands.push_back(MakeUpdateCommand());
  commands.push_back(MakePropertiesCommand());
  commands.push_back(MakeAlterCommand());
  commands.push_back(MakeRegisterCommand());
  commands.push_back(MakeUnregisterCommand());
  commands.push_back(MakeCloneCommand());
  commands.push_back(MakeRunCommand());
  commands.push_back(MakeTaskCommand());
  commands.push_back(MakeRunsCommand());
  commands.push_back(MakeLogsCommand());
  commands.push_back(MakePipelinesCommand());
  commands.push_back(MakeGraphCommand());
  commands.push_back(MakeSchedulerCommand());
  commands.push_back(MakeServeCommand());
  commands.push_back(MakeStateCommand());
  std::vector<std::pair<CLI::App*, Command*>> registered;
  for (auto& c : commands) registered.push_back({c->Register(app), c.get()});

  std::string help_topic;
  std::vector<std::string> help_sub;  // `ldp help export airflow`, `ldp help task run`
  auto* help = app.add_subcommand("help", "Show help for a command: ldp help COMMAND");
  help->add_option("command", help_topic, "Command name");
  help->add_option("subcommand", help_sub, "Subcommand name(s)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "ldp: error: %s (see `ldp help%s`)\n", e.what(),
                 app.get_subcommands().empty() ? "" : (" " + app.get_subcommands()[0]->get_name()).c_str());
    return 2;
  }
  if (version) {
    if (global.json) {
      PrintJson({{"ldp", LDP_VERSION_STRING}, {"duckdb", engine::DuckDBVersion()}});
    } else {
      std::printf("ldp %s (DuckDB %s)\n", LDP_VERSION_STRING, engine::DuckDBVersion().c_str());
    }
    return 0;
  }
  if (help->parsed()) {
    if (help_topic.empty()) {
      std::cout << app.help();
      return 0;
    }
    for (auto& [sub, cmd] : registered) {
      if (sub->get_name() == help_topic) {
        CLI::App* target = sub;
        for (const auto& name : help_sub) {
          auto found = target->get_subcommands([&](CLI::App* a) { return a->get_name() == name; });
          if (found.empty()) {
            std::fprintf(stderr, "ldp: error: unknown command '%s %s' (see `ldp help %s`)\n", help_topic.c_str(),
                         name.c_str(), help_topic.c_str());
            return 2;
          }
          target = found.front();
        }
        std::cout << target->help();
        return 0;
      }
    }
    std::fprintf(stderr, "ldp: error: unknown command '%s' (see `ldp help`)\n", help_topic.c_str());
    return 2;
  }
  for (auto& [sub, cmd] : registered) {
    if (!sub->parsed()) continue;
    Status st = cmd->Run(global);
    if (!st.ok()) {
      std::fprintf(stderr, "ldp %s: error: %s\n", sub->get_name().c_str(), OneLine(st.message()).c_str());
      return ExitCodeFor(st);
    }
    if (cmd->ExitFast()) {
      std::cout.flush();
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(0);
    }
    return 0;
  }
  std::cout << app.help();
  return 0;
}

}  // namespace ldp::cli
