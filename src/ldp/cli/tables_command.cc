// `ldp tables`, `ldp describe`, `ldp snapshots`: looking at what the catalog holds.
#include <iostream>

#include <fmt/ranges.h>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/iceberg/refs.h"
#include "ldp/iceberg/partitioning.h"
#include "ldp/iceberg/sort_order.h"
#include "ldp/services/clone.h"
#include "ldp/services/tables.h"

namespace ldp::cli {
namespace {

std::string SummaryValue(const iceberg::Snapshot* s, const std::string& key) {
  if (!s) return "0";
  auto it = s->summary.find(key);
  return it == s->summary.end() ? "" : it->second;
}

std::string FormatTime(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(ms % 1000));
}

Result<std::vector<catalog::Namespace>> AllNamespaces(catalog::Catalog& cat, const catalog::Namespace& root) {
  std::vector<catalog::Namespace> out;
  LDP_ASSIGN_OR_RAISE(auto children, cat.ListNamespaces(root));
  for (const auto& ns : children) {
    out.push_back(ns);
    LDP_ASSIGN_OR_RAISE(auto below, AllNamespaces(cat, ns));
    out.insert(out.end(), below.begin(), below.end());
  }
  return out;
}

// The table a command names (NS.NAME), loaded from the project's catalog.
Result<services::LoadedTable> LoadNamedTable(const GlobalOptions& g, const std::string& name) {
  LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(name));
  return services::LoadTable(*project, id);
}

class TablesCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("tables", "List tables (of one namespace, or all)");
    c->add_option("namespace", ns_, "Namespace, e.g. nyc");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    auto& cat = project->catalog();
    std::vector<catalog::Namespace> namespaces;
    if (!ns_.empty()) {
      LDP_ASSIGN_OR_RAISE(auto ns, catalog::ParseNamespace(ns_));
      LDP_ASSIGN_OR_RAISE(bool exists, cat.NamespaceExists(ns));
      if (!exists) return NoSuchNamespace("namespace '{}' does not exist in catalog '{}'", ns_, cat.name());
      namespaces.push_back(ns);
    } else {
      LDP_ASSIGN_OR_RAISE(namespaces, AllNamespaces(cat, {}));
    }
    std::vector<std::vector<std::string>> rows;
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& ns : namespaces) {
      LDP_ASSIGN_OR_RAISE(auto ids, cat.ListTables(ns));
      for (const auto& id : ids) {
        LDP_ASSIGN_OR_RAISE(auto t, services::LoadTable(*project, id));
        const auto* snap = t.metadata->CurrentSnapshot();
        std::string records = SummaryValue(snap, "total-records");
        std::string files = SummaryValue(snap, "total-data-files");
        std::string size = SummaryValue(snap, "total-files-size");
        rows.push_back({id.ToString(), records, files,
                        size.empty() ? "" : fmt::format("{:.1f}", std::stoll(size) / 1048576.0),
                        std::to_string(t.metadata->snapshots.size()),
                        snap ? FormatTime(snap->timestamp_ms) : "-"});
        arr.push_back({{"table", id.ToString()},
                       {"namespace", catalog::NamespaceToString(id.ns)},
                       {"name", id.name},
                       {"records", records.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(records))},
                       {"data_files", files.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(files))},
                       {"snapshots", t.metadata->snapshots.size()},
                       {"current_snapshot_id", snap ? nlohmann::json(snap->snapshot_id) : nlohmann::json(nullptr)},
                       {"location", t.metadata->location},
                       {"metadata_location", t.metadata_location}});
      }
    }
    if (g.json) {
      PrintJson(arr);
    } else {
      std::cout << RenderTable(MakeTable({"table", "records", "files", "MiB", "snapshots", "updated (UTC)"},
                                         std::move(rows), {false, true, true, true, true, false}));
    }
    return Status::OK();
  }

 private:
  std::string ns_;
};

void FlattenFields(const std::vector<iceberg::NestedField>& fields, const std::string& prefix,
                   std::vector<std::vector<std::string>>* rows) {
  for (const auto& f : fields) {
    rows->push_back({std::to_string(f.id), prefix + f.name, f.type->ToString(), f.required ? "required" : "optional"});
    // Struct fields, a list's element or a map's key and value.
    if (f.type->is_nested()) FlattenFields(f.type->fields(), prefix + f.name + ".", rows);
  }
}

nlohmann::json PartitionSpecsJson(const iceberg::TableMetadata& md, const iceberg::Schema& schema) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& s : md.partition_specs) {
    nlohmann::json j = s.ToJson();
    j["text"] = iceberg::PartitionSpecText(s, schema);
    j["default"] = s.spec_id == md.default_spec_id;
    arr.push_back(std::move(j));
  }
  return arr;
}

class DescribeCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("describe", "Show a table: schema with field ids, partition spec, sort order, properties, snapshot, location");
    c->add_option("table", table_, "NS.NAME")->required();
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto t, LoadNamedTable(g, table_));
    const auto& id = t.id;
    const auto& md = *t.metadata;
    auto schema = md.CurrentSchema();
    const auto* spec = md.DefaultSpec();
    const auto* snap = md.CurrentSnapshot();
    const auto* order = iceberg::DefaultSortOrder(md);
    if (g.json) {
      nlohmann::json j = {{"table", id.ToString()},
                          {"format_version", md.format_version},
                          {"table_uuid", md.table_uuid},
                          {"location", md.location},
                          {"metadata_location", t.metadata_location},
                          {"schema", schema->ToJson()},
                          {"current_schema_id", md.current_schema_id},
                          {"schema_count", md.schemas.size()},
                          {"last_column_id", md.last_column_id},
                          {"partition_spec", spec ? spec->ToJson() : nlohmann::json(nullptr)},
                          {"partition_spec_text", spec ? iceberg::PartitionSpecText(*spec, *schema) : ""},
                          {"default_spec_id", md.default_spec_id},
                          {"partition_specs", PartitionSpecsJson(md, *schema)},
                          {"sort_order", order ? order->ToJson() : nlohmann::json(nullptr)},
                          {"sort_order_text", order ? iceberg::SortOrderText(*order, *schema) : "unsorted"},
                          {"default_sort_order_id", md.default_sort_order_id},
                          {"properties", md.properties},
                          {"cloned_from", services::CloneProvenanceText(md.properties)},
                          {"current_snapshot", snap ? snap->ToJson() : nlohmann::json(nullptr)}};
      PrintJson(j);
      return Status::OK();
    }
    std::cout << "Table " << id.ToString() << "  (Iceberg v" << md.format_version << ", uuid " << md.table_uuid << ")\n"
              << "Location  " << md.location << "\n"
              << "Metadata  " << t.metadata_location << "\n\n"
              << "Schema (id " << schema->schema_id()
              << (md.schemas.size() > 1 ? fmt::format("; {} schemas in history", md.schemas.size()) : std::string())
              << ")\n";
    std::vector<std::vector<std::string>> rows;
    FlattenFields(schema->fields(), "", &rows);
    std::cout << RenderTable(MakeTable({"id", "name", "type", "nullability"}, std::move(rows), {true}));
    std::cout << "\nPartition spec (id " << (spec ? spec->spec_id : 0)
              << "): " << (spec ? iceberg::PartitionSpecText(*spec, *schema) : "unpartitioned") << "\n";
    if (spec && !spec->fields.empty()) {
      std::vector<std::vector<std::string>> prow;
      for (const auto& f : spec->fields) {
        const auto* src = schema->FindFieldById(f.source_id);
        prow.push_back({std::to_string(f.field_id), f.name, f.transform,
                        src ? src->name : "#" + std::to_string(f.source_id)});
      }
      std::cout << RenderTable(MakeTable({"field id", "name", "transform", "source column"}, std::move(prow), {true}));
    }
    if (md.partition_specs.size() > 1) {
      std::cout << "Earlier specs (files written with them keep them):\n";
      for (const auto& s : md.partition_specs)
        if (s.spec_id != md.default_spec_id)
          std::cout << fmt::format("  spec {}: {}\n", s.spec_id, iceberg::PartitionSpecText(s, *schema));
    }
    std::cout << "\nSort order (id " << md.default_sort_order_id
              << "): " << (order ? iceberg::SortOrderText(*order, *schema) : "unsorted") << "\n";
    if (std::string from = services::CloneProvenanceText(md.properties); !from.empty())
      std::cout << "\nProvenance: " << from << "\n";
    std::cout << "\nProperties:" << (md.properties.empty() ? " none\n" : "\n");
    for (const auto& [k, v] : md.properties) std::cout << "  " << k << " = " << v << "\n";
    std::cout << "\nCurrent snapshot: ";
    if (!snap) {
      std::cout << "none (empty table)\n";
    } else {
      std::cout << snap->snapshot_id << " (" << SummaryValue(snap, "operation") << ", "
                << FormatTime(snap->timestamp_ms) << ", sequence " << snap->sequence_number << ")\n"
                << "  records " << SummaryValue(snap, "total-records") << ", data files "
                << SummaryValue(snap, "total-data-files") << ", bytes " << SummaryValue(snap, "total-files-size")
                << "\n";
    }
    return Status::OK();
  }

 private:
  std::string table_;
};

class SnapshotsCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("snapshots", "List a table's snapshots, oldest first");
    c->add_option("table", table_, "NS.NAME")->required();
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto t, LoadNamedTable(g, table_));
    const auto& md = *t.metadata;
    if (g.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& s : md.snapshots) {
        nlohmann::json j = s.ToJson();
        j["current"] = md.current_snapshot_id && *md.current_snapshot_id == s.snapshot_id;
        j["refs"] = iceberg::RefsAt(md, s.snapshot_id);
        arr.push_back(std::move(j));
      }
      PrintJson(arr);
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : md.snapshots) {
      bool current = md.current_snapshot_id && *md.current_snapshot_id == s.snapshot_id;
      rows.push_back({std::to_string(s.snapshot_id) + (current ? " *" : ""),
                      s.parent_snapshot_id ? std::to_string(*s.parent_snapshot_id) : "-",
                      std::to_string(s.sequence_number), FormatTime(s.timestamp_ms), SummaryValue(&s, "operation"),
                      SummaryValue(&s, "added-records"), SummaryValue(&s, "deleted-records"),
                      SummaryValue(&s, "total-records"), SummaryValue(&s, "total-data-files"),
                      fmt::format("{}", fmt::join(iceberg::RefsAt(md, s.snapshot_id), ", "))});
    }
    std::cout << RenderTable(MakeTable({"snapshot_id", "parent", "seq", "committed (UTC)", "operation", "added rows",
                                        "deleted rows", "total rows", "files", "refs"},
                                       std::move(rows), {false, false, true, false, false, true, true, true, true, false}));
    if (!md.snapshots.empty()) std::cout << "* = current\n";
    return Status::OK();
  }

 private:
  std::string table_;
};

}  // namespace

std::unique_ptr<Command> MakeTablesCommand() { return std::make_unique<TablesCommand>(); }
std::unique_ptr<Command> MakeDescribeCommand() { return std::make_unique<DescribeCommand>(); }
std::unique_ptr<Command> MakeSnapshotsCommand() { return std::make_unique<SnapshotsCommand>(); }

}  // namespace ldp::cli
