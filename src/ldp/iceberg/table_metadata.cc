#include "ldp/iceberg/table_metadata.h"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "ldp/iceberg/json_internal.h"

namespace ldp::iceberg {

using internal::Json;
using OJson = nlohmann::ordered_json;

namespace {

// Format v3 tables are read (docs/adr/0021-foreign-tables.md); ldp writes v1 and v2 only.
constexpr int kMaxFormatVersion = 3;
constexpr int32_t kPartitionDataIdStart = 1000;

// ---- writers (templated so metadata files keep the spec's field order) ----------------------

template <typename J>
J PartitionSpecToJsonT(const PartitionSpec& spec) {
  J j;
  j["spec-id"] = spec.spec_id;
  J fields = J::array();
  for (const auto& f : spec.fields) {
    J fj;
    fj["name"] = f.name;
    fj["transform"] = f.transform;
    fj["source-id"] = f.source_id;
    fj["field-id"] = f.field_id;
    fields.push_back(std::move(fj));
  }
  j["fields"] = std::move(fields);
  return j;
}

template <typename J>
J SortOrderToJsonT(const SortOrder& order) {
  J j;
  j["order-id"] = order.order_id;
  J fields = J::array();
  for (const auto& f : order.fields) {
    J fj;
    fj["transform"] = f.transform;
    fj["source-id"] = f.source_id;
    fj["direction"] = f.direction;
    fj["null-order"] = f.null_order;
    fields.push_back(std::move(fj));
  }
  j["fields"] = std::move(fields);
  return j;
}

template <typename J>
J SnapshotToJsonT(const Snapshot& s) {
  J j;
  j["snapshot-id"] = s.snapshot_id;
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  j["sequence-number"] = s.sequence_number;
  j["timestamp-ms"] = s.timestamp_ms;
  j["manifest-list"] = s.manifest_list;
  J summary = J::object();
  // "operation" first, as other writers do; the rest in key order.
  if (auto it = s.summary.find("operation"); it != s.summary.end())
    summary["operation"] = it->second;
  for (const auto& [k, v] : s.summary) {
    if (k != "operation") summary[k] = v;
  }
  j["summary"] = std::move(summary);
  if (s.schema_id) j["schema-id"] = *s.schema_id;
  return j;
}

template <typename J>
J RefToJsonT(const SnapshotRef& r) {
  J j;
  j["snapshot-id"] = r.snapshot_id;
  j["type"] = r.type;
  if (r.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *r.min_snapshots_to_keep;
  if (r.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *r.max_snapshot_age_ms;
  if (r.max_ref_age_ms) j["max-ref-age-ms"] = *r.max_ref_age_ms;
  return j;
}

template <typename J>
J MetadataToJsonT(const TableMetadata& m) {
  J j;
  j["format-version"] = m.format_version;
  if (!m.table_uuid.empty() || m.format_version >= 2) j["table-uuid"] = m.table_uuid;
  j["location"] = m.location;
  j["last-sequence-number"] = m.last_sequence_number;
  j["last-updated-ms"] = m.last_updated_ms;
  j["last-column-id"] = m.last_column_id;
  j["current-schema-id"] = m.current_schema_id;
  J schemas = J::array();
  for (const auto& s : m.schemas) schemas.push_back(internal::SchemaToJsonT<J>(*s));
  j["schemas"] = std::move(schemas);
  if (m.format_version == 1) {
    // v1 readers need the single current schema and default spec as well.
    if (SchemaPtr current = m.CurrentSchema()) j["schema"] = internal::SchemaToJsonT<J>(*current);
    if (const PartitionSpec* spec = m.DefaultSpec())
      j["partition-spec"] = PartitionSpecToJsonT<J>(*spec)["fields"];
  }
  j["default-spec-id"] = m.default_spec_id;
  J specs = J::array();
  for (const auto& s : m.partition_specs) specs.push_back(PartitionSpecToJsonT<J>(s));
  j["partition-specs"] = std::move(specs);
  j["last-partition-id"] = m.last_partition_id;
  j["default-sort-order-id"] = m.default_sort_order_id;
  J orders = J::array();
  for (const auto& o : m.sort_orders) orders.push_back(SortOrderToJsonT<J>(o));
  j["sort-orders"] = std::move(orders);
  J props = J::object();
  for (const auto& [k, v] : m.properties) props[k] = v;
  j["properties"] = std::move(props);
  // Java writes -1 for "no current snapshot" in v1/v2, and every reader accepts it.
  j["current-snapshot-id"] = m.current_snapshot_id.value_or(-1);
  J refs = J::object();
  for (const auto& [name, r] : m.refs) refs[name] = RefToJsonT<J>(r);
  j["refs"] = std::move(refs);
  J snaps = J::array();
  for (const auto& s : m.snapshots) snaps.push_back(SnapshotToJsonT<J>(s));
  j["snapshots"] = std::move(snaps);
  J slog = J::array();
  for (const auto& e : m.snapshot_log) {
    J ej;
    ej["timestamp-ms"] = e.timestamp_ms;
    ej["snapshot-id"] = e.snapshot_id;
    slog.push_back(std::move(ej));
  }
  j["snapshot-log"] = std::move(slog);
  J mlog = J::array();
  for (const auto& e : m.metadata_log) {
    J ej;
    ej["timestamp-ms"] = e.timestamp_ms;
    ej["metadata-file"] = e.metadata_file;
    mlog.push_back(std::move(ej));
  }
  j["metadata-log"] = std::move(mlog);
  auto stats_array = [](const std::map<int64_t, std::string>& stats) {
    J arr = J::array();
    for (const auto& [id, text] : stats) arr.push_back(J::parse(text));
    return arr;
  };
  if (!m.statistics.empty()) j["statistics"] = stats_array(m.statistics);
  if (!m.partition_statistics.empty())
    j["partition-statistics"] = stats_array(m.partition_statistics);
  return j;
}

// ---- readers --------------------------------------------------------------------------------

Result<const Json*> GetArray(const Json& obj, std::string_view key, std::string_view ctx) {
  const Json* v = internal::Member(obj, key);
  if (!v) return internal::Missing(ctx, key);
  if (!v->is_array()) return InvalidArgument("{}: field '{}' must be an array", ctx, key);
  return v;
}

/// Absent or null -> nullptr; present but not an array -> error.
Result<const Json*> GetOptArray(const Json& obj, std::string_view key, std::string_view ctx) {
  const Json* v = internal::Member(obj, key);
  if (!v || v->is_null()) return static_cast<const Json*>(nullptr);
  if (!v->is_array()) return InvalidArgument("{}: field '{}' must be an array", ctx, key);
  return v;
}

Result<std::map<std::string, std::string>> StringMap(const Json& v, std::string_view what) {
  if (!v.is_object()) return InvalidArgument("{} must be an object", what);
  std::map<std::string, std::string> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    // The spec says strings; tolerate other scalars from lenient writers by keeping their text.
    out[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  }
  return out;
}

Result<std::vector<PartitionField>> PartitionFieldsFromJson(const Json& fields,
                                                            std::string_view ctx) {
  if (!fields.is_array()) return InvalidArgument("{}: partition fields must be an array", ctx);
  std::vector<PartitionField> out;
  int32_t next_id = kPartitionDataIdStart;
  for (const Json& fj : fields) {
    if (!fj.is_object()) return InvalidArgument("{}: a partition field must be an object", ctx);
    PartitionField f;
    LDP_ASSIGN_OR_RAISE(f.name, internal::GetString(fj, "name", ctx));
    const std::string fctx = fmt::format("{} field '{}'", ctx, f.name);
    LDP_ASSIGN_OR_RAISE(f.transform, internal::GetString(fj, "transform", fctx));
    if (internal::Member(fj, "source-id")) {
      LDP_ASSIGN_OR_RAISE(f.source_id, internal::GetInt32(fj, "source-id", fctx));
    } else if (const Json* ids = internal::Member(fj, "source-ids");
               ids && ids->is_array() && ids->size() == 1) {
      LDP_ASSIGN_OR_RAISE(f.source_id, internal::AsInt32((*ids)[0], fctx + ": field 'source-ids'"));
    } else {
      return internal::Missing(fctx, "source-id");
    }
    // v1 specs written by old writers may lack field ids: they were assigned from 1000 in order.
    LDP_ASSIGN_OR_RAISE(auto field_id, internal::GetOptInt32(fj, "field-id", fctx));
    f.field_id = field_id.value_or(next_id);
    next_id = std::max(next_id, f.field_id) + 1;
    out.push_back(std::move(f));
  }
  return out;
}

Result<SnapshotRef> RefFromJson(const Json& j, std::string_view ctx) {
  if (!j.is_object()) return InvalidArgument("{} must be an object", ctx);
  SnapshotRef r;
  LDP_ASSIGN_OR_RAISE(r.snapshot_id, internal::GetInt64(j, "snapshot-id", ctx));
  LDP_ASSIGN_OR_RAISE(r.type, internal::GetString(j, "type", ctx));
  if (r.type != "branch" && r.type != "tag") {
    return InvalidArgument("{}: field 'type' must be \"branch\" or \"tag\", got \"{}\"", ctx,
                           r.type);
  }
  LDP_ASSIGN_OR_RAISE(r.min_snapshots_to_keep,
                      internal::GetOptInt32(j, "min-snapshots-to-keep", ctx));
  LDP_ASSIGN_OR_RAISE(r.max_snapshot_age_ms, internal::GetOptInt64(j, "max-snapshot-age-ms", ctx));
  LDP_ASSIGN_OR_RAISE(r.max_ref_age_ms, internal::GetOptInt64(j, "max-ref-age-ms", ctx));
  return r;
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  return rng;
}

}  // namespace

// ---- PartitionSpec / SortOrder / Snapshot ------------------------------------------------------

nlohmann::json PartitionSpec::ToJson() const { return PartitionSpecToJsonT<Json>(*this); }

std::string PartitionSpec::FieldsJsonString() const {
  return PartitionSpecToJsonT<OJson>(*this)["fields"].dump();
}

Result<PartitionSpec> PartitionSpec::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("partition spec must be an object");
  PartitionSpec spec;
  LDP_ASSIGN_OR_RAISE(spec.spec_id, internal::GetInt32(j, "spec-id", "partition spec"));
  const std::string ctx = fmt::format("partition spec {}", spec.spec_id);
  LDP_ASSIGN_OR_RAISE(const Json* fields, GetArray(j, "fields", ctx));
  LDP_ASSIGN_OR_RAISE(spec.fields, PartitionFieldsFromJson(*fields, ctx));
  return spec;
}

nlohmann::json SortOrder::ToJson() const { return SortOrderToJsonT<Json>(*this); }

Result<SortOrder> SortOrder::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("sort order must be an object");
  SortOrder order;
  LDP_ASSIGN_OR_RAISE(order.order_id, internal::GetInt32(j, "order-id", "sort order"));
  const std::string ctx = fmt::format("sort order {}", order.order_id);
  LDP_ASSIGN_OR_RAISE(const Json* fields, GetArray(j, "fields", ctx));
  for (const Json& fj : *fields) {
    if (!fj.is_object()) return InvalidArgument("{}: a sort field must be an object", ctx);
    SortField f;
    LDP_ASSIGN_OR_RAISE(f.transform, internal::GetString(fj, "transform", ctx + " field"));
    if (internal::Member(fj, "source-id")) {
      LDP_ASSIGN_OR_RAISE(f.source_id, internal::GetInt32(fj, "source-id", ctx + " field"));
    } else if (const Json* ids = internal::Member(fj, "source-ids");
               ids && ids->is_array() && ids->size() == 1) {
      LDP_ASSIGN_OR_RAISE(f.source_id,
                          internal::AsInt32((*ids)[0], ctx + " field: field 'source-ids'"));
    } else {
      return internal::Missing(ctx + " field", "source-id");
    }
    LDP_ASSIGN_OR_RAISE(f.direction, internal::GetString(fj, "direction", ctx + " field"));
    LDP_ASSIGN_OR_RAISE(f.null_order, internal::GetString(fj, "null-order", ctx + " field"));
    if (f.direction != "asc" && f.direction != "desc") {
      return InvalidArgument("{} field: 'direction' must be \"asc\" or \"desc\", got \"{}\"", ctx,
                             f.direction);
    }
    if (f.null_order != "nulls-first" && f.null_order != "nulls-last") {
      return InvalidArgument(
          "{} field: 'null-order' must be \"nulls-first\" or \"nulls-last\", got \"{}\"", ctx,
          f.null_order);
    }
    order.fields.push_back(std::move(f));
  }
  return order;
}

nlohmann::json Snapshot::ToJson() const { return SnapshotToJsonT<Json>(*this); }

Result<Snapshot> Snapshot::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("snapshot must be an object");
  Snapshot s;
  LDP_ASSIGN_OR_RAISE(s.snapshot_id, internal::GetInt64(j, "snapshot-id", "snapshot"));
  const std::string ctx = fmt::format("snapshot {}", s.snapshot_id);
  LDP_ASSIGN_OR_RAISE(s.parent_snapshot_id, internal::GetOptInt64(j, "parent-snapshot-id", ctx));
  LDP_ASSIGN_OR_RAISE(auto seq, internal::GetOptInt64(j, "sequence-number", ctx));
  s.sequence_number = seq.value_or(0);  // v1 snapshots have none: 0
  LDP_ASSIGN_OR_RAISE(s.timestamp_ms, internal::GetInt64(j, "timestamp-ms", ctx));
  if (const Json* ml = internal::Member(j, "manifest-list"); ml && !ml->is_null()) {
    if (!ml->is_string()) return InvalidArgument("{}: field 'manifest-list' must be a string", ctx);
    s.manifest_list = ml->get<std::string>();
  } else if (!internal::Member(j, "manifests")) {
    // v1 snapshots may list manifests inline instead; those are tolerated but not modelled.
    return internal::Missing(ctx, "manifest-list");
  }
  if (const Json* sum = internal::Member(j, "summary"); sum && !sum->is_null()) {
    LDP_ASSIGN_OR_RAISE(s.summary, StringMap(*sum, ctx + ": field 'summary'"));
  }
  LDP_ASSIGN_OR_RAISE(s.schema_id, internal::GetOptInt32(j, "schema-id", ctx));
  return s;
}

