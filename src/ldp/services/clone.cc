#include "ldp/services/clone.h"

#include <cmath>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "ldp/catalog/metadata_catalog.h"
#include "ldp/catalog/rest/rest_catalog.h"
#include "ldp/iceberg/metadata_file.h"
#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/sort_order.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/io/file_system.h"
#include "ldp/services/foreign_read.h"
#include "ldp/services/ingest.h"
#include "ldp/services/query.h"
#include "ldp/services/snapshots.h"
#include "ldp/services/tables.h"

namespace ldp::services {
namespace stdfs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

namespace {

// Properties of the source that are not copied: they name the source's storage (a clone writes
// into its own local folder), describe a format version the clone does not have (clones are v2),
// map names for files without field ids (the clone's files all carry field ids), or are the
// provenance of an earlier clone (replaced by this one's).
bool KeepProperty(const std::string& key) {
  static const std::set<std::string> kDropped = {
      "write.data.path",           "write.metadata.path",         "write.object-storage.enabled",
      "write.object-storage.path", "write.folder-storage.path",   "write.location-provider.impl",
      "format-version",            "schema.name-mapping.default", "write.object-storage.partitioned-paths"};
  if (kDropped.count(key)) return false;
  return key.rfind("ldp.clone.", 0) != 0;
}

bool IsLocation(const std::string& s) {
  return s.find('/') != std::string::npos || s.find("://") != std::string::npos ||
         (s.size() > 5 && s.compare(s.size() - 5, 5, ".json") == 0) || (s.size() > 3 && s.compare(s.size() - 3, 3, ".gz") == 0);
}

struct Source {
  std::string description;  // ldp.clone.source
  std::string metadata_location;
  iceberg::TableMetadataPtr md;
  io::FileSystem* fs = nullptr;
};

// NS.T of another catalog: loaded through it when it owns its metadata (REST), else its metadata
// file is read through the project's file system (local or s3://).
Status LoadFromCatalog(catalog::Catalog& cat, io::FileSystem& fs, const catalog::TableIdentifier& id, Source* s) {
  if (auto* owner = dynamic_cast<catalog::MetadataCatalog*>(&cat)) {
    LDP_ASSIGN_OR_RAISE(auto t, owner->LoadTable(id));
    s->metadata_location = t.metadata_location;
    s->md = t.metadata;
    return Status::OK();
  }
  LDP_ASSIGN_OR_RAISE(s->metadata_location, cat.LoadTableLocation(id));
  LDP_ASSIGN_OR_RAISE(std::string text, iceberg::ReadMetadataText(fs, s->metadata_location));
  auto md = iceberg::TableMetadata::FromJsonString(text);
  if (!md.ok()) return md.status().WithContext(fmt::format("metadata {}", s->metadata_location));
  s->md = *md;
  return Status::OK();
}

Result<Source> OpenSource(Project& project, const CloneOptions& o) {
  Source s;
  if (!o.from.empty() && !o.from_catalog.empty())
    return InvalidArgument("give --from NAME (a catalog of ldp.yaml) or --from-catalog URI, not both");
  if (!o.from.empty() || !o.from_catalog.empty()) {
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(o.source));
    std::unique_ptr<catalog::Catalog> cat;
    std::string label;
    if (!o.from.empty()) {
      LDP_ASSIGN_OR_RAISE(cat, project.OpenNamedCatalog(o.from));
      label = "catalog " + o.from;
      s.description = fmt::format("{} {}", o.from, id.ToString());
    } else {
      CatalogConfig rest;
      rest.type = "rest";
      rest.uri = o.from_catalog;
      while (rest.uri.size() > 1 && rest.uri.back() == '/') rest.uri.pop_back();
      rest.token = o.from_token;
      rest.credential = o.from_credential;
      rest.warehouse = o.from_warehouse;
      rest.origin = "--from-catalog " + rest.uri;
      auto opened = OpenCatalog(project.root(), rest, /*create=*/false);
      if (!opened.ok()) return opened.status().WithContext(fmt::format("source catalog {}", o.from_catalog));
      cat = std::move(*opened);
      label = "catalog " + o.from_catalog;
      s.description = fmt::format("{} {}", rest.uri, id.ToString());
    }
    Status st = LoadFromCatalog(*cat, project.fs(), id, &s);
    if (!st.ok()) return st.WithContext(fmt::format("source table {} in {}", id.ToString(), label));
  } else if (IsLocation(o.source)) {
    std::string loc = o.source;
    if (loc.find("://") == std::string::npos) {
      std::error_code ec;
      loc = stdfs::absolute(loc, ec).lexically_normal().string();
      if (loc.size() > 1 && loc.back() == '/') loc.pop_back();
    }
    // The project's file system reads local paths and s3:// (through its S3 settings and read
    // cache, whatever the warehouse's storage: ADR 0023).
    s.fs = &project.fs();
    auto resolved = iceberg::ResolveMetadataLocation(*s.fs, loc);
    if (!resolved.ok()) return resolved.status().WithContext(fmt::format("source {}", loc));
    s.metadata_location = *resolved;
    auto read = iceberg::ReadMetadataText(*s.fs, s.metadata_location);
    if (!read.ok()) return read.status().WithContext(fmt::format("source {}", loc));
    std::string text = std::move(*read);
    auto md = iceberg::TableMetadata::FromJsonString(text);
    if (!md.ok()) return md.status().WithContext(fmt::format("source metadata {}", s.metadata_location));
    s.md = *md;
    s.description = loc;
  } else {
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(o.source));
    auto t = LoadTable(project, id);
    if (!t.ok()) return t.status().WithContext("source table");
    s.description = id.ToString();
    s.metadata_location = t->metadata_location;
    s.md = t->metadata;
  }
  // A catalog's table: its files (local, or on object storage) through the project's file system.
  if (!s.fs) s.fs = &project.fs();
  return s;
}

