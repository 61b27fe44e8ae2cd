#include "ldp/services/query.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/scan.h"
#include "ldp/services/snapshots.h"
#include "ldp/services/deletion_vectors.h"
#include "ldp/services/evolved_read.h"
#include "ldp/services/foreign_read.h"
#include "ldp/services/live_rows.h"
#include "ldp/services/local_copies.h"
#include "ldp/services/tables.h"

namespace ldp::services {
using engine::QuoteIdent;
using engine::QuoteLiteral;
using json = nlohmann::json;

namespace {

// A string member of a JSON object, or "" when absent or not a string (json::value() throws on a
// type mismatch, and DuckDB's tree uses "type" both for strings and for objects).
std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : "";
}

// A member of a JSON object, or null (operator[] on a const json must not see a missing key).
const json& At(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

struct TableRef {
  std::string schema_name;
  std::string table_name;
  std::string alias;
};

struct RefKey {
  std::string schema, table;
  bool operator<(const RefKey& o) const { return schema != o.schema ? schema < o.schema : table < o.table; }
};

bool IsBuiltinSchema(const std::string& s) {
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l.empty() || l == "main" || l == "information_schema" || l == "pg_catalog" || l == "temp";
}

// Every BASE_TABLE node anywhere in the parsed statement.
void CollectRefs(const json& j, std::vector<TableRef>* out) {
  if (j.is_object()) {
    auto t = j.find("type");
    if (t != j.end() && t->is_string() && *t == "BASE_TABLE" && j.contains("table_name")) {
      TableRef r;
      r.schema_name = Str(j, "schema_name");
      r.table_name = Str(j, "table_name");
      r.alias = Str(j, "alias");
      if (Str(j, "catalog_name").empty()) out->push_back(std::move(r));
    }
    for (const auto& [k, v] : j.items()) CollectRefs(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) CollectRefs(v, out);
  }
}

// SELECT nodes that read exactly one base table, with their WHERE clause.
void CollectFilters(const json& j, std::map<RefKey, std::vector<std::pair<std::string, const json*>>>* out) {
  if (j.is_object()) {
    if (Str(j, "type") == "SELECT_NODE") {
      auto ft = j.find("from_table");
      if (ft != j.end() && ft->is_object() && Str(*ft, "type") == "BASE_TABLE") {
        auto w = j.find("where_clause");
        RefKey k{Str(*ft, "schema_name"), Str(*ft, "table_name")};
        (*out)[k].push_back({Str(*ft, "alias"), (w != j.end() && !w->is_null()) ? &*w : nullptr});
      }
    }
    for (const auto& [k, v] : j.items()) CollectFilters(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) CollectFilters(v, out);
  }
}

std::string LowerStr(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The field a COLUMN_REF names, when it is a plain top-level column of the table.
const iceberg::NestedField* ColumnOf(const json& e, const iceberg::Schema& schema, const std::string& alias,
                                     const std::string& table_name) {
  if (Str(e, "class") != "COLUMN_REF") return nullptr;
  const auto& names = At(e, "column_names");
  if (!names.is_array() || names.empty() || names.size() > 2) return nullptr;
  std::string col = names.back().get<std::string>();
  if (names.size() == 2) {
    std::string q = LowerStr(names[0].get<std::string>());
    if (q != LowerStr(alias.empty() ? table_name : alias)) return nullptr;
  }
  // DuckDB resolves identifiers case-insensitively.
  const iceberg::NestedField* found = nullptr;
  for (const auto& f : schema.fields()) {
    if (LowerStr(f.name) == LowerStr(col)) {
      if (found) return nullptr;  // ambiguous
      found = &f;
    }
  }
  if (!found || !found->type->is_primitive()) return nullptr;
  return found;
}

// The text of a constant (possibly under a CAST), as DuckDB would render it.
std::optional<std::string> ConstantText(const json& e) {
  const json* c = &e;
  if (Str(*c, "class") == "CAST") {
    if (c->contains("try_cast") && (*c)["try_cast"].is_boolean() && (*c)["try_cast"].get<bool>()) return std::nullopt;
    c = &At(*c, "child");
  }
  if (Str(*c, "class") != "CONSTANT") return std::nullopt;
  if (!c->contains("value") || !(*c)["value"].is_object()) return std::nullopt;
  const json& v = At(*c, "value");
  if (v.contains("is_null") && v["is_null"].is_boolean() && v["is_null"].get<bool>()) return std::nullopt;
  if (!v.contains("value") || !v.contains("type") || !v["type"].is_object()) return std::nullopt;
  const json& val = v["value"];
  std::string tid = Str(v["type"], "id");
  if (val.is_string()) return val.get<std::string>();
  if (val.is_boolean()) return val.get<bool>() ? "true" : "false";
  // A DECIMAL wider than 18 digits is a HUGEINT: {"upper": high 64 bits (signed), "lower": low 64}.
  const bool wide = val.is_object() && val.contains("upper") && val.contains("lower") &&
                    val["upper"].is_number_integer() && val["lower"].is_number_integer();
  if (tid == "DECIMAL" && (val.is_number_integer() || wide)) {
    const json& ti = At(At(v, "type"), "type_info");
    int scale = (ti.is_object() && ti.contains("scale") && ti["scale"].is_number_integer()) ? ti["scale"].get<int>() : 0;
    std::string digits;
    if (wide) {
      __int128 n = (static_cast<__int128>(val["upper"].get<int64_t>()) << 64) |
                   static_cast<__int128>(val["lower"].get<uint64_t>());
      bool negative = n < 0;
      unsigned __int128 u = negative ? -static_cast<unsigned __int128>(n) : static_cast<unsigned __int128>(n);
      do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
      } while (u);
      if (negative) digits.insert(digits.begin(), '-');
    } else {
      digits = std::to_string(val.get<int64_t>());
    }
    bool neg = !digits.empty() && digits[0] == '-';
    if (neg) digits = digits.substr(1);
    if (scale > 0) {
      while (static_cast<int>(digits.size()) <= scale) digits = "0" + digits;
      digits.insert(digits.size() - scale, ".");
    }
    return (neg ? "-" : "") + digits;
  }
  if (val.is_number_integer() || val.is_number_unsigned()) return val.dump();
  if (val.is_number_float()) return val.dump();
  return std::nullopt;
}

void ExtractPredicates(const json& e, const iceberg::Schema& schema, const std::string& alias,
                       const std::string& table_name, std::vector<iceberg::ColumnPredicate>* out) {
  using Op = iceberg::ColumnPredicate::Op;
  std::string type = Str(e, "type");
  if (type == "CONJUNCTION_AND") {
    for (const auto& c : At(e, "children")) ExtractPredicates(c, schema, alias, table_name, out);
    return;
  }
  auto literal = [&](const iceberg::NestedField* f, const json& c) -> std::optional<iceberg::Literal> {
    // A constant compared with a TIMESTAMPTZ column is read by DuckDB in the session's time zone,
    // which the text alone does not tell: such predicates do not prune.
    if (f->type->id() == iceberg::TypeId::kTimestampTz) return std::nullopt;
    auto text = ConstantText(c);
    if (!text) return std::nullopt;
    return iceberg::ParseLiteral(*f->type, *text);
  };
  static const std::map<std::string, std::pair<Op, Op>> kCmp = {
      {"COMPARE_EQUAL", {Op::kEq, Op::kEq}},           {"COMPARE_LESSTHAN", {Op::kLt, Op::kGt}},
      {"COMPARE_LESSTHANOREQUALTO", {Op::kLe, Op::kGe}}, {"COMPARE_GREATERTHAN", {Op::kGt, Op::kLt}},
      {"COMPARE_GREATERTHANOREQUALTO", {Op::kGe, Op::kLe}}};
  if (auto it = kCmp.find(type); it != kCmp.end()) {
    const json& l = At(e, "left");
    const json& r = At(e, "right");
    if (auto f = ColumnOf(l, schema, alias, table_name)) {
      if (auto v = literal(f, r)) out->push_back({f->id, it->second.first, {*v}});
    } else if (auto f2 = ColumnOf(r, schema, alias, table_name)) {
      if (auto v = literal(f2, l)) out->push_back({f2->id, it->second.second, {*v}});
    }
    return;
  }
  if (type == "COMPARE_BETWEEN") {
    if (auto f = ColumnOf(At(e, "input"), schema, alias, table_name)) {
      if (auto lo = literal(f, At(e, "lower"))) out->push_back({f->id, Op::kGe, {*lo}});
      if (auto hi = literal(f, At(e, "upper"))) out->push_back({f->id, Op::kLe, {*hi}});
    }
    return;
  }
  if (type == "COMPARE_IN") {
    const auto& ch = At(e, "children");
    if (ch.size() < 2) return;
    auto f = ColumnOf(ch[0], schema, alias, table_name);
    if (!f) return;
    iceberg::ColumnPredicate p{f->id, Op::kIn, {}};
    for (size_t i = 1; i < ch.size(); ++i) {
      auto v = literal(f, ch[i]);
      if (!v) return;  // one value we cannot read: the predicate cannot prune
      p.values.push_back(*v);
    }
    out->push_back(std::move(p));
    return;
  }
  if (type == "OPERATOR_IS_NULL" || type == "OPERATOR_IS_NOT_NULL") {
    const auto& ch = At(e, "children");
    if (ch.size() != 1) return;
    if (auto f = ColumnOf(ch[0], schema, alias, table_name))
      out->push_back({f->id, type == "OPERATOR_IS_NULL" ? Op::kIsNull : Op::kNotNull, {}});
  }
}

std::string FileList(const std::vector<iceberg::DataFile>& files) {
  std::string s = "[";
  for (size_t i = 0; i < files.size(); ++i) s += (i ? ", " : "") + QuoteLiteral(io::ToLocalPath(files[i].file_path));
  return s + "]";
}

// SQL for the rows of a planned scan. Columns resolve by field id whenever the table's schema has
// changed since files may have been written (renames, added or dropped columns): files are grouped
// by the schema they were written with and each group is projected into the current schema
// (services/evolved_read.h, docs/adr/0006-evolved-schema-reads.md).
std::string ScanSql(const iceberg::TableMetadata& md, const iceberg::Schema& schema,
                    const std::vector<iceberg::DataFile>& files, const std::map<std::string, int32_t>& file_schema_ids,
                    const std::map<std::string, iceberg::Schema>& inspected) {
  if (files.empty()) {
    std::string cols;
    for (const auto& f : schema.fields())
      cols += (cols.empty() ? "" : ", ") +
              fmt::format("CAST(NULL AS {}) AS {}", iceberg::ToDuckType(*f.type), QuoteIdent(f.name));
    return fmt::format("SELECT {} LIMIT 0", cols);
  }
  std::string plain_cols;
  for (const auto& f : schema.fields()) plain_cols += (plain_cols.empty() ? "" : ", ") + QuoteIdent(f.name);
  if (md.schemas.size() <= 1 && inspected.empty()) {
    // Every file was written with this very schema (the table never had another one), so names and
    // types in the files are the schema's: a plain read keeps DuckDB's fastest path (reading with
    // schema = MAP{...} costs up to a third more on aggregations, measured in bench/).
    return fmt::format("SELECT {} FROM read_parquet({})", plain_cols, FileList(files));
  }
  // Group by the schema each file was written with: -1 = unknown.
  std::map<int32_t, std::vector<iceberg::DataFile>> groups;
  std::map<std::string, std::pair<const iceberg::Schema*, std::vector<iceberg::DataFile>>> by_parquet_schema;
  std::map<std::string, std::map<int32_t, std::string>> constants_by_key;
  for (const auto& f : files) {
    auto it = file_schema_ids.find(f.file_path);
    int32_t id = -1;
    if (it != file_schema_ids.end()) {
      iceberg::SchemaPtr written = md.SchemaById(it->second);
      if (written) id = written->SameFields(schema) ? schema.schema_id() : written->schema_id();
    }
    // One schema only: every file was written with it (read by name, as before).
    if (id < 0 && md.schemas.size() <= 1) id = schema.schema_id();
    auto in = inspected.find(f.file_path);
    if (in != inspected.end() && (id < 0 || NeedsParquetSchema(md, f))) {
      // Unknown writing schema (or a file without field ids or partition columns): read from the
      // file's own field ids, missing identity partition columns filled with the file's values.
      auto constants = PartitionConstants(md, schema, in->second, f);
      std::string key = in->second.ToJsonString();
      for (const auto& [fid, expr] : constants) key += fmt::format("\n{}={}", fid, expr);
      auto& g = by_parquet_schema[key];
      g.first = &in->second;
      g.second.push_back(f);
      constants_by_key[key] = std::move(constants);
      continue;
    }
    groups[id].push_back(f);
  }
  std::string sql;
  for (const auto& [key, g] : by_parquet_schema)
    sql += (sql.empty() ? "" : " UNION ALL ") + fmt::format("SELECT {} FROM read_parquet({})",
                                                             ProjectionSelectListCastAll(*g.first, schema, constants_by_key[key]),
                                                             FileList(g.second));
  for (const auto& [id, group] : groups) {
    std::string part;
    if (id == schema.schema_id()) {
      part = fmt::format("SELECT {} FROM read_parquet({})", plain_cols, FileList(group));
    } else if (id >= 0) {
      part = fmt::format("SELECT {} FROM read_parquet({})", ProjectionSelectList(*md.SchemaById(id), schema),
                         FileList(group));
    } else {
      // Unknown writing schema and no Parquet schema read: top-level columns by field id.
      part = fmt::format("SELECT {} FROM read_parquet({}, schema = {})", plain_cols, FileList(group),
                         iceberg::DuckReadSchemaMap(schema));
    }
    sql += (sql.empty() ? "" : " UNION ALL ") + part;
  }
  return sql;
}

// Field ids of the planned files whose writing schema the metadata does not tell (a snapshot
// without schema-id, or an expired one): one parquet_schema() read of their footers.
Result<std::map<std::string, iceberg::Schema>> InspectUnknownFiles(engine::Connection& conn,
                                                                   const iceberg::TableMetadata& md,
                                                                   const iceberg::Schema& schema,
                                                                   const iceberg::ScanPlan& plan) {
  std::map<std::string, iceberg::Schema> out;
  std::vector<iceberg::DataFile> unknown;
  for (const auto& f : plan.files) {
    auto it = plan.file_schema_ids.find(f.file_path);
    bool unknown_schema = md.schemas.size() > 1 && (it == plan.file_schema_ids.end() || !md.SchemaById(it->second));
    if (unknown_schema || NeedsParquetSchema(md, f)) unknown.push_back(f);
  }
  if (unknown.empty()) return out;
  LDP_ASSIGN_OR_RAISE(auto mapping, TableNameMapping(md));
  LDP_ASSIGN_OR_RAISE(auto rows, conn.Query(fmt::format(
                                     "SELECT file_name, name, field_id, num_children, converted_type "
                                     "FROM parquet_schema({})",
                                     FileList(unknown))));
  std::map<std::string, std::vector<ParquetSchemaElement>> elements;
  for (const auto& r : rows.rows) {
    ParquetSchemaElement e;
    e.name = r[1].value_or("");
    e.field_id = r[2] ? std::stoi(*r[2]) : 0;
    e.num_children = r[3] ? std::stoi(*r[3]) : 0;
    e.converted_type = r[4].value_or("");
    elements[r[0].value_or("")].push_back(std::move(e));
  }
  for (const auto& f : unknown) {
    auto it = elements.find(io::ToLocalPath(f.file_path));
    if (it == elements.end()) continue;
    iceberg::Schema file_schema = SchemaFromParquetElements(it->second, schema);
    out.emplace(f.file_path, mapping ? mapping->Apply(file_schema) : std::move(file_schema));
  }
  return out;
}

}  // namespace

Result<std::string> PlannedRowsSql(io::FileSystem& fs, engine::Connection& conn, const iceberg::TableMetadata& md,
                                   const iceberg::Schema& schema, const iceberg::ScanPlan& plan,
                                   const std::string& table_name) {
  LDP_RETURN_NOT_OK(MakePlanLocal(fs, plan).WithContext(fmt::format("reading table {}", table_name)));
  std::map<std::string, iceberg::Schema> inspected;
  LDP_ASSIGN_OR_RAISE(inspected, InspectUnknownFiles(conn, md, schema, plan));
  if (plan.delete_files.empty()) return ScanSql(md, schema, plan.files, plan.file_schema_ids, inspected);
  if (!HasLargeDeletionVectors(plan))
    return LiveRowsSql(schema, plan, md.schemas.size() > 1, false, &md, &inspected);
  iceberg::ScanPlan loaded = plan;
  LDP_RETURN_NOT_OK(LoadLargeDeletionVectors(fs, conn, &loaded).WithContext(fmt::format("reading table {}", table_name)));
  return LiveRowsSql(schema, loaded, md.schemas.size() > 1, false, &md, &inspected);
}

namespace {

Result<TableScanInfo> PrepareOne(Project& project, engine::Connection& conn, const catalog::TableIdentifier& id,
                                 const std::string& schema_name, const std::string& table_name,
                                 const std::vector<std::pair<std::string, const json*>>* filters,
                                 const QueryPrefetch* prefetch, const std::string& as_of = "",
                                 bool prefetch_plan_matches = true) {
  const PrefetchedTable* pre = nullptr;
  if (prefetch) {
    auto it = prefetch->find(id);
    if (it != prefetch->end()) pre = &it->second;
  }
  LoadedTable t;
  if (pre) {
    t = pre->table;
  } else {
    LDP_ASSIGN_OR_RAISE(t, LoadTable(project, id));
  }
  const iceberg::TableMetadata& md = *t.metadata;
  iceberg::SchemaPtr schema = md.CurrentSchema();
  const iceberg::Snapshot* snap = md.CurrentSnapshot();
  if (!as_of.empty()) {
    // Time travel: that snapshot, read with the schema it was written with.
    LDP_ASSIGN_OR_RAISE(snap, ResolveSnapshot(md, id.ToString(), as_of));
    if (snap->schema_id)
      if (auto s = md.SchemaById(*snap->schema_id)) schema = s;
  }
  std::vector<iceberg::ColumnPredicate> preds;
  if (filters && filters->size() == 1 && (*filters)[0].second)
    ExtractPredicates(*(*filters)[0].second, *schema, (*filters)[0].first, table_name, &preds);
  iceberg::ScanPlan plan;
  if (pre && prefetch_plan_matches) {
    plan = iceberg::FilterPlan(md, *schema, pre->plan, preds);
  } else {
    auto planned = iceberg::PlanScan(project.fs(), md, snap, preds);
    if (!planned.ok()) return planned.status().WithContext(fmt::format("planning scan of {}", id.ToString()));
    plan = std::move(*planned);
  }
  LDP_ASSIGN_OR_RAISE(std::string rows_sql, PlannedRowsSql(project.fs(), conn, md, *schema, plan, id.ToString()));
  LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", QuoteIdent(schema_name))));
  LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE OR REPLACE VIEW {}.{} AS {}", QuoteIdent(schema_name),
                                             QuoteIdent(table_name), rows_sql)));
  TableScanInfo info;
  info.table = id;
  info.snapshot_id = snap ? snap->snapshot_id : 0;
  info.planned_files = static_cast<int64_t>(plan.files.size());
  info.total_files = plan.total_files;
  info.predicates = static_cast<int>(preds.size());
  return info;
}

