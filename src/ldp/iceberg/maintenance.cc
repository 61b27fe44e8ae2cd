#include "ldp/iceberg/maintenance.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>

#include "ldp/iceberg/refs.h"
#include "ldp/iceberg/snapshot_update.h"

namespace ldp::iceberg {
namespace {

Result<int64_t> LongProperty(const TableMetadata& m, const std::string& key, int64_t fallback) {
  auto it = m.properties.find(key);
  if (it == m.properties.end()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used != it->second.size() || v < 0) throw std::invalid_argument("");
    return v;
  } catch (...) {
    return InvalidArgument("table property {} = '{}' is not a non-negative number", key, it->second);
  }
}

}  // namespace

std::string NormalizePath(const std::string& path_or_uri) {
  // Object storage URIs stay URIs (listing and deleting go to the store, not the local mirror).
  if (path_or_uri.rfind("s3://", 0) == 0) return path_or_uri;
  std::string p = io::ToLocalPath(path_or_uri);
  // Java writes "file:/a/b" (one slash); ToLocalPath only strips "file://".
  if (p.rfind("file:", 0) == 0) p = p.substr(5);
  return std::filesystem::path(p).lexically_normal().string();
}

Result<ExpiryPlan> PlanExpiry(const TableMetadata& m, const RetentionOptions& o) {
  LDP_ASSIGN_OR_RAISE(int64_t max_age, LongProperty(m, "history.expire.max-snapshot-age-ms", kDefaultMaxSnapshotAgeMs));
  LDP_ASSIGN_OR_RAISE(int64_t min_keep, LongProperty(m, "history.expire.min-snapshots-to-keep", kDefaultMinSnapshotsToKeep));
  LDP_ASSIGN_OR_RAISE(int64_t max_ref_age,
                      LongProperty(m, "history.expire.max-ref-age-ms", std::numeric_limits<int64_t>::max()));
  const int64_t default_cutoff = o.older_than_ms.value_or(o.now_ms - max_age);
  const int64_t default_min_keep = o.retain_last.value_or(static_cast<int32_t>(std::max<int64_t>(1, min_keep)));

  ExpiryPlan plan;
  // 1. Refs (never main) whose snapshot is older than their max-ref-age-ms are removed.
  std::map<std::string, SnapshotRef> refs;
  for (const auto& [name, ref] : m.refs) {
    const Snapshot* s = m.SnapshotById(ref.snapshot_id);
    int64_t limit = ref.max_ref_age_ms.value_or(max_ref_age);
    if (name != kMainBranch && s && limit < std::numeric_limits<int64_t>::max() &&
        o.now_ms - s->timestamp_ms > limit) {
      plan.removed_refs.push_back(name);
      continue;
    }
    refs[name] = ref;
  }
  // The current snapshot is main's head even in metadata written without a refs map.
  if (m.current_snapshot_id && !refs.count(kMainBranch)) refs[kMainBranch] = SnapshotRef{*m.current_snapshot_id};

  // 2. Every ref's snapshot stays; 3. branches keep ancestors within their count or age limits.
  std::set<int64_t> on_some_ref;
  for (const auto& [name, ref] : refs) {
    plan.retained.insert(ref.snapshot_id);
    if (ref.type != "branch") {
      on_some_ref.insert(ref.snapshot_id);
      continue;
    }
    const int64_t cutoff = ref.max_snapshot_age_ms ? o.now_ms - *ref.max_snapshot_age_ms : default_cutoff;
    const int64_t keep = ref.min_snapshots_to_keep.value_or(default_min_keep);
    int64_t kept = 0;
    bool keeping = true;
    for (const Snapshot* s : Ancestors(m, ref.snapshot_id)) {
      on_some_ref.insert(s->snapshot_id);
      if (keeping && (kept < keep || s->timestamp_ms >= cutoff)) {
        plan.retained.insert(s->snapshot_id);
        ++kept;
      } else {
        keeping = false;  // once a snapshot goes, all older ancestors of this branch go too
      }
    }
  }
  // 4. Snapshots on no ref's history (e.g. after a rollback) stay until they are old enough.
  for (const auto& s : m.snapshots)
    if (!on_some_ref.count(s.snapshot_id) && s.timestamp_ms >= default_cutoff) plan.retained.insert(s.snapshot_id);

  for (const auto& s : m.snapshots)
    if (!plan.retained.count(s.snapshot_id)) plan.expired.push_back(s.snapshot_id);
  return plan;
}

