#include "ldp/cli/output.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ldp::cli {
namespace {

bool IsNumeric(engine::ValueKind k) {
  return k == engine::ValueKind::kInteger || k == engine::ValueKind::kFloat || k == engine::ValueKind::kDecimal;
}

// Display width of UTF-8 text (code points; good enough for tables of data).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string Pad(const std::string& s, size_t width, bool right) {
  size_t w = Width(s);
  if (w >= width) return s;
  std::string pad(width - w, ' ');
  return right ? pad + s : s + pad;
}

std::string Cell(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  std::string s = *v;
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (Width(s) > 60) s = s.substr(0, 57) + "...";
  return s;
}

}  // namespace

std::string RenderTable(const engine::MaterializedResult& r, size_t max_rows) {
  const size_t n = r.columns.size();
  std::vector<size_t> width(n);
  size_t shown = std::min(max_rows, r.rows.size());
  for (size_t c = 0; c < n; ++c) width[c] = Width(r.columns[c].name);
  for (size_t i = 0; i < shown; ++i)
    for (size_t c = 0; c < n; ++c) width[c] = std::max(width[c], Width(Cell(r.rows[i][c])));
  std::string out;
  auto rule = [&]() {
    std::string s;
    for (size_t c = 0; c < n; ++c) s += (c ? "-+-" : "") + std::string(width[c], '-');
    return s + "\n";
  };
  std::string header;
  for (size_t c = 0; c < n; ++c) header += (c ? " | " : "") + Pad(r.columns[c].name, width[c], false);
  while (!header.empty() && header.back() == ' ') header.pop_back();
  out += header + "\n" + rule();
  for (size_t i = 0; i < shown; ++i) {
    std::string line;
    for (size_t c = 0; c < n; ++c)
      line += (c ? " | " : "") + Pad(Cell(r.rows[i][c]), width[c], IsNumeric(r.columns[c].kind));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (shown < r.rows.size())
    out += fmt::format("({} rows, {} shown; use --format csv or json for all)\n", r.rows.size(), shown);
  else
    out += fmt::format("({} row{})\n", r.rows.size(), r.rows.size() == 1 ? "" : "s");
  return out;
}

std::string RenderCsv(const engine::MaterializedResult& r) {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  std::string out;
  for (size_t c = 0; c < r.columns.size(); ++c) out += (c ? "," : "") + quote(r.columns[c].name);
  out += "\n";
  for (const auto& row : r.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + (row[c] ? quote(*row[c]) : "");
    out += "\n";
  }
  return out;
}

nlohmann::json ResultToJson(const engine::MaterializedResult& r) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& row : r.rows) {
    nlohmann::json o = nlohmann::json::object();
    for (size_t c = 0; c < r.columns.size(); ++c) {
      const auto& v = row[c];
      const auto& name = r.columns[c].name;
      if (!v) {
        o[name] = nullptr;
        continue;
      }
      try {
        switch (r.columns[c].kind) {
          case engine::ValueKind::kBoolean: o[name] = (*v == "true"); continue;
          case engine::ValueKind::kInteger: {
            size_t pos = 0;
            long long x = std::stoll(*v, &pos);
            if (pos == v->size()) { o[name] = x; continue; }
            break;
          }
          case engine::ValueKind::kFloat:
          case engine::ValueKind::kDecimal: {
            size_t pos = 0;
            double x = std::stod(*v, &pos);
            if (pos == v->size() && std::isfinite(x)) { o[name] = x; continue; }
            break;
          }
          default: break;
        }
      } catch (...) {
      }
      o[name] = *v;
    }
    arr.push_back(std::move(o));
  }
  return arr;
}

engine::MaterializedResult MakeTable(std::vector<std::string> headers, std::vector<std::vector<std::string>> rows,
                                     std::vector<bool> numeric) {
  engine::MaterializedResult r;
  for (size_t i = 0; i < headers.size(); ++i)
    r.columns.push_back({headers[i], (i < numeric.size() && numeric[i]) ? engine::ValueKind::kInteger
                                                                        : engine::ValueKind::kString});
  for (auto& row : rows) {
    std::vector<std::optional<std::string>> cells;
    for (auto& c : row) cells.emplace_back(std::move(c));
    r.rows.push_back(std::move(cells));
  }
  return r;
}

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), enabled_(isatty(STDERR_FILENO)) {}
ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(double pct) {
  if (!enabled_ || pct < 0) return;
  int p = static_cast<int>(std::min(100.0, pct));
  if (p == last_) return;
  last_ = p;
  constexpr int kWidth = 30;
  int fill = p * kWidth / 100;
  fmt::print(stderr, "\r{} [{}{}] {:3d}%", label_, std::string(fill, '#'), std::string(kWidth - fill, '.'), p);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (enabled_ && last_ >= 0) {
    fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  last_ = -1;
}

}  // namespace ldp::cli
