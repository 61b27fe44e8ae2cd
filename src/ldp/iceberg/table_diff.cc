#include "ldp/iceberg/table_diff.h"

#include <algorithm>
#include <set>

#include "ldp/iceberg/refs.h"

namespace ldp::iceberg {
namespace {

using Json = nlohmann::json;

/// The element of `array` whose `key` is `id` (from the metadata JSON, so the REST updates carry
/// exactly what a metadata file would).
const Json* FindById(const Json& array, const char* key, int64_t id) {
  for (const Json& e : array) {
    if (e.contains(key) && e[key].is_number_integer() && e[key].get<int64_t>() == id) return &e;
  }
  return nullptr;
}

Json RefJson(const std::string& name, const SnapshotRef& r) {
  Json u = {{"action", "set-snapshot-ref"},
            {"ref-name", name},
            {"type", r.type},
            {"snapshot-id", r.snapshot_id}};
  if (r.min_snapshots_to_keep) u["min-snapshots-to-keep"] = *r.min_snapshots_to_keep;
  if (r.max_snapshot_age_ms) u["max-snapshot-age-ms"] = *r.max_snapshot_age_ms;
  if (r.max_ref_age_ms) u["max-ref-age-ms"] = *r.max_ref_age_ms;
  return u;
}

bool SameRef(const SnapshotRef& a, const SnapshotRef& b) {
  return a.snapshot_id == b.snapshot_id && a.type == b.type &&
         a.min_snapshots_to_keep == b.min_snapshots_to_keep &&
         a.max_snapshot_age_ms == b.max_snapshot_age_ms && a.max_ref_age_ms == b.max_ref_age_ms;
}

}  // namespace

Result<MetadataDiff> DiffMetadata(const TableMetadata& base, const TableMetadata& next) {
  if (base.table_uuid != next.table_uuid) {
    return InvalidArgument("cannot commit table {} as a change of table {}", next.table_uuid,
                           base.table_uuid);
  }
  const Json nj = next.ToJson();
  MetadataDiff d;
  Json& req = d.requirements;
  Json& up = d.updates;
  req.push_back({{"type", "assert-table-uuid"}, {"uuid", base.table_uuid}});
  std::set<std::string> asserted_refs;
  auto assert_ref = [&](const std::string& name) {
    if (!asserted_refs.insert(name).second) return;
    auto it = base.refs.find(name);
    req.push_back({{"type", "assert-ref-snapshot-id"},
                   {"ref", name},
                   {"snapshot-id", it == base.refs.end() ? Json(nullptr) : Json(it->second.snapshot_id)}});
  };

  if (next.format_version != base.format_version) {
    up.push_back({{"action", "upgrade-format-version"}, {"format-version", next.format_version}});
  }

  // Schemas: new ones in id order, the new current one last so set-current-schema can say -1
  // ("the last added"): the server may give an added schema another id.
  {
    std::vector<int32_t> added;
    for (const auto& s : next.schemas) {
      if (!base.SchemaById(s->schema_id())) added.push_back(s->schema_id());
    }
    std::stable_partition(added.begin(), added.end(),
                          [&](int32_t id) { return id != next.current_schema_id; });
    for (int32_t id : added) {
      const Json* s = FindById(nj["schemas"], "schema-id", id);
      if (s == nullptr) return Internal("schema {} missing from the metadata JSON", id);
      up.push_back({{"action", "add-schema"}, {"schema", *s}, {"last-column-id", next.last_column_id}});
    }
    bool current_added = !added.empty() && added.back() == next.current_schema_id;
    if (next.current_schema_id != base.current_schema_id || current_added) {
      up.push_back({{"action", "set-current-schema"},
                    {"schema-id", current_added ? -1 : next.current_schema_id}});
    }
    if (!added.empty() || next.current_schema_id != base.current_schema_id) {
      req.push_back({{"type", "assert-current-schema-id"},
                     {"current-schema-id", base.current_schema_id}});
      req.push_back({{"type", "assert-last-assigned-field-id"},
                     {"last-assigned-field-id", base.last_column_id}});
    }
  }

  // Partition specs, the same way.
  {
    std::vector<int32_t> added;
    for (const auto& s : next.partition_specs) {
      if (!base.SpecById(s.spec_id)) added.push_back(s.spec_id);
    }
    std::stable_partition(added.begin(), added.end(),
                          [&](int32_t id) { return id != next.default_spec_id; });
    for (int32_t id : added) {
      const Json* s = FindById(nj["partition-specs"], "spec-id", id);
      if (s == nullptr) return Internal("partition spec {} missing from the metadata JSON", id);
      up.push_back({{"action", "add-spec"}, {"spec", *s}});
    }
    bool default_added = !added.empty() && added.back() == next.default_spec_id;
    if (next.default_spec_id != base.default_spec_id || default_added) {
      up.push_back({{"action", "set-default-spec"},
                    {"spec-id", default_added ? -1 : next.default_spec_id}});
    }
    if (!added.empty() || next.default_spec_id != base.default_spec_id) {
      req.push_back({{"type", "assert-default-spec-id"}, {"default-spec-id", base.default_spec_id}});
      req.push_back({{"type", "assert-last-assigned-partition-id"},
                     {"last-assigned-partition-id", base.last_partition_id}});
    }
  }

  // Sort orders.
  {
    auto has_order = [](const TableMetadata& m, int32_t id) {
      return std::any_of(m.sort_orders.begin(), m.sort_orders.end(),
                         [&](const SortOrder& o) { return o.order_id == id; });
    };
    std::vector<int32_t> added;
    for (const auto& o : next.sort_orders) {
      if (!has_order(base, o.order_id)) added.push_back(o.order_id);
    }
    std::stable_partition(added.begin(), added.end(),
                          [&](int32_t id) { return id != next.default_sort_order_id; });
    for (int32_t id : added) {
      const Json* o = FindById(nj["sort-orders"], "order-id", id);
      if (o == nullptr) return Internal("sort order {} missing from the metadata JSON", id);
      up.push_back({{"action", "add-sort-order"}, {"sort-order", *o}});
    }
    bool default_added = !added.empty() && added.back() == next.default_sort_order_id;
    if (next.default_sort_order_id != base.default_sort_order_id || default_added) {
      up.push_back({{"action", "set-default-sort-order"},
                    {"sort-order-id", default_added ? -1 : next.default_sort_order_id}});
    }
    if (!added.empty() || next.default_sort_order_id != base.default_sort_order_id) {
      req.push_back({{"type", "assert-default-sort-order-id"},
                     {"default-sort-order-id", base.default_sort_order_id}});
    }
  }

  // Snapshots: added ones in commit order (sequence number, then time).
  std::vector<const Snapshot*> added_snaps;
  for (const auto& s : next.snapshots) {
    if (!base.SnapshotById(s.snapshot_id)) added_snaps.push_back(&s);
  }
  std::sort(added_snaps.begin(), added_snaps.end(), [](const Snapshot* a, const Snapshot* b) {
    return a->sequence_number != b->sequence_number ? a->sequence_number < b->sequence_number
                                                    : a->timestamp_ms < b->timestamp_ms;
  });
  for (const Snapshot* s : added_snaps) {
    const Json* sj = FindById(nj["snapshots"], "snapshot-id", s->snapshot_id);
    if (sj == nullptr) return Internal("snapshot {} missing from the metadata JSON", s->snapshot_id);
    up.push_back({{"action", "add-snapshot"}, {"snapshot", *sj}});
  }
  std::vector<int64_t> removed_snaps;
  for (const auto& s : base.snapshots) {
    if (!next.SnapshotById(s.snapshot_id)) removed_snaps.push_back(s.snapshot_id);
  }
  // A snapshot added anywhere takes the next sequence number, which a concurrent commit on any
  // other branch would take too: assert every branch, so such a race is a 409 (retried by the
  // writer) rather than a rejected sequence number.
  if (!added_snaps.empty() || !removed_snaps.empty()) {
    for (const auto& [name, ref] : base.refs) {
      if (ref.type == "branch") assert_ref(name);
    }
    if (base.refs.empty()) assert_ref(std::string(kMainBranch));
  }

  // Refs: set the new and moved ones, then remove the dropped ones.
  for (const auto& [name, ref] : next.refs) {
    auto it = base.refs.find(name);
    if (it != base.refs.end() && SameRef(it->second, ref)) continue;
    assert_ref(name);
    up.push_back(RefJson(name, ref));
  }
  for (const auto& [name, ref] : base.refs) {
    if (next.refs.count(name)) continue;
    assert_ref(name);
    up.push_back({{"action", "remove-snapshot-ref"}, {"ref-name", name}});
  }
  if (!removed_snaps.empty()) {
    up.push_back({{"action", "remove-snapshots"}, {"snapshot-ids", removed_snaps}});
  }

  // Properties.
  Json set = Json::object();
  for (const auto& [k, v] : next.properties) {
    auto it = base.properties.find(k);
    if (it == base.properties.end() || it->second != v) set[k] = v;
  }
  Json removals = Json::array();
  for (const auto& [k, v] : base.properties) {
    if (!next.properties.count(k)) removals.push_back(k);
  }
  if (!set.empty()) up.push_back({{"action", "set-properties"}, {"updates", set}});
  if (!removals.empty()) up.push_back({{"action", "remove-properties"}, {"removals", removals}});

  if (next.location != base.location) {
    up.push_back({{"action", "set-location"}, {"location", next.location}});
  }

  // Statistics (carried as JSON text), for snapshots that still exist.
  auto diff_stats = [&](const std::map<int64_t, std::string>& b,
                        const std::map<int64_t, std::string>& n, const char* set_action,
                        const char* key, const char* remove_action) -> Status {
    for (const auto& [id, text] : n) {
      auto it = b.find(id);
      if (it != b.end() && it->second == text) continue;
      Json parsed = Json::parse(text, nullptr, false);
      if (parsed.is_discarded()) return Internal("statistics of snapshot {} are not JSON", id);
      up.push_back({{"action", set_action}, {"snapshot-id", id}, {key, parsed}});
    }
    for (const auto& [id, text] : b) {
      if (!n.count(id) && next.SnapshotById(id)) {
        up.push_back({{"action", remove_action}, {"snapshot-id", id}});
      }
    }
    return Status::OK();
  };
  LDP_RETURN_NOT_OK(diff_stats(base.statistics, next.statistics, "set-statistics", "statistics",
                               "remove-statistics"));
  LDP_RETURN_NOT_OK(diff_stats(base.partition_statistics, next.partition_statistics,
                               "set-partition-statistics", "partition-statistics",
                               "remove-partition-statistics"));
  return d;
}

}  // namespace ldp::iceberg
