#include "ldp/iceberg/row_delta.h"

#include <algorithm>
#include <map>

namespace ldp::iceberg {
namespace {

struct Totals {
  int64_t data_files = 0, records = 0, files_size = 0;
  int64_t delete_files = 0, position_deletes = 0, equality_deletes = 0;

  void Add(const DataFile& f) {
    files_size += f.file_size_in_bytes;
    switch (f.content) {
      case FileContent::kData:
        data_files++;
        records += f.record_count;
        break;
      case FileContent::kPositionDeletes:
        delete_files++;
        position_deletes += f.record_count;
        break;
      case FileContent::kEqualityDeletes:
        delete_files++;
        equality_deletes += f.record_count;
        break;
    }
  }
};

// Live files of a snapshot, data and deletes, keyed by path.
Result<std::map<std::string, DataFile>> LiveFiles(io::FileSystem& fs, const Snapshot* snapshot) {
  std::map<std::string, DataFile> out;
  if (!snapshot) return out;
  LDP_ASSIGN_OR_RAISE(auto manifests, ReadManifestList(fs, snapshot->manifest_list));
  for (const auto& mf : manifests) {
    LDP_ASSIGN_OR_RAISE(auto entries, ReadManifest(fs, mf));
    for (auto& e : entries) {
      if (e.status == ManifestEntryStatus::kDeleted) continue;
      std::string path = e.data_file.file_path;
      out.emplace(std::move(path), std::move(e.data_file));
    }
  }
  return out;
}

}  // namespace

Result<ManifestFile> WriteAddedDeleteManifest(io::FileSystem& fs, const TableMetadata& base,
                                              int64_t snapshot_id, const std::vector<DataFile>& files) {
  return WriteAddedManifest(fs, base, snapshot_id, files, ManifestContent::kDeletes);
}

Result<ManifestFile> WriteAddedDeleteManifest(io::FileSystem& fs, const TableMetadata& base, int64_t snapshot_id,
                                              const std::vector<DataFile>& files, const PartitionSpec& spec) {
  std::vector<ManifestEntry> entries;
  for (const auto& f : files) {
    ManifestEntry e;
    e.status = ManifestEntryStatus::kAdded;
    e.snapshot_id = snapshot_id;  // sequence numbers inherited at read time
    e.data_file = f;
    entries.push_back(std::move(e));
  }
  std::string path = fmt::format("{}/{}-d{}.avro", TableMetadataDir(base), NewUuid(), spec.spec_id);
  return WriteManifest(fs, path, ManifestOptionsFor(base, spec, ManifestContent::kDeletes, snapshot_id), entries);
}

std::string RowDeltaOperation(const RowDelta& delta) {
  if (delta.added_data.empty()) return "delete";
  bool removes = !delta.removed_data_files.empty() || !delta.removed_delete_files.empty() || !delta.added_deletes.empty();
  return removes ? "overwrite" : "append";
}

Result<PendingSnapshot> ProduceRowDelta(io::FileSystem& fs, const TableMetadata& base, int64_t snapshot_id,
                                        const RowDelta& delta, int64_t now_ms) {
  PendingSnapshot out;
  out.snapshot_id = snapshot_id;
  LDP_RETURN_NOT_OK(CheckWritableBranch(base, delta.branch));
  const Snapshot* parent = BranchHead(base, delta.branch);
  const int64_t seq = base.last_sequence_number + 1;
  auto fail = [&](Status st) {
    for (const auto& p : out.written_files) (void)fs.Delete(p);
    return st;
  };

  std::vector<ManifestFile> list;
  std::vector<ManifestFile> added_manifests;
  for (const auto* m : {&delta.added_data_manifest, &delta.added_delete_manifest})
    if (*m) added_manifests.push_back(**m);
  added_manifests.insert(added_manifests.end(), delta.more_added_manifests.begin(), delta.more_added_manifests.end());
  added_manifests.insert(added_manifests.end(), delta.added_delete_manifests_older_specs.begin(),
                         delta.added_delete_manifests_older_specs.end());
  for (const auto& added : added_manifests) {
    ManifestFile mf = added;
    mf.sequence_number = seq;
    mf.min_sequence_number = seq;
    mf.added_snapshot_id = snapshot_id;
    list.push_back(std::move(mf));
  }

  Totals totals, removed;
  // Partitions (spec id and tuple) of every added or removed file, for changed-partition-count.
  std::vector<std::pair<int32_t, std::vector<PartitionValue>>> changed;
  auto touch = [&](const DataFile& f) {
    auto key = std::make_pair(f.spec_id, f.partition);
    if (std::find(changed.begin(), changed.end(), key) == changed.end()) changed.push_back(std::move(key));
  };
  for (const auto& f : delta.added_data) totals.Add(f), touch(f);
  for (const auto& f : delta.added_deletes) totals.Add(f), touch(f);
  std::set<std::string> found;
  // Rewritten manifests by (content, spec id) when delta.merge_rewritten_manifests.
  std::map<std::pair<int32_t, int32_t>, std::vector<ManifestEntry>> merged;
  auto write_rewritten = [&](ManifestContent content, int32_t spec_id, const std::vector<ManifestEntry>& rewritten,
                             const std::string& what) -> Status {
    const PartitionSpec* spec = base.SpecById(spec_id);
    if (!spec) return Internal("manifest {} names unknown partition spec {}", what, spec_id);
    std::string path = fmt::format("{}/{}-m{}.avro", TableMetadataDir(base), NewUuid(),
                                   content == ManifestContent::kData ? 1 : 2);
    auto written = WriteManifest(fs, path, ManifestOptionsFor(base, *spec, content, snapshot_id), rewritten);
    if (!written.ok()) return written.status().WithContext("rewriting manifest " + what);
    out.written_files.push_back(path);
    ManifestFile nm = *written;
    nm.sequence_number = seq;
    int64_t min_seq = seq;
    for (const auto& e : rewritten)
      if (e.status != ManifestEntryStatus::kDeleted && e.sequence_number) min_seq = std::min(min_seq, *e.sequence_number);
    nm.min_sequence_number = min_seq;
    nm.added_snapshot_id = snapshot_id;
    list.push_back(std::move(nm));
    return Status::OK();
  };
  if (parent) {
    auto prev = ReadManifestList(fs, parent->manifest_list);
    if (!prev.ok()) return fail(prev.status());
    for (auto& mf : *prev) {
      auto entries = ReadManifest(fs, mf);
      if (!entries.ok()) return fail(entries.status());
      const auto& to_remove =
          mf.content == ManifestContent::kData ? delta.removed_data_files : delta.removed_delete_files;
      bool touched = false;
      for (const auto& e : *entries) {
        if (e.status == ManifestEntryStatus::kDeleted) continue;
        if (to_remove.count(e.data_file.file_path)) {
          touched = true;
          found.insert(e.data_file.file_path);
          removed.Add(e.data_file);
          touch(e.data_file);
        } else {
          totals.Add(e.data_file);
        }
      }
      if (!touched) {
        list.push_back(std::move(mf));
        continue;
      }
      // Rewrite the manifest: removed entries become DELETED (keeping their sequence numbers, as
      // the spec requires), the other live ones EXISTING; earlier DELETED entries are dropped.
      std::vector<ManifestEntry> rewritten;
      for (auto& e : *entries) {
        if (e.status == ManifestEntryStatus::kDeleted) continue;
        if (to_remove.count(e.data_file.file_path)) {
          e.status = ManifestEntryStatus::kDeleted;
          e.snapshot_id = snapshot_id;
        } else {
          e.status = ManifestEntryStatus::kExisting;
        }
        rewritten.push_back(std::move(e));
      }
      if (delta.merge_rewritten_manifests) {
        auto& group = merged[{static_cast<int32_t>(mf.content), mf.partition_spec_id}];
        group.insert(group.end(), std::make_move_iterator(rewritten.begin()), std::make_move_iterator(rewritten.end()));
        continue;
      }
      Status w = write_rewritten(mf.content, mf.partition_spec_id, rewritten, mf.manifest_path);
      if (!w.ok()) return fail(w);
    }
  }
  for (auto& [key, entries] : merged) {
    Status w = write_rewritten(static_cast<ManifestContent>(key.first), key.second, entries, "merged manifests");
    if (!w.ok()) return fail(w);
  }
  for (const auto* set : {&delta.removed_data_files, &delta.removed_delete_files})
    for (const auto& p : *set)
      if (!found.count(p))
        return fail(CommitFailed("file {} is no longer in the table: a concurrent commit removed it", p));

  std::string list_path = fmt::format("{}/snap-{}-1-{}.avro", TableMetadataDir(base), snapshot_id, NewUuid());
  ManifestListWriteOptions lo;
  lo.format_version = base.format_version;
  lo.snapshot_id = snapshot_id;
  if (parent) lo.parent_snapshot_id = parent->snapshot_id;
  lo.sequence_number = seq;
  Status st = WriteManifestList(fs, list_path, lo, list);
  if (!st.ok()) return fail(st);
  out.written_files.push_back(list_path);

  Totals added;
  for (const auto& f : delta.added_data) added.Add(f);
  for (const auto& f : delta.added_deletes) added.Add(f);
  Snapshot snap;
  snap.snapshot_id = snapshot_id;
  if (parent) snap.parent_snapshot_id = parent->snapshot_id;
  snap.sequence_number = seq;
  snap.timestamp_ms = now_ms;
  snap.manifest_list = list_path;
  snap.schema_id = base.current_schema_id;
  auto& s = snap.summary;
  auto put = [&](const char* k, int64_t v) {
    if (v) s[k] = std::to_string(v);
  };
  s["operation"] = delta.operation.value_or(RowDeltaOperation(delta));
  put("added-data-files", added.data_files);
  put("deleted-data-files", removed.data_files);
  put("added-records", added.records);
  put("deleted-records", removed.records);
  put("added-files-size", added.files_size);
  put("removed-files-size", removed.files_size);
  put("added-delete-files", added.delete_files);
  put("removed-delete-files", removed.delete_files);
  put("added-position-delete-files", static_cast<int64_t>(std::count_if(
      delta.added_deletes.begin(), delta.added_deletes.end(),
      [](const DataFile& f) { return f.content == FileContent::kPositionDeletes; })));
  put("added-position-deletes", added.position_deletes);
  put("removed-position-deletes", removed.position_deletes);
  put("removed-equality-deletes", removed.equality_deletes);
  s["changed-partition-count"] = std::to_string(changed.size());
  s["total-data-files"] = std::to_string(totals.data_files);
  s["total-records"] = std::to_string(totals.records);
  s["total-files-size"] = std::to_string(totals.files_size);
  s["total-delete-files"] = std::to_string(totals.delete_files);
  s["total-position-deletes"] = std::to_string(totals.position_deletes);
  s["total-equality-deletes"] = std::to_string(totals.equality_deletes);

  auto next = std::make_shared<TableMetadata>(base);
  next->last_sequence_number = seq;
  next->last_updated_ms = std::max(now_ms, base.last_updated_ms);
  next->snapshots.push_back(snap);
  // The branch keeps its retention settings; only its head moves (for main also the current
  // snapshot and the snapshot-log).
  SnapshotRef ref;
  if (auto it = base.refs.find(delta.branch); it != base.refs.end()) ref = it->second;
  ref.snapshot_id = snapshot_id;
  ref.type = "branch";
  SetRef(next.get(), delta.branch, ref, now_ms);
  out.metadata = std::move(next);
  return out;
}

Result<TableChanges> ChangesBetween(io::FileSystem& fs, const Snapshot* from, const Snapshot* to) {
  TableChanges out;
  LDP_ASSIGN_OR_RAISE(auto before, LiveFiles(fs, from));
  LDP_ASSIGN_OR_RAISE(auto after, LiveFiles(fs, to));
  for (auto& [path, f] : after) {
    if (before.count(path)) continue;
    if (f.content == FileContent::kData) {
      out.added_data.push_back(f);
    } else {
      out.added_deletes.push_back(f);
    }
  }
  for (const auto& [path, f] : before)
    if (f.content == FileContent::kData && !after.count(path)) out.removed_data.insert(path);
  return out;
}

}  // namespace ldp::iceberg
