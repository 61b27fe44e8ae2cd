#include "ldp/iceberg/scan.h"

#include <cmath>
#include <map>

#include "ldp/iceberg/file_paths.h"
#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/puffin.h"

namespace ldp::iceberg {
namespace {

bool IsFloating(TypeId t) { return t == TypeId::kFloat || t == TypeId::kDouble; }

bool IsNaNLiteral(const Literal& l) {
  return std::holds_alternative<double>(l.value) && std::isnan(std::get<double>(l.value));
}

template <typename Map>
std::optional<int64_t> Lookup(const Map& m, int32_t id) {
  auto it = m.find(id);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<Literal> Bound(const Type& type, const std::map<int32_t, std::string>& bounds, int32_t id) {
  auto it = bounds.find(id);
  if (it == bounds.end()) return std::nullopt;
  return DecodeLiteral(type, it->second);
}

bool PredicateMayMatch(const Schema& schema, const DataFile& file, const ColumnPredicate& p) {
  const NestedField* field = schema.FindFieldById(p.field_id);
  if (!field || !field->type || !field->type->is_primitive()) return true;
  const Type& type = *field->type;
  auto values = Lookup(file.value_counts, p.field_id);
  auto nulls = Lookup(file.null_value_counts, p.field_id);
  bool all_null = values && nulls && *values == *nulls;
  switch (p.op) {
    case ColumnPredicate::Op::kIsNull:
      return !(nulls && *nulls == 0);
    case ColumnPredicate::Op::kNotNull:
      return !all_null;
    default:
      break;
  }
  // A comparison is never true for NULL: a file of only nulls cannot match.
  if (all_null) return false;
  for (const auto& v : p.values)
    if (IsNaNLiteral(v)) return true;
  auto lo = Bound(type, file.lower_bounds, p.field_id);
  auto hi = Bound(type, file.upper_bounds, p.field_id);
  // NaN is not in the bounds but sorts above every number in DuckDB: with floating columns only
  // the lower bound may rule out "greater than" predicates (and then not at all).
  bool hi_usable = hi.has_value();
  bool floating = IsFloating(type.id());
  auto cmp = [](const Literal& a, const Literal& b) { return CompareLiterals(a, b); };
  switch (p.op) {
    case ColumnPredicate::Op::kEq:
    case ColumnPredicate::Op::kIn: {
      for (const auto& v : p.values) {
        bool below = lo && cmp(v, *lo) < 0;
        bool above = hi_usable && cmp(v, *hi) > 0;
        if (!below && !above) return true;
      }
      return p.values.empty();
    }
    case ColumnPredicate::Op::kLt:
      return !(lo && !p.values.empty() && cmp(*lo, p.values[0]) >= 0);
    case ColumnPredicate::Op::kLe:
      return !(lo && !p.values.empty() && cmp(*lo, p.values[0]) > 0);
    case ColumnPredicate::Op::kGt:
      if (floating) return true;
      return !(hi_usable && !p.values.empty() && cmp(*hi, p.values[0]) <= 0);
    case ColumnPredicate::Op::kGe:
      if (floating) return true;
      return !(hi_usable && !p.values.empty() && cmp(*hi, p.values[0]) < 0);
    default:
      return true;
  }
}

}  // namespace

bool FileMayMatch(const Schema& schema, const DataFile& file, const std::vector<ColumnPredicate>& predicates) {
  for (const auto& p : predicates)
    if (!PredicateMayMatch(schema, file, p)) return false;
  return true;
}

bool DeleteApplies(const TableMetadata& metadata, const DeleteFileInfo& del, const DataFile& data,
                   int32_t data_spec_id, int64_t data_sequence_number) {
  const DataFile& d = del.file;
  if (d.content == FileContent::kPositionDeletes) {
    if (data_sequence_number > del.sequence_number) return false;
    if (del.spec_id != data_spec_id || d.partition != data.partition) return false;
    // Delete files name data files by the path the manifests wrote (before any resolving).
    const std::string& data_path = data.original_path();
    if (d.referenced_data_file) return *d.referenced_data_file == data_path;
    // file_path bounds (field 2147483546) as raw UTF-8; a truncated lower bound is a prefix and a
    // truncated upper bound sorts above, so the test stays conservative.
    auto lo = d.lower_bounds.find(kDeleteFilePathFieldId);
    auto hi = d.upper_bounds.find(kDeleteFilePathFieldId);
    if (lo != d.lower_bounds.end() && data_path < lo->second) return false;
    if (hi != d.upper_bounds.end() && data_path > hi->second &&
        data_path.compare(0, hi->second.size(), hi->second) != 0)
      return false;
    return true;
  }
  if (d.content == FileContent::kEqualityDeletes) {
    if (data_sequence_number >= del.sequence_number) return false;
    const PartitionSpec* spec = metadata.SpecById(del.spec_id);
    if (spec && spec->fields.empty()) return true;  // global equality delete
    return del.spec_id == data_spec_id && d.partition == data.partition;
  }
  return false;
}

ScanPlan SubPlan(const ScanPlan& plan, const std::vector<size_t>& indexes) {
  ScanPlan out;
  std::map<int32_t, int32_t> remap;
  for (size_t i : indexes) {
    out.files.push_back(plan.files[i]);
    if (i < plan.data_sequence_numbers.size()) out.data_sequence_numbers.push_back(plan.data_sequence_numbers[i]);
    out.total_records += plan.files[i].record_count;
    if (plan.file_deletes.empty()) continue;
    std::vector<int32_t> dels;
    for (int32_t k : plan.file_deletes[i]) {
      auto it = remap.find(k);
      if (it == remap.end()) {
        it = remap.emplace(k, static_cast<int32_t>(out.delete_files.size())).first;
        out.delete_files.push_back(plan.delete_files[k]);
      }
      dels.push_back(it->second);
    }
    out.file_deletes.push_back(std::move(dels));
  }
  if (out.delete_files.empty()) out.file_deletes.clear();
  out.total_files = static_cast<int64_t>(out.files.size());
  out.file_schema_ids = plan.file_schema_ids;
  return out;
}

ScanPlan FilterPlan(const TableMetadata& metadata, const Schema& schema, const ScanPlan& plan,
                    const std::vector<ColumnPredicate>& predicates) {
  std::vector<size_t> kept;
  for (size_t i = 0; i < plan.files.size(); ++i)
    if (DataFileMayMatch(metadata, schema, plan.files[i], predicates)) kept.push_back(i);
  ScanPlan out = SubPlan(plan, kept);
  out.total_files = plan.total_files;  // the snapshot's totals, not the kept part's
  out.total_manifests = plan.total_manifests;
  return out;
}

Result<ScanPlan> PlanScan(io::FileSystem& fs, const TableMetadata& metadata, const Snapshot* snapshot,
                          const std::vector<ColumnPredicate>& predicates) {
  ScanPlan plan;
  if (!snapshot) return plan;
  SchemaPtr schema = metadata.CurrentSchema();
  if (!schema) return Internal("table {} has no current schema", metadata.location);
  // Paths as other writers leave them (relative, file:/, relocated): iceberg/file_paths.h.
  const PathResolver paths = PathResolver::ForTable(metadata);
  auto resolve_file = [&](DataFile& f) -> Status {
    LDP_ASSIGN_OR_RAISE(std::string p, paths.Resolve(f.file_path, f.content == FileContent::kData ? "data file" : "delete file"));
    if (p != f.file_path) {
      f.written_path = std::move(f.file_path);
      f.file_path = std::move(p);
    }
    return Status::OK();
  };
  LDP_ASSIGN_OR_RAISE(std::string list_path, paths.Resolve(snapshot->manifest_list, "manifest list"));
  LDP_ASSIGN_OR_RAISE(auto manifests, ReadManifestList(fs, list_path));
  for (auto& mf : manifests) {
    LDP_ASSIGN_OR_RAISE(mf.manifest_path, paths.Resolve(mf.manifest_path, "manifest"));
  }
  std::vector<int32_t> spec_ids;
  std::vector<DeleteFileInfo> deletes;
  // Partition pruning first (spec "Scan Planning"): manifests by their partition summaries, then
  // entries by their partition tuples, both through the projection for the manifest's spec; then
  // column bounds.
  std::map<int32_t, PartitionFilter> filters;
  auto filter_for = [&](int32_t spec_id) -> const PartitionFilter* {
    if (predicates.empty()) return nullptr;
    auto it = filters.find(spec_id);
    if (it == filters.end()) {
      const PartitionSpec* spec = metadata.SpecById(spec_id);
      if (!spec || spec->fields.empty()) return nullptr;
      it = filters.emplace(spec_id, ProjectPredicates(*spec, *schema, predicates)).first;
    }
    return &it->second;
  };
  for (const auto& mf : manifests) {
    if (mf.content != ManifestContent::kData) {
      LDP_ASSIGN_OR_RAISE(auto entries, ReadManifest(fs, mf));
      for (auto& e : entries) {
        if (e.status == ManifestEntryStatus::kDeleted || e.data_file.content == FileContent::kData) continue;
        LDP_RETURN_NOT_OK(resolve_file(e.data_file));
        deletes.push_back({std::move(e.data_file), e.sequence_number.value_or(mf.sequence_number),
                           mf.partition_spec_id});
      }
      continue;
    }
    plan.total_manifests++;
    const PartitionFilter* pf = filter_for(mf.partition_spec_id);
    if (pf && !ManifestMayMatch(*pf, mf)) {
      // Its live files still count towards the total.
      plan.total_files += mf.added_files_count + mf.existing_files_count;
      continue;
    }
    LDP_ASSIGN_OR_RAISE(auto entries, ReadManifest(fs, mf));
    for (auto& e : entries) {
      if (e.status == ManifestEntryStatus::kDeleted || e.data_file.content != FileContent::kData) continue;
      plan.total_files++;
      if (pf && !PartitionMayMatch(*pf, e.data_file.partition)) continue;
      if (!FileMayMatch(*schema, e.data_file, predicates)) continue;
      plan.total_records += e.data_file.record_count;
      LDP_RETURN_NOT_OK(resolve_file(e.data_file));
      if (e.snapshot_id)
        if (const Snapshot* added_by = metadata.SnapshotById(*e.snapshot_id); added_by && added_by->schema_id)
          plan.file_schema_ids[e.data_file.file_path] = *added_by->schema_id;
      plan.files.push_back(std::move(e.data_file));
      plan.data_sequence_numbers.push_back(e.sequence_number.value_or(mf.sequence_number));
      spec_ids.push_back(mf.partition_spec_id);
    }
  }
  if (deletes.empty()) return plan;
  // Match every delete file against every planned data file (spec "Scan Planning"); only the
  // deletes that apply to some planned file are kept.
  std::vector<int32_t> index(deletes.size(), -1);
  // The Puffin file last read: a writer puts the vectors of one commit into one file.
  std::string puffin_path, puffin_bytes;
  plan.file_deletes.resize(plan.files.size());
  for (size_t i = 0; i < plan.files.size(); ++i) {
    for (size_t k = 0; k < deletes.size(); ++k) {
      if (!DeleteApplies(metadata, deletes[k], plan.files[i], spec_ids[i], plan.data_sequence_numbers[i])) continue;
      if (index[k] < 0) {
        index[k] = static_cast<int32_t>(plan.delete_files.size());
        DeleteFileInfo& del = plan.delete_files.emplace_back(deletes[k]);
        if (del.file.file_format == "PUFFIN" || del.file.file_format == "puffin") {
          // A v3 deletion vector: decoded now, it is small (one bitmap of one data file).
          if (!del.file.content_offset || !del.file.content_size_in_bytes)
            return InvalidArgument("deletion vector in {} has no content_offset/content_size_in_bytes",
                                   del.file.file_path);
          del.is_deletion_vector = true;
          // Checked whole here (framing, CRC, bitmap), kept only when small (see dv_inline).
          if (puffin_path != del.file.file_path) {
            LDP_ASSIGN_OR_RAISE(puffin_bytes, fs.ReadFile(del.file.file_path));
            puffin_path = del.file.file_path;
          }
          LDP_ASSIGN_OR_RAISE(std::string_view blob,
                              DeletionVectorBlob(puffin_bytes, del.file.file_path, *del.file.content_offset,
                                                 *del.file.content_size_in_bytes));
          LDP_RETURN_NOT_OK(DecodeDeletionVector(
              blob, fmt::format("Puffin file {} at offset {}", del.file.file_path, *del.file.content_offset),
              [&del](int64_t first, int64_t last) {
                if (!del.dv_inline) return Status::OK();
                if (del.dv_ranges.size() >= kInlineDeletionVectorRanges) {
                  del.dv_inline = false;
                  std::vector<std::pair<int64_t, int64_t>>().swap(del.dv_ranges);
                  return Status::OK();
                }
                del.dv_ranges.emplace_back(first, last);
                return Status::OK();
              }));
        } else if (del.file.file_format != "PARQUET" && del.file.file_format != "parquet") {
          return NotImplemented("not supported: {} delete file {}", del.file.file_format, del.file.file_path);
        }
      }
      plan.file_deletes[i].push_back(index[k]);
    }
  }
  if (plan.delete_files.empty()) plan.file_deletes.clear();
  return plan;
}

}  // namespace ldp::iceberg
