#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/services/ingest.h"
#include "ldp/services/query.h"

namespace ldp::cli {
namespace {

std::string FormatFromPath(const std::string& path) {
  auto ends = [&](const std::string& s) { return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0; };
  if (ends(".parquet")) return "parquet";
  if (ends(".json") || ends(".ndjson") || ends(".jsonl")) return "json";
  return "csv";
}

class ExportCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("export", "Write a table (or a query with --sql) to a CSV, Parquet or JSON file");
    c->add_option("table", table_, "NS.NAME");
    c->add_option("--sql", sql_, "Export the result of this query instead of a table");
    c->add_option("--to", to_, "Output file")->required();
    c->add_option("--format", format_, "csv, parquet or json (default: from the extension, else csv)")
        ->check(CLI::IsMember({"csv", "parquet", "json"}));
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    if (table_.empty() == sql_.empty()) return InvalidArgument("give either a table NS.NAME or --sql, not both");
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto fmt_, services::ParseFileFormat(format_.empty() ? FormatFromPath(to_) : format_));
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
    services::ExportResult r;
    if (!table_.empty()) {
      LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
      LDP_ASSIGN_OR_RAISE(r, services::ExportTable(*project, *conn, id, to_, fmt_));
    } else {
      LDP_ASSIGN_OR_RAISE(r, services::ExportQuery(*project, *conn, sql_, to_, fmt_));
    }
    if (g.json) {
      PrintJson({{"path", r.path}, {"rows", r.rows}});
    } else if (!g.quiet) {
      std::cout << "Wrote " << r.rows << " rows to " << r.path << "\n";
    }
    return Status::OK();
  }

 private:
  std::string table_, sql_, to_, format_;
};

}  // namespace

std::unique_ptr<Command> MakeExportCommand() { return std::make_unique<ExportCommand>(); }

}  // namespace ldp::cli
