#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/connectors/cursor_store.h"
#include "ldp/services/source_ingest.h"

namespace ldp::cli {
namespace {

nlohmann::json ToJson(const connectors::CursorRecord& r) {
  return {{"source", r.source}, {"cursor_field", r.cursor_field}, {"value", r.value},
          {"target", r.target}, {"snapshot_id", r.snapshot_id},   {"updated_at", r.updated_at}};
}

// `ldp state [SOURCE]` and `ldp state reset SOURCE`: the incremental cursors of connector sources.
class StateCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("state", "Show the incremental cursors of sources, or `state reset SOURCE` to clear one");
    c->add_option("args", args_, "[SOURCE] to show one source, or reset SOURCE to clear its cursor");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto store, connectors::CursorStore::Open(services::CursorStorePath(*project)));
    if (!args_.empty() && args_[0] == "reset") {
      if (args_.size() != 2) return InvalidArgument("usage: ldp state reset SOURCE");
      LDP_RETURN_NOT_OK(store->Reset(args_[1]));
      if (g.json) PrintJson({{"source", args_[1]}, {"reset", true}});
      else if (!g.quiet) std::cout << "Cleared the cursor of " << args_[1] << "; the next run reads it from the start\n";
      return Status::OK();
    }
    if (args_.size() > 1) return InvalidArgument("usage: ldp state [SOURCE] | ldp state reset SOURCE");
    std::vector<connectors::CursorRecord> rows;
    if (args_.size() == 1) {
      LDP_ASSIGN_OR_RAISE(auto one, store->Get(args_[0]));
      if (!one) return NotFound("source '{}' has no saved cursor", args_[0]);
      rows.push_back(*one);
    } else {
      LDP_ASSIGN_OR_RAISE(rows, store->List());
    }
    if (g.json) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& r : rows) a.push_back(ToJson(r));
      PrintJson(args_.size() == 1 ? a[0] : a);
      return Status::OK();
    }
    if (rows.empty()) {
      std::cout << "No saved cursors\n";
      return Status::OK();
    }
    std::vector<std::vector<std::string>> table;
    for (const auto& r : rows)
      table.push_back({r.source, r.cursor_field, r.value, r.target, r.snapshot_id ? std::to_string(r.snapshot_id) : ""});
    std::cout << RenderTable(MakeTable({"source", "cursor field", "value", "target", "snapshot"}, table));
    return Status::OK();
  }

 private:
  std::vector<std::string> args_;
};

}  // namespace

std::unique_ptr<Command> MakeStateCommand() { return std::make_unique<StateCommand>(); }

}  // namespace ldp::cli
