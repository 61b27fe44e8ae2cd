#include "ldp/services/row_delta.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/chrono.h>

#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/row_delta.h"
#include "ldp/iceberg/scan.h"
#include "ldp/services/live_rows.h"
#include "ldp/services/local_copies.h"
#include "ldp/services/partitioned_write.h"
#include "ldp/services/sorted_write.h"
#include "ldp/services/query.h"

namespace ldp::services {
namespace stdfs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

Result<WriteMode> TableWriteMode(const iceberg::TableMetadata& md, const std::string& property) {
  std::string v = md.Property(property, "copy-on-write");
  if (v == "copy-on-write") return WriteMode::kCopyOnWrite;
  if (v == "merge-on-read") return WriteMode::kMergeOnRead;
  return InvalidArgument("table property {} is '{}' (use copy-on-write or merge-on-read)", property, v);
}

const char* WriteModeName(WriteMode mode) {
  return mode == WriteMode::kCopyOnWrite ? "copy-on-write" : "merge-on-read";
}

Result<std::vector<Assignment>> ParseAssignments(const std::string& set) {
  // A SET list is split by hand: DuckDB's json_serialize_sql only serialises SELECT statements,
  // so its parser cannot hand back the assignments of an UPDATE. Quotes and brackets are tracked
  // so that commas and '=' inside strings, identifiers and calls are not taken as separators.
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : set) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      depth++;
    } else if (c == ')' || c == ']' || c == '}') {
      depth--;
    } else if (c == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (quote || depth != 0) return InvalidArgument("--set '{}': unbalanced quotes or brackets", set);
  parts.push_back(cur);
  auto trim = [](std::string s) {
    size_t b = s.find_first_not_of(" \t\n\r"), e = s.find_last_not_of(" \t\n\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  std::vector<Assignment> out;
  for (const auto& p : parts) {
    // The first '=' outside quotes that is not part of <=, >=, != or ==.
    size_t eq = std::string::npos;
    char q = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      if (q) {
        if (p[i] == q) q = 0;
      } else if (p[i] == '\'' || p[i] == '"') {
        q = p[i];
      } else if (p[i] == '=') {
        eq = i;
        break;
      }
    }
    if (eq == std::string::npos) return InvalidArgument("--set: '{}' is not of the form column = expression", trim(p));
    std::string col = trim(p.substr(0, eq));
    std::string expr = trim(p.substr(eq + 1));
    if (col.size() >= 2 && col.front() == '"' && col.back() == '"') col = col.substr(1, col.size() - 2);
    if (col.empty() || expr.empty())
      return InvalidArgument("--set: '{}' is not of the form column = expression", trim(p));
    out.push_back({col, expr});
  }
  return out;
}

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const iceberg::NestedField* FindColumn(const iceberg::Schema& schema, const std::string& name) {
  for (const auto& f : schema.fields())
    if (Lower(f.name) == Lower(name)) return &f;
  return nullptr;
}

enum class Kind { kDelete, kUpdate, kMerge, kOverwrite };

struct Operation {
  Kind kind = Kind::kDelete;
  std::string where;
  std::vector<Assignment> set;
  std::vector<std::string> keys;
  std::string source_sql;
  std::string branch = iceberg::kMainBranch;
};

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kDelete: return "delete";
    case Kind::kUpdate: return "update";
    case Kind::kMerge: return "merge";
    case Kind::kOverwrite: return "overwrite";
  }
  return "";
}

const char* ModeProperty(Kind k) {
  switch (k) {
    case Kind::kUpdate: return "write.update.mode";
    case Kind::kMerge: return "write.merge.mode";
    default: return "write.delete.mode";  // delete, and overwrite --where (a delete plus an append)
  }
}

// The condition a live row must meet to be affected (not for merge, which joins on keys).
std::string MatchCondition(const Operation& op) {
  return op.where.empty() ? "TRUE" : fmt::format("({}) IS TRUE", op.where);
}

std::string KeyJoin(const std::vector<std::string>& keys, const std::string& l, const std::string& r) {
  std::string on;
  for (const auto& k : keys) on += fmt::format("{}{}.{} = {}.{}", on.empty() ? "" : " AND ", l, QuoteIdent(k), r, QuoteIdent(k));
  return on;
}