// Catalog tables whose name appears in the text of `sql` (case-insensitive, plain or quoted).
Result<std::vector<catalog::TableIdentifier>> TablesNamedIn(Project& project, const std::string& sql) {
  std::vector<catalog::TableIdentifier> out;
  std::string lower = LowerStr(sql);
  LDP_ASSIGN_OR_RAISE(auto namespaces, project.catalog().ListNamespaces({}));
  for (size_t i = 0; i < namespaces.size(); ++i) {
    LDP_ASSIGN_OR_RAISE(auto children, project.catalog().ListNamespaces(namespaces[i]));
    namespaces.insert(namespaces.end(), children.begin(), children.end());
  }
  for (const auto& ns : namespaces) {
    LDP_ASSIGN_OR_RAISE(auto tables, project.catalog().ListTables(ns));
    for (const auto& t : tables) {
      std::string plain = LowerStr(t.ToString());
      std::string quoted = LowerStr(QuoteIdent(catalog::NamespaceToString(t.ns)) + "." + QuoteIdent(t.name));
      if (lower.find(plain) != std::string::npos || lower.find(quoted) != std::string::npos) out.push_back(t);
    }
  }
  return out;
}

bool HasWord(const std::string& lower_sql, const std::string& word) {
  for (size_t pos = lower_sql.find(word); pos != std::string::npos; pos = lower_sql.find(word, pos + 1)) {
    bool left = pos == 0 || !(std::isalnum(static_cast<unsigned char>(lower_sql[pos - 1])) || lower_sql[pos - 1] == '_');
    size_t end = pos + word.size();
    bool right = end >= lower_sql.size() || !(std::isalnum(static_cast<unsigned char>(lower_sql[end])) || lower_sql[end] == '_');
    if (left && right) return true;
  }
  return false;
}

