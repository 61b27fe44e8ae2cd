#include "ldp/services/live_rows.h"

#include <map>

#include "ldp/engine/engine.h"
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

std::string ReadCall(const iceberg::Schema& schema, const std::vector<iceberg::DataFile>& files, bool by_field_id,
                     bool with_position) {
  std::string args = LocalFileList(files);
  if (by_field_id) args += ", schema = " + iceberg::DuckReadSchemaMap(schema);
  if (with_position) args += fmt::format(", filename = '{}', file_row_number = true", kRowFileColumn);
  return fmt::format("read_parquet({})", args);
}

std::string SelectFrom(const iceberg::Schema& schema, const std::vector<iceberg::DataFile>& files, bool by_field_id,
                       bool with_position) {
  std::string cols = Columns(schema, "");
  if (with_position) cols += fmt::format(", {}, file_row_number AS {}", kRowFileColumn, kRowPosColumn);
  return fmt::format("SELECT {} FROM {}", cols, ReadCall(schema, files, by_field_id, with_position));
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
                        bool with_position) {
  std::vector<iceberg::DataFile> clean, dirty;
  std::vector<size_t> dirty_index;
  for (size_t i = 0; i < plan.files.size(); ++i) {
    if (!plan.file_deletes.empty() && !plan.file_deletes[i].empty()) {
      dirty.push_back(plan.files[i]);
      dirty_index.push_back(i);
    } else {
      clean.push_back(plan.files[i]);
    }
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
  if (!clean.empty()) parts.push_back(SelectFrom(schema, clean, by_field_id, with_position));
  if (!dirty.empty()) {
    // Pairs (delete file, data file URI, data file local path) for position deletes, and the data
    // files each equality delete applies to.
    std::string pairs;
    std::vector<iceberg::DataFile> pos_files;
    std::map<int32_t, std::vector<std::string>> eq_targets;
    std::map<int32_t, bool> pos_seen;
    for (size_t j = 0; j < dirty.size(); ++j) {
      for (int32_t k : plan.file_deletes[dirty_index[j]]) {
        const auto& del = plan.delete_files[k].file;
        if (del.content == iceberg::FileContent::kPositionDeletes) {
          if (!pos_seen[k]) {
            pos_seen[k] = true;
            pos_files.push_back(del);
          }
          pairs += fmt::format("{}({}, {}, {})", pairs.empty() ? "" : ", ", QuoteLiteral(io::ToLocalPath(del.file_path)),
                               QuoteLiteral(dirty[j].file_path), QuoteLiteral(io::ToLocalPath(dirty[j].file_path)));
        } else {
          eq_targets[k].push_back(io::ToLocalPath(dirty[j].file_path));
        }
      }
    }
    std::string sql = fmt::format("SELECT {}, {}, {} FROM ({}) __d", Columns(schema, "__d."), "__d." + std::string(kRowFileColumn),
                                  "__d." + std::string(kRowPosColumn), SelectFrom(schema, dirty, by_field_id, true));
    if (!pos_files.empty()) {
      sql += fmt::format(
          " ANTI JOIN (SELECT __pm.local AS f, __pd.pos AS pos FROM read_parquet({}, filename = '__ldp_del', "
          "union_by_name = true) __pd JOIN (VALUES {}) __pm(del, uri, local) ON __pd.__ldp_del = __pm.del AND "
          "__pd.file_path = __pm.uri) __p ON __d.{} = __p.f AND __d.{} = __p.pos",
          LocalFileList(pos_files), pairs, kRowFileColumn, kRowPosColumn);
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
      for (const auto& t : targets) in += (in.empty() ? "" : ", ") + QuoteLiteral(t);
      sql += fmt::format(" ANTI JOIN ({}) __q{} ON {}__d.{} IN ({})", rows, n, on, kRowFileColumn, in);
      ++n;
    }
    if (with_position) {
      parts.push_back(sql);
    } else {
      parts.push_back(fmt::format("SELECT {} FROM ({})", Columns(schema, ""), sql));
    }
  }
  if (parts.size() == 1) return parts[0];
  return fmt::format("{} UNION ALL {}", parts[0], parts[1]);
}

}  // namespace ldp::services
