#include "ldp/cli/command.h"
#include "ldp/cli/row_delta_output.h"
#include "ldp/services/ingest.h"
#include "ldp/services/row_delta.h"

namespace ldp::cli {
namespace {

class UpdateCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("update", "Change columns of the rows of a table that match a predicate");
    c->add_option("table", table_, "Table NS.NAME")->required();
    c->add_option("--set", set_, "\"col = expr[, col2 = expr]\" (DuckDB SQL over the table's columns)")->required();
    c->add_option("--where", where_, "DuckDB SQL predicate (default: every row)");
    c->add_option("--branch", branch_, "Change the rows of this existing branch instead of main (write-audit-publish)");
    c->footer(
        "Write mode: table property write.update.mode = copy-on-write (default) or merge-on-read (position\n"
        "deletes for the old rows plus a data file of the new ones).");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    return RunRowChange(g, table_, [&](services::Project& p, engine::Connection& c, const catalog::TableIdentifier& id) {
      return services::UpdateRows(p, c, id, set_, where_, branch_.empty() ? "main" : branch_);
    });
  }

 private:
  std::string branch_;
  std::string table_, set_, where_;
};

}  // namespace

std::unique_ptr<Command> MakeUpdateCommand() { return std::make_unique<UpdateCommand>(); }

}  // namespace ldp::cli