Result<std::vector<TableScanInfo>> PrepareTablesImpl(Project& project, engine::Connection& conn, const std::string& sql,
                                                     const QueryPrefetch* prefetch, bool parse,
                                                     const std::string& as_of) {
  std::vector<TableScanInfo> out;
  std::vector<TableRef> refs;
  std::map<RefKey, std::vector<std::pair<std::string, const json*>>> filters;
  json parsed;
  if (!parse && prefetch) {
    // Nothing to prune without a WHERE clause: the tables named in the text are the references.
    for (const auto& [id, pre] : *prefetch) refs.push_back({catalog::NamespaceToString(id.ns), id.name, ""});
  } else {
    LDP_ASSIGN_OR_RAISE(auto ser, conn.QueryScalar(fmt::format("SELECT json_serialize_sql({})", QuoteLiteral(sql))));
    parsed = json::parse(ser.value_or("{}"), nullptr, false);
    if (parsed.is_discarded()) return Internal("cannot read DuckDB's parse of the query");
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_boolean() && parsed["error"].get<bool>()) {
      std::string type = Str(parsed, "error_type");
      std::string msg = Str(parsed, "error_message");
      if (type == "parser") return InvalidArgument("SQL: {}", msg);
      // Not a SELECT (COPY, CREATE ...): find catalog tables named in the text instead.
      LDP_ASSIGN_OR_RAISE(auto named, TablesNamedIn(project, sql));
      for (const auto& t : named) refs.push_back({catalog::NamespaceToString(t.ns), t.name, ""});
    } else {
      CollectRefs(parsed, &refs);
      CollectFilters(parsed, &filters);
    }
  }
  std::map<RefKey, int> counts;
  for (const auto& r : refs)
    if (!IsBuiltinSchema(r.schema_name)) counts[{r.schema_name, r.table_name}]++;
  for (const auto& [key, n] : counts) {
    LDP_ASSIGN_OR_RAISE(catalog::Namespace ns, catalog::ParseNamespace(key.schema));
    // `ns."table@<snapshot|ref|time>"` reads that version of the table (docs/adr/0009); the view
    // keeps the suffixed name, so several versions can meet in one statement.
    auto [name, suffix] = SplitTravelSuffix(key.table);
    catalog::TableIdentifier id{ns, name};
    auto f = filters.find(key);
    // A table read in several places is not pruned: one view serves every reference.
    const auto* flt = (n == 1 && f != filters.end()) ? &f->second : nullptr;
    LDP_ASSIGN_OR_RAISE(TableScanInfo info, PrepareOne(project, conn, id, key.schema, key.table, flt, prefetch,
                                                       suffix.empty() ? as_of : suffix, suffix.empty()));
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

Result<std::vector<iceberg::ColumnPredicate>> PredicatesForWhere(engine::Connection& conn, const iceberg::Schema& schema,
                                                                  const std::string& where) {
  const std::string table = "__ldp_where_table";
  LDP_ASSIGN_OR_RAISE(auto ser, conn.QueryScalar(fmt::format("SELECT json_serialize_sql({})",
                                                             QuoteLiteral(fmt::format("SELECT * FROM {} WHERE ({})", table, where)))));
  json parsed = json::parse(ser.value_or("{}"), nullptr, false);
  if (parsed.is_discarded()) return Internal("cannot read DuckDB's parse of the predicate");
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_boolean() && parsed["error"].get<bool>())
    return InvalidArgument("cannot parse predicate '{}': {}", where, Str(parsed, "error_message"));
  const json& stmts = At(parsed, "statements");
  if (!stmts.is_array() || stmts.size() != 1) return InvalidArgument("predicate '{}' is not one SQL expression", where);
  std::map<RefKey, std::vector<std::pair<std::string, const json*>>> filters;
  CollectFilters(parsed, &filters);
  std::vector<iceberg::ColumnPredicate> preds;
  auto it = filters.find(RefKey{"", table});
  if (it != filters.end() && it->second.size() == 1 && it->second[0].second)
    ExtractPredicates(*it->second[0].second, schema, "", table, &preds);
  return preds;
}

