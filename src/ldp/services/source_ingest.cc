#include "ldp/services/source_ingest.h"

#include <chrono>

#include "ldp/connectors/download.h"

#include <fmt/format.h>

namespace ldp::services {

bool IsConnectorSource(const std::string& source, const std::string& config_path) {
  if (!config_path.empty()) return true;
  return connectors::KindOfUri(source, false) != connectors::SourceKind::kFile;
}

std::string CursorStorePath(const Project& project) { return project.warehouse() + "/_ldp/connectors.db"; }

Result<SourceIngestResult> IngestFromSource(Project& project, engine::Connection& conn, IngestOptions options,
                                            const connectors::ConnectorOptions& connector,
                                            const connectors::SourceContext& ctx) {
  SourceIngestResult out;
  out.source = connector.Describe();
  out.state_name = connector.StateName(options.table.ToString());
  options.source = out.source;
  LDP_ASSIGN_OR_RAISE(auto source, connectors::MakeSource(connector, ctx));
  LDP_ASSIGN_OR_RAISE(auto store, connectors::CursorStore::Open(CursorStorePath(project)));
  LDP_ASSIGN_OR_RAISE(auto saved, store->Get(out.state_name));
  if (saved) out.previous_cursor = saved->value;
  LDP_ASSIGN_OR_RAISE(auto stage, connectors::Stage::Make(project.warehouse() + "/_ldp/staging"));
  auto extracted = source->Extract(*stage, out.previous_cursor);
  if (!extracted.ok()) return connector.Redact(extracted.status().WithContext(fmt::format("source {}", out.source)));
  out.records = extracted->records;
  out.pages = extracted->pages;
  out.ingest.table = options.table;
  if (extracted->relation_sql.empty()) return out;  // no records: nothing to commit

  std::optional<std::string> new_cursor;
  if (!extracted->cursor_field.empty()) {
    auto max = conn.QueryScalar(fmt::format("SELECT max({})::VARCHAR FROM {}",
                                            engine::QuoteIdent(extracted->cursor_field), extracted->relation_sql));
    if (!max.ok())
      return InvalidArgument("source {}: cursor field '{}' cannot be read from the records: {}", out.source,
                             extracted->cursor_field, connector.Redact(max.status().message()));
    new_cursor = *max;
  }
  options.relation_sql = extracted->relation_sql;
  auto r = Ingest(project, conn, options);
  if (!r.ok()) return connector.Redact(r.status());
  out.ingest = std::move(*r);
  if (new_cursor && out.ingest.committed) {
    connectors::CursorRecord rec;
    rec.source = out.state_name;
    rec.cursor_field = extracted->cursor_field;
    rec.value = *new_cursor;
    rec.target = options.table.ToString();
    rec.snapshot_id = out.ingest.snapshot_id;
    rec.updated_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    Status st = store->Put(rec);
    // The rows are committed; a cursor that cannot be saved means the next run fetches them again.
    if (!st.ok()) return st.WithContext(fmt::format("rows committed (snapshot {}) but saving the cursor failed",
                                                    out.ingest.snapshot_id));
    out.cursor = new_cursor;
  } else {
    out.cursor = out.previous_cursor;
  }
  return out;
}

Result<IngestResult> IngestFromUrl(Project& project, engine::Connection& conn, IngestOptions options) {
  std::string url = options.source;
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::string name = path.substr(path.rfind('/') + 1);
  if (name.empty()) name = "download";
  LDP_ASSIGN_OR_RAISE(auto stage, connectors::Stage::Make(project.warehouse() + "/_ldp/staging"));
  std::string local = stage->dir() + "/" + name;
  std::string shown = connectors::RedactUri(path);
  auto d = connectors::DownloadToFile(url, local);
  if (!d.ok()) return Status(d.status().code(), connectors::RedactUri(d.status().message())).WithContext("source " + shown);
  options.source = local;
  auto r = Ingest(project, conn, options);
  if (!r.ok()) {
    // Name the URL, not the staging file.
    std::string msg = r.status().message();
    for (size_t pos = msg.find(local); pos != std::string::npos; pos = msg.find(local, pos + shown.size()))
      msg.replace(pos, local.size(), shown);
    return Status(r.status().code(), msg);
  }
  return r;
}

}  // namespace ldp::services
