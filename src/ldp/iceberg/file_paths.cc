#include "ldp/iceberg/file_paths.h"

#include <fmt/format.h>

#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {
namespace {

// "file:///a/b" and Hadoop's "file:/a/b" -> "/a/b"; other strings unchanged.
std::string StripFileScheme(const std::string& p) {
  if (p.rfind("file://", 0) == 0) return p.substr(7);
  if (p.rfind("file:/", 0) == 0) return p.substr(5);
  return p;
}

std::string TrimSlash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

bool HasScheme(const std::string& p) {
  size_t colon = p.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = p[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return false;
  }
  return p.compare(colon, 2, ":/") == 0;
}

}  // namespace

PathResolver::PathResolver(std::string table_location, std::vector<std::pair<std::string, std::string>> relocations) {
  for (auto& [from, to] : relocations)
    relocations_.emplace_back(TrimSlash(StripFileScheme(from)), TrimSlash(StripFileScheme(to)));
  location_ = TrimSlash(StripFileScheme(table_location));
  for (const auto& [from, to] : relocations_)
    if (location_.rfind(from, 0) == 0 && (location_.size() == from.size() || location_[from.size()] == '/'))
      location_ = to + location_.substr(from.size());
}

PathResolver PathResolver::ForTable(const TableMetadata& metadata) {
  std::vector<std::pair<std::string, std::string>> rel;
  for (auto it = metadata.properties.lower_bound(kRelocatePropertyPrefix); it != metadata.properties.end(); ++it) {
    if (it->first.rfind(kRelocatePropertyPrefix, 0) != 0) break;
    if (auto r = ParseRelocation(it->second); r.ok()) rel.push_back(*r);
  }
  return PathResolver(metadata.location, std::move(rel));
}

Result<std::string> PathResolver::Resolve(const std::string& path, const char* what) const {
  if (path.empty()) return InvalidArgument("{} has an empty path", what);
  // Paths that need nothing are returned exactly as written: ldp's own writers compare the paths
  // of planned files with manifest entries.
  std::string p = StripFileScheme(path);
  for (const auto& [from, to] : relocations_)
    if (p.rfind(from, 0) == 0 && (p.size() == from.size() || p[from.size()] == '/')) return to + p.substr(from.size());
  if (p != path) return path.rfind("file://", 0) == 0 ? path : "file://" + p;  // Hadoop's "file:/a"
  if (HasScheme(p)) {
    if (p.rfind("s3://", 0) == 0 || p.rfind("s3a://", 0) == 0) return p;
    return NotImplemented("not supported: {} {} (ldp reads local files and s3://; use --relocate FROM=TO on "
                          "register when the files are now on a local disk)",
                          what, path);
  }
  if (p[0] == '/') return p;
  // Relative to the table location (as format v4 proposes); it may not climb out of the table.
  int depth = 0;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string seg = p.substr(start, end - start);
    if (seg == "..") {
      if (--depth < 0)
        return InvalidArgument("{} {} is outside the table location {}: not read", what, path, location_);
    } else if (!seg.empty() && seg != ".") {
      ++depth;
    }
    start = end + 1;
  }
  if (location_.empty()) return InvalidArgument("{} {} is relative but the table has no location", what, path);
  return location_ + "/" + p;
}

Result<std::pair<std::string, std::string>> ParseRelocation(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return InvalidArgument("--relocate '{}' is not FROM=TO (two path prefixes)", text);
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

}  // namespace ldp::iceberg
