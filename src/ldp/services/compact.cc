#include "ldp/services/compact.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/chrono.h>

#include "ldp/iceberg/compaction.h"
#include "ldp/iceberg/row_delta.h"
#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/snapshot_update.h"
#include "ldp/services/ingest.h"
#include "ldp/services/live_rows.h"
#include "ldp/services/local_copies.h"
#include "ldp/services/query.h"
#include "ldp/services/sorted_write.h"
#include "ldp/services/tables.h"

namespace ldp::services {
namespace stdfs = std::filesystem;
using engine::QuoteLiteral;

Result<int64_t> ParseByteSize(const std::string& text) {
  std::string t;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  std::string num = t.substr(0, i), unit = t.substr(i);
  auto bad = [&]() {
    return InvalidArgument("size '{}': expected a number of bytes with an optional unit (K, M, G, T; e.g. 128MB)", text);
  };
  if (num.empty() || std::count(num.begin(), num.end(), '.') > 1) return bad();
  if (unit.size() >= 2 && unit.compare(unit.size() - 2, 2, "ib") == 0) unit.resize(unit.size() - 2);
  else if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  double mult = 1;
  if (unit == "k") mult = 1024.0;
  else if (unit == "m") mult = 1024.0 * 1024;
  else if (unit == "g") mult = 1024.0 * 1024 * 1024;
  else if (unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty()) return bad();
  double v = std::stod(num) * mult;
  if (!(v >= 1) || v > 9.0e18) return InvalidArgument("size '{}' must be at least 1 byte", text);
  return static_cast<int64_t>(std::llround(v));
}

namespace {


// Every live delete file of a snapshot, with its data sequence number and spec.
Result<std::vector<iceberg::DeleteFileInfo>> LiveDeleteFiles(io::FileSystem& fs, const iceberg::Snapshot* snapshot) {
  std::vector<iceberg::DeleteFileInfo> out;
  if (!snapshot) return out;
  LDP_ASSIGN_OR_RAISE(auto manifests, iceberg::ReadManifestList(fs, snapshot->manifest_list));
  for (const auto& mf : manifests) {
    if (mf.content != iceberg::ManifestContent::kDeletes) continue;
    LDP_ASSIGN_OR_RAISE(auto entries, iceberg::ReadManifest(fs, mf));
    for (auto& e : entries) {
      if (e.status == iceberg::ManifestEntryStatus::kDeleted || e.data_file.content == iceberg::FileContent::kData) continue;
      out.push_back({std::move(e.data_file), e.sequence_number.value_or(mf.sequence_number), mf.partition_spec_id});
    }
  }
  return out;
}

// The files' folder under data/ ("a=1/b=x"), "" for files directly in it.
std::string PartitionFolder(const std::string& data_dir, const std::string& file_uri) {
  stdfs::path parent = stdfs::path(io::ToLocalPath(file_uri)).parent_path();
  std::error_code ec;
  auto rel = stdfs::relative(parent, data_dir, ec);
  if (ec || rel.empty() || rel == ".") return "";
  return rel.generic_string();
}

// After a lost race: whether the commits between `start` and `now` touched the compaction's
// inputs. OK means the snapshot may be built again on `now`.
Status ValidateConcurrent(Project& project, const std::string& name, const LoadedTable& start, const LoadedTable& now,
                          const iceberg::ScanPlan& plan, const std::vector<size_t>& inputs) {
  LDP_ASSIGN_OR_RAISE(auto changes, iceberg::ChangesBetween(project.fs(), start.metadata->CurrentSnapshot(),
                                                           now.metadata->CurrentSnapshot()));
  for (size_t i : inputs)
    if (changes.removed_data.count(plan.files[i].file_path))
      return CommitFailed("table {}: a concurrent commit rewrote or removed data file {} that this compaction rewrites; "
                          "run it again",
                          name, plan.files[i].file_path);
  for (const auto& d : changes.added_deletes) {
    // A delete committed after the compaction's base applies by the spec's rules as if it had the
    // highest sequence number: if it applies to an input, its rows would come back.
    iceberg::DeleteFileInfo info{d, std::numeric_limits<int64_t>::max(), d.spec_id};
    for (size_t i : inputs)
      if (iceberg::DeleteApplies(*now.metadata, info, plan.files[i], plan.files[i].spec_id, plan.data_sequence_numbers[i]))
        return CommitFailed("table {}: a concurrent commit added delete file {} for data file {} that this compaction "
                            "rewrites; run it again",
                            name, d.file_path, plan.files[i].file_path);
  }
  return Status::OK();
}

}  // namespace

Result<CompactResult> Compact(Project& project, engine::Connection& conn, const CompactOptions& options) {
  const std::string name = options.table.ToString();
  CompactResult result;
  result.table = options.table;
  result.dry_run = options.dry_run;
  LDP_ASSIGN_OR_RAISE(LoadedTable table, LoadTable(project, options.table));
  const iceberg::TableMetadata& md = *table.metadata;
  iceberg::SchemaPtr schema = md.CurrentSchema();
  if (!schema) return Internal("table {} has no current schema", name);
  result.metadata_location = table.metadata_location;
  int64_t target = options.target_size.value_or(TargetFileSize(project, md));
  if (target <= 0) return InvalidArgument("table {}: the target file size must be positive", name);
  const iceberg::CompactionRules rules = iceberg::RulesForTarget(target);
  result.target_size = rules.target_size;
  result.min_size = rules.min_size;
  const bool by_field_id = md.schemas.size() > 1;

  // ---- plan: candidates, bins, delete files that stop applying -------------------------------
  std::vector<iceberg::ColumnPredicate> preds;
  if (!options.where.empty()) {
    auto p = PredicatesForWhere(conn, *schema, options.where);
    if (!p.ok()) return InvalidArgument("table {}: --where: {}", name, p.status().message());
    preds = std::move(*p);
    // The predicate must bind to the table's columns (checked on no rows).
    auto bound = conn.Query(fmt::format("SELECT count(*) FROM ({}) WHERE ({}) IS TRUE",
                                        LiveRowsSql(*schema, iceberg::ScanPlan{}, false, false), options.where));
    if (!bound.ok()) return InvalidArgument("table {}: --where '{}': {}", name, options.where, bound.status().message());
  }
  const iceberg::Snapshot* snapshot = md.CurrentSnapshot();
  auto full = iceberg::PlanScan(project.fs(), md, snapshot, {});
  if (!full.ok()) return full.status().WithContext(fmt::format("planning compaction of {}", name));
  const iceberg::ScanPlan plan = preds.empty() ? *full : iceberg::FilterPlan(md, *schema, *full, preds);
  LDP_RETURN_NOT_OK(MakePlanLocal(project.fs(), plan).WithContext(fmt::format("reading table {}", name)));
  result.total_files = static_cast<int64_t>(full->files.size());
  result.files_considered = static_cast<int64_t>(plan.files.size());
  std::vector<iceberg::CompactionInput> inputs;
  for (size_t i = 0; i < plan.files.size(); ++i)
    inputs.push_back({plan.files[i].spec_id, plan.files[i].partition, plan.files[i].file_size_in_bytes,
                      !plan.file_deletes.empty() && !plan.file_deletes[i].empty()});
  std::vector<iceberg::CompactionBin> bins = iceberg::PlanCompaction(inputs, rules);
  std::vector<size_t> all_inputs;
  std::set<std::string> input_uris;
  for (const auto& b : bins)
    for (size_t i : b.files) {
      all_inputs.push_back(i);
      input_uris.insert(plan.files[i].file_path);
    }
  auto deletes = LiveDeleteFiles(project.fs(), snapshot);
  if (!deletes.ok()) return deletes.status().WithContext(fmt::format("reading delete files of {}", name));
  std::vector<iceberg::LiveDataFile> remaining;
  for (size_t i = 0; i < full->files.size(); ++i)
    if (!input_uris.count(full->files[i].file_path))
      remaining.push_back({&full->files[i], full->files[i].spec_id, full->data_sequence_numbers[i]});
  std::set<std::string> removed_deletes;
  for (size_t k : iceberg::UnneededDeletes(md, *deletes, remaining)) {
    removed_deletes.insert((*deletes)[k].file.file_path);
    result.removed_delete_files.push_back((*deletes)[k].file.file_path);
  }
  const std::string data_dir = io::ToLocalPath(iceberg::TableDataDir(md));
  for (const auto& b : bins) {
    CompactGroup g;
    g.spec_id = b.spec_id;
    g.partition = PartitionFolder(data_dir, plan.files[b.files[0]].file_path);
    std::set<int32_t> dels;
    for (size_t i : b.files) {
      g.input_files.push_back(plan.files[i].file_path);
      g.input_bytes += plan.files[i].file_size_in_bytes;
      g.input_records += plan.files[i].record_count;
      if (!plan.file_deletes.empty()) dels.insert(plan.file_deletes[i].begin(), plan.file_deletes[i].end());
    }
    g.delete_files = static_cast<int64_t>(dels.size());
    result.groups.push_back(std::move(g));
  }
  result.data_files_removed = static_cast<int64_t>(all_inputs.size());
  if (options.dry_run || (bins.empty() && removed_deletes.empty())) return result;

  // ---- write: one COPY per bin, in the bin's partition folder -------------------------------
  auto order_by = SortOrderByClause(conn, md, *schema);
  if (!order_by.ok()) return order_by.status().WithContext(fmt::format("table {}", name));
  result.sort_order_id = WrittenSortOrderId(md);
  const std::string write_id =
      fmt::format("compact-{:%Y%m%d-%H%M%S}-{}", fmt::localtime(std::time(nullptr)), iceberg::NewUuid().substr(0, 8));
  std::vector<std::string> written;  // local paths of new data files and manifests
  auto fail = [&](const Status& st) {
    for (const auto& p : written) (void)project.fs().Delete(p);
    return st;
  };
  std::map<int32_t, std::vector<iceberg::DataFile>> added_by_spec;
  std::vector<iceberg::DataFile> added;
  for (size_t n = 0; n < bins.size(); ++n) {
    const auto& b = bins[n];
    CompactGroup& g = result.groups[n];
    const std::string out_dir = stdfs::path(io::ToLocalPath(plan.files[b.files[0]].file_path)).parent_path().string();
    const std::string prefix = fmt::format("{}-{}", write_id, n);
    std::string rows = LiveRowsSql(*schema, iceberg::SubPlan(plan, b.files), by_field_id, false);
    Status st = conn.Execute(fmt::format(
        "COPY (SELECT * FROM ({}){}) TO {} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {}, "
        "KV_METADATA {{'iceberg.schema': {}}}, FILE_SIZE_BYTES {}, FILENAME_PATTERN '{}-{{i}}-{{uuid}}', APPEND)",
        rows, *order_by, QuoteLiteral(out_dir), iceberg::DuckFieldIdsClause(*schema), QuoteLiteral(schema->ToJsonString()),
        target, prefix));
    std::vector<std::string> files;
    auto listing = project.fs().List(out_dir);
    if (listing.ok())
      for (const auto& fi : *listing)
        if (stdfs::path(fi.path).filename().string().rfind(prefix + "-", 0) == 0) files.push_back(io::ToLocalPath(fi.path));
    written.insert(written.end(), files.begin(), files.end());
    if (!st.ok()) return fail(st.WithContext(fmt::format("compacting {} (partition '{}')", name, g.partition)));
    if (!listing.ok()) return fail(listing.status());
    auto collected = CollectDataFiles(conn, *schema, files);
    if (!collected.ok()) return fail(collected.status().WithContext("reading metrics of compacted files"));
    for (auto& df : *collected) {
      if (df.record_count == 0) {
        (void)project.fs().Delete(df.file_path);
        continue;
      }
      df.spec_id = b.spec_id;
      df.partition = b.partition;
      df.sort_order_id = result.sort_order_id;
      g.output_files.push_back(df.file_path);
      g.output_bytes += df.file_size_in_bytes;
      g.output_records += df.record_count;
      added_by_spec[b.spec_id].push_back(df);
      added.push_back(std::move(df));
    }
    result.records_removed += g.input_records - g.output_records;
  }

  // ---- manifests (one per partition spec of the added files) and the commit ------------------
  const int64_t snapshot_id = iceberg::NewSnapshotId();
  iceberg::RowDelta delta;
  delta.removed_data_files = input_uris;
  delta.removed_delete_files = removed_deletes;
  delta.added_data = added;
  delta.operation = "replace";
  delta.merge_rewritten_manifests = true;
  for (const auto& [spec_id, files] : added_by_spec) {
    const iceberg::PartitionSpec* spec = md.SpecById(spec_id);
    if (!spec) return fail(Internal("table {}: data files name unknown partition spec {}", name, spec_id));
    std::vector<iceberg::ManifestEntry> entries;
    for (const auto& f : files) {
      iceberg::ManifestEntry e;
      e.status = iceberg::ManifestEntryStatus::kAdded;
      e.snapshot_id = snapshot_id;  // sequence numbers inherited from the manifest list
      e.data_file = f;
      entries.push_back(std::move(e));
    }
    std::string path = fmt::format("{}/{}-m0.avro", iceberg::TableMetadataDir(md), iceberg::NewUuid());
    auto m = iceberg::WriteManifest(project.fs(), path,
                                    iceberg::ManifestOptionsFor(md, *spec, iceberg::ManifestContent::kData, snapshot_id),
                                    entries);
    if (!m.ok()) return fail(m.status().WithContext("writing manifest"));
    written.push_back(io::ToLocalPath(path));
    if (!delta.added_data_manifest) {
      delta.added_data_manifest = *m;
    } else {
      delta.more_added_manifests.push_back(*m);
    }
  }
  result.data_files_added = static_cast<int64_t>(added.size());

  if (options.before_commit) options.before_commit();
  const LoadedTable start = table;
  auto committed = CommitWithRetry(
      project, table, "compaction of " + name, &result.commit_attempts,
      [&](const iceberg::TableMetadata& base) -> Result<iceberg::PendingSnapshot> {
        auto pending = iceberg::ProduceRowDelta(project.fs(), base, snapshot_id, delta, NowMs());
        if (pending.ok()) return pending;
        Status st = pending.status();
        if (st.code() == ErrorCode::kCommitFailed) st = CommitFailed("table {}: {}; run the compaction again", name, st.message());
        return st.WithContext(fmt::format("preparing snapshot of {}", name));
      },
      [&](LoadedTable& reloaded) { return ValidateConcurrent(project, name, start, reloaded, plan, all_inputs); });
  if (!committed.ok()) {
    if (committed.status().code() == ErrorCode::kCommitStateUnknown) return committed.status();  // files may be referenced: keep
    return fail(committed.status());
  }
  result.committed = true;
  result.snapshot_id = snapshot_id;
  result.metadata_location = committed->metadata_location;
  return result;
}

}  // namespace ldp::services
