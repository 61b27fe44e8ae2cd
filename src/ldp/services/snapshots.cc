#include "ldp/services/snapshots.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <random>
#include <thread>

#include "ldp/iceberg/refs.h"

namespace ldp::services {
namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Reads exactly `n` digits at `*pos`.
bool Digits(const std::string& s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

}  // namespace

std::string FormatTimestampMs(int64_t ms) {
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(((ms % 1000) + 1000) % 1000));
}

Result<int64_t> ParseTimestampMs(const std::string& text) {
  // Hand-written: std::get_time has no time-zone offsets or fractions, and DuckDB is not open
  // in every command that takes a time.
  auto bad = [&]() {
    return InvalidArgument(
        "'{}' is not a timestamp (use YYYY-MM-DD[ HH:MM[:SS[.fff]]][Z|+HH:MM], UTC when no offset)", text);
  };
  std::string s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t p = 0;
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (!Digits(s, &p, 4, &year) || p >= s.size() || s[p++] != '-' || !Digits(s, &p, 2, &month) || p >= s.size() ||
      s[p++] != '-' || !Digits(s, &p, 2, &day))
    return bad();
  if (p < s.size() && (s[p] == ' ' || s[p] == 'T' || s[p] == 't')) {
    ++p;
    if (!Digits(s, &p, 2, &hour) || p >= s.size() || s[p++] != ':' || !Digits(s, &p, 2, &minute)) return bad();
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!Digits(s, &p, 2, &second)) return bad();
      if (p < s.size() && s[p] == '.') {
        ++p;
        size_t start = p;
        int scale = 100;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
          millis += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return bad();
      }
    }
  }
  int64_t offset_min = 0;
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      int sign = s[p++] == '-' ? -1 : 1;
      int oh, om = 0;
      if (!Digits(s, &p, 2, &oh)) return bad();
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size() && !Digits(s, &p, 2, &om)) return bad();
      offset_min = sign * (oh * 60 + om);
    }
  }
  if (p != s.size()) return bad();
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t secs = timegm(&tm);
  // timegm normalises 2026-02-31 to March: refuse dates that do not exist.
  std::tm back{};
  gmtime_r(&secs, &back);
  if (back.tm_mday != day || back.tm_mon != month - 1) return bad();
  return static_cast<int64_t>(secs) * 1000 + millis - offset_min * 60 * 1000;
}

Result<int64_t> ParseDurationMs(const std::string& text) {
  auto bad = [&]() {
    return InvalidArgument("'{}' is not a duration (use a number with s, m, h, d or w, e.g. 3d or 12h)", text);
  };
  if (text.empty()) return bad();
  size_t p = 0;
  while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) ++p;
  if (p == 0 || p > 12) return bad();
  int64_t n = std::stoll(text.substr(0, p));
  std::string unit = text.substr(p);
  int64_t ms_per = 0;
  if (unit.empty() || unit == "d") ms_per = 86400000;
  else if (unit == "s") ms_per = 1000;
  else if (unit == "m") ms_per = 60000;
  else if (unit == "h") ms_per = 3600000;
  else if (unit == "w") ms_per = 7 * 86400000LL;
  else return bad();
  return n * ms_per;
}

Result<int64_t> ParseCutoffMs(const std::string& text, int64_t now_ms) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) && text.find('-') == std::string::npos) {
    LDP_ASSIGN_OR_RAISE(int64_t d, ParseDurationMs(text));
    return now_ms - d;
  }
  auto ts = ParseTimestampMs(text);
  if (!ts.ok())
    return InvalidArgument("'{}' is neither a duration (3d, 12h, 30m) nor a timestamp (YYYY-MM-DD[ HH:MM:SS][Z])",
                           text);
  return ts;
}

std::pair<std::string, std::string> SplitTravelSuffix(const std::string& table_name) {
  size_t at = table_name.find('@');
  if (at == std::string::npos) return {table_name, ""};
  return {table_name.substr(0, at), table_name.substr(at + 1)};
}

