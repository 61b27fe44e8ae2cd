#pragma once
// How the CLI prints: readable tables for people, CSV, and JSON for scripts; a progress bar on
// stderr when it is a terminal.

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ldp/engine/engine.h"

namespace ldp::cli {

/// Renders rows as an aligned table with a header; numbers right-aligned. At most `max_rows` rows
/// are shown, followed by a "(N rows)" footer that says how many were left out.
std::string RenderTable(const engine::MaterializedResult& r, size_t max_rows = 1000);
std::string RenderCsv(const engine::MaterializedResult& r);
/// An array of objects, one per row; numbers and booleans keep their JSON types.
nlohmann::json ResultToJson(const engine::MaterializedResult& r);

/// Builds a MaterializedResult from string cells (for listings such as `ldp tables`).
engine::MaterializedResult MakeTable(std::vector<std::string> headers,
                                     std::vector<std::vector<std::string>> rows,
                                     std::vector<bool> numeric = {});

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void Update(double percentage);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  int last_ = -1;
};

}  // namespace ldp::cli
