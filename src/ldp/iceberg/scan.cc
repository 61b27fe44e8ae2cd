#include "ldp/iceberg/scan.h"

#include <cmath>
#include <map>

#include "ldp/iceberg/partitioning.h"

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

Result<ScanPlan> PlanScan(io::FileSystem& fs, const TableMetadata& metadata, const Snapshot* snapshot,
                          const std::vector<ColumnPredicate>& predicates) {
  ScanPlan plan;
  if (!snapshot) return plan;
  SchemaPtr schema = metadata.CurrentSchema();
  if (!schema) return Internal("table {} has no current schema", metadata.location);
  LDP_ASSIGN_OR_RAISE(auto manifests, ReadManifestList(fs, snapshot->manifest_list));
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
    if (mf.content != ManifestContent::kData) continue;
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
      if (e.snapshot_id)
        if (const Snapshot* added_by = metadata.SnapshotById(*e.snapshot_id); added_by && added_by->schema_id)
          plan.file_schema_ids[e.data_file.file_path] = *added_by->schema_id;
      plan.files.push_back(std::move(e.data_file));
    }
  }
  return plan;
}

}  // namespace ldp::iceberg