// SQL of the rows of `plan` (deletes applied) that `op` affects, as (file, pos[, keys...]).
std::string HitsSql(const Operation& op, const std::string& live) {
  if (op.kind == Kind::kMerge) {
    std::string keys;
    for (const auto& k : op.keys) keys += ", l." + QuoteIdent(k);
    return fmt::format("SELECT l.{} AS f, l.{} AS pos{} FROM ({}) l SEMI JOIN __ldp_src s ON {}", kRowFileColumn,
                       kRowPosColumn, keys, live, KeyJoin(op.keys, "l", "s"));
  }
  return fmt::format("SELECT {} AS f, {} AS pos FROM ({}) WHERE {}", kRowFileColumn, kRowPosColumn, live,
                     MatchCondition(op));
}

std::string ColumnList(const iceberg::Schema& schema, const std::string& prefix) {
  std::string cols;
  for (const auto& f : schema.fields()) cols += (cols.empty() ? "" : ", ") + prefix + QuoteIdent(f.name);
  return cols;
}

iceberg::ScanPlan SubPlan(const iceberg::ScanPlan& plan, const std::set<std::string>& local_paths) {
  std::vector<size_t> indexes;
  for (size_t i = 0; i < plan.files.size(); ++i)
    if (local_paths.count(io::ToLocalPath(plan.files[i].file_path))) indexes.push_back(i);
  return iceberg::SubPlan(plan, indexes);
}