Result<QueryPrefetch> PrefetchTables(Project& project, const std::string& sql, const std::string& as_of) {
  QueryPrefetch out;
  LDP_ASSIGN_OR_RAISE(auto named, TablesNamedIn(project, sql));
  for (const auto& id : named) {
    LDP_ASSIGN_OR_RAISE(LoadedTable t, LoadTable(project, id));
    const iceberg::Snapshot* snap = t.metadata->CurrentSnapshot();
    if (!as_of.empty()) {
      LDP_ASSIGN_OR_RAISE(snap, ResolveSnapshot(*t.metadata, id.ToString(), as_of));
    }
    auto plan = iceberg::PlanScan(project.fs(), *t.metadata, snap, {});
    if (!plan.ok()) return plan.status().WithContext(fmt::format("planning scan of {}", id.ToString()));
    out[id] = PrefetchedTable{std::move(t), std::move(*plan)};
  }
  return out;
}

// Whether the statement must go through DuckDB's parser: always without a prefetch; with one, only
// when a WHERE clause could prune a table of several data files (one file is never worth pruning:
// DuckDB skips its row groups by their statistics anyway).
bool NeedsParse(const std::string& sql, const QueryPrefetch* prefetch) {
  if (!prefetch || prefetch->empty()) return true;
  if (sql.find('@') != std::string::npos) return true;  // a time-travel suffix only the parser finds
  if (!HasWord(LowerStr(sql), "where")) return false;
  for (const auto& [id, pre] : *prefetch)
    if (pre.plan.files.size() > 1) return true;
  return false;
}

