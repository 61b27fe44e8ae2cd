#include "ldp/services/maintain.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "ldp/iceberg/maintenance.h"
#include "ldp/iceberg/snapshot_update.h"
#include "ldp/services/tables.h"

namespace ldp::services {
namespace {

constexpr int kMaxAttempts = 20;

void Backoff(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5 + 7 * std::min(attempt, 10)));
}

int64_t SizeOf(io::FileSystem& fs, const std::string& path) {
  auto n = fs.FileSize(path);
  return n.ok() ? *n : 0;
}

void AddFiles(io::FileSystem& fs, const std::set<std::string>& paths, const std::string& kind,
              std::vector<RemovedFile>* out) {
  for (const auto& p : paths) out->push_back({p, kind, SizeOf(fs, p)});
}

// Deletes the listed files; failures are reported, not fatal (the commit already happened, and a
// file left behind is an orphan that remove-orphans will find).
std::vector<std::string> DeleteAll(io::FileSystem& fs, const std::vector<RemovedFile>& files) {
  std::vector<std::string> errors;
  for (const auto& f : files) {
    Status st = fs.Delete(f.path);
    if (!st.ok()) errors.push_back(st.message());
  }
  return errors;
}

// Files only the expired snapshots reach. Snapshots that cannot be read (already partly cleaned)
// contribute what could be read; files a retained snapshot reaches are never listed.
Result<std::vector<RemovedFile>> FilesOnlyExpiredReach(io::FileSystem& fs, const iceberg::TableMetadata& m,
                                                       const iceberg::ExpiryPlan& plan) {
  std::vector<const iceberg::Snapshot*> retained, expired;
  for (const auto& s : m.snapshots) (plan.retained.count(s.snapshot_id) ? retained : expired).push_back(&s);
  // Every retained snapshot must be fully readable: otherwise what it needs is unknown.
  LDP_ASSIGN_OR_RAISE(iceberg::ReachableFiles keep, iceberg::CollectReachableFiles(fs, m, retained));
  iceberg::ReachableFiles gone;
  for (const auto* s : expired) {
    gone.manifest_lists.insert(iceberg::NormalizePath(s->manifest_list));
    auto r = iceberg::CollectReachableFiles(fs, m, {s});
    if (!r.ok()) continue;
    gone.manifests.insert(r->manifests.begin(), r->manifests.end());
    gone.all_files.insert(r->all_files.begin(), r->all_files.end());
    gone.delete_files.insert(r->delete_files.begin(), r->delete_files.end());
  }
  std::set<std::string> lists, manifests, data, deletes;
  for (const auto& p : gone.manifest_lists)
    if (!keep.manifest_lists.count(p)) lists.insert(p);
  for (const auto& p : gone.manifests)
    if (!keep.manifests.count(p)) manifests.insert(p);
  for (const auto& p : gone.all_files)
    if (!keep.live_files.count(p)) (gone.delete_files.count(p) ? deletes : data).insert(p);
  std::vector<RemovedFile> out;
  AddFiles(fs, lists, "manifest-list", &out);
  AddFiles(fs, manifests, "manifest", &out);
  AddFiles(fs, data, "data", &out);
  AddFiles(fs, deletes, "delete", &out);
  return out;
}

}  // namespace

Result<ExpireResult> ExpireSnapshots(Project& project, const ExpireOptions& options) {
  if (options.retain_last && *options.retain_last < 1)
    return InvalidArgument("--retain-last must be at least 1 (the current snapshot always stays)");
  const std::string table = options.table.ToString();
  const int64_t now = NowMs();
  for (int attempt = 1;; ++attempt) {
    LDP_ASSIGN_OR_RAISE(LoadedTable base, LoadTable(project, options.table));
    const auto& m = *base.metadata;
    iceberg::RetentionOptions ro;
    ro.now_ms = now;
    ro.older_than_ms = options.older_than_ms;
    ro.retain_last = options.retain_last;
    auto plan = iceberg::PlanExpiry(m, ro);
    if (!plan.ok()) return plan.status().WithContext(fmt::format("table {}", table));
    ExpireResult out;
    out.dry_run = options.dry_run;
    out.expired_snapshots = plan->expired;
    out.removed_refs = plan->removed_refs;
    out.retained_snapshots = static_cast<int64_t>(plan->retained.size());
    out.metadata_location = base.metadata_location;
    if (plan->expired.empty() && plan->removed_refs.empty()) return out;
    auto files = FilesOnlyExpiredReach(project.fs(), m, *plan);
    if (!files.ok()) return files.status().WithContext(fmt::format("table {}", table));
    out.files = std::move(*files);
    if (options.dry_run) return out;

    auto next = iceberg::ApplyExpiry(m, *plan, now);
    Status valid = next->Validate();
    if (!valid.ok()) return Internal("table {}: expiry would make invalid metadata: {}", table, valid.message());
    auto committed = CommitMetadata(project, base, next);
    if (!committed.ok()) {
      if (committed.status().code() == ErrorCode::kCommitFailed && attempt < kMaxAttempts) {
        Backoff(attempt);
        continue;  // another writer committed: plan again on its metadata
      }
      return committed.status().WithContext(fmt::format("committing expiry of {}", table));
    }
    out.metadata_location = committed->metadata_location;
    out.delete_errors = DeleteAll(project.fs(), out.files);
    return out;
  }
}

