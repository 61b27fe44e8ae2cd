#include "ldp/iceberg/table_changes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "ldp/iceberg/json_internal.h"
#include "ldp/iceberg/refs.h"

namespace ldp::iceberg {
namespace {

using internal::Json;

// The format versions ldp writes; v3 tables cannot be produced or read yet.
constexpr int kMaxWritableFormatVersion = 2;
constexpr int32_t kFirstPartitionFieldId = 1000;

const std::set<std::string_view>& KnownRequirements() {
  static const std::set<std::string_view> kTypes = {"assert-create",
                                                    "assert-table-uuid",
                                                    "assert-ref-snapshot-id",
                                                    "assert-last-assigned-field-id",
                                                    "assert-current-schema-id",
                                                    "assert-last-assigned-partition-id",
                                                    "assert-default-spec-id",
                                                    "assert-default-sort-order-id"};
  return kTypes;
}

const std::set<std::string_view>& KnownUpdates() {
  static const std::set<std::string_view> kActions = {"assign-uuid",
                                                      "upgrade-format-version",
                                                      "add-schema",
                                                      "set-current-schema",
                                                      "add-spec",
                                                      "set-default-spec",
                                                      "add-sort-order",
                                                      "set-default-sort-order",
                                                      "add-snapshot",
                                                      "set-snapshot-ref",
                                                      "remove-snapshots",
                                                      "remove-snapshot-ref",
                                                      "set-location",
                                                      "set-properties",
                                                      "remove-properties",
                                                      "set-statistics",
                                                      "remove-statistics",
                                                      "set-partition-statistics",
                                                      "remove-partition-statistics",
                                                      "remove-schemas",
                                                      "remove-partition-specs"};
  return kActions;
}

Status CheckArray(const Json& arr, std::string_view what, std::string_view key,
                  const std::set<std::string_view>& known) {
  if (arr.is_null()) return Status::OK();
  if (!arr.is_array()) return InvalidArgument("'{}' must be an array", what);
  for (size_t i = 0; i < arr.size(); ++i) {
    const Json& e = arr[i];
    if (!e.is_object()) return InvalidArgument("{}[{}] must be an object", what, i);
    const Json* k = internal::Member(e, key);
    if (!k || !k->is_string()) return InvalidArgument("{}[{}] has no '{}'", what, i, key);
    if (!known.count(k->get<std::string>())) {
      return InvalidArgument("{}[{}]: unknown {} '{}'", what, i, key, k->get<std::string>());
    }
  }
  return Status::OK();
}

std::string OptIdText(const std::optional<int64_t>& id) {
  return id ? std::to_string(*id) : std::string("none");
}

/// What -1 ("the last one added by this commit") resolves to.
struct Added {
  std::optional<int32_t> schema_id;
  std::optional<int32_t> spec_id;
  std::optional<int32_t> order_id;
};

Result<int32_t> ResolveLast(int32_t id, const std::optional<int32_t>& last, std::string_view what) {
  if (id != -1) return id;
  if (!last) return InvalidArgument("{}: -1 (the last added) but this commit added none", what);
  return *last;
}

Status AddSchema(TableMetadata* m, const Json& u, Added* added) {
  const Json* sj = internal::Member(u, "schema");
  if (!sj) return internal::Missing("add-schema", "schema");
  int32_t next_id = 0;
  for (const auto& s : m->schemas) next_id = std::max(next_id, s->schema_id() + 1);
  auto parsed = Schema::FromJson(*sj, next_id);
  if (!parsed.ok()) return parsed.status().WithContext("add-schema");
  SchemaPtr schema = *parsed;
  int32_t highest = schema->HighestFieldId();
  for (const auto& s : m->schemas) {
    if (s->SameFields(*schema)) {  // an equal schema is reused, as Java's builder does
      added->schema_id = s->schema_id();
      return Status::OK();
    }
  }
  int32_t id = schema->schema_id();
  if (m->SchemaById(id) || id < 0) id = next_id;
  m->schemas.push_back(
      std::make_shared<const Schema>(id, schema->fields(), schema->identifier_field_ids()));
  int32_t last = highest;
  if (const Json* lc = internal::Member(u, "last-column-id"); lc && !lc->is_null()) {
    LDP_ASSIGN_OR_RAISE(int32_t given, internal::AsInt32(*lc, "add-schema: 'last-column-id'"));
    last = std::max(last, given);
  }
  m->last_column_id = std::max(m->last_column_id, last);
  added->schema_id = id;
  return Status::OK();
}

Status AddSpec(TableMetadata* m, const Json& u, Added* added) {
  const Json* sj = internal::Member(u, "spec");
  if (!sj || !sj->is_object()) return internal::Missing("add-spec", "spec");
  Json spec_json = *sj;
  int32_t next_id = 0;
  for (const auto& s : m->partition_specs) next_id = std::max(next_id, s.spec_id + 1);
  if (!spec_json.contains("spec-id")) spec_json["spec-id"] = next_id;
  // Fields without ids (unbound specs) reuse the id of the same field in an older spec, else get
  // the next id after last-partition-id (spec "Partition Evolution").
  int32_t last_pid = m->last_partition_id;
  if (Json* fields = spec_json.contains("fields") ? &spec_json["fields"] : nullptr;
      fields && fields->is_array()) {
    for (Json& f : *fields) {
      if (!f.is_object() || f.contains("field-id")) continue;
      std::optional<int32_t> reuse;
      for (const auto& old : m->partition_specs) {
        for (const auto& of : old.fields) {
          if (f.value("source-id", -1) == of.source_id &&
              f.value("transform", std::string()) == of.transform) {
            reuse = of.field_id;
          }
        }
      }
      f["field-id"] = reuse ? *reuse : ++last_pid;
    }
  }
  auto parsed = PartitionSpec::FromJson(spec_json);
  if (!parsed.ok()) return parsed.status().WithContext("add-spec");
  PartitionSpec spec = std::move(*parsed);
  SchemaPtr schema = m->CurrentSchema();
  for (const auto& f : spec.fields) {
    if (f.field_id < kFirstPartitionFieldId) {
      return InvalidArgument("add-spec: partition field '{}' has id {} (must be >= {})", f.name,
                             f.field_id, kFirstPartitionFieldId);
    }
    if (schema && !schema->FindFieldById(f.source_id) && f.transform != "void") {
      return InvalidArgument("add-spec: partition field '{}' has source-id {}, not in schema {}",
                             f.name, f.source_id, schema->schema_id());
    }
    m->last_partition_id = std::max(m->last_partition_id, f.field_id);
  }
  for (const auto& old : m->partition_specs) {
    bool same = old.fields.size() == spec.fields.size();
    for (size_t i = 0; same && i < spec.fields.size(); ++i) {
      same = old.fields[i].source_id == spec.fields[i].source_id &&
             old.fields[i].field_id == spec.fields[i].field_id &&
             old.fields[i].transform == spec.fields[i].transform &&
             old.fields[i].name == spec.fields[i].name;
    }
    if (same) {  // equivalent specs must not be duplicated
      added->spec_id = old.spec_id;
      return Status::OK();
    }
  }
  if (m->SpecById(spec.spec_id) || spec.spec_id < 0) spec.spec_id = next_id;
  added->spec_id = spec.spec_id;
  m->partition_specs.push_back(std::move(spec));
  return Status::OK();
}

Status AddSortOrder(TableMetadata* m, const Json& u, Added* added) {
  const Json* oj = internal::Member(u, "sort-order");
  if (!oj || !oj->is_object()) return internal::Missing("add-sort-order", "sort-order");
  Json order_json = *oj;
  int32_t next_id = 1;  // 0 is reserved for the unsorted order
  for (const auto& o : m->sort_orders) next_id = std::max(next_id, o.order_id + 1);
  if (!order_json.contains("order-id")) order_json["order-id"] = next_id;
  auto parsed = SortOrder::FromJson(order_json);
  if (!parsed.ok()) return parsed.status().WithContext("add-sort-order");
  SortOrder order = std::move(*parsed);
  if (order.fields.empty()) {
    order.order_id = 0;
  } else {
    SchemaPtr schema = m->CurrentSchema();
    for (const auto& f : order.fields) {
      if (schema && !schema->FindFieldById(f.source_id)) {
        return InvalidArgument("add-sort-order: sort field source-id {} is not in schema {}",
                               f.source_id, schema->schema_id());
      }
    }
  }
  for (const auto& old : m->sort_orders) {
    bool same = old.fields.size() == order.fields.size();
    for (size_t i = 0; same && i < order.fields.size(); ++i) {
      same = old.fields[i].source_id == order.fields[i].source_id &&
             old.fields[i].transform == order.fields[i].transform &&
             old.fields[i].direction == order.fields[i].direction &&
             old.fields[i].null_order == order.fields[i].null_order;
    }
    if (same) {
      added->order_id = old.order_id;
      return Status::OK();
    }
  }
  if (order.order_id <= 0 ||
      std::any_of(m->sort_orders.begin(), m->sort_orders.end(),
                  [&](const SortOrder& o) { return o.order_id == order.order_id; })) {
    order.order_id = next_id;
  }
  added->order_id = order.order_id;
  m->sort_orders.push_back(std::move(order));
  return Status::OK();
}

Status AddSnapshot(TableMetadata* m, const Json& u) {
  const Json* sj = internal::Member(u, "snapshot");
  if (!sj) return internal::Missing("add-snapshot", "snapshot");
  auto parsed = Snapshot::FromJson(*sj);
  if (!parsed.ok()) return parsed.status().WithContext("add-snapshot");
  Snapshot s = std::move(*parsed);
  if (s.snapshot_id < 0) {
    return InvalidArgument("add-snapshot: snapshot id {} is negative", s.snapshot_id);
  }
  if (m->SnapshotById(s.snapshot_id)) {
    return InvalidArgument("add-snapshot: snapshot {} already exists", s.snapshot_id);
  }
  if (s.manifest_list.empty()) {
    return InvalidArgument("add-snapshot: snapshot {} has no manifest-list", s.snapshot_id);
  }
  if (m->format_version >= 2 && s.sequence_number <= m->last_sequence_number &&
      s.parent_snapshot_id) {
    return InvalidArgument(
        "add-snapshot: snapshot {} has sequence-number {}, not above the table's "
        "last-sequence-number {}",
        s.snapshot_id, s.sequence_number, m->last_sequence_number);
  }
  if (s.schema_id && !m->SchemaById(*s.schema_id)) {
    return InvalidArgument("add-snapshot: snapshot {} has schema-id {}, which is not in the table",
                           s.snapshot_id, *s.schema_id);
  }
  if (s.summary.find("operation") == s.summary.end()) {
    return InvalidArgument("add-snapshot: snapshot {} has no summary operation", s.snapshot_id);
  }
  m->last_sequence_number = std::max(m->last_sequence_number, s.sequence_number);
  m->snapshots.push_back(std::move(s));
  return Status::OK();
}

Status SetSnapshotRef(TableMetadata* m, const Json& u, int64_t now_ms) {
  LDP_ASSIGN_OR_RAISE(std::string name, internal::GetString(u, "ref-name", "set-snapshot-ref"));
  LDP_RETURN_NOT_OK(ValidateRefName(name).WithContext("set-snapshot-ref"));
  SnapshotRef ref;
  LDP_ASSIGN_OR_RAISE(ref.snapshot_id, internal::GetInt64(u, "snapshot-id", "set-snapshot-ref"));
  LDP_ASSIGN_OR_RAISE(ref.type, internal::GetString(u, "type", "set-snapshot-ref"));
  if (ref.type != "branch" && ref.type != "tag") {
    return InvalidArgument("set-snapshot-ref: type must be \"branch\" or \"tag\", got \"{}\"",
                           ref.type);
  }
  if (name == kMainBranch && ref.type != "branch") {
    return InvalidArgument("set-snapshot-ref: 'main' must be a branch");
  }
  LDP_ASSIGN_OR_RAISE(ref.min_snapshots_to_keep,
                      internal::GetOptInt32(u, "min-snapshots-to-keep", "set-snapshot-ref"));
  LDP_ASSIGN_OR_RAISE(ref.max_snapshot_age_ms,
                      internal::GetOptInt64(u, "max-snapshot-age-ms", "set-snapshot-ref"));
  LDP_ASSIGN_OR_RAISE(ref.max_ref_age_ms,
                      internal::GetOptInt64(u, "max-ref-age-ms", "set-snapshot-ref"));
  if (!m->SnapshotById(ref.snapshot_id)) {
    return InvalidArgument(
        "set-snapshot-ref: ref '{}' points at snapshot {}, which is not in the "
        "table",
        name, ref.snapshot_id);
  }
  // Moving main records the snapshot-log entry at the snapshot's commit time when it was added
  // by this commit (what readers use for time travel), else now.
  int64_t ts = now_ms;
  if (name == kMainBranch) {
    if (const Snapshot* s = m->SnapshotById(ref.snapshot_id)) ts = std::max(ts, s->timestamp_ms);
  }
  SetRef(m, name, ref, ts);
  return Status::OK();
}

Status RemoveSnapshots(TableMetadata* m, const Json& u) {
  const Json* ids = internal::Member(u, "snapshot-ids");
  if (!ids || !ids->is_array()) return internal::Missing("remove-snapshots", "snapshot-ids");
  std::set<int64_t> gone;
  for (const Json& v : *ids) {
    LDP_ASSIGN_OR_RAISE(int64_t id, internal::AsInt64(v, "remove-snapshots: snapshot id"));
    gone.insert(id);
  }
  std::erase_if(m->snapshots, [&](const Snapshot& s) { return gone.count(s.snapshot_id) > 0; });
  // Refs to removed snapshots go too (Java's builder does the same); main's removal leaves the
  // table without a current snapshot.
  for (auto it = m->refs.begin(); it != m->refs.end();) {
    if (gone.count(it->second.snapshot_id)) {
      if (it->first == kMainBranch) m->current_snapshot_id.reset();
      it = m->refs.erase(it);
    } else {
      ++it;
    }
  }
  if (m->current_snapshot_id && gone.count(*m->current_snapshot_id)) m->current_snapshot_id.reset();
  for (int64_t id : gone) {
    m->statistics.erase(id);
    m->partition_statistics.erase(id);
  }
  return Status::OK();
}

Status SetStatistics(std::map<int64_t, std::string>* target, const Json& u, std::string_view what,
                     std::string_view key) {
  const Json* stats = internal::Member(u, key);
  if (!stats || !stats->is_object()) return internal::Missing(what, key);
  LDP_ASSIGN_OR_RAISE(int64_t id, internal::GetInt64(*stats, "snapshot-id", what));
  if (const Json* top = internal::Member(u, "snapshot-id"); top && !top->is_null()) {
    LDP_ASSIGN_OR_RAISE(int64_t given, internal::AsInt64(*top, std::string(what)));
    if (given != id) {
      return InvalidArgument("{}: snapshot-id {} differs from the statistics' snapshot-id {}", what,
                             given, id);
    }
  }
  (*target)[id] = stats->dump();
  return Status::OK();
}

Status ApplyOne(TableMetadata* m, const Json& u, Added* added, bool creating, int64_t now_ms) {
  const std::string action = u.at("action").get<std::string>();
  if (action == "assign-uuid") {
    LDP_ASSIGN_OR_RAISE(std::string uuid, internal::GetString(u, "uuid", action));
    if (uuid.empty()) return InvalidArgument("assign-uuid: empty uuid");
    if (!creating && !m->table_uuid.empty() && m->table_uuid != uuid) {
      return InvalidArgument("assign-uuid: the table already has uuid {}", m->table_uuid);
    }
    m->table_uuid = uuid;
  } else if (action == "upgrade-format-version") {
    LDP_ASSIGN_OR_RAISE(int32_t v, internal::GetInt32(u, "format-version", action));
    if (v > kMaxWritableFormatVersion) {
      return NotImplemented(
          "upgrade-format-version: format version {} is not supported (ldp "
          "writes 1 and 2)",
          v);
    }
    if (v < m->format_version && !creating) {
      return InvalidArgument("upgrade-format-version: cannot downgrade from {} to {}",
                             m->format_version, v);
    }
    m->format_version = v;
  } else if (action == "add-schema") {
    LDP_RETURN_NOT_OK(AddSchema(m, u, added));
  } else if (action == "set-current-schema") {
    LDP_ASSIGN_OR_RAISE(int32_t id, internal::GetInt32(u, "schema-id", action));
    LDP_ASSIGN_OR_RAISE(id, ResolveLast(id, added->schema_id, action));
    if (!m->SchemaById(id)) return InvalidArgument("{}: no schema with id {}", action, id);
    m->current_schema_id = id;
  } else if (action == "add-spec") {
    LDP_RETURN_NOT_OK(AddSpec(m, u, added));
  } else if (action == "set-default-spec") {
    LDP_ASSIGN_OR_RAISE(int32_t id, internal::GetInt32(u, "spec-id", action));
    LDP_ASSIGN_OR_RAISE(id, ResolveLast(id, added->spec_id, action));
    if (!m->SpecById(id)) return InvalidArgument("{}: no partition spec with id {}", action, id);
    m->default_spec_id = id;
  } else if (action == "add-sort-order") {
    LDP_RETURN_NOT_OK(AddSortOrder(m, u, added));
  } else if (action == "set-default-sort-order") {
    LDP_ASSIGN_OR_RAISE(int32_t id, internal::GetInt32(u, "sort-order-id", action));
    LDP_ASSIGN_OR_RAISE(id, ResolveLast(id, added->order_id, action));
    bool found = std::any_of(m->sort_orders.begin(), m->sort_orders.end(),
                             [&](const SortOrder& o) { return o.order_id == id; });
    if (!found && id == 0) {
      m->sort_orders.insert(m->sort_orders.begin(), SortOrder{});
      found = true;
    }
    if (!found) return InvalidArgument("{}: no sort order with id {}", action, id);
    m->default_sort_order_id = id;
  } else if (action == "add-snapshot") {
    LDP_RETURN_NOT_OK(AddSnapshot(m, u));
  } else if (action == "set-snapshot-ref") {
    LDP_RETURN_NOT_OK(SetSnapshotRef(m, u, now_ms));
  } else if (action == "remove-snapshots") {
    LDP_RETURN_NOT_OK(RemoveSnapshots(m, u));
  } else if (action == "remove-snapshot-ref") {
    LDP_ASSIGN_OR_RAISE(std::string name, internal::GetString(u, "ref-name", action));
    if (name == kMainBranch) m->current_snapshot_id.reset();
    RemoveRef(m, name);
  } else if (action == "set-location") {
    LDP_ASSIGN_OR_RAISE(std::string location, internal::GetString(u, "location", action));
    while (location.size() > 1 && location.back() == '/') location.pop_back();
    if (location.empty()) return InvalidArgument("set-location: empty location");
    m->location = location;
  } else if (action == "set-properties") {
    const Json* updates = internal::Member(u, "updates");
    if (!updates || !updates->is_object()) return internal::Missing(action, "updates");
    for (auto it = updates->begin(); it != updates->end(); ++it) {
      if (!it.value().is_string()) {
        return InvalidArgument("set-properties: value of '{}' must be a string", it.key());
      }
      m->properties[it.key()] = it.value().get<std::string>();
    }
  } else if (action == "remove-properties") {
    const Json* removals = internal::Member(u, "removals");
    if (!removals || !removals->is_array()) return internal::Missing(action, "removals");
    for (const Json& k : *removals) {
      if (!k.is_string()) return InvalidArgument("remove-properties: removals must be strings");
      m->properties.erase(k.get<std::string>());
    }
  } else if (action == "set-statistics") {
    LDP_RETURN_NOT_OK(SetStatistics(&m->statistics, u, action, "statistics"));
  } else if (action == "remove-statistics") {
    LDP_ASSIGN_OR_RAISE(int64_t id, internal::GetInt64(u, "snapshot-id", action));
    m->statistics.erase(id);
  } else if (action == "set-partition-statistics") {
    LDP_RETURN_NOT_OK(SetStatistics(&m->partition_statistics, u, action, "partition-statistics"));
  } else if (action == "remove-partition-statistics") {
    LDP_ASSIGN_OR_RAISE(int64_t id, internal::GetInt64(u, "snapshot-id", action));
    m->partition_statistics.erase(id);
  } else if (action == "remove-schemas") {
    const Json* ids = internal::Member(u, "schema-ids");
    if (!ids || !ids->is_array()) return internal::Missing(action, "schema-ids");
    for (const Json& v : *ids) {
      LDP_ASSIGN_OR_RAISE(int32_t id, internal::AsInt32(v, "remove-schemas: schema id"));
      if (id == m->current_schema_id) {
        return InvalidArgument("remove-schemas: cannot remove the current schema {}", id);
      }
      std::erase_if(m->schemas, [&](const SchemaPtr& s) { return s->schema_id() == id; });
    }
  } else if (action == "remove-partition-specs") {
    const Json* ids = internal::Member(u, "spec-ids");
    if (!ids || !ids->is_array()) return internal::Missing(action, "spec-ids");
    for (const Json& v : *ids) {
      LDP_ASSIGN_OR_RAISE(int32_t id, internal::AsInt32(v, "remove-partition-specs: spec id"));
      if (id == m->default_spec_id) {
        return InvalidArgument("remove-partition-specs: cannot remove the default spec {}", id);
      }
      std::erase_if(m->partition_specs, [&](const PartitionSpec& s) { return s.spec_id == id; });
    }
  } else {
    return InvalidArgument("unknown update action '{}'", action);
  }
  return Status::OK();
}

}  // namespace

Status CheckChangeShapes(const nlohmann::json& requirements, const nlohmann::json& updates) {
  LDP_RETURN_NOT_OK(CheckArray(requirements, "requirements", "type", KnownRequirements()));
  return CheckArray(updates, "updates", "action", KnownUpdates());
}

bool RequiresCreate(const nlohmann::json& requirements) {
  if (!requirements.is_array()) return false;
  for (const Json& r : requirements) {
    if (r.is_object() && r.value("type", std::string()) == "assert-create") return true;
  }
  return false;
}

Status CheckRequirements(const nlohmann::json& requirements, const TableMetadata* base) {
  if (!requirements.is_array()) return Status::OK();
  for (const Json& r : requirements) {
    const std::string type = r.at("type").get<std::string>();
    if (type == "assert-create") {
      if (base) return CommitFailed("requirement failed: assert-create: the table already exists");
      continue;
    }
    if (!base) {
      return CommitFailed("requirement failed: {}: the table does not exist", type);
    }
    if (type == "assert-table-uuid") {
      LDP_ASSIGN_OR_RAISE(std::string uuid, internal::GetString(r, "uuid", type));
      if (uuid != base->table_uuid) {
        return CommitFailed("requirement failed: table uuid is {}, expected {}", base->table_uuid,
                            uuid);
      }
    } else if (type == "assert-ref-snapshot-id") {
      LDP_ASSIGN_OR_RAISE(std::string ref, internal::GetString(r, "ref", type));
      LDP_ASSIGN_OR_RAISE(auto want, internal::GetOptInt64(r, "snapshot-id", type));
      auto it = base->refs.find(ref);
      std::optional<int64_t> have;
      if (it != base->refs.end()) have = it->second.snapshot_id;
      if (have != want) {
        return CommitFailed("requirement failed: ref '{}' is at snapshot {}, expected {}", ref,
                            OptIdText(have), OptIdText(want));
      }
    } else if (type == "assert-last-assigned-field-id") {
      LDP_ASSIGN_OR_RAISE(int32_t want, internal::GetInt32(r, "last-assigned-field-id", type));
      if (want != base->last_column_id) {
        return CommitFailed("requirement failed: last assigned field id is {}, expected {}",
                            base->last_column_id, want);
      }
    } else if (type == "assert-current-schema-id") {
      LDP_ASSIGN_OR_RAISE(int32_t want, internal::GetInt32(r, "current-schema-id", type));
      if (want != base->current_schema_id) {
        return CommitFailed("requirement failed: current schema id is {}, expected {}",
                            base->current_schema_id, want);
      }
    } else if (type == "assert-last-assigned-partition-id") {
      LDP_ASSIGN_OR_RAISE(int32_t want, internal::GetInt32(r, "last-assigned-partition-id", type));
      if (want != base->last_partition_id) {
        return CommitFailed("requirement failed: last assigned partition id is {}, expected {}",
                            base->last_partition_id, want);
      }
    } else if (type == "assert-default-spec-id") {
      LDP_ASSIGN_OR_RAISE(int32_t want, internal::GetInt32(r, "default-spec-id", type));
      if (want != base->default_spec_id) {
        return CommitFailed("requirement failed: default spec id is {}, expected {}",
                            base->default_spec_id, want);
      }
    } else if (type == "assert-default-sort-order-id") {
      LDP_ASSIGN_OR_RAISE(int32_t want, internal::GetInt32(r, "default-sort-order-id", type));
      if (want != base->default_sort_order_id) {
        return CommitFailed("requirement failed: default sort order id is {}, expected {}",
                            base->default_sort_order_id, want);
      }
    } else {
      return InvalidArgument("unknown requirement type '{}'", type);
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<TableMetadata>> ApplyUpdates(const TableMetadata* base,
                                                    const nlohmann::json& updates,
                                                    const std::string& default_location,
                                                    int64_t now_ms) {
  auto m = std::make_shared<TableMetadata>();
  const bool creating = base == nullptr;
  if (base) {
    *m = *base;
  } else {
    m->format_version = 2;
    m->last_partition_id = kFirstPartitionFieldId - 1;
    m->current_schema_id = -1;
    m->default_spec_id = -1;
  }
  Added added;
  if (updates.is_array()) {
    for (size_t i = 0; i < updates.size(); ++i) {
      Status st = ApplyOne(m.get(), updates[i], &added, creating, now_ms);
      if (!st.ok()) return st.WithContext(fmt::format("updates[{}]", i));
    }
  }
  if (creating) {
    if (m->table_uuid.empty()) m->table_uuid = NewUuid();
    if (m->location.empty()) m->location = default_location;
    if (m->schemas.empty()) return InvalidArgument("a new table needs an add-schema update");
    if (m->current_schema_id < 0) m->current_schema_id = m->schemas.back()->schema_id();
    if (m->partition_specs.empty()) m->partition_specs.push_back(PartitionSpec{});
    if (m->default_spec_id < 0) m->default_spec_id = m->partition_specs.back().spec_id;
    if (m->sort_orders.empty()) m->sort_orders.push_back(SortOrder{});
  }
  m->last_updated_ms = std::max(now_ms, base ? base->last_updated_ms : 0);
  LDP_RETURN_NOT_OK(m->Validate());
  return m;
}

std::vector<std::string> LocationsSetBy(const nlohmann::json& updates) {
  std::vector<std::string> out;
  if (!updates.is_array()) return out;
  for (const Json& u : updates) {
    if (u.is_object() && u.value("action", std::string()) == "set-location" &&
        u.contains("location") && u["location"].is_string()) {
      out.push_back(u["location"].get<std::string>());
    }
  }
  return out;
}

}  // namespace ldp::iceberg
