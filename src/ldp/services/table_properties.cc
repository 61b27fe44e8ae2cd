#include "ldp/services/table_properties.h"

#include <chrono>
#include <thread>

namespace ldp::services {

Result<LoadedTable> UpdateTableProperties(Project& project, const catalog::TableIdentifier& table,
                                          const std::map<std::string, std::string>& set,
                                          const std::vector<std::string>& unset) {
  for (const auto& [k, v] : set) {
    if ((k == "write.delete.mode" || k == "write.update.mode" || k == "write.merge.mode") && v != "copy-on-write" &&
        v != "merge-on-read")
      return InvalidArgument("property {} = '{}': use copy-on-write or merge-on-read", k, v);
  }
  constexpr int kMaxAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    LDP_ASSIGN_OR_RAISE(LoadedTable t, LoadTable(project, table));
    auto next = std::make_shared<iceberg::TableMetadata>(*t.metadata);
    for (const auto& [k, v] : set) next->properties[k] = v;
    for (const auto& k : unset) next->properties.erase(k);
    next->last_updated_ms = std::max(NowMs(), t.metadata->last_updated_ms);
    auto committed = CommitMetadata(project, t, next);
    if (committed.ok()) return committed;
    if (committed.status().code() != ErrorCode::kCommitFailed || attempt >= kMaxAttempts)
      return committed.status().WithContext(fmt::format("setting properties of {}", table.ToString()));
    std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
  }
}

}  // namespace ldp::services
