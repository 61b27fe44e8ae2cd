// `ldp alter NS.NAME --partition-by "..."`: changes a table's definition.
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/services/partition_evolution.h"

namespace ldp::cli {
namespace {

class AlterCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("alter", "Change a table's definition (partition spec)");
    c->add_option("table", table_, "NS.NAME")->required();
    c->add_option("--partition-by", partition_by_,
                  "New partition spec for new writes, e.g. \"day(ts), bucket(16, id)\"; "
                  "\"\" or unpartitioned for none. Existing files keep their spec");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    if (!partition_by_) return InvalidArgument("nothing to alter: give --partition-by \"...\" (see `ldp help alter`)");
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(auto r, services::EvolveTablePartitioning(*project, id, *partition_by_));
    if (g.json) {
      PrintJson({{"table", r.table.ToString()},
                 {"changed", r.changed},
                 {"spec_id", r.spec_id},
                 {"partition_spec", r.spec_text},
                 {"previous_partition_spec", r.previous_spec_text},
                 {"metadata_location", r.metadata_location}});
      return Status::OK();
    }
    if (!r.changed) {
      std::cout << "Table " << r.table.ToString() << " is already partitioned by " << r.spec_text
                << " (spec " << r.spec_id << "): nothing changed\n";
      return Status::OK();
    }
    std::cout << "Table " << r.table.ToString() << ": partition spec " << r.spec_id << " (" << r.spec_text
              << ") is now the default, was " << r.previous_spec_text
              << "\n  existing data files keep their spec; new writes use the new one\n";
    return Status::OK();
  }

 private:
  std::string table_;
  std::optional<std::string> partition_by_;
};

}  // namespace

std::unique_ptr<Command> MakeAlterCommand() { return std::make_unique<AlterCommand>(); }

}  // namespace ldp::cli
