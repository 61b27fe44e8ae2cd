#include "ldp/services/ingest.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <ctime>
#include <fmt/chrono.h>
#include <thread>

#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/schema_update.h"
#include "ldp/iceberg/snapshot_update.h"
#include "ldp/iceberg/sort_order.h"
#include "ldp/services/row_delta.h"
#include "ldp/services/partitioned_write.h"
#include "ldp/services/sorted_write.h"
#include "ldp/services/source_ingest.h"
#include "ldp/services/tables.h"

namespace ldp::services {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

Result<SourceFormat> ParseSourceFormat(const std::string& t) {
  if (t.empty() || t == "auto") return SourceFormat::kAuto;
  if (t == "parquet") return SourceFormat::kParquet;
  if (t == "csv") return SourceFormat::kCsv;
  if (t == "json" || t == "ndjson" || t == "jsonl") return SourceFormat::kJson;
  return InvalidArgument("unknown --format '{}' (use parquet, csv or json)", t);
}

Result<IngestMode> ParseIngestMode(const std::string& t) {
  if (t.empty() || t == "append") return IngestMode::kAppend;
  // "overwrite" is the deprecated spelling of "replace" (one vocabulary everywhere: append,
  // replace, merge).
  if (t == "replace" || t == "overwrite") return IngestMode::kOverwrite;
  if (t == "merge") return IngestMode::kMerge;
  return InvalidArgument("unknown --mode '{}' (use append, replace or merge)", t);
}

Result<std::unique_ptr<engine::Database>> OpenEngine(const Project& project) {
  engine::DatabaseOptions o;
  o.memory_limit = project.config().memory_limit;
  return engine::Database::Open(o);
}

Status ConfigureEngine(const Project& project, engine::Connection& conn) {
  if (project.config().memory_limit.empty()) return Status::OK();
  return conn.Execute("SET memory_limit = " + QuoteLiteral(project.config().memory_limit))
      .WithContext("applying engine.memory-limit from ldp.yaml");
}

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<SourceFormat> FormatFromName(const std::string& path) {
  std::string p = Lower(path);
  for (const char* z : {".gz", ".zst"})
    if (EndsWith(p, z)) p = p.substr(0, p.size() - std::string(z).size());
  if (EndsWith(p, ".parquet") || EndsWith(p, ".pq")) return SourceFormat::kParquet;
  if (EndsWith(p, ".csv") || EndsWith(p, ".tsv") || EndsWith(p, ".txt")) return SourceFormat::kCsv;
  if (EndsWith(p, ".json") || EndsWith(p, ".ndjson") || EndsWith(p, ".jsonl")) return SourceFormat::kJson;
  return std::nullopt;
}

const char* FormatName(SourceFormat f) {
  switch (f) {
    case SourceFormat::kParquet: return "parquet";
    case SourceFormat::kCsv: return "csv";
    case SourceFormat::kJson: return "json";
    default: return "auto";
  }
}

// ---- leaf metrics ---------------------------------------------------------------------------------

struct LeafInfo {
  const iceberg::NestedField* field = nullptr;
  bool repeated = false;  // inside a list or map: bounds are not kept (as Java does)
};

// Resolves a Parquet leaf path ("s, a" / "l, list, element" / "m, key_value, key") to the
// Iceberg field it stores.
std::optional<LeafInfo> ResolveLeaf(const iceberg::Schema& schema, const std::vector<std::string>& parts) {
  if (parts.empty()) return std::nullopt;
  const iceberg::NestedField* f = schema.FindTopLevelField(parts[0]);
  if (!f) return std::nullopt;
  LeafInfo info{f, false};
  size_t i = 1;
  while (i < parts.size()) {
    const auto& t = *info.field->type;
    if (t.id() == iceberg::TypeId::kStruct) {
      const iceberg::NestedField* next = nullptr;
      for (const auto& c : t.fields())
        if (c.name == parts[i]) next = &c;
      if (!next) return std::nullopt;
      info.field = next;
      i += 1;
    } else if (t.id() == iceberg::TypeId::kList) {
      // <list> / list / element
      if (i + 1 >= parts.size()) return std::nullopt;
      info.field = &t.fields()[0];
      info.repeated = true;
      i += 2;
    } else if (t.id() == iceberg::TypeId::kMap) {
      if (i + 1 >= parts.size()) return std::nullopt;
      info.field = parts[i + 1] == "key" ? &t.fields()[0] : &t.fields()[1];
      info.repeated = true;
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  if (!info.field->type->is_primitive()) return std::nullopt;
  return info;
}

std::vector<std::string> SplitPath(const std::string& p) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t pos = p.find(", ", start);
    if (pos == std::string::npos) {
      out.push_back(p.substr(start));
      return out;
    }
    out.push_back(p.substr(start, pos - start));
    start = pos + 2;
  }
}

bool IsNaN(const iceberg::Literal& l) {
  return std::holds_alternative<double>(l.value) && std::isnan(std::get<double>(l.value));
}

constexpr size_t kStringBoundLength = 16;  // Java's default metrics mode: truncate(16)

}  // namespace