std::shared_ptr<TableMetadata> ApplyExpiry(const TableMetadata& m, const ExpiryPlan& plan, int64_t now_ms) {
  auto next = std::make_shared<TableMetadata>(m);
  std::set<int64_t> gone(plan.expired.begin(), plan.expired.end());
  for (const auto& name : plan.removed_refs) next->refs.erase(name);
  next->snapshots.erase(std::remove_if(next->snapshots.begin(), next->snapshots.end(),
                                       [&](const Snapshot& s) { return gone.count(s.snapshot_id) > 0; }),
                        next->snapshots.end());
  std::vector<SnapshotLogEntry> log;
  for (const auto& e : m.snapshot_log) {
    if (next->SnapshotById(e.snapshot_id)) {
      log.push_back(e);
    } else {
      log.clear();  // history before an expired snapshot has a hole: drop it (as Java does)
    }
  }
  next->snapshot_log = std::move(log);
  if (!gone.empty() || !plan.removed_refs.empty()) next->last_updated_ms = std::max(m.last_updated_ms, now_ms);
  return next;
}

Result<ReachableFiles> CollectReachableFiles(io::FileSystem& fs, const TableMetadata& m,
                                             const std::vector<const Snapshot*>& snapshots) {
  ReachableFiles out;
  for (const Snapshot* s : snapshots) {
    if (!s || s->manifest_list.empty()) continue;
    out.manifest_lists.insert(NormalizePath(s->manifest_list));
    auto list = ReadManifestList(fs, s->manifest_list);
    if (!list.ok())
      return list.status().WithContext(fmt::format("reading manifest list of snapshot {}", s->snapshot_id));
    for (const auto& mf : *list) {
      if (!out.manifests.insert(NormalizePath(mf.manifest_path)).second) continue;  // read once
      auto entries = ReadManifest(fs, mf);
      if (!entries.ok()) return entries.status().WithContext(fmt::format("reading manifest {}", mf.manifest_path));
      for (const auto& e : *entries) {
        std::string p = NormalizePath(e.data_file.file_path);
        if (e.status != ManifestEntryStatus::kDeleted) out.live_files.insert(p);
        if (e.data_file.content != FileContent::kData) out.delete_files.insert(p);
        out.all_files.insert(std::move(p));
      }
    }
  }
  return out;
}

