// ldp_make_taxi: writes the synthetic NYC yellow-taxi month (ldp::demo) to a Parquet file, so the
// benchmarks have their input even where the `ldp demo` command is not available.
//
//   ldp_make_taxi OUT.parquet [--rows N] [--seed S] [--threads T]
//   ldp_make_taxi --print-sql [--rows N] [--seed S]     prints the generating SELECT instead
//
// Prints the elapsed seconds and the file size on stderr. Exit status 0, 1 on failure, 2 on misuse.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "ldp/demo/nyc_taxi.h"
#include "ldp/engine/engine.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: ldp_make_taxi OUT.parquet [--rows N] [--seed S] [--threads T]\n"
               "       ldp_make_taxi --print-sql [--rows N] [--seed S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ldp::demo::TaxiOptions options;
  ldp::engine::DatabaseOptions db_options;
  std::string out;
  bool print_sql = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--rows" && has_value) {
      options.rows = std::strtoll(argv[++i], nullptr, 10);
    } else if (a == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--threads" && has_value) {
      db_options.threads = std::atoi(argv[++i]);
    } else if (a == "--print-sql") {
      print_sql = true;
    } else if ((!a.empty() && a[0] == '-') || !out.empty()) {
      return Usage();
    } else {
      out = a;
    }
  }
  if (print_sql) {
    auto sql = ldp::demo::TaxiMonthQuery(options);
    if (!sql.ok()) {
      std::fprintf(stderr, "ldp_make_taxi: %s\n", sql.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", sql->c_str());
    return 0;
  }
  if (out.empty()) return Usage();

  auto start = std::chrono::steady_clock::now();
  auto db = ldp::engine::Database::Open(db_options);
  if (!db.ok()) {
    std::fprintf(stderr, "ldp_make_taxi: %s\n", db.status().ToString().c_str());
    return 1;
  }
  auto conn = (*db)->Connect();
  if (!conn.ok()) {
    std::fprintf(stderr, "ldp_make_taxi: %s\n", conn.status().ToString().c_str());
    return 1;
  }
  ldp::Status st = ldp::demo::GenerateTaxiMonth(**conn, options, out);
  if (!st.ok()) {
    std::fprintf(stderr, "ldp_make_taxi: %s\n", st.ToString().c_str());
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::error_code ec;
  auto size = std::filesystem::file_size(out, ec);
  std::fprintf(stderr, "ldp_make_taxi: %lld rows, %.2f s, %llu bytes -> %s\n",
               static_cast<long long>(options.rows), secs,
               static_cast<unsigned long long>(ec ? 0 : size), out.c_str());
  return 0;
}
