#include "ldp/iceberg/metadata_file.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

// zlib with a gzip wrapper (windowBits 16 + MAX_WBITS): metadata files are small (kilobytes to a
// few megabytes), so inflating into memory is fine.
Result<std::string> Gunzip(const std::string& data, const std::string& location) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Internal("zlib inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // truncated input
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return InvalidArgument("metadata file {} is gzip but damaged or truncated ({})", location,
                           zs.msg ? zs.msg : "unexpected end of data");
  return out;
}

}  // namespace

Result<std::string> ReadMetadataText(io::FileSystem& fs, const std::string& location) {
  auto data = fs.ReadFile(location);
  if (!data.ok()) return data.status();
  const std::string& bytes = *data;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b)
    return Gunzip(bytes, location);
  return std::move(data).value();
}

Result<std::string> ResolveMetadataLocation(io::FileSystem& fs, const std::string& location) {
  std::string loc = location;
  while (loc.size() > 1 && loc.back() == '/') loc.pop_back();
  if (EndsWith(loc, ".metadata.json") || EndsWith(loc, ".metadata.json.gz")) {
    LDP_ASSIGN_OR_RAISE(bool exists, fs.Exists(loc));
    if (!exists) return NotFound("metadata file {} does not exist", loc);
    return loc;
  }
  // A folder: the table's own, or its metadata/ folder.
  std::string meta_dir = EndsWith(loc, "/metadata") ? loc : Join(loc, "metadata");
  auto listing = fs.List(meta_dir);
  if (!listing.ok()) {
    if (listing.status().code() == ErrorCode::kNotFound) {
      // Object storage says why (no objects under the prefix, or NoSuchBucket): keep its words.
      const bool remote = location.find("://") != std::string::npos && location.rfind("file://", 0) != 0;
      return NotFound("{} is neither a metadata file (*.metadata.json) nor a table folder with a metadata/ folder{}",
                      location, remote ? " (" + listing.status().message() + ")" : "");
    }
    return listing.status();
  }
  for (const auto& f : *listing) {
    if (f.is_dir || !EndsWith(f.path, "/version-hint.text")) continue;
    LDP_ASSIGN_OR_RAISE(std::string hint, fs.ReadFile(f.path));
    hint = Trimmed(hint);
    if (hint.empty()) return InvalidArgument("{} is empty", f.path);
    bool digits = std::all_of(hint.begin(), hint.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::string name = digits ? fmt::format("v{}.metadata.json", hint) : hint;
    std::string path = Join(meta_dir, name);
    LDP_ASSIGN_OR_RAISE(bool exists, fs.Exists(path));
    if (!exists && digits) {
      std::string gz = Join(meta_dir, fmt::format("v{}.gz.metadata.json", hint));
      LDP_ASSIGN_OR_RAISE(bool gz_exists, fs.Exists(gz));
      if (gz_exists) return gz;
    }
    if (!exists) return NotFound("{} names {}, which does not exist", f.path, path);
    return path;
  }
  std::string best;
  int best_version = -1;
  for (const auto& f : *listing) {
    if (f.is_dir) continue;
    std::string p = f.path;
    if (EndsWith(p, ".metadata.json.gz")) p = p.substr(0, p.size() - 3);
    int v = ParseMetadataVersion(p);
    if (v > best_version) {
      best_version = v;
      best = f.path;
    }
  }
  if (best.empty()) return NotFound("no metadata file (NNNNN-*.metadata.json or version-hint.text) in {}", meta_dir);
  return best;
}

void AppendMetadataLog(TableMetadata& next, int64_t previous_updated_ms, const std::string& previous_location) {
  next.metadata_log.push_back({previous_updated_ms, previous_location});
  int64_t max_log = 100;
  try {
    max_log = std::stoll(next.Property("write.metadata.previous-versions-max", "100"));
  } catch (...) {
  }
  max_log = std::max<int64_t>(max_log, 1);
  auto& log = next.metadata_log;
  if (static_cast<int64_t>(log.size()) > max_log) log.erase(log.begin(), log.end() - max_log);
}

}  // namespace ldp::iceberg
