#include "ldp/services/partition_evolution.h"

#include "ldp/iceberg/partitioning.h"
#include "ldp/services/tables.h"

namespace ldp::services {

Result<PartitionEvolutionResult> EvolveTablePartitioning(Project& project, const catalog::TableIdentifier& table,
                                                         const std::string& text) {
  PartitionEvolutionResult out;
  out.table = table;
  auto change = [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    auto evolved = iceberg::EvolvePartitionSpec(*t.metadata, text);
    if (!evolved.ok()) return evolved.status().WithContext(fmt::format("table {}", table.ToString()));
    out.changed = evolved->changed;
    out.spec_id = evolved->spec_id;
    iceberg::SchemaPtr schema = t.metadata->CurrentSchema();
    const auto* prev = t.metadata->DefaultSpec();
    out.previous_spec_text = prev ? iceberg::PartitionSpecText(*prev, *schema) : "";
    const auto* now = evolved->metadata->SpecById(evolved->spec_id);
    out.spec_text = now ? iceberg::PartitionSpecText(*now, *schema) : "";
    return evolved->changed ? evolved->metadata : nullptr;
  };
  LDP_ASSIGN_OR_RAISE(LoadedTable done, UpdateTableMetadata(project, table, "a partition spec change", change));
  out.metadata_location = done.metadata_location;
  return out;
}

}  // namespace ldp::services
