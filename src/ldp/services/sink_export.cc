#include "ldp/services/sink_export.h"

#include <fmt/format.h>

#include "ldp/services/query.h"

namespace ldp::services {

Result<connectors::SinkResult> ExportToSink(Project& project, engine::Connection& conn,
                                            const std::optional<catalog::TableIdentifier>& table,
                                            const std::string& sql, const std::string& to,
                                            connectors::SinkOptions options) {
  std::string select = sql;
  if (table) {
    select = fmt::format("SELECT * FROM {}.{}", engine::QuoteIdent(catalog::NamespaceToString(table->ns)),
                         engine::QuoteIdent(table->name));
    if (options.table.empty() && connectors::KindOfTarget(to) != connectors::SinkKind::kFile &&
        to.find("table=") == std::string::npos)
      options.table = table->name;
  }
  if (options.staging_dir.empty()) options.staging_dir = project.warehouse() + "/_ldp/staging";
  LDP_RETURN_NOT_OK(PrepareTables(project, conn, select));
  LDP_ASSIGN_OR_RAISE(auto sink, connectors::MakeSink(to, options));
  auto r = sink->Write(conn, select);
  if (!r.ok())
    return r.status().WithContext(table ? fmt::format("exporting {}", table->ToString()) : std::string("exporting query"));
  return r;
}

}  // namespace ldp::services
