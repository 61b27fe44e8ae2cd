#include "ldp/services/live_rows.h"

#include <map>

#include "ldp/engine/engine.h"
#include "ldp/services/evolved_read.h"
#include "ldp/services/foreign_read.h"
#include "ldp/io/file_system.h"

namespace ldp::services {
using engine::QuoteIdent;
using engine::QuoteLiteral;

namespace {

std::string Columns(const iceberg::Schema& schema, const std::string& prefix) {
  std::string cols;
  for (const auto& f : schema.fields()) cols += (cols.empty() ? "" : ", ") + prefix + QuoteIdent(f.name);
  return cols;
}

// How a group of files is read into the columns of the current schema.
struct ReadGroup {
  // 0: by name as they are; 1: projected from their writing schema; 2: by field id;
  // 3: projected from their Parquet footer (services/foreign_read.h), `constants` filling absent
  // identity partition columns
  int kind = 0;
  const iceberg::Schema* written = nullptr;  // kind 1; kind 3: the schema read from the footer
  std::map<int32_t, std::string> constants;  // kind 3
  std::vector<size_t> files;                 // indexes into the caller's file list
};

// Groups `files` by how they must be read: by name when their writing schema has the current
// fields (or nothing changed since the table was created), projected by field id from their
// writing schema when it is known (renames inside structs included: services/evolved_read.h),
// projected from their Parquet footer when `inspected` has it and the writing schema is unknown or
// the file lacks field ids or identity partition columns (as ScanSql in services/query.cc reads
// them: name mapping, partition constants, initial-default), and by top-level field id
// (schema = MAP{...}) otherwise.
std::vector<ReadGroup> GroupFiles(const iceberg::Schema& schema, const std::vector<iceberg::DataFile>& files,
                                  bool by_field_id, const iceberg::TableMetadata* md,
                                  const std::map<std::string, int32_t>& file_schema_ids,
                                  const std::map<std::string, iceberg::Schema>* inspected) {
  std::map<int32_t, ReadGroup> by_key;  // -2 by name, -1 by field id, else a schema id
  std::map<std::string, ReadGroup> by_footer;  // kind 3, by footer schema and partition constants
  for (size_t i = 0; i < files.size(); ++i) {
    int32_t key = by_field_id ? -1 : -2;
    const iceberg::Schema* written = nullptr;
    bool known = false;
    if (by_field_id && md) {
      auto it = file_schema_ids.find(files[i].file_path);
      if (it != file_schema_ids.end()) {
        iceberg::SchemaPtr w = md->SchemaById(it->second);
        if (w && w->SameFields(schema)) {
          key = -2;
          known = true;
        } else if (w) {
          key = w->schema_id();
          written = w.get();
          known = true;
        }
      }
    }
    if (md && inspected) {
      auto in = inspected->find(files[i].file_path);
      if (in != inspected->end() && ((by_field_id && !known) || NeedsParquetSchema(*md, files[i]))) {
        auto constants = PartitionConstants(*md, schema, in->second, files[i]);
        std::string k = in->second.ToJsonString();
        for (const auto& [fid, expr] : constants) k += fmt::format("\n{}={}", fid, expr);
        ReadGroup& g = by_footer[k];
        g.kind = 3;
        g.written = &in->second;
        g.constants = std::move(constants);
        g.files.push_back(i);
        continue;
      }
    }
    ReadGroup& g = by_key[key];
    g.kind = key == -2 ? 0 : key == -1 ? 2 : 1;
    g.written = written;
    g.files.push_back(i);
  }
  std::vector<ReadGroup> out;
  for (auto& [k, g] : by_footer) out.push_back(std::move(g));
  for (auto& [k, g] : by_key) out.push_back(std::move(g));
  return out;
}

// A SELECT of `files` (indexes `g.files`) as the current schema's columns followed by `extra`
// (virtual columns of read_parquet: `extra_options` asks for them).
std::string ReadGroupSql(const iceberg::Schema& schema, const std::vector<iceberg::DataFile>& files, const ReadGroup& g,
                         const std::string& extra, const std::string& extra_options) {
  std::vector<iceberg::DataFile> list;
  for (size_t i : g.files) list.push_back(files[i]);
  std::string cols = g.kind == 1   ? ProjectionSelectList(*g.written, schema)
                     : g.kind == 3 ? ProjectionSelectListCastAll(*g.written, schema, g.constants)
                                   : Columns(schema, "");
  std::string opts = g.kind == 2 ? ", schema = " + iceberg::DuckReadSchemaMap(schema) : "";
  return fmt::format("SELECT {}{} FROM read_parquet({}{}{})", cols, extra, LocalFileList(list), opts, extra_options);
}

std::string UnionAll(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " UNION ALL ") + p;
  return out;
}

// Rows of equality delete file `del` as columns __e0.. in the order of its equality ids, read by
// field id with the types of the current schema. Empty when a field is not in the schema.
std::string EqualityRows(const iceberg::Schema& schema, const iceberg::DataFile& del,
                         std::vector<const iceberg::NestedField*>* fields) {
  std::string map = "MAP{", cols;
  for (size_t i = 0; i < del.equality_ids.size(); ++i) {
    const iceberg::NestedField* f = schema.FindFieldById(del.equality_ids[i]);
    if (!f || !f->type) return "";
    fields->push_back(f);
    map += fmt::format("{}{}: {{name: '__e{}', type: {}, default_value: NULL}}", i ? ", " : "", f->id, i,
                       QuoteLiteral(iceberg::ToDuckType(*f->type)));
    cols += fmt::format("{}__e{}", i ? ", " : "", i);
  }
  map += "}";
  return fmt::format("SELECT DISTINCT {} FROM read_parquet({}, schema = {})", cols,
                     QuoteLiteral(io::ToLocalPath(del.file_path)), map);
}

}  // namespace

