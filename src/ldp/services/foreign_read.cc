#include "ldp/services/foreign_read.h"

#include "ldp/engine/engine.h"
#include "ldp/iceberg/literal.h"
#include "ldp/iceberg/partitioning.h"

namespace ldp::services {

Status CheckPlanFilesExist(io::FileSystem& fs, const iceberg::ScanPlan& plan,
                           const std::function<Status(const char* what, const std::string& path)>& missing) {
  auto check = [&](const std::string& path, const char* what) -> Status {
    if (path.rfind("s3://", 0) == 0 || path.rfind("s3a://", 0) == 0 || path.rfind("gs://", 0) == 0)
      return Status::OK();
    LDP_ASSIGN_OR_RAISE(bool exists, fs.Exists(path));
    return exists ? Status::OK() : missing(what, path);
  };
  for (const auto& f : plan.files) LDP_RETURN_NOT_OK(check(f.file_path, "data file"));
  for (const auto& d : plan.delete_files) LDP_RETURN_NOT_OK(check(d.file.file_path, "delete file"));
  return Status::OK();
}

bool NeedsParquetSchema(const iceberg::TableMetadata& md, const iceberg::DataFile& file) {
  if (md.properties.count(iceberg::kNameMappingProperty)) return true;
  const iceberg::PartitionSpec* spec = md.SpecById(file.spec_id);
  if (!spec) return false;
  for (const auto& pf : spec->fields) {
    if (pf.transform != "identity") continue;
    int32_t id = pf.source_id;
    if (!file.value_counts.count(id) && !file.null_value_counts.count(id) && !file.column_sizes.count(id)) return true;
  }
  return false;
}

Result<std::optional<iceberg::NameMapping>> TableNameMapping(const iceberg::TableMetadata& md) {
  auto it = md.properties.find(iceberg::kNameMappingProperty);
  if (it == md.properties.end()) return std::optional<iceberg::NameMapping>{};
  auto m = iceberg::NameMapping::FromJson(it->second);
  if (!m.ok()) return m.status().WithContext(fmt::format("table {}", md.location));
  return std::optional<iceberg::NameMapping>(std::move(*m));
}

std::map<int32_t, std::string> PartitionConstants(const iceberg::TableMetadata& md, const iceberg::Schema& current,
                                                  const iceberg::Schema& file_schema, const iceberg::DataFile& file) {
  std::map<int32_t, std::string> out;
  const iceberg::PartitionSpec* spec = md.SpecById(file.spec_id);
  if (!spec) return out;
  for (size_t i = 0; i < spec->fields.size() && i < file.partition.size(); ++i) {
    const auto& pf = spec->fields[i];
    if (pf.transform != "identity") continue;
    bool present = false;
    for (const auto& f : file_schema.fields()) present = present || f.id == pf.source_id;
    if (present) continue;
    const iceberg::NestedField* field = current.FindFieldById(pf.source_id);
    if (!field || !field->type || !field->type->is_primitive()) continue;
    const iceberg::Type& type = *field->type;
    std::string duck = iceberg::ToDuckType(type);
    auto lit = iceberg::FromPartitionValue(type, file.partition[i]);
    if (!lit) {
      out[pf.source_id] = fmt::format("CAST(NULL AS {})", duck);
    } else if (type.id() == iceberg::TypeId::kBinary || type.id() == iceberg::TypeId::kFixed) {
      // Raw bytes: as hex, so that any byte survives the SQL text.
      static const char* kHex = "0123456789abcdef";
      std::string hex;
      for (unsigned char c : std::get<std::string>(lit->value)) {
        hex += kHex[c >> 4];
        hex += kHex[c & 15];
      }
      out[pf.source_id] = fmt::format("from_hex('{}')", hex);
    } else {
      out[pf.source_id] = fmt::format("CAST({} AS {})", engine::QuoteLiteral(iceberg::LiteralToText(*lit)), duck);
    }
  }
  return out;
}

}  // namespace ldp::services
