// Catalog operations per second through ldp's own code path, for bench/catalog_throughput.sh:
// `--op load` loads a table's current metadata (services::LoadTable), `--op commit` commits a
// metadata-only change (a table property; services::UpdateTableProperties: load, build the next
// metadata, commit with retries on CommitFailed). Each of --threads threads opens the project
// itself (its own catalog connection) and works on table bench.t<thread> for commits (no
// conflicts) or bench.t0 for loads. Prints one JSON line: ops, seconds, ops_per_s, p50_ms, p99_ms.
//
//   ldp_bench_catalog --project DIR --op load|commit --threads N --seconds S
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ldp/services/project.h"
#include "ldp/services/table_properties.h"
#include "ldp/services/tables.h"

int main(int argc, char** argv) {
  std::string project_dir, op = "load";
  int threads = 1;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--project") project_dir = argv[i + 1];
    else if (k == "--op") op = argv[i + 1];
    else if (k == "--threads") threads = std::atoi(argv[i + 1]);
    else if (k == "--seconds") seconds = std::atof(argv[i + 1]);
  }
  if (project_dir.empty() || (op != "load" && op != "commit") || threads < 1) {
    std::fprintf(stderr, "usage: ldp_bench_catalog --project DIR --op load|commit --threads N --seconds S\n");
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  std::vector<std::vector<double>> lat(threads);
  std::atomic<int> failed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto project = ldp::services::Project::Open(project_dir);
      if (!project.ok()) {
        std::fprintf(stderr, "open: %s\n", project.status().ToString().c_str());
        failed++;
        return;
      }
      auto id = ldp::catalog::TableIdentifier::Parse(op == "load" ? "bench.t0" : "bench.t" + std::to_string(t));
      while (!go.load()) std::this_thread::yield();
      const auto end = Clock::now() + std::chrono::duration<double>(seconds);
      for (int64_t n = 0; Clock::now() < end; ++n) {
        auto t0 = Clock::now();
        ldp::Status st;
        if (op == "load") {
          st = ldp::services::LoadTable(**project, *id).status();
        } else {
          st = ldp::services::UpdateTableProperties(**project, *id, {{"bench.n", std::to_string(n)}}, {}).status();
        }
        if (!st.ok()) {
          std::fprintf(stderr, "%s: %s\n", op.c_str(), st.ToString().c_str());
          failed++;
          return;
        }
        lat[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  auto start = Clock::now();
  go = true;
  for (auto& th : pool) th.join();
  double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, size_t(p * all.size()))]; };
  std::printf("{\"op\":\"%s\",\"threads\":%d,\"ops\":%zu,\"seconds\":%.2f,\"ops_per_s\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
              op.c_str(), threads, all.size(), took, all.size() / took, pct(0.5), pct(0.99));
  return failed.load() == 0 ? 0 : 1;
}
