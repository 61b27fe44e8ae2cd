#include "ldp/services/partition_evolution.h"

#include <chrono>
#include <thread>

#include "ldp/iceberg/partitioning.h"
#include "ldp/services/tables.h"

namespace ldp::services {

Result<PartitionEvolutionResult> EvolveTablePartitioning(Project& project, const catalog::TableIdentifier& table,
                                                         const std::string& text) {
  constexpr int kMaxAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    LDP_ASSIGN_OR_RAISE(LoadedTable t, LoadTable(project, table));
    auto evolved = iceberg::EvolvePartitionSpec(*t.metadata, text);
    if (!evolved.ok()) return evolved.status().WithContext(fmt::format("table {}", table.ToString()));
    PartitionEvolutionResult out;
    out.table = table;
    out.changed = evolved->changed;
    out.spec_id = evolved->spec_id;
    iceberg::SchemaPtr schema = t.metadata->CurrentSchema();
    if (const auto* prev = t.metadata->DefaultSpec()) out.previous_spec_text = iceberg::PartitionSpecText(*prev, *schema);
    if (const auto* now = evolved->metadata->SpecById(evolved->spec_id))
      out.spec_text = iceberg::PartitionSpecText(*now, *schema);
    if (!evolved->changed) {
      out.metadata_location = t.metadata_location;
      return out;
    }
    evolved->metadata->last_updated_ms = std::max(NowMs(), t.metadata->last_updated_ms);
    LDP_RETURN_NOT_OK(evolved->metadata->Validate());
    auto committed = CommitMetadata(project, t, evolved->metadata);
    if (committed.ok()) {
      out.metadata_location = committed->metadata_location;
      return out;
    }
    bool retry = committed.status().code() == ErrorCode::kCommitFailed ||
                 committed.status().code() == ErrorCode::kAlreadyExists;
    if (!retry || attempt >= kMaxAttempts)
      return committed.status().WithContext(fmt::format("altering partition spec of {}", table.ToString()));
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

}  // namespace ldp::services