Result<std::optional<ManifestRewrite>> RewriteManifests(io::FileSystem& fs, const TableMetadata& base,
                                                        int64_t target_size_bytes, int64_t now_ms) {
  const Snapshot* parent = base.CurrentSnapshot();
  if (!parent) return std::optional<ManifestRewrite>();
  LDP_ASSIGN_OR_RAISE(auto manifests, ReadManifestList(fs, parent->manifest_list));

  // Groups by (content, spec id); a group of one manifest without deleted entries stays as it is.
  std::map<std::pair<int, int32_t>, std::vector<const ManifestFile*>> groups;
  for (const auto& mf : manifests) groups[{static_cast<int>(mf.content), mf.partition_spec_id}].push_back(&mf);
  bool work = false;
  for (const auto& [key, g] : groups)
    if (g.size() > 1 || g[0]->deleted_files_count > 0) work = true;
  if (!work) return std::optional<ManifestRewrite>();

  ManifestRewrite out;
  out.snapshot_id = NewSnapshotId();
  const int64_t seq = base.last_sequence_number + 1;
  std::vector<ManifestFile> list;
  auto fail = [&](const Status& st) {
    for (const auto& f : out.written_files) (void)fs.Delete(f);
    return st;
  };
  for (const auto& [key, group] : groups) {
    if (group.size() == 1 && group[0]->deleted_files_count == 0) {
      list.push_back(*group[0]);
      out.kept_manifests++;
      continue;
    }
    const PartitionSpec* spec = base.SpecById(key.second);
    if (!spec) return fail(InvalidArgument("manifest {} names partition spec {}, which is not in the metadata",
                                           group[0]->manifest_path, key.second));
    std::vector<ManifestEntry> live;
    int64_t bytes = 0, entries_seen = 0;
    for (const ManifestFile* mf : group) {
      auto entries = ReadManifest(fs, *mf);
      if (!entries.ok()) return fail(entries.status().WithContext(fmt::format("reading manifest {}", mf->manifest_path)));
      bytes += mf->manifest_length;
      entries_seen += static_cast<int64_t>(entries->size());
      for (auto& e : *entries) {
        if (e.status == ManifestEntryStatus::kDeleted) continue;
        // Read resolved inherited numbers: they are written explicitly, as EXISTING entries must.
        e.status = ManifestEntryStatus::kExisting;
        live.push_back(std::move(e));
      }
      out.replaced_manifests.push_back(mf->manifest_path);
    }
    out.entries += static_cast<int64_t>(live.size());
    // Entries per new manifest from the old manifests' average entry size.
    const int64_t per_entry = entries_seen > 0 ? std::max<int64_t>(1, bytes / entries_seen) : 1;
    const size_t chunk = static_cast<size_t>(std::max<int64_t>(1, target_size_bytes / per_entry));
    ManifestWriteOptions opts = ManifestOptionsFor(
        base, *spec, key.first == static_cast<int>(ManifestContent::kData) ? ManifestContent::kData : ManifestContent::kDeletes,
        out.snapshot_id);
    for (size_t start = 0; start < live.size(); start += chunk) {
      std::vector<ManifestEntry> part(live.begin() + static_cast<std::ptrdiff_t>(start),
                                      live.begin() + static_cast<std::ptrdiff_t>(std::min(live.size(), start + chunk)));
      std::string path = fmt::format("{}/{}-m{}.avro", TableMetadataDir(base), NewUuid(), start / chunk);
      auto mf = WriteManifest(fs, path, opts, part);
      if (!mf.ok()) return fail(mf.status());
      out.written_files.push_back(path);
      out.new_manifests.push_back(path);
      mf->sequence_number = seq;
      mf->added_snapshot_id = out.snapshot_id;
      list.push_back(std::move(*mf));
    }
  }

  std::string list_path = fmt::format("{}/snap-{}-1-{}.avro", TableMetadataDir(base), out.snapshot_id, NewUuid());
  ManifestListWriteOptions lo;
  lo.format_version = base.format_version;
  lo.snapshot_id = out.snapshot_id;
  lo.parent_snapshot_id = parent->snapshot_id;
  lo.sequence_number = seq;
  Status st = WriteManifestList(fs, list_path, lo, list);
  if (!st.ok()) return fail(st);
  out.written_files.push_back(list_path);

  Snapshot snap;
  snap.snapshot_id = out.snapshot_id;
  snap.parent_snapshot_id = parent->snapshot_id;
  snap.sequence_number = seq;
  snap.timestamp_ms = std::max(now_ms, parent->timestamp_ms);
  snap.manifest_list = list_path;
  snap.schema_id = parent->schema_id ? parent->schema_id : std::optional<int32_t>(base.current_schema_id);
  // A replace keeps the table's contents: the totals of the parent carry over.
  for (const auto& [k, v] : parent->summary)
    if (k.rfind("total-", 0) == 0) snap.summary[k] = v;
  snap.summary["operation"] = "replace";
  snap.summary["manifests-created"] = std::to_string(out.new_manifests.size());
  snap.summary["manifests-replaced"] = std::to_string(out.replaced_manifests.size());
  snap.summary["manifests-kept"] = std::to_string(out.kept_manifests);
  snap.summary["entries-processed"] = std::to_string(out.entries);

  auto next = std::make_shared<TableMetadata>(base);
  next->last_sequence_number = seq;
  next->last_updated_ms = std::max(now_ms, base.last_updated_ms);
  next->snapshots.push_back(snap);
  SnapshotRef ref;
  if (auto it = base.refs.find(kMainBranch); it != base.refs.end()) ref = it->second;
  ref.snapshot_id = out.snapshot_id;
  ref.type = "branch";
  SetRef(next.get(), kMainBranch, ref, snap.timestamp_ms);
  out.metadata = std::move(next);
  return std::optional<ManifestRewrite>(std::move(out));
}

}  // namespace ldp::iceberg