// Builds DataFile entries for written Parquet files from their footers (parquet_metadata), so
// that no data is read twice.
Result<std::vector<iceberg::DataFile>> CollectDataFiles(engine::Connection& conn,
                                                        const iceberg::Schema& schema,
                                                        const std::vector<std::string>& local_files) {
  std::vector<iceberg::DataFile> out;
  if (local_files.empty()) return out;
  std::string list = "[";
  for (size_t i = 0; i < local_files.size(); ++i) list += (i ? ", " : "") + QuoteLiteral(local_files[i]);
  list += "]";
  LDP_ASSIGN_OR_RAISE(
      auto files, conn.Query(fmt::format("SELECT file_name, num_rows, file_size_bytes FROM parquet_file_metadata({}) ORDER BY file_name", list)));
  std::map<std::string, size_t> index;
  for (const auto& row : files.rows) {
    iceberg::DataFile df;
    df.file_path = io::ToFileUri(*row[0]);
    df.record_count = std::stoll(row[1].value_or("0"));
    df.file_size_in_bytes = std::stoll(row[2].value_or("0"));
    index[*row[0]] = out.size();
    out.push_back(std::move(df));
  }
  LDP_ASSIGN_OR_RAISE(
      auto rg, conn.Query(fmt::format(
                   "SELECT file_name, path_in_schema, num_values, stats_null_count, total_compressed_size, "
                   "stats_min_value, stats_max_value, row_group_id, file_offset FROM parquet_metadata({})",
                   list)));
  struct Acc {
    int64_t values = 0, nulls = 0, size = 0;
    bool nulls_known = true, bounds_known = true;
    std::optional<iceberg::Literal> lo, hi;
  };
  std::map<std::pair<std::string, int32_t>, Acc> acc;
  std::map<std::string, std::set<int64_t>> offsets;
  std::map<std::string, LeafInfo> leaf_cache;
  for (const auto& row : rg.rows) {
    const std::string& file = *row[0];
    const std::string& path = row[1].value_or("");
    auto it = leaf_cache.find(path);
    if (it == leaf_cache.end()) {
      auto leaf = ResolveLeaf(schema, SplitPath(path));
      if (!leaf) continue;  // not a column of the schema (cannot happen for files ldp wrote)
      it = leaf_cache.emplace(path, *leaf).first;
    }
    const LeafInfo& leaf = it->second;
    Acc& a = acc[{file, leaf.field->id}];
    a.values += std::stoll(row[2].value_or("0"));
    if (row[3]) a.nulls += std::stoll(*row[3]); else a.nulls_known = false;
    a.size += std::stoll(row[4].value_or("0"));
    if (row[8]) offsets[file].insert(std::stoll(*row[8]));
    if (leaf.repeated) continue;
    const iceberg::Type& type = *leaf.field->type;
    if (!row[5] || !row[6]) {
      // A row group without stats: only unknown when it has non-null values.
      int64_t nv = std::stoll(row[2].value_or("0"));
      int64_t nn = row[3] ? std::stoll(*row[3]) : -1;
      if (nn < 0 || nn < nv) a.bounds_known = false;
      continue;
    }
    auto lo = iceberg::ParseLiteral(type, *row[5]);
    auto hi = iceberg::ParseLiteral(type, *row[6]);
    if (!lo || !hi || IsNaN(*lo) || IsNaN(*hi)) {
      a.bounds_known = false;
      continue;
    }
    if (!a.lo || iceberg::CompareLiterals(*lo, *a.lo) < 0) a.lo = lo;
    if (!a.hi || iceberg::CompareLiterals(*hi, *a.hi) > 0) a.hi = hi;
  }
  for (auto& [key, a] : acc) {
    auto fi = index.find(key.first);
    if (fi == index.end()) continue;
    iceberg::DataFile& df = out[fi->second];
    int32_t id = key.second;
    df.value_counts[id] = a.values;
    df.column_sizes[id] = a.size;
    if (a.nulls_known) df.null_value_counts[id] = a.nulls;
    if (!a.bounds_known || !a.lo || !a.hi) continue;
    const iceberg::NestedField* field = schema.FindFieldById(id);
    const iceberg::Type& type = *field->type;
    std::string lo = iceberg::EncodeLiteral(type, *a.lo);
    std::string hi = iceberg::EncodeLiteral(type, *a.hi);
    if (type.id() == iceberg::TypeId::kString) {
      lo = iceberg::TruncateLowerBound(lo, kStringBoundLength);
      auto t = iceberg::TruncateUpperBound(hi, kStringBoundLength);
      df.lower_bounds[id] = lo;
      if (t) df.upper_bounds[id] = *t;
      continue;
    }
    df.lower_bounds[id] = std::move(lo);
    df.upper_bounds[id] = std::move(hi);
  }
  for (auto& df : out) {
    auto it = offsets.find(io::ToLocalPath(df.file_path));
    if (it != offsets.end()) df.split_offsets.assign(it->second.begin(), it->second.end());
  }
  return out;
}

