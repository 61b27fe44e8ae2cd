#include "ldp/iceberg/snapshot_update.h"

#include <algorithm>

#include "ldp/iceberg/partitioning.h"

namespace ldp::iceberg {
namespace {

std::string TrimSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::vector<PartitionFieldInfo> PartitionInfos(const TableMetadata& m, const PartitionSpec& spec) {
  SchemaPtr schema = m.CurrentSchema();
  if (schema) {
    auto infos = PartitionFieldInfos(spec, *schema);
    if (infos.ok()) return *infos;
  }
  // A source column that is gone: keep the field (typed as a string) so the manifest still lists it.
  std::vector<PartitionFieldInfo> out;
  for (const auto& f : spec.fields) out.push_back({f.field_id, f.name, "string"});
  return out;
}

ManifestWriteOptions ManifestOptions(const TableMetadata& m, const PartitionSpec& spec,
                                     ManifestContent content, int64_t snapshot_id) {
  ManifestWriteOptions o;
  o.format_version = m.format_version;
  SchemaPtr schema = m.CurrentSchema();
  o.schema_json = schema ? schema->ToJsonString() : "{}";
  o.schema_id = schema ? schema->schema_id() : 0;
  o.partition_spec_fields_json = spec.FieldsJsonString();
  o.partition_spec_id = spec.spec_id;
  o.partition_fields = PartitionInfos(m, spec);
  o.content = content;
  o.snapshot_id = snapshot_id;
  o.sequence_number = m.last_sequence_number + 1;
  return o;
}

int64_t SummaryLong(const std::map<std::string, std::string>& s, const std::string& k, bool* ok) {
  auto it = s.find(k);
  if (it == s.end()) {
    *ok = false;
    return 0;
  }
  try {
    return std::stoll(it->second);
  } catch (...) {
    *ok = false;
    return 0;
  }
}

}  // namespace

ManifestWriteOptions ManifestOptionsFor(const TableMetadata& m, const PartitionSpec& spec, ManifestContent content,
                                        int64_t snapshot_id) {
  return ManifestOptions(m, spec, content, snapshot_id);
}

std::string TableDataDir(const TableMetadata& m) { return TrimSlash(m.location) + "/data"; }
std::string TableMetadataDir(const TableMetadata& m) { return TrimSlash(m.location) + "/metadata"; }

Result<ManifestFile> WriteAddedManifest(io::FileSystem& fs, const TableMetadata& base,
                                        int64_t snapshot_id, const std::vector<DataFile>& files,
                                        ManifestContent content) {
  const PartitionSpec* spec = base.DefaultSpec();
  if (!spec) return Internal("table {} has no default partition spec", base.location);
  std::vector<ManifestEntry> entries;
  entries.reserve(files.size());
  for (const auto& f : files) {
    ManifestEntry e;
    e.status = ManifestEntryStatus::kAdded;
    e.snapshot_id = snapshot_id;  // sequence numbers stay null: inherited at read time
    e.data_file = f;
    entries.push_back(std::move(e));
  }
  std::string path = fmt::format("{}/{}-{}0.avro", TableMetadataDir(base), NewUuid(),
                                 content == ManifestContent::kData ? 'm' : 'd');
  return WriteManifest(fs, path, ManifestOptions(base, *spec, content, snapshot_id), entries);
}

Result<std::vector<ManifestEntry>> LiveDataEntries(io::FileSystem& fs, const TableMetadata& metadata,
                                                   const Snapshot* snapshot) {
  std::vector<ManifestEntry> out;
  if (!snapshot) return out;
  LDP_ASSIGN_OR_RAISE(auto manifests, ReadManifestList(fs, snapshot->manifest_list));
  for (const auto& mf : manifests) {
    if (mf.content != ManifestContent::kData) continue;
    LDP_ASSIGN_OR_RAISE(auto entries, ReadManifest(fs, mf));
    for (auto& e : entries) {
      if (e.status == ManifestEntryStatus::kDeleted) continue;
      if (e.data_file.content != FileContent::kData) continue;
      out.push_back(std::move(e));
    }
  }
  return out;
}

Result<PendingSnapshot> ProduceSnapshot(io::FileSystem& fs, const TableMetadata& base,
                                        WriteOperation op, int64_t snapshot_id,
                                        const std::optional<ManifestFile>& added_manifest,
                                        const std::vector<DataFile>& added, int64_t now_ms,
                                        const std::map<std::string, std::string>& extra_summary,
                                        const std::string& branch) {
  PendingSnapshot out;
  out.snapshot_id = snapshot_id;
  LDP_RETURN_NOT_OK(CheckWritableBranch(base, branch));
  const Snapshot* parent = BranchHead(base, branch);
  const int64_t seq = base.last_sequence_number + 1;
  const PartitionSpec* spec = base.DefaultSpec();
  if (!spec) return Internal("table {} has no default partition spec", base.location);

  int64_t added_records = 0, added_size = 0;
  for (const auto& f : added) {
    added_records += f.record_count;
    added_size += f.file_size_in_bytes;
  }

  std::vector<ManifestFile> list;
  if (added_manifest) {
    ManifestFile mf = *added_manifest;
    mf.sequence_number = seq;
    mf.min_sequence_number = seq;
    mf.added_snapshot_id = snapshot_id;
    list.push_back(std::move(mf));
  }

  int64_t deleted_files = 0, deleted_records = 0, removed_size = 0;
  int64_t total_files = 0, total_records = 0, total_size = 0;
  if (op == WriteOperation::kOverwrite) {
    // Every live data file of the parent is removed: one manifest of DELETED entries, which keep
    // their original sequence numbers as the spec requires.
    LDP_ASSIGN_OR_RAISE(auto live, LiveDataEntries(fs, base, parent));
    // One manifest of DELETED entries per partition spec the removed files were written with.
    std::map<int32_t, std::vector<ManifestEntry>> by_spec;
    for (auto& e : live) {
      deleted_files++;
      deleted_records += e.data_file.record_count;
      removed_size += e.data_file.file_size_in_bytes;
      ManifestEntry d = std::move(e);
      d.status = ManifestEntryStatus::kDeleted;
      d.snapshot_id = snapshot_id;
      int32_t sid = d.data_file.spec_id;
      by_spec[sid].push_back(std::move(d));
    }
    for (auto& [sid, deleted] : by_spec) {
      const PartitionSpec* dspec = base.SpecById(sid);
      if (!dspec) return Internal("table {} has no partition spec {}", base.location, sid);
      std::string path = fmt::format("{}/{}-m1.avro", TableMetadataDir(base), NewUuid());
      LDP_ASSIGN_OR_RAISE(ManifestFile mf,
                          WriteManifest(fs, path, ManifestOptions(base, *dspec, ManifestContent::kData, snapshot_id),
                                        deleted));
      out.written_files.push_back(path);
      mf.sequence_number = seq;
      int64_t min_seq = seq;
      for (const auto& d : deleted)
        if (d.sequence_number) min_seq = std::min(min_seq, *d.sequence_number);
      mf.min_sequence_number = min_seq;
      mf.added_snapshot_id = snapshot_id;
      list.push_back(std::move(mf));
    }
    total_files = static_cast<int64_t>(added.size());
    total_records = added_records;
    total_size = added_size;
  } else {
    // Append: carry every manifest of the parent over unchanged.
    bool have_totals = parent != nullptr;
    int64_t pf = 0, pr = 0, ps = 0;
    if (parent) {
      LDP_ASSIGN_OR_RAISE(auto prev, ReadManifestList(fs, parent->manifest_list));
      for (auto& mf : prev) list.push_back(std::move(mf));
      pf = SummaryLong(parent->summary, "total-data-files", &have_totals);
      pr = SummaryLong(parent->summary, "total-records", &have_totals);
      ps = SummaryLong(parent->summary, "total-files-size", &have_totals);
      if (!have_totals) {
        LDP_ASSIGN_OR_RAISE(auto live, LiveDataEntries(fs, base, parent));
        pf = pr = ps = 0;
        for (const auto& e : live) {
          pf++;
          pr += e.data_file.record_count;
          ps += e.data_file.file_size_in_bytes;
        }
      }
    }
    total_files = pf + static_cast<int64_t>(added.size());
    total_records = pr + added_records;
    total_size = ps + added_size;
  }

  std::string list_path =
      fmt::format("{}/snap-{}-1-{}.avro", TableMetadataDir(base), snapshot_id, NewUuid());
  ManifestListWriteOptions lo;
  lo.format_version = base.format_version;
  lo.snapshot_id = snapshot_id;
  if (parent) lo.parent_snapshot_id = parent->snapshot_id;
  lo.sequence_number = seq;
  LDP_RETURN_NOT_OK(WriteManifestList(fs, list_path, lo, list));
  out.written_files.push_back(list_path);

  Snapshot snap;
  snap.snapshot_id = snapshot_id;
  if (parent) snap.parent_snapshot_id = parent->snapshot_id;
  snap.sequence_number = seq;
  snap.timestamp_ms = now_ms;
  snap.manifest_list = list_path;
  snap.schema_id = base.current_schema_id;
  auto& s = snap.summary;
  s["operation"] = op == WriteOperation::kAppend ? "append" : "overwrite";
  s["added-data-files"] = std::to_string(added.size());
  s["added-records"] = std::to_string(added_records);
  s["added-files-size"] = std::to_string(added_size);
  if (op == WriteOperation::kOverwrite) {
    s["deleted-data-files"] = std::to_string(deleted_files);
    s["deleted-records"] = std::to_string(deleted_records);
    s["removed-files-size"] = std::to_string(removed_size);
  }
  s["changed-partition-count"] = (added.empty() && deleted_files == 0) ? "0" : "1";
  s["total-data-files"] = std::to_string(total_files);
  s["total-records"] = std::to_string(total_records);
  s["total-files-size"] = std::to_string(total_size);
  // An append keeps the parent's delete files; an overwrite drops every manifest, deletes too.
  for (const char* k : {"total-delete-files", "total-position-deletes", "total-equality-deletes"}) {
    auto it = parent ? parent->summary.find(k) : std::map<std::string, std::string>::const_iterator{};
    s[k] = (op == WriteOperation::kAppend && parent && it != parent->summary.end()) ? it->second : "0";
  }
  for (const auto& [k, v] : extra_summary) s[k] = v;

  auto next = std::make_shared<TableMetadata>(base);
  next->last_sequence_number = seq;
  next->last_updated_ms = std::max(now_ms, base.last_updated_ms);
  next->snapshots.push_back(snap);
  // The branch keeps its retention settings; only its head moves.
  SnapshotRef ref;
  if (auto it = base.refs.find(branch); it != base.refs.end()) ref = it->second;
  ref.snapshot_id = snapshot_id;
  ref.type = "branch";
  SetRef(next.get(), branch, ref, now_ms);
  out.metadata = std::move(next);
  return out;
}

}  // namespace ldp::iceberg