std::string FilterText(const CloneOptions& o) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : "; ") + part; };
  if (!o.where.empty()) add("where " + o.where);
  if (o.sample_percent) add(fmt::format("sample {}% seed {}", *o.sample_percent, o.seed));
  if (o.limit) add(fmt::format("limit {}", *o.limit));
  return out;
}

// The threshold on the top 53 bits of a row's hash that keeps `pct` percent of the rows.
uint64_t SampleThreshold(double pct) {
  return static_cast<uint64_t>(std::llround(pct / 100.0 * 9007199254740992.0));  // 2^53
}

}  // namespace

std::string CloneProvenanceText(const std::map<std::string, std::string>& properties) {
  auto src = properties.find(kCloneSourceProperty);
  if (src == properties.end()) return "";
  auto snap = properties.find(kCloneSnapshotProperty);
  auto filter = properties.find(kCloneFilterProperty);
  std::string out = "cloned from " + src->second;
  out += snap == properties.end() || snap->second == "-1" ? " (no snapshot)" : " at snapshot " + snap->second;
  if (filter != properties.end() && !filter->second.empty()) out += " (" + filter->second + ")";
  return out;
}

Result<CloneResult> CloneTable(Project& project, engine::Connection& conn, const CloneOptions& o) {
  const std::string target = o.to.ToString();
  if (o.sample_percent && !(*o.sample_percent > 0 && *o.sample_percent <= 100))
    return InvalidArgument("--sample {}: give a percentage above 0 and at most 100", *o.sample_percent);
  if (o.limit && *o.limit < 0) return InvalidArgument("--limit {}: give a number of rows >= 0", *o.limit);

  // ---- the source: everything is read and checked before anything is created ----------------
  LDP_ASSIGN_OR_RAISE(Source src, OpenSource(project, o));
  const iceberg::TableMetadata& md = *src.md;
  CloneResult result;
  result.table = o.to;
  result.source = src.description;
  result.source_metadata = src.metadata_location;
  result.filter = FilterText(o);
  const iceberg::Snapshot* snap = md.CurrentSnapshot();
  iceberg::SchemaPtr schema = md.CurrentSchema();
  if (!o.snapshot.empty()) {
    LDP_ASSIGN_OR_RAISE(snap, ResolveSnapshot(md, src.description, o.snapshot));
    if (snap->schema_id)
      if (auto s = md.SchemaById(*snap->schema_id)) schema = s;
  }
  result.source_snapshot_id = snap ? snap->snapshot_id : -1;

  std::vector<iceberg::ColumnPredicate> preds;
  if (!o.where.empty()) {
    auto p = PredicatesForWhere(conn, *schema, o.where);
    if (!p.ok()) return InvalidArgument("bad --where predicate '{}': {}", o.where, p.status().message());
    preds = std::move(*p);
  }
  auto plan = iceberg::PlanScan(*src.fs, md, snap, preds);
  if (!plan.ok()) return plan.status().WithContext(fmt::format("source {}", src.description));
  result.source_files = static_cast<int64_t>(plan->files.size());
  for (const auto& f : plan->files) result.source_rows += f.record_count;
  // Every file the copy reads must be there (object storage downloads them into the read cache
  // below, which names a missing one).
  LDP_RETURN_NOT_OK(CheckPlanFilesExist(*src.fs, *plan, [&](const char* what, const std::string& path) {
    return NotFound("source {}: {} {} of snapshot {} does not exist", src.description, what, path,
                    result.source_snapshot_id);
  }));
  LDP_ASSIGN_OR_RAISE(std::string rows_sql, PlannedRowsSql(*src.fs, conn, md, *schema, *plan, src.description));

  // The selection, as one DuckDB relation over the source's rows: --where, then --sample (a hash
  // of the row's values and the seed: the same rows every run, independent of threads and of the
  // files the rows are in), then --limit.
  std::string cols;
  for (const auto& f : schema->fields()) cols += (cols.empty() ? "" : ", ") + QuoteIdent(f.name);
  std::string conds;
  auto add_cond = [&](const std::string& c) { conds += (conds.empty() ? " WHERE " : " AND ") + c; };
  if (!o.where.empty()) add_cond("(" + o.where + ")");
  if (o.sample_percent && *o.sample_percent < 100)
    add_cond(fmt::format("(hash({}, {}::BIGINT) >> 11) < {}::UBIGINT", cols, o.seed, SampleThreshold(*o.sample_percent)));
  std::string relation = fmt::format("SELECT {} FROM ({}) __ldp_src{}{}", cols, rows_sql, conds,
                                     o.limit ? fmt::format(" LIMIT {}", *o.limit) : "");
  {
    auto d = conn.Query(fmt::format("DESCRIBE SELECT * FROM ({}) __ldp_src", rows_sql));
    if (!d.ok()) return d.status().WithContext(fmt::format("reading source {}", src.description));
    d = conn.Query("DESCRIBE " + relation);
    if (!d.ok()) return InvalidArgument("bad --where predicate '{}': {}", o.where, d.status().message());
  }

  // ---- the new table's definition ------------------------------------------------------------
  iceberg::PartitionSpec spec;
  if (const iceberg::PartitionSpec* s = md.DefaultSpec()) {
    for (const auto& f : s->fields)
      if (!schema->FindFieldById(f.source_id))
        return InvalidArgument("source {}: partition field '{}' is on column id {}, which the schema of snapshot {} lacks",
                               src.description, f.name, f.source_id, result.source_snapshot_id);
    spec = *s;
  }
  std::optional<iceberg::SortOrder> order;
  if (const iceberg::SortOrder* so = iceberg::DefaultSortOrder(md); so && so->order_id != 0 && !so->fields.empty()) {
    bool ok = true;
    for (const auto& f : so->fields) ok = ok && schema->FindFieldById(f.source_id) != nullptr;
    if (ok) order = *so;  // an order on a column the older schema lacks is left out
  }
  std::map<std::string, std::string> props;
  for (const auto& [k, v] : md.properties)
    if (KeepProperty(k)) props[k] = v;
  props[kCloneSourceProperty] = src.description;
  props[kCloneMetadataProperty] = src.metadata_location;
  props[kCloneSnapshotProperty] = std::to_string(result.source_snapshot_id);
  if (!result.filter.empty()) props[kCloneFilterProperty] = result.filter;

  // ---- the target ----------------------------------------------------------------------------
  auto& cat = project.catalog();
  std::string old_location;
  {
    auto loc = cat.LoadTableLocation(o.to);
    if (loc.ok()) {
      if (!o.replace) return AlreadyExists("table {} already exists; pass --replace to replace it with the clone", target);
      old_location = *loc;
    } else if (loc.status().code() != ErrorCode::kNoSuchTable && loc.status().code() != ErrorCode::kNoSuchNamespace) {
      return loc.status();
    }
  }
  // With --replace the clone is built as a table of its own and swapped in at the end, so that a
  // failure leaves the old table untouched.
  catalog::TableIdentifier build_id = o.to;
  if (!old_location.empty()) build_id.name = fmt::format("{}__clone_{}", o.to.name, iceberg::NewUuid().substr(0, 8));
  LDP_ASSIGN_OR_RAISE(bool ns_exists, cat.NamespaceExists(o.to.ns));
  auto created = CreateTable(project, build_id, schema, spec, props);
  if (!created.ok()) return created.status().WithContext(fmt::format("creating table {}", target));
  LoadedTable table = *created;
  std::vector<std::string> metadata_files = {table.metadata_location};
  auto undo = [&]() {
    (void)cat.DropTable(build_id);
    for (const auto& m : metadata_files) (void)project.fs().Delete(m);
    if (!ns_exists) (void)cat.DropNamespace(o.to.ns);  // fails (and keeps it) when not empty
    std::error_code ec;
    std::string root = io::ToLocalPath(table.metadata->location);
    for (const char* sub : {"/data", "/metadata", ""}) stdfs::remove(root + sub, ec);  // only when empty
    if (!ns_exists) stdfs::remove(stdfs::path(root).parent_path(), ec);                // <ns>.db, if empty
  };
  if (order) {
    auto next = std::make_shared<iceberg::TableMetadata>(*table.metadata);
    next->sort_orders.push_back(*order);
    next->default_sort_order_id = order->order_id;
    auto committed = CommitMetadata(project, table, next);
    if (!committed.ok()) {
      undo();
      return committed.status().WithContext(fmt::format("creating table {}: sort order", target));
    }
    table = *committed;
    metadata_files.push_back(table.metadata_location);
  }

  // ---- the copy: the ingest writer over the selection ----------------------------------------
  IngestOptions io;
  io.source = src.description;
  io.table = build_id;
  io.relation_sql = "(" + relation + ") __ldp_clone";
  io.relation_has_table_columns = true;
  io.progress = o.progress;
  auto ingested = Ingest(project, conn, io);
  if (!ingested.ok()) {
    undo();
    return ingested.status().WithContext(fmt::format("cloning {} into {}", src.description, target));
  }
  result.rows = ingested->rows;
  result.data_files = ingested->data_files;
  result.bytes = ingested->bytes;
  result.partitions = ingested->partitions;
  result.snapshot_id = ingested->committed ? ingested->snapshot_id : 0;
  result.metadata_location = ingested->committed ? ingested->metadata_location : table.metadata_location;

  if (!old_location.empty()) {
    // One compare-and-swap re-points the name at the clone; the build name is then removed.
    Status st = cat.CommitTable(o.to, old_location, result.metadata_location);
    if (!st.ok()) {
      if (ingested->committed) metadata_files.push_back(result.metadata_location);
      undo();
      return st.WithContext(fmt::format("replacing table {} (was it changed meanwhile?)", target));
    }
    (void)cat.DropTable(build_id);
    result.replaced = true;
  }
  return result;
}

}  // namespace ldp::services