// ---- TableMetadata ---------------------------------------------------------------------------

SchemaPtr TableMetadata::CurrentSchema() const { return SchemaById(current_schema_id); }

SchemaPtr TableMetadata::SchemaById(int32_t id) const {
  for (const auto& s : schemas) {
    if (s->schema_id() == id) return s;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::DefaultSpec() const { return SpecById(default_spec_id); }

const PartitionSpec* TableMetadata::SpecById(int32_t id) const {
  for (const auto& s : partition_specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  for (const auto& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  if (!snapshot_log.empty()) {
    const SnapshotLogEntry* best = nullptr;
    for (const auto& e : snapshot_log) {
      if (e.timestamp_ms <= timestamp_ms && (!best || e.timestamp_ms >= best->timestamp_ms))
        best = &e;
    }
    return best ? SnapshotById(best->snapshot_id) : nullptr;
  }
  // No log (e.g. written by a tool that skips it): walk the current snapshot's ancestry.
  for (const Snapshot* s = CurrentSnapshot(); s;
       s = s->parent_snapshot_id ? SnapshotById(*s->parent_snapshot_id) : nullptr) {
    if (s->timestamp_ms <= timestamp_ms) return s;
  }
  return nullptr;
}

std::string TableMetadata::Property(const std::string& key, const std::string& fallback) const {
  auto it = properties.find(key);
  return it == properties.end() ? fallback : it->second;
}

nlohmann::json TableMetadata::ToJson() const { return MetadataToJsonT<Json>(*this); }

std::string TableMetadata::ToJsonString() const { return MetadataToJsonT<OJson>(*this).dump(2); }

Status TableMetadata::Validate() const {
  constexpr std::string_view ctx = "table metadata";
  if (format_version < 1 || format_version > kMaxFormatVersion) {
    return NotImplemented("{}: format-version {} is not supported (ldp reads 1 to 3)", ctx,
                          format_version);
  }
  if (format_version >= 2 && table_uuid.empty())
    return InvalidArgument("{}: 'table-uuid' is empty", ctx);
  if (location.empty()) return InvalidArgument("{}: 'location' is empty", ctx);

  if (schemas.empty()) return InvalidArgument("{}: 'schemas' is empty", ctx);
  std::set<int32_t> ids;
  for (const auto& s : schemas) {
    if (!s) return InvalidArgument("{}: 'schemas' holds a null schema", ctx);
    if (!ids.insert(s->schema_id()).second) {
      return InvalidArgument("{}: 'schemas' has schema id {} twice", ctx, s->schema_id());
    }
  }
  if (!SchemaById(current_schema_id)) {
    return InvalidArgument("{}: 'current-schema-id' {} is not in 'schemas'", ctx,
                           current_schema_id);
  }

  if (partition_specs.empty()) return InvalidArgument("{}: 'partition-specs' is empty", ctx);
  ids.clear();
  for (const auto& s : partition_specs) {
    if (!ids.insert(s.spec_id).second) {
      return InvalidArgument("{}: 'partition-specs' has spec id {} twice", ctx, s.spec_id);
    }
  }
  if (!SpecById(default_spec_id)) {
    return InvalidArgument("{}: 'default-spec-id' {} is not in 'partition-specs'", ctx,
                           default_spec_id);
  }

  ids.clear();
  for (const auto& o : sort_orders) {
    if (!ids.insert(o.order_id).second) {
      return InvalidArgument("{}: 'sort-orders' has order id {} twice", ctx, o.order_id);
    }
  }
  if (!ids.count(default_sort_order_id) && !(sort_orders.empty() && default_sort_order_id == 0)) {
    return InvalidArgument("{}: 'default-sort-order-id' {} is not in 'sort-orders'", ctx,
                           default_sort_order_id);
  }

  std::set<int64_t> snap_ids;
  for (const auto& s : snapshots) {
    if (!snap_ids.insert(s.snapshot_id).second) {
      return InvalidArgument("{}: 'snapshots' has snapshot id {} twice", ctx, s.snapshot_id);
    }
    if (format_version >= 2 && s.sequence_number > last_sequence_number) {
      return InvalidArgument(
          "{}: snapshot {} has sequence-number {} above 'last-sequence-number' {}", ctx,
          s.snapshot_id, s.sequence_number, last_sequence_number);
    }
  }
  if (current_snapshot_id && !snap_ids.count(*current_snapshot_id)) {
    return InvalidArgument("{}: 'current-snapshot-id' {} is not in 'snapshots'", ctx,
                           *current_snapshot_id);
  }
  for (const auto& [name, ref] : refs) {
    if (ref.type != "branch" && ref.type != "tag") {
      return InvalidArgument("{}: 'refs.{}' has type \"{}\" (want branch or tag)", ctx, name,
                             ref.type);
    }
    if (!snap_ids.count(ref.snapshot_id)) {
      return InvalidArgument("{}: 'refs.{}' points at snapshot {}, which is not in 'snapshots'",
                             ctx, name, ref.snapshot_id);
    }
  }
  if (auto main = refs.find("main"); main != refs.end()) {
    if (main->second.type != "branch")
      return InvalidArgument("{}: 'refs.main' must be a branch", ctx);
    if (!current_snapshot_id || *current_snapshot_id != main->second.snapshot_id) {
      return InvalidArgument(
          "{}: 'refs.main' points at snapshot {} but 'current-snapshot-id' is {}", ctx,
          main->second.snapshot_id,
          current_snapshot_id ? std::to_string(*current_snapshot_id) : "none");
    }
  }
  return Status::OK();
}

Result<std::shared_ptr<TableMetadata>> TableMetadata::FromJson(const nlohmann::json& j) {
  constexpr std::string_view ctx = "table metadata";
  if (!j.is_object()) return InvalidArgument("{} must be a JSON object", ctx);
  auto m = std::make_shared<TableMetadata>();
  LDP_ASSIGN_OR_RAISE(m->format_version, internal::GetInt32(j, "format-version", ctx));
  if (m->format_version < 1 || m->format_version > kMaxFormatVersion) {
    return NotImplemented("{}: format-version {} is not supported (ldp reads 1 to 3)", ctx,
                          m->format_version);
  }
  const bool v1 = m->format_version == 1;

  if (v1) {
    if (const Json* u = internal::Member(j, "table-uuid"); u && !u->is_null()) {
      LDP_ASSIGN_OR_RAISE(m->table_uuid, internal::GetString(j, "table-uuid", ctx));
    }
  } else {
    LDP_ASSIGN_OR_RAISE(m->table_uuid, internal::GetString(j, "table-uuid", ctx));
  }
  LDP_ASSIGN_OR_RAISE(m->location, internal::GetString(j, "location", ctx));
  if (v1) {
    LDP_ASSIGN_OR_RAISE(auto seq, internal::GetOptInt64(j, "last-sequence-number", ctx));
    m->last_sequence_number = seq.value_or(0);
  } else {
    LDP_ASSIGN_OR_RAISE(m->last_sequence_number,
                        internal::GetInt64(j, "last-sequence-number", ctx));
  }
  LDP_ASSIGN_OR_RAISE(m->last_updated_ms, internal::GetInt64(j, "last-updated-ms", ctx));
  LDP_ASSIGN_OR_RAISE(m->last_column_id, internal::GetInt32(j, "last-column-id", ctx));

  // Schemas: v2 `schemas` + `current-schema-id`; v1 may only have `schema`.
  LDP_ASSIGN_OR_RAISE(const Json* schemas,
                      v1 ? GetOptArray(j, "schemas", ctx) : GetArray(j, "schemas", ctx));
  if (schemas) {
    for (const Json& sj : *schemas) {
      auto s = Schema::FromJson(sj);
      if (!s.ok()) return s.status().WithContext(fmt::format("{}: field 'schemas'", ctx));
      m->schemas.push_back(*s);
    }
    LDP_ASSIGN_OR_RAISE(m->current_schema_id, internal::GetInt32(j, "current-schema-id", ctx));
  } else {
    const Json* sj = internal::Member(j, "schema");
    if (!sj) return internal::Missing(ctx, "schemas");
    auto s = Schema::FromJson(*sj, 0);
    if (!s.ok()) return s.status().WithContext(fmt::format("{}: field 'schema'", ctx));
    m->schemas.push_back(*s);
    m->current_schema_id = (*s)->schema_id();
  }

  // Partition specs: v2 `partition-specs` + `default-spec-id`; v1 may only have `partition-spec`.
  LDP_ASSIGN_OR_RAISE(const Json* specs, v1 ? GetOptArray(j, "partition-specs", ctx)
                                            : GetArray(j, "partition-specs", ctx));
  if (specs) {
    for (const Json& sj : *specs) {
      auto s = PartitionSpec::FromJson(sj);
      if (!s.ok()) return s.status().WithContext(fmt::format("{}: field 'partition-specs'", ctx));
      m->partition_specs.push_back(std::move(*s));
    }
    LDP_ASSIGN_OR_RAISE(m->default_spec_id, internal::GetInt32(j, "default-spec-id", ctx));
  } else {
    const Json* pj = internal::Member(j, "partition-spec");
    if (!pj) return internal::Missing(ctx, "partition-specs");
    PartitionSpec spec;
    LDP_ASSIGN_OR_RAISE(
        spec.fields, PartitionFieldsFromJson(*pj, std::string(ctx) + ": field 'partition-spec'"));
    m->partition_specs.push_back(std::move(spec));
    m->default_spec_id = 0;
  }
  if (v1 && !internal::Member(j, "last-partition-id")) {
    int32_t last = kPartitionDataIdStart - 1;
    for (const auto& s : m->partition_specs) {
      for (const auto& f : s.fields) last = std::max(last, f.field_id);
    }
    m->last_partition_id = last;
  } else {
    LDP_ASSIGN_OR_RAISE(m->last_partition_id, internal::GetInt32(j, "last-partition-id", ctx));
  }

  // Sort orders (optional in v1: unsorted).
  LDP_ASSIGN_OR_RAISE(const Json* orders,
                      v1 ? GetOptArray(j, "sort-orders", ctx) : GetArray(j, "sort-orders", ctx));
  if (orders) {
    for (const Json& oj : *orders) {
      auto o = SortOrder::FromJson(oj);
      if (!o.ok()) return o.status().WithContext(fmt::format("{}: field 'sort-orders'", ctx));
      m->sort_orders.push_back(std::move(*o));
    }
    LDP_ASSIGN_OR_RAISE(m->default_sort_order_id,
                        internal::GetInt32(j, "default-sort-order-id", ctx));
  } else {
    m->sort_orders.push_back(SortOrder{});
    m->default_sort_order_id = 0;
  }

  if (const Json* p = internal::Member(j, "properties"); p && !p->is_null()) {
    LDP_ASSIGN_OR_RAISE(m->properties, StringMap(*p, std::string(ctx) + ": field 'properties'"));
  }

  LDP_ASSIGN_OR_RAISE(m->current_snapshot_id, internal::GetOptInt64(j, "current-snapshot-id", ctx));
  if (m->current_snapshot_id && *m->current_snapshot_id == -1) m->current_snapshot_id.reset();

  LDP_ASSIGN_OR_RAISE(const Json* snaps, GetOptArray(j, "snapshots", ctx));
  if (snaps) {
    for (const Json& sj : *snaps) {
      auto s = Snapshot::FromJson(sj);
      if (!s.ok()) return s.status().WithContext(fmt::format("{}: field 'snapshots'", ctx));
      m->snapshots.push_back(std::move(*s));
    }
  }

  LDP_ASSIGN_OR_RAISE(const Json* slog, GetOptArray(j, "snapshot-log", ctx));
  if (slog) {
    for (const Json& ej : *slog) {
      if (!ej.is_object())
        return InvalidArgument("{}: 'snapshot-log' entries must be objects", ctx);
      SnapshotLogEntry e;
      LDP_ASSIGN_OR_RAISE(e.timestamp_ms,
                          internal::GetInt64(ej, "timestamp-ms", "snapshot-log entry"));
      LDP_ASSIGN_OR_RAISE(e.snapshot_id,
                          internal::GetInt64(ej, "snapshot-id", "snapshot-log entry"));
      m->snapshot_log.push_back(e);
    }
  }
  LDP_ASSIGN_OR_RAISE(const Json* mlog, GetOptArray(j, "metadata-log", ctx));
  if (mlog) {
    for (const Json& ej : *mlog) {
      if (!ej.is_object())
        return InvalidArgument("{}: 'metadata-log' entries must be objects", ctx);
      MetadataLogEntry e;
      LDP_ASSIGN_OR_RAISE(e.timestamp_ms,
                          internal::GetInt64(ej, "timestamp-ms", "metadata-log entry"));
      LDP_ASSIGN_OR_RAISE(e.metadata_file,
                          internal::GetString(ej, "metadata-file", "metadata-log entry"));
      m->metadata_log.push_back(std::move(e));
    }
  }

  if (const Json* refs = internal::Member(j, "refs"); refs && !refs->is_null()) {
    if (!refs->is_object()) return InvalidArgument("{}: field 'refs' must be an object", ctx);
    for (auto it = refs->begin(); it != refs->end(); ++it) {
      LDP_ASSIGN_OR_RAISE(SnapshotRef r,
                          RefFromJson(it.value(), fmt::format("{}: ref '{}'", ctx, it.key())));
      m->refs[it.key()] = r;
    }
  } else if (m->current_snapshot_id) {
    // Metadata from before refs existed: the current snapshot is the main branch.
    SnapshotRef main;
    main.snapshot_id = *m->current_snapshot_id;
    m->refs["main"] = main;
  }

  for (auto [key, target] : {std::pair{"statistics", &m->statistics},
                              std::pair{"partition-statistics", &m->partition_statistics}}) {
    LDP_ASSIGN_OR_RAISE(const Json* stats, GetOptArray(j, key, ctx));
    if (!stats) continue;
    for (const Json& sj : *stats) {
      if (!sj.is_object()) return InvalidArgument("{}: '{}' entries must be objects", ctx, key);
      LDP_ASSIGN_OR_RAISE(int64_t id, internal::GetInt64(sj, "snapshot-id", key));
      (*target)[id] = sj.dump();
    }
  }

  LDP_RETURN_NOT_OK(m->Validate());
  return m;
}

Result<std::shared_ptr<TableMetadata>> TableMetadata::FromJsonString(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    return InvalidArgument("table metadata is not valid JSON: {}", e.what());
  }
  return FromJson(j);
}

std::shared_ptr<TableMetadata> TableMetadata::NewTable(
    const std::string& location, SchemaPtr schema, PartitionSpec spec,
    std::map<std::string, std::string> properties, int64_t now_ms) {
  auto m = std::make_shared<TableMetadata>();
  m->format_version = 2;
  m->table_uuid = NewUuid();
  m->location = location;
  while (m->location.size() > 1 && m->location.back() == '/') m->location.pop_back();
  m->last_sequence_number = 0;
  m->last_updated_ms = now_ms;
  auto s0 = std::make_shared<const Schema>(0, schema->fields(), schema->identifier_field_ids());
  m->last_column_id = s0->HighestFieldId();
  m->schemas.push_back(std::move(s0));
  m->current_schema_id = 0;
  spec.spec_id = 0;
  int32_t last_pid = kPartitionDataIdStart - 1;
  for (const auto& f : spec.fields) last_pid = std::max(last_pid, f.field_id);
  m->last_partition_id = last_pid;
  m->partition_specs.push_back(std::move(spec));
  m->default_spec_id = 0;
  m->sort_orders.push_back(SortOrder{});
  m->default_sort_order_id = 0;
  m->properties = std::move(properties);
  return m;
}

// ---- ids and names ---------------------------------------------------------------------------

std::string NewUuid() {
  uint64_t hi = Rng()();
  uint64_t lo = Rng()();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10xx
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

int64_t NewSnapshotId() {
  constexpr uint64_t kMask = (uint64_t{1} << 53) - 1;
  for (;;) {
    auto id = static_cast<int64_t>(Rng()() & kMask);
    if (id > 0) return id;
  }
}

std::string MetadataFileName(int version) {
  return fmt::format("{:05d}-{}.metadata.json", version, NewUuid());
}

int ParseMetadataVersion(const std::string& path) {
  std::string_view name(path);
  if (auto slash = name.find_last_of('/'); slash != std::string_view::npos)
    name.remove_prefix(slash + 1);
  constexpr std::string_view kSuffix = ".metadata.json";
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix)
    return -1;
  std::string_view digits;
  if (auto dash = name.find('-'); dash != std::string_view::npos) {
    digits = name.substr(0, dash);  // NNNNN-<uuid>.metadata.json (also .gz.metadata.json)
  } else if (name[0] == 'v') {
    // Hadoop tables: v<N>.metadata.json
    digits = name.substr(1, name.size() - kSuffix.size() - 1);
  } else {
    return -1;
  }
  if (digits.empty() || digits.size() > 9) return -1;
  int v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace ldp::iceberg
