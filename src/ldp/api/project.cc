// The public C++ API (include/ldp/project.h) over the services layer: translates the public
// option and result types, which name nothing of the internals, to the services' own.

#include "ldp/project.h"

#include <algorithm>

#include "ldp/catalog/catalog.h"
#include "ldp/core/status.h"
#include "ldp/engine/engine.h"
#include "ldp/iceberg/partitioning.h"
#include "ldp/services/clone.h"
#include "ldp/services/ingest.h"
#include "ldp/orchestrator/run_pipeline.h"
#include "ldp/services/project.h"
#include "ldp/services/query.h"
#include "ldp/services/row_delta.h"
#include "ldp/services/tables.h"
#include "ldp/version.h"

namespace ldp {

// api/pipeline.cc: the ldp command that runs pipeline tasks.
Result<std::string> FindLdpBinary(const std::string& option);

const char* Version() { return LDP_VERSION_STRING; }

// ---- QueryResult -----------------------------------------------------------------------------

struct QueryResult::Impl {
  // Destroyed in reverse order: the stream before its connection, the connection before the
  // database (which the Project may have let go of already).
  std::shared_ptr<engine::Database> db;
  std::unique_ptr<engine::Connection> conn;
  std::unique_ptr<engine::ResultStream> stream;
  std::vector<Column> columns;
};

QueryResult::QueryResult(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueryResult::QueryResult(QueryResult&&) noexcept = default;
QueryResult& QueryResult::operator=(QueryResult&&) noexcept = default;
QueryResult::~QueryResult() = default;

const std::vector<Column>& QueryResult::columns() const { return impl_->columns; }

Result<RowBatch> QueryResult::Next() {
  LDP_ASSIGN_OR_RAISE(auto rows, impl_->stream->Next());
  return RowBatch{std::move(rows)};
}

Result<RowBatch> QueryResult::ReadAll() {
  RowBatch all;
  for (;;) {
    LDP_ASSIGN_OR_RAISE(auto rows, impl_->stream->Next());
    if (rows.empty()) return all;
    std::move(rows.begin(), rows.end(), std::back_inserter(all.rows));
  }
}

// ---- Project ---------------------------------------------------------------------------------

struct Project::Impl {
  std::unique_ptr<services::Project> project;
  std::shared_ptr<engine::Database> db;  // opened on first use, kept for the Project's life
  std::unique_ptr<engine::Connection> conn;

  Result<engine::Connection*> Engine() {
    if (!conn) {
      LDP_ASSIGN_OR_RAISE(auto opened, services::OpenEngine(*project));
      db = std::shared_ptr<engine::Database>(std::move(opened));
      LDP_ASSIGN_OR_RAISE(conn, db->Connect());
    }
    return conn.get();
  }
};

namespace {

ValueKind PublicKind(engine::ValueKind k) {
  switch (k) {
    case engine::ValueKind::kBoolean: return ValueKind::kBoolean;
    case engine::ValueKind::kInteger: return ValueKind::kInteger;
    case engine::ValueKind::kFloat: return ValueKind::kFloat;
    case engine::ValueKind::kDecimal: return ValueKind::kDecimal;
    case engine::ValueKind::kString: return ValueKind::kString;
    case engine::ValueKind::kTemporal: return ValueKind::kTemporal;
    case engine::ValueKind::kBlob: return ValueKind::kBlob;
    case engine::ValueKind::kNested: return ValueKind::kNested;
    case engine::ValueKind::kOther: return ValueKind::kOther;
  }
  return ValueKind::kOther;
}

std::string TypeName(const iceberg::Type& t) {
  switch (t.id()) {
    case iceberg::TypeId::kStruct: return "struct";
    case iceberg::TypeId::kList: return "list";
    case iceberg::TypeId::kMap: return "map";
    default: return t.ToString();
  }
}

void Flatten(const std::vector<iceberg::NestedField>& fields, const std::string& prefix, std::vector<Field>* out) {
  for (const auto& f : fields) {
    std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    out->push_back(Field{f.id, name, TypeName(*f.type), f.required});
    if (f.type->is_nested()) Flatten(f.type->fields(), name, out);
  }
}

Result<std::vector<catalog::Namespace>> NamespacesUnder(catalog::Catalog& cat, const catalog::Namespace& root) {
  std::vector<catalog::Namespace> out;
  LDP_ASSIGN_OR_RAISE(auto children, cat.ListNamespaces(root));
  for (const auto& ns : children) {
    out.push_back(ns);
    LDP_ASSIGN_OR_RAISE(auto below, NamespacesUnder(cat, ns));
    out.insert(out.end(), below.begin(), below.end());
  }
  return out;
}

int64_t SummaryNumber(const iceberg::Snapshot* s, const char* key) {
  if (!s) return 0;
  auto it = s->summary.find(key);
  if (it == s->summary.end()) return 0;
  try {
    return std::stoll(it->second);
  } catch (...) {
    return 0;
  }
}

RowChangeSummary PublicSummary(const services::RowDeltaResult& r) {
  RowChangeSummary out;
  out.table = r.table.ToString();
  out.operation = r.operation;
  out.write_mode = services::WriteModeName(r.mode);
  out.committed = r.committed;
  out.snapshot_id = r.snapshot_id;
  out.rows_deleted = r.rows_deleted;
  out.rows_updated = r.rows_updated;
  out.files_rewritten = r.files_rewritten;
  out.delete_files_added = r.delete_files_added;
  return out;
}

}  // namespace

Project::Project(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Project::Project(Project&&) noexcept = default;
Project& Project::operator=(Project&&) noexcept = default;
Project::~Project() = default;

Result<Project> Project::Init(const std::string& dir) {
  LDP_ASSIGN_OR_RAISE(auto p, services::Project::Init(dir));
  auto impl = std::make_unique<Impl>();
  impl->project = std::move(p);
  return Project(std::move(impl));
}

Result<Project> Project::Open(const std::string& dir) {
  LDP_ASSIGN_OR_RAISE(auto p, services::Project::Open(dir));
  auto impl = std::make_unique<Impl>();
  impl->project = std::move(p);
  return Project(std::move(impl));
}

const std::string& Project::root() const { return impl_->project->root(); }
const std::string& Project::warehouse() const { return impl_->project->warehouse(); }

Result<IngestSummary> Project::Ingest(const std::string& source, const std::string& table,
                                      const IngestOptions& options) {
  services::IngestOptions o;
  o.source = source;
  LDP_ASSIGN_OR_RAISE(o.table, catalog::TableIdentifier::Parse(table));
  switch (options.mode) {
    case IngestMode::kAppend: o.mode = services::IngestMode::kAppend; break;
    case IngestMode::kReplace: o.mode = services::IngestMode::kOverwrite; break;
    case IngestMode::kMerge: o.mode = services::IngestMode::kMerge; break;
  }
  if (!options.format.empty()) {
    LDP_ASSIGN_OR_RAISE(o.format, services::ParseSourceFormat(options.format));
  }
  if (o.mode == services::IngestMode::kMerge && options.keys.empty())
    return InvalidArgument("ingest into {}: merge needs key columns (IngestOptions::keys)", table);
  o.keys = options.keys;
  o.where = options.where;
  if (!options.partition_by.empty()) o.partition_by = options.partition_by;
  o.branch = options.branch.empty() ? "main" : options.branch;
  o.evolve = options.evolve;
  LDP_ASSIGN_OR_RAISE(auto* conn, impl_->Engine());
  LDP_ASSIGN_OR_RAISE(auto r, services::Ingest(*impl_->project, *conn, o));
  IngestSummary out;
  out.table = r.table.ToString();
  out.created_table = r.created_table;
  out.committed = r.committed;
  out.snapshot_id = r.snapshot_id;
  out.rows = r.rows;
  out.data_files = r.data_files;
  out.bytes = r.bytes;
  out.rows_deleted = r.rows_deleted;
  out.rows_updated = r.rows_updated;
  out.rows_inserted = r.rows_inserted;
  return out;
}

Result<CloneSummary> Project::Clone(const std::string& source, const std::string& table,
                                    const CloneOptions& options) {
  services::CloneOptions o;
  o.source = source;
  LDP_ASSIGN_OR_RAISE(o.to, catalog::TableIdentifier::Parse(table));
  o.from = options.from;
  o.from_catalog = options.from_catalog;
  o.from_token = options.from_token;
  o.from_warehouse = options.from_warehouse;
  if (options.sample_percent > 0) o.sample_percent = options.sample_percent;
  o.seed = options.seed;
  o.where = options.where;
  if (options.limit >= 0) o.limit = options.limit;
  o.snapshot = options.snapshot;
  o.replace = options.replace;
  LDP_ASSIGN_OR_RAISE(auto* conn, impl_->Engine());
  LDP_ASSIGN_OR_RAISE(auto r, services::CloneTable(*impl_->project, *conn, o));
  CloneSummary out;
  out.table = r.table.ToString();
  out.source = r.source;
  out.source_snapshot_id = r.source_snapshot_id;
  out.filter = r.filter;
  out.rows = r.rows;
  out.data_files = r.data_files;
  out.bytes = r.bytes;
  out.snapshot_id = r.snapshot_id;
  return out;
}

Result<QueryResult> Project::Query(const std::string& sql, const QueryOptions& options) {
  // Each result gets a connection of its own (the views naming the tables live in it), so that
  // a result can be read while the Project goes on with other work.
  LDP_RETURN_NOT_OK(impl_->Engine().status());
  auto impl = std::make_unique<QueryResult::Impl>();
  impl->db = impl_->db;
  LDP_ASSIGN_OR_RAISE(impl->conn, impl->db->Connect());
  LDP_RETURN_NOT_OK(services::ConfigureEngine(*impl_->project, *impl->conn));
  LDP_RETURN_NOT_OK(services::PrepareTables(*impl_->project, *impl->conn, sql, nullptr, options.as_of));
  LDP_ASSIGN_OR_RAISE(impl->stream, impl->conn->Stream(sql));
  for (const auto& c : impl->stream->columns()) impl->columns.push_back(Column{c.name, PublicKind(c.kind)});
  return QueryResult(std::move(impl));
}

Status Project::QueryArrow(const std::string& sql, ArrowArrayStream* out, const QueryOptions& options) {
  if (!out) return InvalidArgument("QueryArrow: no ArrowArrayStream to fill");
  LDP_RETURN_NOT_OK(impl_->Engine().status());
  // The stream owns its connection and a share of the database (declared first, so destroyed last).
  struct Owner {
    std::shared_ptr<engine::Database> db;
    std::unique_ptr<engine::Connection> conn;
  };
  auto owner = std::make_shared<Owner>();
  owner->db = impl_->db;
  LDP_ASSIGN_OR_RAISE(owner->conn, owner->db->Connect());
  LDP_RETURN_NOT_OK(services::ConfigureEngine(*impl_->project, *owner->conn));
  LDP_RETURN_NOT_OK(services::PrepareTables(*impl_->project, *owner->conn, sql, nullptr, options.as_of));
  engine::Connection& conn = *owner->conn;
  return conn.StreamArrow(sql, out, std::move(owner));
}

Result<std::vector<std::string>> Project::Tables(const std::string& ns) {
  auto& cat = impl_->project->catalog();
  catalog::Namespace root;
  if (!ns.empty()) {
    LDP_ASSIGN_OR_RAISE(root, catalog::ParseNamespace(ns));
    LDP_ASSIGN_OR_RAISE(bool exists, cat.NamespaceExists(root));
    if (!exists) return NoSuchNamespace("namespace {} does not exist", ns);
  }
  LDP_ASSIGN_OR_RAISE(auto namespaces, NamespacesUnder(cat, root));
  if (!ns.empty()) namespaces.insert(namespaces.begin(), root);
  std::vector<std::string> out;
  for (const auto& n : namespaces) {
    LDP_ASSIGN_OR_RAISE(auto tables, cat.ListTables(n));
    for (const auto& t : tables) out.push_back(t.ToString());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<TableDescription> Project::Describe(const std::string& table) {
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table));
  LDP_ASSIGN_OR_RAISE(auto t, services::LoadTable(*impl_->project, id));
  const auto& md = *t.metadata;
  auto schema = md.CurrentSchema();
  TableDescription out;
  out.table = id.ToString();
  out.location = md.location;
  out.metadata_location = t.metadata_location;
  out.table_uuid = md.table_uuid;
  out.format_version = md.format_version;
  out.schema_id = schema->schema_id();
  Flatten(schema->fields(), "", &out.fields);
  if (const auto* spec = md.DefaultSpec(); spec && !spec->fields.empty())
    out.partition_spec = iceberg::PartitionSpecText(*spec, *schema);
  for (const auto& [k, v] : md.properties) out.properties[k] = v;
  if (const auto* snap = md.CurrentSnapshot()) {
    out.current_snapshot_id = snap->snapshot_id;
    out.records = SummaryNumber(snap, "total-records");
    out.data_files = SummaryNumber(snap, "total-data-files");
  }
  return out;
}

Result<std::vector<SnapshotInfo>> Project::Snapshots(const std::string& table) {
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table));
  LDP_ASSIGN_OR_RAISE(auto t, services::LoadTable(*impl_->project, id));
  const auto& md = *t.metadata;
  std::vector<SnapshotInfo> out;
  for (const auto& s : md.snapshots) {
    SnapshotInfo i;
    i.snapshot_id = s.snapshot_id;
    i.parent_snapshot_id = s.parent_snapshot_id;
    i.sequence_number = s.sequence_number;
    i.timestamp_ms = s.timestamp_ms;
    for (const auto& [k, v] : s.summary) i.summary[k] = v;
    auto op = i.summary.find("operation");
    if (op != i.summary.end()) i.operation = op->second;
    i.current = md.current_snapshot_id && *md.current_snapshot_id == s.snapshot_id;
    out.push_back(std::move(i));
  }
  return out;
}

Result<RowChangeSummary> Project::Delete(const std::string& table, const std::string& where) {
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table));
  if (where.empty()) return InvalidArgument("delete from {}: a WHERE predicate is required", table);
  LDP_ASSIGN_OR_RAISE(auto* conn, impl_->Engine());
  LDP_ASSIGN_OR_RAISE(auto r, services::DeleteRows(*impl_->project, *conn, id, where));
  return PublicSummary(r);
}

