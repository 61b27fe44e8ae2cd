#include <iostream>

#include "ldp/cli/command.h"

namespace ldp::cli {
namespace {

class InitCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("init", "Create a project: ldp.yaml and a warehouse with its catalog");
    c->add_option("dir", dir_, "Project folder (default: --project, $LDP_PROJECT or the current folder)");
    c->add_option("--name", name_, "Project name (default: the folder name)");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    std::string dir = dir_.empty() ? services::ResolveProjectDir(g.project) : dir_;
    LDP_ASSIGN_OR_RAISE(auto project, services::Project::Init(dir, name_));
    const auto& cfg = project->config();
    std::string catalog = project->root() + "/" + cfg.catalog_uri;
    if (g.json) {
      PrintJson({{"project", project->root()},
                 {"config", project->root() + "/ldp.yaml"},
                 {"warehouse", project->warehouse()},
                 {"catalog", catalog}});
    } else if (!g.quiet) {
      std::cout << "Created project " << cfg.name << " in " << project->root() << "\n"
                << "  config     " << project->root() << "/ldp.yaml\n"
                << "  warehouse  " << project->warehouse() << "\n"
                << "  catalog    " << catalog << " (SQLite, catalog name '" << cfg.catalog_name << "')\n"
                << "Next: ldp ingest FILE --table ns.name   or   ldp demo nyc-taxi\n";
    }
    return Status::OK();
  }

 private:
  std::string dir_, name_;
};

}  // namespace

std::unique_ptr<Command> MakeInitCommand() { return std::make_unique<InitCommand>(); }

}  // namespace ldp::cli