Result<const iceberg::Snapshot*> ResolveSnapshot(const iceberg::TableMetadata& m, const std::string& table,
                                                 const std::string& as_of) {
  if (as_of.empty()) return InvalidArgument("table {}: an empty snapshot, branch, tag or time", table);
  if (auto it = m.refs.find(as_of); it != m.refs.end()) {
    const iceberg::Snapshot* s = m.SnapshotById(it->second.snapshot_id);
    if (!s) return NotFound("table {}: {} '{}' points at snapshot {}, which is not in the metadata", table,
                            it->second.type, as_of, it->second.snapshot_id);
    return s;
  }
  if (m.snapshots.empty()) return NotFound("table {} has no snapshots yet: nothing to read as of '{}'", table, as_of);
  if (AllDigits(as_of)) {
    int64_t id = 0;
    try {
      id = std::stoll(as_of);
    } catch (...) {
      return NotFound("table {} has no snapshot {}", table, as_of);
    }
    const iceberg::Snapshot* s = m.SnapshotById(id);
    if (!s) return NotFound("table {} has no snapshot {} (never existed or expired; see `ldp snapshots {}`)", table, as_of, table);
    return s;
  }
  auto ts = ParseTimestampMs(as_of);
  if (!ts.ok())
    return NotFound("table {} has no branch or tag '{}', and it is not a snapshot id or a timestamp "
                    "(YYYY-MM-DD[ HH:MM:SS][Z])",
                    table, as_of);
  const iceberg::Snapshot* s = m.SnapshotAsOf(*ts);
  if (!s) {
    int64_t first = m.snapshot_log.empty() ? m.snapshots.front().timestamp_ms : m.snapshot_log.front().timestamp_ms;
    return NotFound("table {} has no snapshot at {} (its history starts at {})", table, FormatTimestampMs(*ts),
                    FormatTimestampMs(first));
  }
  return s;
}

Result<LoadedTable> CreateRef(Project& project, const catalog::TableIdentifier& id, const std::string& name,
                              const std::string& type, const std::string& at, const RefRetention& retention) {
  LDP_RETURN_NOT_OK(iceberg::ValidateRefName(name));
  if (type == "tag" && (retention.min_snapshots_to_keep || retention.max_snapshot_age_ms))
    return InvalidArgument("a tag keeps one snapshot: min-snapshots-to-keep and max-snapshot-age apply to branches");
  if (retention.min_snapshots_to_keep && *retention.min_snapshots_to_keep < 1)
    return InvalidArgument("min-snapshots-to-keep must be at least 1");
  if ((retention.max_snapshot_age_ms && *retention.max_snapshot_age_ms <= 0) ||
      (retention.max_ref_age_ms && *retention.max_ref_age_ms <= 0))
    return InvalidArgument("retention ages must be positive");
  const std::string table = id.ToString();
  return UpdateTableMetadata(
      project, id, fmt::format("creating {} '{}'", type, name),
      [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    const auto& m = *t.metadata;
    if (auto it = m.refs.find(name); it != m.refs.end())
      return AlreadyExists("table {} already has a {} named '{}'", table, it->second.type, name);
    const iceberg::Snapshot* target = nullptr;
    if (at.empty()) {
      target = m.CurrentSnapshot();
      if (!target) return NotFound("table {} has no snapshot yet: ingest first, then create the {}", table, type);
    } else if (auto it = m.refs.find(at); it != m.refs.end()) {
      target = m.SnapshotById(it->second.snapshot_id);
    } else if (AllDigits(at)) {
      target = m.SnapshotById(std::stoll(at));
    }
    if (!target) return NotFound("table {} has no snapshot, branch or tag '{}'", table, at);
    auto next = std::make_shared<iceberg::TableMetadata>(m);
    iceberg::SnapshotRef ref;
    ref.snapshot_id = target->snapshot_id;
    ref.type = type;
    ref.min_snapshots_to_keep = retention.min_snapshots_to_keep;
    ref.max_snapshot_age_ms = retention.max_snapshot_age_ms;
    ref.max_ref_age_ms = retention.max_ref_age_ms;
    iceberg::SetRef(next.get(), name, ref, NowMs());
    return next;
  });
}

