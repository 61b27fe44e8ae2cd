#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/services/register.h"

namespace ldp::cli {
namespace {

class RegisterCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("register", "Add an existing Iceberg table (written by any engine) to the catalog");
    c->add_option("table", table_, "Table NS.NAME to register it as")->required();
    c->add_option("location", location_,
                  "A metadata file (*.metadata.json, also gzip), or the table's folder (version-hint.text, "
                  "else the newest NNNNN-*.metadata.json)")
        ->required();
    c->add_flag("--overwrite", overwrite_, "Point an existing catalog entry at LOCATION instead of refusing");
    c->add_option("--relocate", relocate_,
                  "FROM=TO: the table's files were moved from path prefix FROM to TO (repeatable); paths are "
                  "rewritten when read, the files are not changed");
    c->footer(
        "No file of the table is copied, moved or written: the catalog gets a row pointing at the\n"
        "metadata file (with --relocate, at a copy of it in this project's warehouse).\n"
        "The current snapshot's manifests and files are checked first; nothing is registered when\n"
        "one is missing or unreadable. `ldp unregister` removes the row and never deletes files.");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    services::RegisterOptions o;
    LDP_ASSIGN_OR_RAISE(o.table, catalog::TableIdentifier::Parse(table_));
    o.location = location_;
    o.overwrite = overwrite_;
    o.relocate = relocate_;
    LDP_ASSIGN_OR_RAISE(auto r, services::RegisterTable(*project, o));
    if (g.json) {
      PrintJson({{"table", r.table.ToString()},
                 {"metadata_location", r.metadata_location},
                 {"format_version", r.format_version},
                 {"table_uuid", r.table_uuid},
                 {"current_snapshot_id", r.current_snapshot_id},
                 {"snapshots", r.snapshots},
                 {"data_files", r.data_files},
                 {"records", r.records},
                 {"replaced", r.replaced}});
      return Status::OK();
    }
    if (!g.quiet) {
      std::cout << (r.replaced ? "Re-pointed " : "Registered ") << r.table.ToString() << " -> "
                << r.metadata_location << "\n"
                << "  format v" << r.format_version << ", " << r.snapshots << " snapshot(s), " << r.data_files
                << " data file(s), " << r.records << " record(s) in the current snapshot\n";
    }
    return Status::OK();
  }

 private:
  std::string table_, location_;
  bool overwrite_ = false;
  std::vector<std::string> relocate_;
};

class UnregisterCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("unregister", "Remove a table from the catalog, keeping every file");
    c->add_option("table", table_, "Table NS.NAME")->required();
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(std::string loc, services::UnregisterTable(*project, id));
    if (g.json) {
      PrintJson({{"table", id.ToString()}, {"metadata_location", loc}});
    } else if (!g.quiet) {
      std::cout << "Unregistered " << id.ToString() << " (files kept; its metadata: " << loc << ")\n";
    }
    return Status::OK();
  }

 private:
  std::string table_;
};

}  // namespace

std::unique_ptr<Command> MakeRegisterCommand() { return std::make_unique<RegisterCommand>(); }
std::unique_ptr<Command> MakeUnregisterCommand() { return std::make_unique<UnregisterCommand>(); }

}  // namespace ldp::cli
