#include "ldp/services/register.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ldp/iceberg/file_paths.h"
#include "ldp/iceberg/metadata_file.h"
#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/table_metadata.h"
#include "ldp/services/foreign_read.h"

namespace ldp::services {

namespace {
// The catalog half of RegisterTable: namespace, then the table row (created or re-pointed).
Result<RegisterResult> WriteCatalogRow(Project& project, const RegisterOptions& options, RegisterResult out);
}  // namespace

Result<RegisterResult> RegisterTable(Project& project, const RegisterOptions& options) {
  auto& fs = project.fs();
  auto& cat = project.catalog();
  const std::string name = options.table.ToString();
  RegisterResult out;
  out.table = options.table;

  // Everything is read and checked before the catalog is touched.
  LDP_ASSIGN_OR_RAISE(out.metadata_location, iceberg::ResolveMetadataLocation(fs, options.location));
  LDP_ASSIGN_OR_RAISE(std::string text, iceberg::ReadMetadataText(fs, out.metadata_location));
  std::string relocated_path;  // where the relocated copy of the metadata goes, when relocating
  if (!options.relocate.empty()) {
    // A copy of the metadata document (unknown fields kept) with the relocations as properties and
    // `location` moved; written into this project's warehouse once every check passed.
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return InvalidArgument("registering {}: metadata {} is not a JSON object", name, out.metadata_location);
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i < options.relocate.size(); ++i) {
      LDP_ASSIGN_OR_RAISE(auto r, iceberg::ParseRelocation(options.relocate[i]));
      doc["properties"][fmt::format("{}{}", iceberg::kRelocatePropertyPrefix, i)] = options.relocate[i];
      pairs.push_back(r);
    }
    if (doc.contains("location") && doc["location"].is_string()) {
      iceberg::PathResolver resolver("", pairs);
      auto loc = resolver.Resolve(doc["location"].get<std::string>(), "table location");
      if (loc.ok()) doc["location"] = *loc;
    }
    text = doc.dump(2);
    relocated_path = fmt::format("{}/metadata/{}", io::ToLocalPath(project.DefaultTableLocation(options.table)),
                                 iceberg::MetadataFileName(0));
  }
  auto md = iceberg::TableMetadata::FromJsonString(text);
  if (!md.ok()) return md.status().WithContext(fmt::format("registering {}: metadata {}", name, out.metadata_location));
  const auto& m = **md;
  out.format_version = m.format_version;
  out.table_uuid = m.table_uuid;
  out.snapshots = static_cast<int64_t>(m.snapshots.size());
  if (const iceberg::Snapshot* snap = m.CurrentSnapshot()) {
    out.current_snapshot_id = snap->snapshot_id;
    auto plan = iceberg::PlanScan(fs, m, snap, {});
    if (!plan.ok())
      return plan.status().WithContext(fmt::format("registering {}: snapshot {}", name, snap->snapshot_id));
    out.data_files = static_cast<int64_t>(plan->files.size());
    for (const auto& f : plan->files) out.records += f.record_count;
    // Every file the current snapshot needs must be there.
    LDP_RETURN_NOT_OK(CheckPlanFilesExist(fs, *plan, [&](const char* what, const std::string& path) {
      return NotFound("registering {}: {} {} of snapshot {} does not exist (was the table moved? its location is {})",
                      name, what, path, snap->snapshot_id, m.location);
    }));
  }

  if (!relocated_path.empty()) {
    // Refused before anything is written when the name is taken and --overwrite was not given.
    auto taken = cat.LoadTableLocation(options.table);
    if (taken.ok() && !options.overwrite)
      return AlreadyExists("table {} already exists (pointing at {}); use --overwrite to point it at {}", name, *taken,
                           out.metadata_location);
    LDP_RETURN_NOT_OK(fs.CreateDirs(relocated_path.substr(0, relocated_path.rfind('/'))));
    LDP_RETURN_NOT_OK(fs.WriteFileExclusive(relocated_path, text));
    out.metadata_location = relocated_path;
  }
  auto result = WriteCatalogRow(project, options, out);
  if (!result.ok() && !relocated_path.empty()) (void)fs.Delete(relocated_path);
  return result;
}

namespace {
Result<RegisterResult> WriteCatalogRow(Project& project, const RegisterOptions& options, RegisterResult out) {
  auto& cat = project.catalog();
  const std::string name = options.table.ToString();
  LDP_ASSIGN_OR_RAISE(bool ns_exists, cat.NamespaceExists(options.table.ns));
  if (!ns_exists) {
    Status st = cat.CreateNamespace(options.table.ns, {});
    if (!st.ok() && st.code() != ErrorCode::kAlreadyExists) return st;
  }
  auto current = cat.LoadTableLocation(options.table);
  if (current.ok()) {
    if (!options.overwrite)
      return AlreadyExists("table {} already exists (pointing at {}); use --overwrite to point it at {}", name, *current,
                           out.metadata_location);
    LDP_RETURN_NOT_OK(cat.ReplaceTableLocation(options.table, *current, out.metadata_location));
    out.replaced = true;
    return out;
  }
  if (current.status().code() != ErrorCode::kNoSuchTable) return current.status();
  LDP_RETURN_NOT_OK(cat.CreateTable(options.table, out.metadata_location));
  return out;
}

}  // namespace

Result<std::string> UnregisterTable(Project& project, const catalog::TableIdentifier& table) {
  auto& cat = project.catalog();
  LDP_ASSIGN_OR_RAISE(std::string loc, cat.LoadTableLocation(table));
  LDP_RETURN_NOT_OK(cat.DropTable(table));
  return loc;
}

}  // namespace ldp::services