// ---- schema matching ------------------------------------------------------------------------------

static bool IsIntegral(iceberg::TypeId t) { return t == iceberg::TypeId::kInt || t == iceberg::TypeId::kLong; }

// Whether values of `from` (the source) may be written into a column of type `to` without
// losing information. Beyond Iceberg's own promotions this accepts the conversions a loader
// needs when one file's inference is narrower than the table's (CSV "1" vs "1.5").
static bool CanWrite(const iceberg::Type& from, const iceberg::Type& to) {
  using iceberg::TypeId;
  if (from.ToString() == to.ToString()) return true;
  if (from.id() == TypeId::kInt && to.id() == TypeId::kLong) return true;
  if (IsIntegral(from.id()) && to.id() == TypeId::kDouble) return true;
  if (from.id() == TypeId::kFloat && to.id() == TypeId::kDouble) return true;
  if (from.id() == TypeId::kDecimal && to.id() == TypeId::kDecimal)
    return to.scale() == from.scale() && to.precision() >= from.precision();
  if (IsIntegral(from.id()) && to.id() == TypeId::kDecimal)
    return to.precision() - to.scale() >= (from.id() == TypeId::kInt ? 10 : 19);
  return false;
}

// The SELECT list that turns source columns into the table's columns, or an error that names every
// column that does not fit.
static Result<std::string> BuildSelectList(const iceberg::Schema& table_schema,
                                    const std::vector<iceberg::DuckColumn>& source_cols,
                                    const iceberg::Schema& source_schema, const std::string& table_name,
                                    bool new_table, const std::map<std::string, std::string>& source_names = {},
                                    bool fill_missing = false) {
  std::vector<std::string> problems;
  std::map<std::string, size_t> by_name;
  std::set<std::string> mapped;  // source names matched to a table column of another spelling (--evolve)
  for (const auto& [t, s] : source_names) mapped.insert(s);
  for (size_t i = 0; i < source_cols.size(); ++i) by_name[source_cols[i].name] = i;
  for (const auto& c : source_cols)
    if (!table_schema.FindTopLevelField(c.name) && !mapped.count(c.name))
      problems.push_back(fmt::format("column '{}' ({}) is not in the table{}", c.name, c.type,
                                     fill_missing ? "" : " (ingest --evolve adds it)"));
  std::string select;
  for (const auto& f : table_schema.fields()) {
    auto renamed = source_names.find(f.name);
    const std::string src_name = renamed == source_names.end() ? f.name : renamed->second;
    auto it = by_name.find(src_name);
    if (it == by_name.end()) {
      if (fill_missing && !f.required) {
        // --evolve: a column the source lacks is NULL in the new rows.
        if (!select.empty()) select += ", ";
        select += fmt::format("CAST(NULL AS {}) AS {}", iceberg::ToDuckType(*f.type), QuoteIdent(f.name));
        continue;
      }
      problems.push_back(fmt::format("table column '{}' ({}) is missing from the source", f.name,
                                     f.type->ToString()));
      continue;
    }
    const iceberg::NestedField* sf = source_schema.FindTopLevelField(src_name);
    if (!new_table && sf && !CanWrite(*sf->type, *f.type)) {
      problems.push_back(fmt::format("column '{}' is {} in the source but {} in the table", f.name,
                                     sf->type->ToString(), f.type->ToString()));
      continue;
    }
    std::string target = iceberg::ToDuckType(*f.type);
    if (!select.empty()) select += ", ";
    if (source_cols[it->second].type == target) {
      select += src_name == f.name ? QuoteIdent(f.name) : fmt::format("{} AS {}", QuoteIdent(src_name), QuoteIdent(f.name));
    } else if (source_cols[it->second].type == "TIMESTAMP_NS" && target == "TIMESTAMP") {
      // Nanoseconds become microseconds rounded towards minus infinity (iceberg::NanosRule);
      // DuckDB's own CAST rounds towards zero, which would move instants before 1970 forward.
      std::string ns = fmt::format("epoch_ns({})", QuoteIdent(src_name));
      select += fmt::format("make_timestamp(({0} - (({0} % 1000) + 1000) % 1000) // 1000) AS {1}", ns,
                            QuoteIdent(f.name));
    } else {
      select += fmt::format("CAST({} AS {}) AS {}", QuoteIdent(src_name), target, QuoteIdent(f.name));
    }
  }
  if (!problems.empty()) {
    std::string msg = fmt::format("source schema does not match table {}: ", table_name);
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return InvalidArgument("{}", msg);
  }
  return select;
}

