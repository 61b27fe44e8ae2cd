#include <chrono>
#include <future>
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/services/ingest.h"
#include "ldp/services/query.h"

namespace ldp::cli {
namespace {

class QueryCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("query", "Run DuckDB SQL; NS.NAME refers to an Iceberg table of the catalog");
    c->add_option("sql", sql_, "The SQL statement")->required();
    c->add_option("--format", format_, "table (default), csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
    c->add_option("--max-rows", max_rows_, "Rows shown in table format (default 1000)");
    c->add_flag("--explain-scan", explain_, "Also print, per table, the data files planned vs total (stderr)");
    c->add_flag("--timing", timing_, "Print how long each phase took (stderr)");
    c->add_option("--as-of", as_of_,
                  "Read every table at a snapshot id, branch, tag or time (YYYY-MM-DD[ HH:MM:SS][Z]); "
                  "one table: ns.\"name@AS_OF\" in the SQL");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::pair<const char*, double>> phases;
    auto mark = [&](const char* what) {
      phases.push_back({what, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()});
    };
    // Starting DuckDB takes tens of milliseconds: it starts first, on its own thread, while the
    // project opens and the tables the SQL names are loaded and planned.
    double engine_opened_ms = 0, engine_connected_ms = 0;  // written by the engine thread
    auto since_t0 = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(); };
    auto engine = std::async(std::launch::async, [&]() -> Result<std::pair<std::unique_ptr<engine::Database>,
                                                                          std::unique_ptr<engine::Connection>>> {
      LDP_ASSIGN_OR_RAISE(auto db, engine::Database::Open());
      engine_opened_ms = since_t0();
      LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
      engine_connected_ms = since_t0();
      // Each table's Parquet footers are read when its view is created and again when the query
      // binds the view: cached, they are parsed once (DuckDB checks the file's modification time).
      // (A setting of the parquet extension: it cannot be given in the config at open.)
      LDP_RETURN_NOT_OK(conn->Execute("SET parquet_metadata_cache = true"));
      return std::make_pair(std::move(db), std::move(conn));
    });
    auto project_or = OpenProject(g);
    if (!project_or.ok()) {
      (void)engine.get();
      return project_or.status();
    }
    auto project = std::move(*project_or);
    mark("project opened");
    auto prefetch = services::PrefetchTables(*project, sql_, as_of_);
    mark("tables loaded and planned");
    auto opened = engine.get();
    mark("engine started");
    if (timing_) {
      phases.push_back({"  (engine thread: DuckDB opened)", engine_opened_ms});
      phases.push_back({"  (engine thread: connected)", engine_connected_ms});
    }
    if (!opened.ok()) return opened.status();
    if (!prefetch.ok()) return prefetch.status();
    auto& conn = opened->second;
    LDP_RETURN_NOT_OK(services::ConfigureEngine(*project, *conn));
    mark("engine configured");
    LDP_ASSIGN_OR_RAISE(auto out, services::RunQuery(*project, *conn, sql_, &*prefetch, as_of_));
    mark("query run");
    std::string fmt_name = g.json ? "json" : format_;
    if (fmt_name == "json") {
      nlohmann::json j = ResultToJson(out.result);
      if (g.json) {
        nlohmann::json scans = nlohmann::json::array();
        for (const auto& s : out.scans)
          scans.push_back({{"table", s.table.ToString()}, {"snapshot_id", s.snapshot_id},
                           {"planned_files", s.planned_files}, {"total_files", s.total_files}});
        PrintJson({{"rows", j}, {"scans", scans}});
      } else {
        std::cout << j.dump() << "\n";
      }
    } else if (fmt_name == "csv") {
      std::cout << RenderCsv(out.result);
    } else {
      std::cout << RenderTable(out.result, max_rows_);
    }
    if (timing_) {
      mark("output written");
      for (const auto& [what, ms] : phases) std::cerr << fmt::format("{:>9.2f} ms  {}\n", ms, what);
    }
    if (explain_)
      for (const auto& s : out.scans)
        std::cerr << fmt::format("scan {}: {} of {} data files planned ({} predicates)\n", s.table.ToString(),
                                 s.planned_files, s.total_files, s.predicates);
    // Kept alive past Run so that ExitFast() really skips their teardown.
    keep_project_ = std::move(project);
    keep_engine_ = std::move(*opened);
    return Status::OK();
  }

  bool ExitFast() const override { return true; }

 private:
  std::unique_ptr<services::Project> keep_project_;
  std::pair<std::unique_ptr<engine::Database>, std::unique_ptr<engine::Connection>> keep_engine_;
  std::string sql_, format_ = "table", as_of_;
  size_t max_rows_ = 1000;
  bool explain_ = false;
  bool timing_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeQueryCommand() { return std::make_unique<QueryCommand>(); }

}  // namespace ldp::cli