Result<OrphanResult> RemoveOrphanFiles(Project& project, const OrphanOptions& options) {
  const std::string table = options.table.ToString();
  LDP_ASSIGN_OR_RAISE(LoadedTable t, LoadTable(project, options.table));
  const auto& m = *t.metadata;
  std::set<std::string> referenced;
  referenced.insert(iceberg::NormalizePath(t.metadata_location));
  for (const auto& e : m.metadata_log) referenced.insert(iceberg::NormalizePath(e.metadata_file));
  referenced.insert(iceberg::NormalizePath(iceberg::TableMetadataDir(m) + "/version-hint.text"));
  std::vector<const iceberg::Snapshot*> all;
  for (const auto& s : m.snapshots) all.push_back(&s);
  auto reach = iceberg::CollectReachableFiles(project.fs(), m, all);
  if (!reach.ok())
    return reach.status().WithContext(
        fmt::format("table {}: cannot tell which files are referenced, nothing removed", table));
  referenced.insert(reach->manifest_lists.begin(), reach->manifest_lists.end());
  referenced.insert(reach->manifests.begin(), reach->manifests.end());
  referenced.insert(reach->all_files.begin(), reach->all_files.end());

  OrphanResult out;
  out.dry_run = options.dry_run;
  const std::string root = iceberg::NormalizePath(m.location);
  std::vector<std::string> dirs = {root};
  while (!dirs.empty()) {
    std::string dir = dirs.back();
    dirs.pop_back();
    auto entries = project.fs().List(dir);
    if (!entries.ok()) {
      if (entries.status().code() == ErrorCode::kNotFound) continue;
      return entries.status().WithContext(fmt::format("table {}: listing {}", table, dir));
    }
    for (const auto& fi : *entries) {
      std::string p = iceberg::NormalizePath(fi.path);
      if (fi.is_dir) {
        dirs.push_back(p);
        continue;
      }
      out.scanned_files++;
      if (referenced.count(p)) {
        out.referenced_files++;
      } else if (fi.mtime_ms >= options.older_than_ms) {
        out.young_files++;  // may belong to a write in progress
      } else {
        std::string kind = "other";
        if (p.size() > 5 && p.compare(p.size() - 5, 5, ".avro") == 0)
          kind = p.find("/snap-") != std::string::npos ? "manifest-list" : "manifest";
        else if (p.size() > 14 && p.compare(p.size() - 14, 14, ".metadata.json") == 0)
          kind = "metadata";
        else if (p.size() > 8 && p.compare(p.size() - 8, 8, ".parquet") == 0)
          kind = "data";
        out.files.push_back({p, kind, fi.size});
      }
    }
  }
  std::sort(out.files.begin(), out.files.end(), [](const RemovedFile& a, const RemovedFile& b) { return a.path < b.path; });
  if (!options.dry_run) out.delete_errors = DeleteAll(project.fs(), out.files);
  return out;
}

Result<RewriteManifestsResult> RewriteManifests(Project& project, const catalog::TableIdentifier& id) {
  const std::string table = id.ToString();
  for (int attempt = 1;; ++attempt) {
    LDP_ASSIGN_OR_RAISE(LoadedTable base, LoadTable(project, id));
    const auto& m = *base.metadata;
    int64_t target = 8LL << 20;  // Java's commit.manifest.target-size-bytes default
    std::string prop = m.Property("commit.manifest.target-size-bytes", "");
    if (!prop.empty()) {
      try {
        target = std::stoll(prop);
      } catch (...) {
        return InvalidArgument("table {}: property commit.manifest.target-size-bytes = '{}' is not a number", table, prop);
      }
      if (target <= 0) return InvalidArgument("table {}: commit.manifest.target-size-bytes must be positive", table);
    }
    RewriteManifestsResult out;
    if (const auto* cur = m.CurrentSnapshot()) {
      auto list = iceberg::ReadManifestList(project.fs(), cur->manifest_list);
      if (!list.ok()) return list.status().WithContext(fmt::format("table {}", table));
      out.manifests_before = out.manifests_after = static_cast<int64_t>(list->size());
    }
    auto rewrite = iceberg::RewriteManifests(project.fs(), m, target, NowMs());
    if (!rewrite.ok()) return rewrite.status().WithContext(fmt::format("rewriting manifests of {}", table));
    if (!*rewrite) return out;
    auto& r = **rewrite;
    auto committed = CommitMetadata(project, base, r.metadata);
    if (!committed.ok()) {
      // After CommitStateUnknown the files may be referenced: keep them.
      if (committed.status().code() != ErrorCode::kCommitStateUnknown)
        for (const auto& f : r.written_files) (void)project.fs().Delete(f);
      if (committed.status().code() == ErrorCode::kCommitFailed && attempt < kMaxAttempts) {
        Backoff(attempt);
        continue;
      }
      return committed.status().WithContext(fmt::format("committing manifest rewrite of {}", table));
    }
    out.committed = true;
    out.snapshot_id = r.snapshot_id;
    out.replaced_manifests = r.replaced_manifests;
    out.new_manifests = r.new_manifests;
    out.entries = r.entries;
    out.manifests_after = r.kept_manifests + static_cast<int64_t>(r.new_manifests.size());
    return out;
  }
}

}  // namespace ldp::services