int64_t TargetFileSize(const Project& project, const iceberg::TableMetadata& md) {
  std::string v = md.Property("write.target-file-size-bytes", "");
  if (!v.empty()) {
    try {
      int64_t n = std::stoll(v);
      if (n > 0) return n;
    } catch (...) {
    }
  }
  return project.config().target_file_size_bytes;
}

namespace {

void DeleteFiles(io::FileSystem& fs, const std::vector<std::string>& paths) {
  for (const auto& p : paths) (void)fs.Delete(p);
}

// `base` with the schema changes applied as its current schema (not committed).
Result<std::shared_ptr<const iceberg::TableMetadata>> EvolveMetadata(const iceberg::TableMetadata& base,
                                                                     const std::vector<iceberg::SchemaChange>& changes) {
  LDP_ASSIGN_OR_RAISE(auto updated, iceberg::ApplySchemaChanges(*base.CurrentSchema(), base.last_column_id, changes,
                                                                iceberg::ContextFor(base)));
  auto next = std::make_shared<iceberg::TableMetadata>(base);
  iceberg::SetCurrentSchema(*next, std::move(updated.fields), std::move(updated.identifier_field_ids),
                            updated.last_column_id);
  return std::shared_ptr<const iceberg::TableMetadata>(std::move(next));
}

// Reads every column of every source file alone; returns the first file DuckDB cannot read.
std::string FindUnreadableFile(engine::Connection& conn, const FileSource& src) {
  const char* reader = src.format == SourceFormat::kParquet ? "read_parquet"
                       : src.format == SourceFormat::kCsv   ? "read_csv"
                                                            : "read_json";
  for (const auto& f : src.files) {
    std::string sql = fmt::format("SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {}({})", reader, QuoteLiteral(f));
    if (!conn.Query(sql).ok()) return f;
  }
  return "";
}

}  // namespace

Result<FileSource> ResolveFileSource(engine::Connection& conn, const std::string& source,
                                     SourceFormat format) {
  FileSource out;
  if (source.empty()) return InvalidArgument("no source given");
  if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0)
    return NotImplemented("source {}: HTTP sources are not supported yet; download the file first", source);
  std::string local = io::ToLocalPath(source);
  bool is_glob = local.find_first_of("*?[") != std::string::npos;
  std::error_code ec;
  if (!is_glob && fs::is_directory(local, ec)) {
    for (auto it = fs::recursive_directory_iterator(local, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string p = it->path().string();
      std::string base = it->path().filename().string();
      if (base.empty() || base[0] == '.' || base[0] == '_') continue;
      auto f = FormatFromName(p);
      if (format == SourceFormat::kAuto ? f.has_value() : (f && *f == format)) out.files.push_back(p);
    }
    if (out.files.empty())
      return NotFound("source folder {} holds no {} files", local,
                      format == SourceFormat::kAuto ? "parquet, csv or json" : FormatName(format));
  } else if (is_glob) {
    LDP_ASSIGN_OR_RAISE(auto r, conn.Query(fmt::format("SELECT file FROM glob({}) ORDER BY file", QuoteLiteral(local))));
    for (const auto& row : r.rows)
      if (row[0]) out.files.push_back(*row[0]);
    if (out.files.empty()) return NotFound("source pattern {} matches no files", local);
  } else {
    if (!fs::exists(local, ec)) return NotFound("source file {} does not exist", local);
    out.files.push_back(local);
  }
  std::sort(out.files.begin(), out.files.end());
  // Work out the format: the flag, else every file's extension (which must agree).
  if (format == SourceFormat::kAuto) {
    std::optional<SourceFormat> seen;
    for (const auto& f : out.files) {
      auto ff = FormatFromName(f);
      if (!ff)
        return InvalidArgument("source file {}: cannot tell the format from the extension; pass --format parquet|csv|json", f);
      if (seen && *seen != *ff)
        return InvalidArgument("source {} mixes {} and {} files; pass one format", source, FormatName(*seen), FormatName(*ff));
      seen = ff;
    }
    format = *seen;
  }
  out.format = format;
  for (const auto& f : out.files) {
    auto size = fs::file_size(f, ec);
    if (ec) return NotFound("source file {}: {}", f, ec.message());
    if (size == 0) return InvalidArgument("source file {} is empty (0 bytes)", f);
  }
  std::string list = "[";
  for (size_t i = 0; i < out.files.size(); ++i) list += (i ? ", " : "") + QuoteLiteral(out.files[i]);
  list += "]";
  switch (format) {
    case SourceFormat::kParquet:
      out.relation_sql = fmt::format("read_parquet({}, union_by_name = true)", list);
      break;
    case SourceFormat::kCsv:
      out.relation_sql = fmt::format("read_csv({}, union_by_name = true, header = true)", list);
      break;
    case SourceFormat::kJson:
      out.relation_sql = fmt::format("read_json({}, union_by_name = true)", list);
      break;
    default:
      return Internal("unresolved source format");
  }
  return out;
}