Result<std::vector<TableScanInfo>> PrepareTables(Project& project, engine::Connection& conn, const std::string& sql,
                                                 const QueryPrefetch* prefetch, const std::string& as_of) {
  bool parse = NeedsParse(sql, prefetch);
  return PrepareTablesImpl(project, conn, sql, prefetch, parse, as_of);
}

Result<QueryOutcome> RunQuery(Project& project, engine::Connection& conn, const std::string& sql,
                              const QueryPrefetch* prefetch, const std::string& as_of) {
  QueryOutcome out;
  bool parse = NeedsParse(sql, prefetch);
  LDP_ASSIGN_OR_RAISE(out.scans, PrepareTablesImpl(project, conn, sql, prefetch, parse, as_of));
  auto result = conn.Query(sql);
  if (!result.ok() && !parse && result.status().message().find("Catalog Error") != std::string::npos) {
    // The text missed a reference (an unusual spelling of a name): resolve with DuckDB's parser.
    LDP_ASSIGN_OR_RAISE(out.scans, PrepareTablesImpl(project, conn, sql, prefetch, true, as_of));
    result = conn.Query(sql);
  }
  if (!result.ok()) return result.status();
  out.result = std::move(*result);
  return out;
}

Result<FileFormat> ParseFileFormat(const std::string& t) {
  if (t == "csv") return FileFormat::kCsv;
  if (t == "parquet") return FileFormat::kParquet;
  if (t == "json" || t == "ndjson") return FileFormat::kJson;
  return InvalidArgument("unknown format '{}' (use csv, parquet or json)", t);
}