std::string LocalFileList(const std::vector<iceberg::DataFile>& files) {
  std::string s = "[";
  for (size_t i = 0; i < files.size(); ++i) s += (i ? ", " : "") + QuoteLiteral(io::ToLocalPath(files[i].file_path));
  return s + "]";
}

std::string LiveRowsSql(const iceberg::Schema& schema, const iceberg::ScanPlan& plan, bool by_field_id,
                        bool with_position, const iceberg::TableMetadata* md,
                        const std::map<std::string, iceberg::Schema>* inspected) {
  std::vector<iceberg::DataFile> clean, dirty_unordered;
  std::vector<size_t> dirty_index_unordered;
  for (size_t i = 0; i < plan.files.size(); ++i) {
    if (!plan.file_deletes.empty() && !plan.file_deletes[i].empty()) {
      dirty_unordered.push_back(plan.files[i]);
      dirty_index_unordered.push_back(i);
    } else {
      clean.push_back(plan.files[i]);
    }
  }
  // Dirty files in the order of their read groups, so that a file's index in `dirty` is its
  // group's first index plus its file_index within the group's read_parquet list.
  std::vector<ReadGroup> dirty_groups = GroupFiles(schema, dirty_unordered, by_field_id, md, plan.file_schema_ids, inspected);
  std::vector<iceberg::DataFile> dirty;
  std::vector<size_t> dirty_index, group_base;
  for (auto& g : dirty_groups) {
    group_base.push_back(dirty.size());
    std::vector<size_t> renumbered;
    for (size_t i : g.files) {
      renumbered.push_back(dirty.size());
      dirty.push_back(dirty_unordered[i]);
      dirty_index.push_back(dirty_index_unordered[i]);
    }
    g.files = std::move(renumbered);
  }
  if (plan.files.empty()) {
    std::string cols;
    for (const auto& f : schema.fields())
      cols += (cols.empty() ? "" : ", ") +
              fmt::format("CAST(NULL AS {}) AS {}", iceberg::ToDuckType(*f.type), QuoteIdent(f.name));
    if (with_position) cols += fmt::format(", CAST(NULL AS VARCHAR) AS {}, CAST(NULL AS BIGINT) AS {}", kRowFileColumn, kRowPosColumn);
    return fmt::format("SELECT {} LIMIT 0", cols);
  }
  std::vector<std::string> parts;
  if (!clean.empty()) {
    for (const auto& g : GroupFiles(schema, clean, by_field_id, md, plan.file_schema_ids, inspected))
      parts.push_back(with_position ? ReadGroupSql(schema, clean, g, fmt::format(", {0}, file_row_number AS {1}", kRowFileColumn, kRowPosColumn),
                                                   fmt::format(", filename = '{}', file_row_number = true", kRowFileColumn))
                                    : ReadGroupSql(schema, clean, g, "", ""));
  }
  if (!dirty.empty()) {
    // Pairs (delete file, data file URI, data file local path) for position deletes, and the data
    // files each equality delete applies to.
    std::string pairs, dv_ranges;
    std::vector<std::string> dv_tables;  // large deletion vectors: SELECT fi, lo, hi FROM a table
    std::vector<iceberg::DataFile> pos_files;
    std::map<int32_t, std::vector<size_t>> eq_targets;  // file indexes in `dirty`
    std::map<int32_t, bool> pos_seen;
    for (size_t j = 0; j < dirty.size(); ++j) {
      for (int32_t k : plan.file_deletes[dirty_index[j]]) {
        const auto& del = plan.delete_files[k].file;
        if (plan.delete_files[k].is_deletion_vector) {
          const auto& dv = plan.delete_files[k];
          if (dv.dv_inline) {
            for (const auto& [first, last] : dv.dv_ranges)
              dv_ranges += fmt::format("{}({}::UBIGINT, {}::BIGINT, {}::BIGINT)", dv_ranges.empty() ? "" : ", ", j,
                                       first, last);
          } else if (!dv.dv_relation.empty()) {
            // Single positions (scattered deletes: most ranges) without unnest(range()), which
            // costs about a fifth of the read of a 5M-position vector.
            dv_tables.push_back(fmt::format(
                "SELECT {0}::UBIGINT AS fi, lo AS pos FROM {1} WHERE lo = hi UNION ALL "
                "SELECT {0}::UBIGINT AS fi, unnest(range(lo, hi + 1)) AS pos FROM {1} WHERE lo < hi",
                j, dv.dv_relation));
          } else {
            // Never silently keep deleted rows: the caller must load large vectors first.
            dv_tables.push_back(fmt::format(
                "SELECT {}::UBIGINT AS fi, error({})::BIGINT AS pos", j,
                QuoteLiteral(fmt::format("deletion vector {} was not loaded", del.file_path))));
          }
        } else if (del.content == iceberg::FileContent::kPositionDeletes) {
          if (!pos_seen[k]) {
            pos_seen[k] = true;
            pos_files.push_back(del);
          }
          pairs += fmt::format("{}({}, {}, {}::UBIGINT)", pairs.empty() ? "" : ", ",
                               QuoteLiteral(io::ToLocalPath(del.file_path)), QuoteLiteral(dirty[j].original_path()), j);
        } else {
          eq_targets[k].push_back(j);
        }
      }
    }
    // The dirty files are matched with their deletes by (file_index, row number): integers, where
    // joining on the file name compared a string per row (a third of the read's cost, measured in
    // bench/row_delta_vs_duckdb.sh). file_index is the file's position in the read_parquet list.
    std::vector<std::string> dirty_reads;
    for (size_t gi = 0; gi < dirty_groups.size(); ++gi)
      dirty_reads.push_back(ReadGroupSql(
          schema, dirty, dirty_groups[gi],
          fmt::format(", file_index + {} AS __ldp_fi, file_row_number AS {}{}", group_base[gi], kRowPosColumn,
                      with_position ? fmt::format(", {}", kRowFileColumn) : ""),
          fmt::format(", file_row_number = true{}", with_position ? fmt::format(", filename = '{}'", kRowFileColumn) : "")));
    std::string dirty_read = UnionAll(dirty_reads);
    std::string sql = fmt::format("SELECT {}{}, __d.{} FROM ({}) __d", Columns(schema, "__d."),
                                  with_position ? ", __d." + std::string(kRowFileColumn) : "", kRowPosColumn, dirty_read);
    if (!pos_files.empty()) {
      sql += fmt::format(
          " ANTI JOIN (SELECT __pm.fi AS fi, __pd.pos AS pos FROM read_parquet({}, filename = '__ldp_del', "
          "union_by_name = true) __pd JOIN (VALUES {}) __pm(del, uri, fi) ON __pd.__ldp_del = __pm.del AND "
          "__pd.file_path = __pm.uri) __p ON __d.__ldp_fi = __p.fi AND __d.{} = __p.pos",
          LocalFileList(pos_files), pairs, kRowPosColumn);
    }
    if (!dv_ranges.empty() || !dv_tables.empty()) {
      // Deletion vectors as ranges of positions per dirty file: small ones decoded by scan
      // planning into the text, large ones from their tables (services/deletion_vectors.h).
      if (!dv_ranges.empty())
        dv_tables.insert(dv_tables.begin(),
                         fmt::format("SELECT fi, unnest(range(lo, hi + 1)) AS pos FROM (VALUES {}) __v(fi, lo, hi)", dv_ranges));
      sql += fmt::format(" ANTI JOIN ({}) __dv ON __d.__ldp_fi = __dv.fi AND __d.{} = __dv.pos", UnionAll(dv_tables),
                         kRowPosColumn);
    }
    int n = 0;
    for (const auto& [k, targets] : eq_targets) {
      std::vector<const iceberg::NestedField*> fields;
      std::string rows = EqualityRows(schema, plan.delete_files[k].file, &fields);
      if (rows.empty()) continue;
      std::string on;
      for (size_t i = 0; i < fields.size(); ++i)
        on += fmt::format("__d.{} IS NOT DISTINCT FROM __q{}.__e{} AND ", QuoteIdent(fields[i]->name), n, i);
      std::string in;
      for (size_t t : targets) in += fmt::format("{}{}", in.empty() ? "" : ", ", t);
      sql += fmt::format(" ANTI JOIN ({}) __q{} ON {}__d.__ldp_fi IN ({})", rows, n, on, in);
      ++n;
    }
    if (with_position) {
      parts.push_back(sql);
    } else {
      parts.push_back(fmt::format("SELECT {} FROM ({})", Columns(schema, ""), sql));
    }
  }
  return UnionAll(parts);
}

}  // namespace ldp::services
