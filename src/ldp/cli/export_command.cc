#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/services/ingest.h"
#include "ldp/services/query.h"
#include "ldp/services/sink_export.h"

namespace ldp::cli {

// `ldp export airflow PIPELINE --out DIR` (cli/pipeline_commands.cc).
Status ExportAirflow(const GlobalOptions& g, const std::string& pipeline, const std::string& out_dir,
                     const std::string& k8s_image, const std::string& project_path);

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
    auto* c = app.add_subcommand(
        "export", "Write a table (or a query with --sql) to a file or folder, a DuckDB database file or PostgreSQL");
    c->add_option("table", table_, "NS.NAME");
    c->add_option("--sql", sql_, "Export the result of this query instead of a table");
    c->add_option("--to", to_,
                  "Output: a CSV/Parquet/JSON file, a folder (ending in /), FILE.duckdb?table=T, or "
                  "postgresql://user@host/db?table=T (required)");
    c->add_option("--format", format_, "csv, parquet or json (default: from the extension, else csv)")
        ->check(CLI::IsMember({"csv", "parquet", "json"}));
    c->add_option("--mode", mode_, "Write disposition: replace (default), append or merge (DuckDB, PostgreSQL; needs --key)")
        ->check(CLI::IsMember({"append", "replace", "merge"}));
    c->add_option("--key", key_, "merge: key column(s) COL[,COL]");
    c->add_option("--target-table", target_table_, "DuckDB/PostgreSQL: the table to write (default: ?table= or the source table's name)");
    c->add_option("--partition-by", partition_by_, "Files: write a folder with COL=VALUE sub-folders, COL[,COL]");
    // Tables are always NS.NAME, so a bare `airflow` cannot be a table.
    airflow_ = c->add_subcommand("airflow", "Write a pipeline as an Airflow 2 DAG file whose tasks run `ldp task run`");
    airflow_->add_option("pipeline", pipeline_, "Pipeline name")->required();
    airflow_->add_option("--out", out_, "Folder for the DAG file (PIPELINE.py)")->required();
    airflow_->add_option("--k8s-image", image_, "Use KubernetesPodOperator with this image (default: BashOperator)");
    airflow_->add_option("--project-path", project_path_,
                         "The project's path on the Airflow workers (default: this project's absolute path)");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    if (airflow_->parsed()) return ExportAirflow(g, pipeline_, out_, image_, project_path_);
    if (to_.empty()) return InvalidArgument("--to is required (the output file, folder, database or table)");
    if (table_.empty() == sql_.empty()) return InvalidArgument("give either a table NS.NAME or --sql, not both");
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto fmt_, services::ParseFileFormat(format_.empty() ? FormatFromPath(to_) : format_));
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
    if (connectors::KindOfTarget(to_) != connectors::SinkKind::kFile || !mode_.empty() || !partition_by_.empty() ||
        to_.back() == '/') {
      // A sink (connectors/sink.h): DuckDB, PostgreSQL, or files with a disposition / folders.
      LDP_ASSIGN_OR_RAISE(auto so, connectors::MakeSinkOptions(mode_, SplitList(key_), SplitList(partition_by_),
                                                               target_table_, format_));
      std::optional<catalog::TableIdentifier> id;
      if (!table_.empty()) {
        LDP_ASSIGN_OR_RAISE(id, catalog::TableIdentifier::Parse(table_));
      }
      LDP_ASSIGN_OR_RAISE(auto sr, services::ExportToSink(*project, *conn, id, sql_, to_, so));
      if (g.json) {
        PrintJson({{"target", sr.target}, {"rows", sr.rows}, {"mode", connectors::WriteDispositionName(so.disposition)},
                   {"created", sr.created}});
      } else if (!g.quiet) {
        std::cout << fmt::format("Wrote {} rows to {} ({}{})\n", sr.rows, sr.target,
                                 connectors::WriteDispositionName(so.disposition), sr.created ? ", created" : "");
      }
      return Status::OK();
    }
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
  static std::vector<std::string> SplitList(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (!s.empty() && start <= s.size()) {
      size_t comma = s.find(',', start);
      std::string k = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      k.erase(0, k.find_first_not_of(' '));
      k.erase(k.find_last_not_of(' ') + 1);
      if (!k.empty()) out.push_back(k);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }

  std::string table_, sql_, to_, format_, mode_, key_, target_table_, partition_by_;
  CLI::App* airflow_ = nullptr;
  std::string pipeline_, out_, image_, project_path_;
};

}  // namespace

std::unique_ptr<Command> MakeExportCommand() { return std::make_unique<ExportCommand>(); }

}  // namespace ldp::cli