namespace {
Result<ExportResult> CopyTo(engine::Connection& conn, const std::string& select, const std::string& path,
                            FileFormat format) {
  std::string options;
  switch (format) {
    case FileFormat::kCsv: options = "FORMAT csv, HEADER true"; break;
    case FileFormat::kParquet: options = "FORMAT parquet, COMPRESSION zstd"; break;
    case FileFormat::kJson: options = "FORMAT json"; break;
  }
  LDP_ASSIGN_OR_RAISE(auto r, conn.Query(fmt::format("COPY ({}) TO {} ({})", select, QuoteLiteral(path), options)));
  ExportResult out;
  out.path = path;
  out.format = format;
  if (!r.rows.empty() && r.rows[0][0]) out.rows = std::stoll(*r.rows[0][0]);
  return out;
}
}  // namespace

Result<ExportResult> ExportTable(Project& project, engine::Connection& conn, const catalog::TableIdentifier& table,
                                 const std::string& path, FileFormat format) {
  std::string schema_name = catalog::NamespaceToString(table.ns);
  LDP_ASSIGN_OR_RAISE(TableScanInfo info, PrepareOne(project, conn, table, schema_name, table.name, nullptr, nullptr));
  (void)info;
  auto r = CopyTo(conn, fmt::format("SELECT * FROM {}.{}", QuoteIdent(schema_name), QuoteIdent(table.name)),
                  path, format);
  if (!r.ok()) return r.status().WithContext(fmt::format("exporting {} to {}", table.ToString(), path));
  return r;
}

Result<ExportResult> ExportQuery(Project& project, engine::Connection& conn, const std::string& sql,
                                 const std::string& path, FileFormat format) {
  LDP_RETURN_NOT_OK(PrepareTables(project, conn, sql));
  auto r = CopyTo(conn, sql, path, format);
  if (!r.ok()) return r.status().WithContext(fmt::format("exporting query to {}", path));
  return r;
}

}  // namespace ldp::services
