// `ldp demo nyc-taxi`: the first use case end to end. Generates a synthetic month of NYC yellow
// taxi trips (the real file cannot be downloaded here), ingests it into nyc.yellow_trips, runs
// report queries and exports one report to CSV.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/demo/nyc_taxi.h"
#include "ldp/services/ingest.h"
#include "ldp/services/query.h"

namespace ldp::cli {
namespace {

struct Report {
  const char* title;
  const char* sql;
};

// The reports a taxi analyst starts with; also what bench/ measures.
const Report kReports[] = {
    {"Trips and average fare by payment type",
     "SELECT payment_type, count(*) AS trips, round(avg(fare_amount), 2) AS avg_fare "
     "FROM nyc.yellow_trips GROUP BY payment_type ORDER BY trips DESC"},
    {"Trips per day",
     "SELECT CAST(tpep_pickup_datetime AS DATE) AS day, count(*) AS trips, round(sum(total_amount), 2) AS revenue "
     "FROM nyc.yellow_trips GROUP BY day ORDER BY day"},
    {"Top 10 pickup zones",
     "SELECT PULocationID AS pickup_zone, count(*) AS trips FROM nyc.yellow_trips "
     "GROUP BY PULocationID ORDER BY trips DESC, pickup_zone LIMIT 10"},
    {"Average tip percentage by hour (card payments)",
     "SELECT hour(tpep_pickup_datetime) AS hour, round(avg(100 * tip_amount / fare_amount), 2) AS tip_pct "
     "FROM nyc.yellow_trips WHERE payment_type = 1 AND fare_amount > 0 GROUP BY hour ORDER BY hour"},
    {"One day: 2023-01-15",
     "SELECT count(*) AS trips, round(avg(trip_distance), 2) AS avg_miles, round(avg(total_amount), 2) AS avg_total "
     "FROM nyc.yellow_trips WHERE tpep_pickup_datetime >= TIMESTAMP '2023-01-15 00:00:00' "
     "AND tpep_pickup_datetime < TIMESTAMP '2023-01-16 00:00:00'"},
};

class DemoCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("demo", "Run a built-in demo end to end: ldp demo nyc-taxi");
    c->add_option("name", name_, "Demo name (nyc-taxi)")->required()->check(CLI::IsMember({"nyc-taxi"}));
    c->add_option("--rows", rows_, "Trips to generate (default: 3,066,766, the size of January 2023)")
        ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
    c->add_option("--seed", seed_, "Random seed (same seed, same data)");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    std::string dir = services::ResolveProjectDir(g.project);
    std::unique_ptr<services::Project> project;
    auto opened = services::Project::Open(dir);
    nlohmann::json out;
    if (opened.ok()) {
      project = std::move(*opened);
    } else if (opened.status().code() == ErrorCode::kNotFound) {
      LDP_ASSIGN_OR_RAISE(project, services::Project::Init(dir));
      if (!g.json && !g.quiet) std::cout << "Created project in " << project->root() << "\n";
    } else {
      return opened.status();
    }
    auto say = [&](const std::string& s) {
      if (!g.json && !g.quiet) std::cout << s << std::flush;
    };
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());

    // 1. The month of trips, as a Parquet file with the schema of yellow_tripdata_2023-01.parquet.
    demo::TaxiOptions topt;
    topt.rows = rows_;
    topt.seed = seed_;
    std::string data_dir = project->root() + "/data";
    std::filesystem::create_directories(data_dir);
    std::string src = fmt::format("{}/yellow_tripdata_2023-01_{}rows_seed{}.parquet", data_dir, rows_, seed_);
    auto t0 = std::chrono::steady_clock::now();
    auto secs = [](auto a) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count(); };
    if (!std::filesystem::exists(src)) {
      say(fmt::format("1. Generating {} synthetic taxi trips (January 2023, seed {})\n", rows_, seed_));
      ProgressBar bar("   generate");
      Status st = demo::GenerateTaxiMonth(*conn, topt, src, g.quiet ? engine::ProgressCallback{}
                                                                    : [&bar](double p) { bar.Update(p); });
      bar.Finish();
      if (!st.ok()) {
        std::filesystem::remove(src);
        return st;
      }
    } else {
      say(fmt::format("1. Reusing generated trips in {}\n", src));
    }
    double gen_s = secs(t0);
    say(fmt::format("   {} ({:.1f} MiB) in {:.2f}s\n", src, std::filesystem::file_size(src) / 1048576.0, gen_s));

    // 2. Ingest (overwrite, so that running the demo again gives the same table).
    services::IngestOptions io;
    io.source = src;
    io.table = {{"nyc"}, "yellow_trips"};
    io.mode = services::IngestMode::kOverwrite;
    ProgressBar ibar("   ingest");
    if (!g.quiet) io.progress = [&ibar](double p) { ibar.Update(p); };
    say("2. Ingesting into Iceberg table nyc.yellow_trips\n");
    auto t1 = std::chrono::steady_clock::now();
    LDP_ASSIGN_OR_RAISE(auto ing, services::Ingest(*project, *conn, io));
    ibar.Finish();
    double ing_s = secs(t1);
    say(fmt::format("   {} rows, {} data file(s), {:.1f} MiB, snapshot {} in {:.2f}s\n", ing.rows, ing.data_files,
                    ing.bytes / 1048576.0, ing.snapshot_id, ing_s));
    out["generated"] = {{"path", src}, {"rows", rows_}, {"seconds", gen_s}};
    out["ingest"] = {{"table", "nyc.yellow_trips"}, {"rows", ing.rows}, {"data_files", ing.data_files},
                     {"snapshot_id", ing.snapshot_id}, {"metadata_location", ing.metadata_location},
                     {"seconds", ing_s}};

    // 3. Reports.
    say("3. Reports (SQL over the Iceberg table)\n");
    nlohmann::json reports = nlohmann::json::array();
    for (const auto& r : kReports) {
      auto t2 = std::chrono::steady_clock::now();
      LDP_ASSIGN_OR_RAISE(auto res, services::RunQuery(*project, *conn, r.sql));
      double q_s = secs(t2);
      say(fmt::format("\n-- {} ({:.3f}s)\n", r.title, q_s));
      say(RenderTable(res.result, 12));
      reports.push_back({{"title", r.title}, {"sql", r.sql}, {"seconds", q_s}, {"rows", ResultToJson(res.result)}});
    }
    out["reports"] = reports;

    // 4. Export one report to CSV.
    std::string csv = project->root() + "/reports/trips_per_day.csv";
    std::filesystem::create_directories(project->root() + "/reports");
    LDP_ASSIGN_OR_RAISE(auto ex, services::ExportQuery(*project, *conn, kReports[1].sql, csv, services::FileFormat::kCsv));
    say(fmt::format("\n4. Exported \"Trips per day\" ({} rows) to {}\n", ex.rows, csv));
    out["export"] = {{"path", csv}, {"rows", ex.rows}};
    say(fmt::format("\nDone in {:.2f}s. Try: ldp --project {} query \"SELECT count(*) FROM nyc.yellow_trips\"\n",
                    secs(t0), project->root()));
    if (g.json) PrintJson(out);
    return Status::OK();
  }

 private:
  std::string name_;
  int64_t rows_ = demo::kTaxiMonthRows;
  uint64_t seed_ = 42;
};

}  // namespace

std::unique_ptr<Command> MakeDemoCommand() { return std::make_unique<DemoCommand>(); }

}  // namespace ldp::cli