Result<RowChangeSummary> Project::Update(const std::string& table, const std::string& set, const std::string& where) {
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table));
  LDP_ASSIGN_OR_RAISE(auto* conn, impl_->Engine());
  LDP_ASSIGN_OR_RAISE(auto r, services::UpdateRows(*impl_->project, *conn, id, set, where));
  return PublicSummary(r);
}

Result<PipelineRunSummary> Project::RunPipeline(const std::string& name, const PipelineRunOptions& options) {
  LDP_ASSIGN_OR_RAISE(std::string ldp, FindLdpBinary(options.ldp_binary));
  orchestrator::RunPipelineRequest req;
  req.pipeline = name;
  req.date = options.date;
  req.from = options.from;
  req.to = options.to;
  req.tasks = options.tasks;
  req.downstream = options.downstream;
  req.ldp_binary = ldp;
  LDP_ASSIGN_OR_RAISE(auto r, orchestrator::RunPipeline(*impl_->project, req));
  PipelineRunSummary out;
  out.pipeline = r.spec.name;
  for (const auto& run : r.runs) {
    PipelineRunInfo info;
    info.run_id = run.run_id;
    info.status = run.status;
    info.data_interval_start = r.spec.tz->FormatIso(run.interval.start);
    info.data_interval_end = r.spec.tz->FormatIso(run.interval.end);
    for (const auto& t : run.tasks) info.tasks.push_back({t.task_id, t.status, t.attempts, t.message});
    if (run.status != "success") ++out.failed_runs;
    out.runs.push_back(std::move(info));
  }
  return out;
}

}  // namespace ldp
