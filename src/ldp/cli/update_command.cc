#include <chrono>

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
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
    auto start = std::chrono::steady_clock::now();
    LDP_ASSIGN_OR_RAISE(auto r, services::UpdateRows(*project, *conn, id, set_, where_, branch_.empty() ? "main" : branch_));
    PrintRowDelta(g, r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return Status::OK();
  }

 private:
  std::string branch_;
  std::string table_, set_, where_;
};

}  // namespace

std::unique_ptr<Command> MakeUpdateCommand() { return std::make_unique<UpdateCommand>(); }

}  // namespace ldp::cli