Result<LoadedTable> DropRef(Project& project, const catalog::TableIdentifier& id, const std::string& name,
                            const std::string& type) {
  if (name == iceberg::kMainBranch) return InvalidArgument("the main branch cannot be dropped");
  const std::string table = id.ToString();
  return UpdateTableMetadata(
      project, id, fmt::format("dropping {} '{}'", type, name),
      [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    auto it = t.metadata->refs.find(name);
    if (it == t.metadata->refs.end()) return NotFound("table {} has no {} '{}'", table, type, name);
    if (it->second.type != type)
      return InvalidArgument("'{}' in table {} is a {}, not a {}", name, table, it->second.type, type);
    auto next = std::make_shared<iceberg::TableMetadata>(*t.metadata);
    iceberg::RemoveRef(next.get(), name);
    next->last_updated_ms = std::max(next->last_updated_ms, NowMs());
    return next;
  });
}

Result<LoadedTable> FastForward(Project& project, const catalog::TableIdentifier& id, const std::string& target,
                                const std::string& source) {
  const std::string table = id.ToString();
  return UpdateTableMetadata(
      project, id, fmt::format("fast-forwarding branch '{}'", target),
      [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    const auto& m = *t.metadata;
    const iceberg::Snapshot* to = iceberg::BranchHead(m, source);
    if (!to) return NotFound("table {} has no branch '{}'", table, source);
    Status writable = iceberg::CheckWritableBranch(m, target);
    if (!writable.ok()) return writable.WithContext(fmt::format("table {}", table));
    const iceberg::Snapshot* from = iceberg::BranchHead(m, target);
    if (from && !iceberg::IsAncestor(m, from->snapshot_id, to->snapshot_id))
      return InvalidArgument(
          "table {}: cannot fast-forward '{}' to '{}': {}'s head {} is not an ancestor of {}'s head {} (the "
          "branches have diverged)",
          table, target, source, target, from->snapshot_id, source, to->snapshot_id);
    auto next = std::make_shared<iceberg::TableMetadata>(m);
    iceberg::SnapshotRef ref;
    if (auto it = m.refs.find(target); it != m.refs.end()) ref = it->second;
    ref.snapshot_id = to->snapshot_id;
    ref.type = "branch";
    iceberg::SetRef(next.get(), target, ref, NowMs());
    return next;
  });
}

namespace {
Result<LoadedTable> PointMainAt(Project& project, const catalog::TableIdentifier& id,
                                const std::function<Result<int64_t>(const iceberg::TableMetadata&)>& pick) {
  return UpdateTableMetadata(
      project, id, "a change of the main branch's snapshot",
      [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    LDP_ASSIGN_OR_RAISE(int64_t snapshot_id, pick(*t.metadata));
    auto next = std::make_shared<iceberg::TableMetadata>(*t.metadata);
    iceberg::SnapshotRef ref;
    if (auto it = next->refs.find(iceberg::kMainBranch); it != next->refs.end()) ref = it->second;
    ref.snapshot_id = snapshot_id;
    ref.type = "branch";
    iceberg::SetRef(next.get(), iceberg::kMainBranch, ref, NowMs());
    return next;
  });
}
}  // namespace

Result<LoadedTable> RollbackTo(Project& project, const catalog::TableIdentifier& id, int64_t snapshot_id) {
  const std::string table = id.ToString();
  return PointMainAt(project, id, [&](const iceberg::TableMetadata& m) -> Result<int64_t> {
    if (!m.SnapshotById(snapshot_id))
      return NotFound("table {} has no snapshot {} (see `ldp snapshots {}`)", table, snapshot_id, table);
    if (!m.current_snapshot_id || !iceberg::IsAncestor(m, snapshot_id, *m.current_snapshot_id))
      return InvalidArgument(
          "table {}: snapshot {} is not an ancestor of main's current snapshot, so main cannot be rolled back to it "
          "(use `ldp branch create` to name it, or `ldp branch fast-forward`)",
          table, snapshot_id);
    return snapshot_id;
  });
}

Result<LoadedTable> RollbackToTime(Project& project, const catalog::TableIdentifier& id, int64_t timestamp_ms) {
  const std::string table = id.ToString();
  return PointMainAt(project, id, [&](const iceberg::TableMetadata& m) -> Result<int64_t> {
    const iceberg::Snapshot* s = iceberg::LatestMainAncestorBefore(m, timestamp_ms);
    if (!s)
      return NotFound("table {}: main has no snapshot committed before {}", table, FormatTimestampMs(timestamp_ms));
    return s->snapshot_id;
  });
}

}  // namespace ldp::services