int64_t ToInt(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

// Metrics of a position delete file ldp wrote: counts and bounds of file_path and pos.
Result<iceberg::DataFile> PositionDeleteFile(Project& project, engine::Connection& conn, const std::string& local) {
  LDP_ASSIGN_OR_RAISE(auto r, conn.Query(fmt::format(
                                  "SELECT count(*), min(file_path), max(file_path), min(pos), max(pos) FROM read_parquet({})",
                                  QuoteLiteral(local))));
  iceberg::DataFile df;
  df.content = iceberg::FileContent::kPositionDeletes;
  df.file_path = io::ToFileUri(local);
  df.record_count = ToInt(r.rows[0][0]);
  LDP_ASSIGN_OR_RAISE(df.file_size_in_bytes, project.fs().FileSize(local));
  for (int32_t id : {iceberg::kDeleteFilePathFieldId, iceberg::kDeletePosFieldId}) {
    df.value_counts[id] = df.record_count;
    df.null_value_counts[id] = 0;
  }
  // file_path bounds are kept whole (not truncated): readers match data files against them.
  df.lower_bounds[iceberg::kDeleteFilePathFieldId] = r.rows[0][1].value_or("");
  df.upper_bounds[iceberg::kDeleteFilePathFieldId] = r.rows[0][2].value_or("");
  auto long_type = iceberg::Type::Primitive(iceberg::TypeId::kLong);
  df.lower_bounds[iceberg::kDeletePosFieldId] =
      iceberg::EncodeLiteral(*long_type, iceberg::Literal{iceberg::TypeId::kLong, ToInt(r.rows[0][3])});
  df.upper_bounds[iceberg::kDeletePosFieldId] =
      iceberg::EncodeLiteral(*long_type, iceberg::Literal{iceberg::TypeId::kLong, ToInt(r.rows[0][4])});
  return df;
}

struct Written {
  std::string write_id;
  std::string data_dir;
  std::vector<std::string> delete_files;  // local paths
  std::vector<std::string> manifests;
  std::string staging_dir;          // partitioned writes: DuckDB's PARTITION_BY output
  std::vector<std::string> placed;  // partitioned files moved into data/<field>=<value>/
};

void RemoveWritten(Project& project, const Written& w) {
  auto listing = project.fs().List(w.data_dir);
  if (listing.ok()) {
    for (const auto& fi : *listing) {
      std::string base = stdfs::path(fi.path).filename().string();
      if (!w.write_id.empty() && base.rfind(w.write_id, 0) == 0) (void)project.fs().Delete(fi.path);
    }
  }
  for (const auto& d : w.delete_files) (void)project.fs().Delete(d);
  for (const auto& m : w.manifests) (void)project.fs().Delete(m);
  if (!w.staging_dir.empty()) {
    std::error_code ec;
    stdfs::remove_all(w.staging_dir, ec);
  }
  for (const auto& p : w.placed) (void)project.fs().Delete(p);  // also uploaded copies (ADR 0018)
  RemoveFilesAndEmptyFolders(w.placed, w.data_dir);
}

// After a lost race: whether the commits between `base` and `now` conflict with `op`, which
// changed rows of `affected` (data file URIs). OK means the snapshot may be rebuilt on `now`.
Status ValidateConcurrent(Project& project, engine::Connection& conn, const Operation& op, const LoadedTable& base,
                          const LoadedTable& now, const std::set<std::string>& affected) {
  const std::string name = base.id.ToString();
  if (now.metadata->current_schema_id != base.metadata->current_schema_id)
    return CommitFailed("table {} changed schema during the {}; run it again", name, KindName(op.kind));
  // Validated against the head of the branch written to: commits to other branches never conflict.
  if (op.branch != iceberg::kMainBranch && !iceberg::BranchHead(*now.metadata, op.branch))
    return CommitFailed("table {}: branch '{}' was dropped during the {}", name, op.branch, KindName(op.kind));
  LDP_ASSIGN_OR_RAISE(auto changes, iceberg::ChangesBetween(project.fs(), iceberg::BranchHead(*base.metadata, op.branch),
                                                           iceberg::BranchHead(*now.metadata, op.branch)));
  for (const auto& uri : affected)
    if (changes.removed_data.count(uri))
      return CommitFailed("table {}: a concurrent commit rewrote or removed data file {} that this {} changes; run it again",
                          name, uri, KindName(op.kind));
  std::vector<iceberg::DataFile> unknown_targets;
  for (const auto& d : changes.added_deletes) {
    if (d.content == iceberg::FileContent::kEqualityDeletes)
      return CommitFailed("table {}: a concurrent commit added equality deletes; run the {} again", name, KindName(op.kind));
    if (d.referenced_data_file) {
      if (affected.count(*d.referenced_data_file))
        return CommitFailed("table {}: a concurrent commit deleted rows of data file {} that this {} changes; run it again",
                            name, *d.referenced_data_file, KindName(op.kind));
    } else {
      unknown_targets.push_back(d);
    }
  }
  if (!unknown_targets.empty() && !affected.empty()) {
    std::string in;
    for (const auto& a : affected) in += (in.empty() ? "" : ", ") + QuoteLiteral(a);
    LDP_RETURN_NOT_OK(MakeFilesLocal(project.fs(), unknown_targets));
    LDP_ASSIGN_OR_RAISE(auto n, conn.QueryScalar(fmt::format("SELECT count(*) FROM read_parquet({}, union_by_name = true) WHERE file_path IN ({})",
                                                             LocalFileList(unknown_targets), in)));
    if (ToInt(n) > 0)
      return CommitFailed("table {}: a concurrent commit deleted rows in data files this {} changes; run it again", name,
                          KindName(op.kind));
  }
  if (!changes.added_data.empty()) {
    // Serializable: rows appended meanwhile that the operation would have changed are a conflict.
    iceberg::ScanPlan plan;
    plan.files = changes.added_data;
    LDP_RETURN_NOT_OK(MakeFilesLocal(project.fs(), plan.files));
    plan.data_sequence_numbers.assign(plan.files.size(), 0);
    iceberg::SchemaPtr schema = now.metadata->CurrentSchema();
    std::string live = LiveRowsSql(*schema, plan, now.metadata->schemas.size() > 1, false, now.metadata.get());
    std::string sql = op.kind == Kind::kMerge
                          ? fmt::format("SELECT count(*) FROM ({}) l SEMI JOIN __ldp_src s ON {}", live, KeyJoin(op.keys, "l", "s"))
                          : fmt::format("SELECT count(*) FROM ({}) WHERE {}", live, MatchCondition(op));
    LDP_ASSIGN_OR_RAISE(auto n, conn.QueryScalar(sql));
    if (ToInt(n) > 0)
      return CommitFailed("table {}: a concurrent commit added {} row(s) that this {} would change; run it again", name,
                          ToInt(n), KindName(op.kind));
  }
  return Status::OK();
}

Result<RowDeltaResult> Run(Project& project, engine::Connection& conn, LoadedTable table, const Operation& op) {
  RowDeltaResult result;
  result.table = table.id;
  result.operation = KindName(op.kind);
  const std::string name = table.id.ToString();
  const iceberg::TableMetadata& md = *table.metadata;
  iceberg::SchemaPtr schema = md.CurrentSchema();
  if (!schema) return Internal("table {} has no current schema", name);
  const bool by_field_id = md.schemas.size() > 1;
  LDP_ASSIGN_OR_RAISE(result.mode, TableWriteMode(md, ModeProperty(op.kind)));
  const iceberg::PartitionSpec* default_spec = md.DefaultSpec();
  if (!default_spec) return Internal("table {} has no default partition spec", name);
  const bool partitioned = !default_spec->fields.empty();

  // ---- validation: nothing is written before every input binds --------------------------------
  std::vector<iceberg::ColumnPredicate> preds;
  if (!op.where.empty()) {
    auto p = PredicatesForWhere(conn, *schema, op.where);
    if (!p.ok()) return InvalidArgument("table {}: --where: {}", name, p.status().message());
    preds = std::move(*p);
  }
  LDP_RETURN_NOT_OK(iceberg::CheckWritableBranch(md, op.branch).WithContext(fmt::format("table {}", name)));
  auto planned = iceberg::PlanScan(project.fs(), md, iceberg::BranchHead(md, op.branch), preds);
  if (!planned.ok()) return planned.status().WithContext(fmt::format("planning scan of {}", name));
  iceberg::ScanPlan plan = std::move(*planned);
  LDP_RETURN_NOT_OK(MakePlanLocal(project.fs(), plan).WithContext(fmt::format("reading table {}", name)));
  result.files_scanned = static_cast<int64_t>(plan.files.size());
  result.total_files = plan.total_files;
  const std::string live = LiveRowsSql(*schema, plan, by_field_id, true, &md);
  LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE OR REPLACE TEMP VIEW __ldp_live AS {}", live)));
  if (!op.where.empty()) {
    auto bound = conn.Query(fmt::format("SELECT count(*) FROM (SELECT * FROM __ldp_live LIMIT 0) WHERE {}", MatchCondition(op)));
    if (!bound.ok()) return InvalidArgument("table {}: --where '{}': {}", name, op.where, bound.status().message());
  }
  std::string new_rows;  // SELECT of the rows to add, with the table's columns
  if (op.kind == Kind::kUpdate) {
    std::map<int32_t, std::string> assigned;
    for (const auto& a : op.set) {
      const iceberg::NestedField* f = FindColumn(*schema, a.column);
      if (!f) return InvalidArgument("table {}: --set names column '{}', which is not in the table", name, a.column);
      if (assigned.count(f->id)) return InvalidArgument("table {}: --set assigns column '{}' twice", name, f->name);
      assigned[f->id] = a.expression;
    }
    std::string cols;
    for (const auto& f : schema->fields()) {
      auto it = assigned.find(f.id);
      cols += cols.empty() ? "" : ", ";
      cols += it == assigned.end() ? QuoteIdent(f.name)
                                   : fmt::format("CAST(({}) AS {}) AS {}", it->second, iceberg::ToDuckType(*f.type), QuoteIdent(f.name));
    }
    auto bound = conn.Query(fmt::format("SELECT {} FROM (SELECT * FROM __ldp_live LIMIT 0)", cols));
    if (!bound.ok()) {
      std::string text;
      for (const auto& a : op.set) text += fmt::format("{}{} = {}", text.empty() ? "" : ", ", a.column, a.expression);
      return InvalidArgument("table {}: --set '{}': {}", name, text, bound.status().message());
    }
    new_rows = fmt::format("SELECT {} FROM __ldp_live WHERE {}", cols, MatchCondition(op));
  }
  int64_t source_rows = 0;
  if (op.kind == Kind::kMerge || op.kind == Kind::kOverwrite) {
    LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE OR REPLACE TEMP VIEW __ldp_src AS {}", op.source_sql)));
    if (op.kind == Kind::kMerge) {
      if (op.keys.empty()) return InvalidArgument("merge into {} needs --key COLUMN[,COLUMN]", name);
      std::string keys;
      for (const auto& k : op.keys) {
        const iceberg::NestedField* f = FindColumn(*schema, k);
        if (!f) return InvalidArgument("table {}: --key names column '{}', which is not in the table", name, k);
        if (!f->type->is_primitive()) return InvalidArgument("table {}: --key column '{}' is not a primitive column", name, k);
        keys += (keys.empty() ? "" : ", ") + QuoteIdent(f->name);
      }
      LDP_ASSIGN_OR_RAISE(auto dup, conn.Query(fmt::format(
                                        "SELECT {0}, count(*) AS n FROM __ldp_src GROUP BY {0} HAVING count(*) > 1 LIMIT 1", keys)));
      if (!dup.rows.empty()) {
        std::string key;
        for (size_t i = 0; i < op.keys.size(); ++i)
          key += fmt::format("{}{} = {}", i ? ", " : "", op.keys[i], dup.rows[0][i].value_or("NULL"));
        return InvalidArgument("merge into {}: the source has {} rows with key ({}); keys must be unique", name,
                               *dup.rows[0][op.keys.size()], key);
      }
    } else {
      LDP_ASSIGN_OR_RAISE(auto outside, conn.QueryScalar(fmt::format("SELECT count(*) FROM __ldp_src WHERE ({}) IS NOT TRUE", op.where)));
      if (ToInt(outside) > 0)
        return InvalidArgument("overwrite of {} --where '{}': {} source row(s) do not match the predicate", name, op.where,
                               ToInt(outside));
    }
    LDP_ASSIGN_OR_RAISE(auto n, conn.QueryScalar("SELECT count(*) FROM __ldp_src"));
    source_rows = ToInt(n);
    new_rows = "SELECT * FROM __ldp_src";
  }

  // ---- the affected rows ---------------------------------------------------------------------
  LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE OR REPLACE TEMP TABLE __ldp_hits AS {}", HitsSql(op, "SELECT * FROM __ldp_live"))));
  LDP_ASSIGN_OR_RAISE(auto per_file, conn.Query("SELECT f, count(*) FROM __ldp_hits GROUP BY f"));
  std::set<std::string> affected_local, affected_uris;
  int64_t matched = 0;
  std::map<std::string, const iceberg::DataFile*> by_local;
  for (const auto& f : plan.files) by_local[io::ToLocalPath(f.file_path)] = &f;
  for (const auto& row : per_file.rows) {
    auto it = by_local.find(row[0].value_or(""));
    if (it == by_local.end()) return Internal("row of unknown data file {}", row[0].value_or(""));
    affected_local.insert(it->first);
    affected_uris.insert(it->second->file_path);
    matched += ToInt(row[1]);
  }
  switch (op.kind) {
    case Kind::kDelete: result.rows_deleted = matched; break;
    case Kind::kUpdate: result.rows_updated = matched; break;
    case Kind::kOverwrite:
      result.rows_deleted = matched;
      result.rows_inserted = source_rows;
      break;
    case Kind::kMerge: {
      std::string keys;
      for (const auto& k : op.keys) keys += (keys.empty() ? "" : ", ") + QuoteIdent(k);
      LDP_ASSIGN_OR_RAISE(auto n, conn.QueryScalar(fmt::format("SELECT count(*) FROM (SELECT DISTINCT {} FROM __ldp_hits)", keys)));
      result.rows_deleted = matched;
      result.rows_updated = ToInt(n);
      result.rows_inserted = source_rows - result.rows_updated;
      break;
    }
  }
  if (matched == 0 && source_rows == 0) {
    result.metadata_location = table.metadata_location;
    return result;  // nothing to change
  }

  // ---- write ---------------------------------------------------------------------------------
  Written w;
  w.write_id = fmt::format("{:%Y%m%d-%H%M%S}-{}", fmt::localtime(std::time(nullptr)), iceberg::NewUuid().substr(0, 8));
  w.data_dir = io::ToLocalPath(iceberg::TableDataDir(md));
  LDP_RETURN_NOT_OK(project.fs().CreateDirs(w.data_dir));
  auto fail = [&](const Status& st) {
    RemoveWritten(project, w);
    return st;
  };
  std::vector<std::string> data_selects;
  std::vector<iceberg::DataFile> delete_files;
  if (result.mode == WriteMode::kCopyOnWrite) {
    if (!affected_local.empty()) {
      std::string rest = LiveRowsSql(*schema, SubPlan(plan, affected_local), by_field_id, true, &md);
      data_selects.push_back(fmt::format("SELECT {} FROM ({}) l ANTI JOIN __ldp_hits h ON l.{} = h.f AND l.{} = h.pos",
                                         ColumnList(*schema, "l."), rest, kRowFileColumn, kRowPosColumn));
    }
  } else if (matched > 0) {
    // One position delete file per affected data file (Java's "file" delete granularity): it
    // carries that file's partition and names it in referenced_data_file.
    int n = 0;
    for (const auto& f : plan.files) {
      std::string local = io::ToLocalPath(f.file_path);
      if (!affected_local.count(local)) continue;
      std::string path = fmt::format("{}/del-{}-{}.parquet", w.data_dir, w.write_id, n++);
      w.delete_files.push_back(path);
      Status st = conn.Execute(fmt::format(
          "COPY (SELECT {} AS file_path, pos FROM __ldp_hits WHERE f = {} ORDER BY pos) TO {} "
          "(FORMAT parquet, COMPRESSION zstd, FIELD_IDS {{file_path: {}, pos: {}}})",
          QuoteLiteral(f.file_path), QuoteLiteral(local), QuoteLiteral(path), iceberg::kDeleteFilePathFieldId,
          iceberg::kDeletePosFieldId));
      if (!st.ok()) return fail(st.WithContext(fmt::format("writing position deletes for {}", name)));
      auto del = PositionDeleteFile(project, conn, path);
      if (!del.ok()) return fail(del.status());
      // The data file's spec and partition, also when it was written under an older spec: the
      // spec matches position deletes to data files by both (spec "Scan Planning").
      del->spec_id = f.spec_id;
      del->partition = f.partition;
      del->referenced_data_file = f.file_path;
      delete_files.push_back(std::move(*del));
    }
  }
  if (!new_rows.empty()) data_selects.push_back(new_rows);
  std::vector<iceberg::DataFile> added_data;
  if (!data_selects.empty()) {
    std::string select = data_selects[0];
    if (data_selects.size() > 1) select = fmt::format("{} UNION ALL {}", data_selects[0], data_selects[1]);
    std::vector<std::string> files;
    std::map<std::string, std::vector<iceberg::PartitionValue>> tuples;  // by local path
    if (partitioned) {
      // As `ldp ingest` writes a partitioned table (partitioned_write.h): the kept and new rows
      // go by the table's current default spec, whatever spec the rewritten files had.
      auto keys = BuildPartitionKeys(*schema, *default_spec, select);
      if (!keys.ok()) return fail(keys.status());
      Status reg = RegisterPartitionFunctions(conn);
      if (!reg.ok()) return fail(reg);
      std::string by;
      for (const auto& k : keys->key_columns) by += (by.empty() ? "" : ", ") + QuoteIdent(k);
      w.staging_dir = fmt::format("{}/.ldp-staging-{}", w.data_dir, w.write_id);
      int64_t partition_count = 0;
      auto source = PartitionedWriteSource(conn, *keys, !project.config().memory_limit.empty(), &partition_count);
      if (!source.ok()) return fail(source.status().WithContext(fmt::format("{} of {}", KindName(op.kind), name)));
      // DuckDB 1.4 cannot combine FILE_SIZE_BYTES and PARTITION_BY (see services/ingest.cc).
      Status st = conn.Execute(fmt::format(
          "COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {}, FILENAME_PATTERN '{}-{{i}}-{{uuid}}'{})",
          *source, QuoteLiteral(w.staging_dir), iceberg::DuckFieldIdsClause(*schema), w.write_id,
          by.empty() ? ", FILE_SIZE_BYTES " + std::to_string(TargetFileSize(project, md))
                     : ", PARTITION_BY (" + by + ")"));
      if (!st.ok()) return fail(st.WithContext(fmt::format("{} of {}", KindName(op.kind), name)));
      auto moved = PlaceStagedFiles(w.staging_dir, w.data_dir, *schema, *default_spec, &w.placed);
      std::error_code ec;
      stdfs::remove_all(w.staging_dir, ec);
      if (!moved.ok()) return fail(moved.status().WithContext("placing partitioned files"));
      for (auto& pf : *moved) {
        files.push_back(pf.local_path);
        tuples[pf.local_path] = std::move(pf.partition);
      }
    } else {
      // Kept and new rows in the table's sort order, as `ldp ingest` writes them (sorted_write.h).
      // Partitioned rewrites above cannot keep an order (DuckDB's PARTITION_BY writer reorders row
      // groups), so their files claim none and compaction sorts them.
      auto order_by = SortOrderByClause(conn, md, *schema);
      if (!order_by.ok()) return fail(order_by.status().WithContext(fmt::format("{} of {}", KindName(op.kind), name)));
      Status st = conn.Execute(fmt::format(
          "COPY (SELECT * FROM ({}){}) TO {} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {}, FILE_SIZE_BYTES {}, "
          "FILENAME_PATTERN '{}-{{i}}-{{uuid}}', APPEND)",
          select, *order_by, QuoteLiteral(w.data_dir), iceberg::DuckFieldIdsClause(*schema), TargetFileSize(project, md),
          w.write_id));
      if (!st.ok()) return fail(st.WithContext(fmt::format("{} of {}", KindName(op.kind), name)));
      auto listing = project.fs().List(w.data_dir);
      if (!listing.ok()) return fail(listing.status());
      for (const auto& fi : *listing) {
        std::string base = stdfs::path(fi.path).filename().string();
        if (base.rfind(w.write_id, 0) == 0) files.push_back(io::ToLocalPath(fi.path));
      }
    }
    auto collected = CollectDataFiles(conn, *schema, files);
    if (!collected.ok()) return fail(collected.status().WithContext("reading metrics of written files"));
    for (auto& df : *collected) {
      df.spec_id = default_spec->spec_id;
      if (!partitioned) df.sort_order_id = WrittenSortOrderId(md);
      if (partitioned) {
        auto t = tuples.find(io::ToLocalPath(df.file_path));
        if (t == tuples.end()) return fail(Internal("no partition values for written file {}", df.file_path));
        df.partition = t->second;
      }
      if (df.record_count == 0) {
        (void)project.fs().Delete(df.file_path);
        continue;
      }
      added_data.push_back(std::move(df));
    }
  }

  iceberg::RowDelta delta;
  delta.branch = op.branch;
  delta.added_data = added_data;
  int64_t snapshot_id = iceberg::NewSnapshotId();
  delta.added_deletes = std::move(delete_files);
  if (result.mode == WriteMode::kCopyOnWrite) {
    delta.removed_data_files = affected_uris;
    // Position deletes that only name a removed file go with it.
    for (const auto& d : plan.delete_files)
      if (d.file.referenced_data_file && affected_uris.count(*d.file.referenced_data_file))
        delta.removed_delete_files.insert(d.file.file_path);
  }
  result.files_rewritten = static_cast<int64_t>(delta.removed_data_files.size());
  result.data_files_added = static_cast<int64_t>(delta.added_data.size());
  result.delete_files_added = static_cast<int64_t>(delta.added_deletes.size());
  if (!delta.added_data.empty()) {
    auto m = iceberg::WriteAddedManifest(project.fs(), md, snapshot_id, delta.added_data);
    if (!m.ok()) return fail(m.status().WithContext("writing manifest"));
    w.manifests.push_back(m->manifest_path);
    delta.added_data_manifest = *m;
  }
  if (!delta.added_deletes.empty()) {
    // One delete manifest per partition spec of the files deleted from.
    std::map<int32_t, std::vector<iceberg::DataFile>> by_spec;
    for (const auto& d : delta.added_deletes) by_spec[d.spec_id].push_back(d);
    for (const auto& [spec_id, dels] : by_spec) {
      const iceberg::PartitionSpec* spec = md.SpecById(spec_id);
      if (!spec) return fail(Internal("table {}: data files of unknown partition spec {}", name, spec_id));
      auto m = spec_id == default_spec->spec_id ? iceberg::WriteAddedDeleteManifest(project.fs(), md, snapshot_id, dels)
                                                : iceberg::WriteAddedDeleteManifest(project.fs(), md, snapshot_id, dels, *spec);
      if (!m.ok()) return fail(m.status().WithContext("writing delete manifest"));
      w.manifests.push_back(m->manifest_path);
      if (spec_id == default_spec->spec_id) {
        delta.added_delete_manifest = *m;
      } else {
        delta.added_delete_manifests_older_specs.push_back(*m);
      }
    }
  }

  // ---- commit --------------------------------------------------------------------------------
  const LoadedTable start = table;
  auto committed = CommitWithRetry(
      project, table, name, &result.commit_attempts,
      [&](const iceberg::TableMetadata& base) -> Result<iceberg::PendingSnapshot> {
        auto pending = iceberg::ProduceRowDelta(project.fs(), base, snapshot_id, delta, NowMs());
        if (pending.ok()) return pending;
        Status st = pending.status();
        if (st.code() == ErrorCode::kCommitFailed)
          st = CommitFailed("table {}: {}; run the {} again", name, st.message(), KindName(op.kind));
        return st.WithContext(fmt::format("preparing snapshot of {}", name));
      },
      [&](LoadedTable& reloaded) { return ValidateConcurrent(project, conn, op, start, reloaded, affected_uris); });
  if (!committed.ok()) {
    if (committed.status().code() == ErrorCode::kCommitStateUnknown) return committed.status();
    return fail(committed.status());
  }
  result.committed = true;
  result.snapshot_id = snapshot_id;
  result.metadata_location = committed->metadata_location;
  return result;
}

}  // namespace