Result<IngestResult> Ingest(Project& project, engine::Connection& conn, const IngestOptions& options) {
  if (options.relation_sql.empty() &&
      (options.source.rfind("http://", 0) == 0 || options.source.rfind("https://", 0) == 0))
    return IngestFromUrl(project, conn, options);  // downloaded, then the file path below
  IngestResult result;
  result.table = options.table;
  const std::string table_name = options.table.ToString();
  FileSource src;
  if (options.relation_sql.empty()) {
    LDP_ASSIGN_OR_RAISE(src, ResolveFileSource(conn, options.source, options.format));
  } else {
    src.relation_sql = options.relation_sql;
  }
  result.source_files = static_cast<int>(src.files.size());

  // Source schema, from DuckDB's own inference.
  auto described = conn.Query(fmt::format("DESCRIBE SELECT * FROM {}", src.relation_sql));
  if (!described.ok())
    return described.status().WithContext(fmt::format("reading source {}", options.source));
  std::vector<iceberg::DuckColumn> source_cols;
  for (const auto& row : described->rows) source_cols.push_back({row[0].value_or(""), row[1].value_or("")});
  if (source_cols.empty()) return InvalidArgument("source {} has no columns", options.source);
  auto source_schema = iceberg::SchemaFromDuckColumns(source_cols);
  if (!source_schema.ok())
    return source_schema.status().WithContext(fmt::format("source {}", options.source));

  // The table: load it, or create it from the source schema. A table (and a namespace) created
  // here is dropped again if the ingest fails, so a failed first ingest leaves no catalog row.
  LoadedTable table;
  bool ns_created_by_us = false;
  auto loaded = LoadTable(project, options.table);
  if (options.branch != iceberg::kMainBranch) {
    // A branch exists only in an existing table: check before any file is written.
    if (!loaded.ok()) return loaded.status().WithContext(fmt::format("writing to branch '{}'", options.branch));
    Status bst = iceberg::CheckWritableBranch(*loaded->metadata, options.branch);
    if (!bst.ok()) return bst.WithContext(fmt::format("table {}", table_name));
  }
  if (loaded.ok()) {
    table = *loaded;
  } else if (loaded.status().code() == ErrorCode::kNoSuchTable ||
             loaded.status().code() == ErrorCode::kNoSuchNamespace) {
    ns_created_by_us = loaded.status().code() == ErrorCode::kNoSuchNamespace;
    iceberg::PartitionSpec spec;
    if (options.partition_by) {
      auto bound = SpecForNewTable(*options.partition_by, **source_schema);
      if (!bound.ok()) return bound.status().WithContext(fmt::format("creating table {}", table_name));
      spec = std::move(*bound);
    }
    if (options.sort_by) {
      // Checked before the table exists, so that a bad order leaves no catalog row.
      auto terms = iceberg::ParseSortTerms(*options.sort_by);
      Status st = terms.ok() ? iceberg::BindSortOrder(*terms, **source_schema, 1).status() : terms.status();
      if (!st.ok()) return st.WithContext(fmt::format("creating table {}: --sort-by", table_name));
    }
    auto created = CreateTable(project, options.table, *source_schema, std::move(spec), {});
    if (created.ok()) {
      table = *created;
      result.created_table = true;
    } else if (created.status().code() == ErrorCode::kAlreadyExists) {
      LDP_ASSIGN_OR_RAISE(table, LoadTable(project, options.table));  // lost a create race
    } else {
      return created.status();
    }
  } else {
    return loaded.status();
  }
  std::string created_metadata = table.metadata_location;  // before a --sort-by commit adds another
  auto undo_create = [&]() {
    if (result.created_table) {
      (void)project.catalog().DropTable(options.table);
      (void)project.fs().Delete(table.metadata_location);
      if (created_metadata != table.metadata_location) (void)project.fs().Delete(created_metadata);
      // Fails (and keeps it) when another writer has put a table there meanwhile.
      if (ns_created_by_us) (void)project.catalog().DropNamespace(options.table.ns);
      // The table's folders were created for this ingest; remove them when empty.
      std::error_code ec;
      std::string root = io::ToLocalPath(table.metadata->location);
      for (const char* sub : {"/data", "/metadata", ""}) fs::remove(root + sub, ec);
    }
  };

  if (options.partition_by && !result.created_table) {
    Status st = CheckSpecOfExistingTable(*options.partition_by, *table.metadata, table_name);
    if (!st.ok()) return st;
  }
  if (options.sort_by) {
    // A new table gets the order in a metadata commit of its own; an existing one must have it.
    Status st = ApplySortOrderOnIngest(project, &table, *options.sort_by, result.created_table);
    if (!st.ok()) {
      undo_create();
      return st.WithContext(fmt::format("table {}: --sort-by", table_name));
    }
  }
  iceberg::SchemaPtr schema = table.metadata->CurrentSchema();
  // --evolve: the merged schema goes into an uncommitted copy of the metadata; the data is written
  // with it and the snapshot commit carries both (a failed ingest leaves schema and data as they were).
  std::map<std::string, std::string> source_names;
  std::vector<iceberg::SchemaChange> evolve_changes;
  if (options.evolve && !result.created_table) {
    auto merged = iceberg::MergeSourceSchema(*schema, **source_schema, iceberg::ContextFor(*table.metadata));
    if (!merged.ok()) return merged.status().WithContext(fmt::format("evolving {}", table_name));
    source_names = merged->source_names;
    result.schema_notes = merged->notes;
    evolve_changes = merged->changes;
    if (!evolve_changes.empty()) {
      auto evolved = EvolveMetadata(*table.metadata, evolve_changes);
      if (!evolved.ok()) return evolved.status().WithContext(fmt::format("ingest --evolve into {}", table_name));
      table.metadata = *evolved;
      schema = table.metadata->CurrentSchema();
      result.schema_evolved = true;
    }
  }
  const iceberg::PartitionSpec* spec = table.metadata->DefaultSpec();
  if (!spec) {
    undo_create();
    return Internal("table {} has no default partition spec", table_name);
  }
  result.spec_id = spec->spec_id;
  const bool partitioned = !spec->fields.empty();
  result.schema_id = schema->schema_id();
  auto select = BuildSelectList(*schema, source_cols, **source_schema, table_name,
                                result.created_table || options.relation_has_table_columns,
                                source_names, options.evolve);
  if (!select.ok()) {
    undo_create();
    return select.status();
  }

  // Merge and overwrite --where change rows of the table (services/row_delta.cc).
  if (options.mode == IngestMode::kMerge || !options.where.empty()) {
    auto r = IngestRowDelta(project, conn, options, fmt::format("SELECT {} FROM {}", *select, src.relation_sql), table,
                            std::move(result));
    if (!r.ok()) undo_create();
    return r;
  }

  // Write the data files with DuckDB, named <write id>-<n>-<uuid>.parquet under data/.
  std::string write_id = fmt::format("{:%Y%m%d-%H%M%S}-{}", fmt::localtime(std::time(nullptr)),
                                     iceberg::NewUuid().substr(0, 8));
  std::string data_dir = io::ToLocalPath(iceberg::TableDataDir(*table.metadata));
  LDP_RETURN_NOT_OK(project.fs().CreateDirs(data_dir));
  // Rows in the table's sort order (services/sorted_write.h); "" when the table is unsorted.
  auto order_by = SortOrderByClause(conn, *table.metadata, *schema);
  if (!order_by.ok()) {
    undo_create();
    return order_by.status().WithContext(fmt::format("table {}", table_name));
  }
  std::string copy = fmt::format(
      "COPY (SELECT {} FROM {}{}) TO {} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {}, "
      "KV_METADATA {{'iceberg.schema': {}}}, FILE_SIZE_BYTES {}, FILENAME_PATTERN '{}-{{i}}-{{uuid}}', APPEND)",
      *select, src.relation_sql, *order_by, QuoteLiteral(data_dir), iceberg::DuckFieldIdsClause(*schema),
      // The writing schema in the footer, as Java writes it: readers that resolve columns by
      // field id per file (icebird) read files of older schemas correctly with it.
      QuoteLiteral(schema->ToJsonString()),
      TargetFileSize(project, *table.metadata), write_id);
  // A partitioned table: DuckDB writes one set of files per partition into a staging folder
  // (partition_write.h), which are then moved into data/<field>=<value>/ folders.
  std::string staging_dir = fmt::format("{}/.ldp-staging-{}", data_dir, write_id);
  std::vector<std::string> placed;  // partitioned files moved into data/, for the failure path
  if (partitioned) {
    auto keys = BuildPartitionKeys(*schema, *spec, fmt::format("SELECT {} FROM {}", *select, src.relation_sql));
    Status reg = keys.ok() ? RegisterPartitionFunctions(conn) : keys.status();
    if (!reg.ok()) {
      undo_create();
      return reg;
    }
    std::string by;
    for (const auto& k : keys->key_columns) by += (by.empty() ? "" : ", ") + QuoteIdent(k);
    int64_t partition_count = 0;
    // A source that cannot be read fails the COPY below, which names the damaged file.
    auto source = PartitionedWriteSource(conn, *keys, !project.config().memory_limit.empty(), &partition_count);
    // DuckDB 1.4 cannot rotate files under PARTITION_BY ("Can't combine FILE_SIZE_BYTES and
    // PARTITION_BY"): a partition is written as one file (per writer flush), whatever its size.
    copy = fmt::format(
        "COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {}, KV_METADATA {{'iceberg.schema': {}}}, "
        "FILENAME_PATTERN '{}-{{i}}-{{uuid}}'{})",
        source.ok() ? *source : keys->select_sql, QuoteLiteral(staging_dir), iceberg::DuckFieldIdsClause(*schema),
        QuoteLiteral(schema->ToJsonString()), write_id,
        by.empty() ? ", FILE_SIZE_BYTES " + std::to_string(TargetFileSize(project, *table.metadata))
                   : ", PARTITION_BY (" + by + ")");
  }
  auto written_files = [&]() {
    std::vector<std::string> files;
    auto listing = project.fs().List(data_dir);
    if (!listing.ok()) return files;
    for (const auto& fi : *listing) {
      std::string base = fs::path(fi.path).filename().string();
      if (base.rfind(write_id, 0) == 0) files.push_back(io::ToLocalPath(fi.path));
    }
    return files;
  };
  auto fail = [&](const Status& st) {
    DeleteFiles(project.fs(), written_files());
    if (partitioned) {
      std::error_code ec;
      fs::remove_all(staging_dir, ec);
      DeleteFiles(project.fs(), placed);  // also uploaded copies on object storage (ADR 0018)
      RemoveFilesAndEmptyFolders(placed, data_dir);
    }
    undo_create();
    return st;
  };
  Status st = conn.ExecuteWithProgress(copy, options.progress);
  if (!st.ok()) {
    // DuckDB does not always say which file of a glob is damaged ("Invalid data"): read the files
    // one by one (only on this error path) and name the first that fails.
    std::string culprit = src.files.size() == 1 ? src.files[0] : src.files.empty() ? "" : FindUnreadableFile(conn, src);
    return fail(st.WithContext(culprit.empty()
                                   ? fmt::format("ingesting {} into {}", options.source, table_name)
                                   : fmt::format("ingesting {} into {}: file {}", options.source, table_name, culprit)));
  }

  std::map<std::string, std::vector<iceberg::PartitionValue>> tuples;  // by local path
  std::vector<std::string> new_files;
  if (partitioned) {
    auto moved = PlaceStagedFiles(staging_dir, data_dir, *schema, *spec, &placed);
    std::error_code ec;
    fs::remove_all(staging_dir, ec);
    if (!moved.ok()) return fail(moved.status().WithContext("placing partitioned files"));
    std::set<std::string> distinct;  // one folder per partition
    for (auto& pf : *moved) {
      new_files.push_back(pf.local_path);
      distinct.insert(fs::path(pf.local_path).parent_path().string());
      tuples[pf.local_path] = std::move(pf.partition);
    }
    result.partitions = static_cast<int64_t>(distinct.size());
  } else {
    new_files = written_files();
  }
  auto data_files = CollectDataFiles(conn, *schema, new_files);
  if (!data_files.ok()) return fail(data_files.status().WithContext("reading metrics of written files"));
  // DuckDB may leave an empty file for an empty source; it carries nothing.
  std::vector<iceberg::DataFile> files;
  for (auto& df : *data_files) {
    df.spec_id = spec->spec_id;
    // DuckDB 1.4's PARTITION_BY writer does not keep the rows' order: partitioned files are not
    // sorted (compaction sorts them) and claim no order.
    if (!partitioned) df.sort_order_id = WrittenSortOrderId(*table.metadata);
    if (partitioned) {
      auto t = tuples.find(io::ToLocalPath(df.file_path));
      if (t == tuples.end()) return fail(Internal("no partition values for written file {}", df.file_path));
      df.partition = t->second;
    }
    if (df.record_count == 0) {
      (void)project.fs().Delete(df.file_path);
      continue;
    }
    result.rows += df.record_count;
    result.bytes += df.file_size_in_bytes;
    files.push_back(std::move(df));
  }
  result.data_files = static_cast<int64_t>(files.size());
  if (files.empty() && options.mode == IngestMode::kAppend) {
    result.metadata_location = table.metadata_location;
    return result;  // nothing to commit; a new table keeps its (empty) definition
  }

  // Commit: the manifest of added files is written once; on a lost race the snapshot is rebuilt
  // on the new base (appends always rebase; an overwrite replaces whatever is live then).
  iceberg::WriteOperation op = options.mode == IngestMode::kAppend ? iceberg::WriteOperation::kAppend
                                                                   : iceberg::WriteOperation::kOverwrite;
  int64_t snapshot_id = iceberg::NewSnapshotId();
  std::optional<iceberg::ManifestFile> added_manifest;
  if (!files.empty()) {
    auto m = iceberg::WriteAddedManifest(project.fs(), *table.metadata, snapshot_id, files);
    if (!m.ok()) return fail(m.status().WithContext("writing manifest"));
    added_manifest = *m;
  }
  auto fail_all = [&](const Status& st) {
    if (added_manifest) (void)project.fs().Delete(added_manifest->manifest_path);
    return fail(st);
  };
  auto committed = CommitWithRetry(
      project, table, table_name, &result.commit_attempts,
      [&](const iceberg::TableMetadata& base) -> Result<iceberg::PendingSnapshot> {
        // Overwriting a table without rows is an append (what Java and pyiceberg record as well).
        iceberg::WriteOperation attempt_op =
            iceberg::BranchHead(base, options.branch) == nullptr ? iceberg::WriteOperation::kAppend : op;
        std::map<std::string, std::string> extra;
        if (partitioned) extra["changed-partition-count"] = std::to_string(result.partitions);
        auto pending = iceberg::ProduceSnapshot(project.fs(), base, attempt_op, snapshot_id, added_manifest, files,
                                                NowMs(), extra, options.branch);
        if (!pending.ok()) return pending.status().WithContext("preparing snapshot");
        return pending;
      },
      [&](LoadedTable& reloaded) -> Status {
        // The schema the files were written with must still be current (or evolve to it again).
        if (!evolve_changes.empty()) {
          auto evolved = EvolveMetadata(*reloaded.metadata, evolve_changes);
          if (!evolved.ok() || !(*evolved)->CurrentSchema()->SameFields(*schema))
            return CommitFailed("table {} changed schema while ingesting; run the ingest again", table_name);
          reloaded.metadata = *evolved;
        } else if (reloaded.metadata->current_schema_id != table.metadata->current_schema_id) {
          return CommitFailed("table {} changed schema while ingesting; run the ingest again", table_name);
        }
        if (reloaded.metadata->default_spec_id != table.metadata->default_spec_id)
          return CommitFailed("table {} changed partition spec while ingesting; run the ingest again", table_name);
        return Status::OK();
      });
  if (!committed.ok()) {
    if (committed.status().code() == ErrorCode::kCommitStateUnknown) return committed.status();  // files may be referenced: keep
    return fail_all(committed.status());
  }
  result.committed = true;
  result.snapshot_id = snapshot_id;
  result.metadata_location = committed->metadata_location;
  return result;
}

}  // namespace ldp::services
