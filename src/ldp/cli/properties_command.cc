#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/services/table_properties.h"

namespace ldp::cli {
namespace {

class PropertiesCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("properties", "Show, set or remove table properties (e.g. write.delete.mode)");
    c->add_option("table", table_, "Table NS.NAME")->required();
    c->add_option("--set", set_, "KEY=VALUE (repeatable)");
    c->add_option("--unset", unset_, "KEY (repeatable)");
    c->footer(
        "Row-level write modes: write.delete.mode, write.update.mode, write.merge.mode =\n"
        "copy-on-write (default) or merge-on-read.");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    std::map<std::string, std::string> set;
    for (const auto& kv : set_) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) return InvalidArgument("--set '{}' is not KEY=VALUE", kv);
      set[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    services::LoadedTable t;
    if (set.empty() && unset_.empty()) {
      LDP_ASSIGN_OR_RAISE(t, services::LoadTable(*project, id));
    } else {
      LDP_ASSIGN_OR_RAISE(t, services::UpdateTableProperties(*project, id, set, unset_));
    }
    if (g.json) {
      PrintJson({{"table", id.ToString()}, {"properties", t.metadata->properties}});
      return Status::OK();
    }
    for (const auto& [k, v] : t.metadata->properties) std::cout << k << " = " << v << "\n";
    return Status::OK();
  }

 private:
  std::string table_;
  std::vector<std::string> set_, unset_;
};

}  // namespace

std::unique_ptr<Command> MakePropertiesCommand() { return std::make_unique<PropertiesCommand>(); }

}  // namespace ldp::cli