Result<RowDeltaResult> DeleteRows(Project& project, engine::Connection& conn, const catalog::TableIdentifier& table,
                                  const std::string& where, const std::string& branch) {
  if (where.empty()) return InvalidArgument("delete from {} needs --where PREDICATE", table.ToString());
  LDP_ASSIGN_OR_RAISE(LoadedTable t, LoadTable(project, table));
  Operation op;
  op.kind = Kind::kDelete;
  op.where = where;
  op.branch = branch;
  return Run(project, conn, std::move(t), op);
}

Result<RowDeltaResult> UpdateRows(Project& project, engine::Connection& conn, const catalog::TableIdentifier& table,
                                  const std::string& set, const std::string& where, const std::string& branch) {
  LDP_ASSIGN_OR_RAISE(auto assignments, ParseAssignments(set));
  LDP_ASSIGN_OR_RAISE(LoadedTable t, LoadTable(project, table));
  Operation op;
  op.kind = Kind::kUpdate;
  op.where = where;
  op.set = std::move(assignments);
  op.branch = branch;
  return Run(project, conn, std::move(t), op);
}

Result<IngestResult> IngestRowDelta(Project& project, engine::Connection& conn, const IngestOptions& options,
                                    const std::string& source_sql, const LoadedTable& table, IngestResult result) {
  Operation op;
  op.source_sql = source_sql;
  op.branch = options.branch;
  if (options.mode == IngestMode::kMerge) {
    if (!options.where.empty()) return InvalidArgument("--where goes with --mode replace, not merge");
    op.kind = Kind::kMerge;
    op.keys = options.keys;
  } else if (options.mode == IngestMode::kOverwrite) {
    op.kind = Kind::kOverwrite;
    op.where = options.where;
  } else {
    return InvalidArgument("--where goes with --mode replace");
  }
  LDP_ASSIGN_OR_RAISE(RowDeltaResult r, Run(project, conn, table, op));
  result.committed = r.committed;
  result.snapshot_id = r.snapshot_id;
  result.commit_attempts = r.commit_attempts;
  result.metadata_location = r.metadata_location;
  result.write_mode = WriteModeName(r.mode);
  result.rows = r.rows_inserted + r.rows_updated;
  result.rows_deleted = r.rows_deleted;
  result.rows_updated = r.rows_updated;
  result.rows_inserted = r.rows_inserted;
  result.files_rewritten = r.files_rewritten;
  result.delete_files = r.delete_files_added;
  result.data_files = r.data_files_added;
  return result;
}

}  // namespace ldp::services
