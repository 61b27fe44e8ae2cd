#include "ldp/services/sorted_write.h"

#include "ldp/iceberg/sort_order.h"
#include "ldp/services/partitioned_write.h"

namespace ldp::services {

Result<std::string> SortOrderByClause(engine::Connection& conn, const iceberg::TableMetadata& md,
                                      const iceberg::Schema& schema) {
  const iceberg::SortOrder* order = iceberg::DefaultSortOrder(md);
  if (!order || order->fields.empty()) return std::string();
  std::string by;
  bool needs_hash = false;
  for (const auto& f : order->fields) {
    iceberg::PartitionField pf{f.source_id, 1000, "sort", f.transform};
    auto expr = PartitionValueSql(schema, pf);
    if (!expr.ok())
      return InvalidArgument("sort order {}: {}", order->order_id, expr.status().message());
    needs_hash = needs_hash || f.transform.rfind("bucket", 0) == 0;
    by += fmt::format("{}{} {} {}", by.empty() ? "" : ", ", *expr, f.direction == "desc" ? "DESC" : "ASC",
                      f.null_order == "nulls-last" ? "NULLS LAST" : "NULLS FIRST");
  }
  if (needs_hash) LDP_RETURN_NOT_OK(RegisterPartitionFunctions(conn));
  return " ORDER BY " + by;
}

std::optional<int32_t> WrittenSortOrderId(const iceberg::TableMetadata& md) {
  const iceberg::SortOrder* order = iceberg::DefaultSortOrder(md);
  if (!order || order->fields.empty()) return std::nullopt;
  return order->order_id;
}

Status ApplySortOrderOnIngest(Project& project, LoadedTable* table, const std::string& text, bool created) {
  LDP_ASSIGN_OR_RAISE(auto evolved, iceberg::EvolveSortOrder(*table->metadata, text));
  if (!evolved.changed) return Status::OK();
  if (!created) {
    iceberg::SchemaPtr schema = table->metadata->CurrentSchema();
    const iceberg::SortOrder* now = iceberg::DefaultSortOrder(*table->metadata);
    return InvalidArgument("the table is sorted by '{}', not '{}'; change it with `ldp alter {} --sort-by ...`",
                           now ? iceberg::SortOrderText(*now, *schema) : "unsorted", text, table->id.ToString());
  }
  evolved.metadata->last_updated_ms = std::max(NowMs(), table->metadata->last_updated_ms);
  LDP_RETURN_NOT_OK(evolved.metadata->Validate());
  LDP_ASSIGN_OR_RAISE(LoadedTable committed, CommitMetadata(project, *table, evolved.metadata));
  *table = std::move(committed);
  return Status::OK();
}

Result<SortOrderChange> AlterSortOrder(Project& project, const catalog::TableIdentifier& id, const std::string& text) {
  SortOrderChange out;
  auto change = [&](const LoadedTable& t) -> Result<std::shared_ptr<iceberg::TableMetadata>> {
    auto evolved = iceberg::EvolveSortOrder(*t.metadata, text);
    if (!evolved.ok()) return evolved.status().WithContext(fmt::format("table {}: --sort-by", id.ToString()));
    iceberg::SchemaPtr schema = t.metadata->CurrentSchema();
    out.changed = evolved->changed;
    out.order_id = evolved->order_id;
    const auto* prev = iceberg::DefaultSortOrder(*t.metadata);
    out.previous_text = prev ? iceberg::SortOrderText(*prev, *schema) : "";
    const auto* now = iceberg::DefaultSortOrder(*evolved->metadata);
    out.text = now ? iceberg::SortOrderText(*now, *schema) : "";
    return evolved->changed ? evolved->metadata : nullptr;
  };
  LDP_ASSIGN_OR_RAISE(LoadedTable done, UpdateTableMetadata(project, id, "a sort order change", change));
  out.metadata_location = done.metadata_location;
  return out;
}

}  // namespace ldp::services
