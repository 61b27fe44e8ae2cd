#include <chrono>
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/cli/row_delta_output.h"
#include "ldp/services/ingest.h"
#include "ldp/services/row_delta.h"

namespace ldp::cli {

void PrintRowDelta(const GlobalOptions& g, const services::RowDeltaResult& r, double secs) {
  if (g.json) {
    PrintJson({{"table", r.table.ToString()},
               {"operation", r.operation},
               {"write_mode", services::WriteModeName(r.mode)},
               {"committed", r.committed},
               {"snapshot_id", r.snapshot_id},
               {"rows_deleted", r.rows_deleted},
               {"rows_updated", r.rows_updated},
               {"rows_inserted", r.rows_inserted},
               {"files_rewritten", r.files_rewritten},
               {"data_files_added", r.data_files_added},
               {"delete_files_added", r.delete_files_added},
               {"files_scanned", r.files_scanned},
               {"total_files", r.total_files},
               {"commit_attempts", r.commit_attempts},
               {"metadata_location", r.metadata_location},
               {"seconds", secs}});
    return;
  }
  if (!r.committed) {
    std::cout << "No row of " << r.table.ToString() << " matched: nothing changed\n";
    return;
  }
  std::cout << fmt::format("{} {}: {} row{} {} ({}) in {:.2f}s\n", r.operation == "delete" ? "Deleted from" : "Updated",
                           r.table.ToString(), r.operation == "delete" ? r.rows_deleted : r.rows_updated,
                           (r.operation == "delete" ? r.rows_deleted : r.rows_updated) == 1 ? "" : "s",
                           r.operation == "delete" ? "deleted" : "updated", services::WriteModeName(r.mode), secs)
            << fmt::format("  data files: {} rewritten, {} added, {} of {} scanned; delete files added: {}\n",
                           r.files_rewritten, r.data_files_added, r.files_scanned, r.total_files, r.delete_files_added)
            << "  snapshot " << r.snapshot_id << "\n";
}

Status RunRowChange(const GlobalOptions& g, const std::string& table, const RowChange& change) {
  LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table));
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  auto start = std::chrono::steady_clock::now();
  LDP_ASSIGN_OR_RAISE(auto r, change(*project, *conn, id));
  PrintRowDelta(g, r, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return Status::OK();
}

namespace {

class DeleteCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("delete", "Delete the rows of a table that match a predicate (one atomic snapshot)");
    c->add_option("table", table_, "Table NS.NAME")->required();
    c->add_option("--where", where_, "DuckDB SQL predicate over the table's columns")->required();
    c->add_option("--branch", branch_, "Change the rows of this existing branch instead of main (write-audit-publish)");
    c->footer(
        "Write mode: table property write.delete.mode = copy-on-write (default: rewrite the data files that hold\n"
        "matching rows) or merge-on-read (write a position delete file).");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    return RunRowChange(g, table_, [&](services::Project& p, engine::Connection& c, const catalog::TableIdentifier& id) {
      return services::DeleteRows(p, c, id, where_, branch_.empty() ? "main" : branch_);
    });
  }

 private:
  std::string branch_;
  std::string table_, where_;
};

}  // namespace

std::unique_ptr<Command> MakeDeleteCommand() { return std::make_unique<DeleteCommand>(); }

}  // namespace ldp::cli
