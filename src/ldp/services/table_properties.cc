#include "ldp/services/table_properties.h"

namespace ldp::services {

Result<LoadedTable> UpdateTableProperties(Project& project, const catalog::TableIdentifier& table,
                                          const std::map<std::string, std::string>& set,
                                          const std::vector<std::string>& unset) {
  for (const auto& [k, v] : set) {
    if ((k == "write.delete.mode" || k == "write.update.mode" || k == "write.merge.mode") && v != "copy-on-write" &&
        v != "merge-on-read")
      return InvalidArgument("property {} = '{}': use copy-on-write or merge-on-read", k, v);
  }
  return UpdateTableMetadata(project, table, "a change of properties",
                             [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
                               auto next = std::make_shared<iceberg::TableMetadata>(*t.metadata);
                               for (const auto& [k, v] : set) next->properties[k] = v;
                               for (const auto& k : unset) next->properties.erase(k);
                               return next;
                             });
}

}  // namespace ldp::services
