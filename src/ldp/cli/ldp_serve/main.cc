// ldp-serve: the executable behind `ldp serve` (which execs it with its own arguments). It is a
// separate program so that the HTTP server library, and the TLS and compression libraries it
// loads, stay out of every other ldp command's start-up (docs/adr/0007-process-start-up.md).
// It parses the same global options and the same `serve` command as `ldp`.

#include <cstdio>
#include <iostream>

#include "ldp/cli/command.h"

namespace ldp::cli {

Result<std::unique_ptr<services::Project>> OpenProject(const GlobalOptions& g) {
  return services::Project::Open(services::ResolveProjectDir(g.project));
}

void PrintJson(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

const std::vector<std::string>& RawArguments() {
  static const std::vector<std::string> none;
  return none;
}

}  // namespace ldp::cli

int main(int argc, char** argv) {
  using namespace ldp;
  using namespace ldp::cli;
  CLI::App app{"ldp-serve - the Iceberg REST catalog server behind `ldp serve`", "ldp"};
  app.require_subcommand(1, 1);
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--project", global.project, "Project folder (default: $LDP_PROJECT or the current folder)");
  app.add_flag("--json", global.json, "Machine-readable JSON on stdout");
  app.add_flag("-q,--quiet", global.quiet, "Print nothing on success but the data asked for");
  auto command = MakeServeCommand();
  command->Register(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "ldp: error: %s (see `ldp help serve`)\n", e.what());
    return 2;
  }
  Status st = command->Run(global);
  if (!st.ok()) {
    std::fprintf(stderr, "ldp serve: error: %s\n", st.message().c_str());
    switch (st.code()) {
      case ErrorCode::kInvalidArgument: return 2;
      case ErrorCode::kNotFound: case ErrorCode::kNoSuchTable: case ErrorCode::kNoSuchNamespace: return 3;
      default: return 1;
    }
  }
  return 0;
}
