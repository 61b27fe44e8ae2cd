#include <chrono>
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/services/ingest.h"
#include "ldp/services/source_ingest.h"

namespace ldp::cli {
namespace {

class IngestCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand(
        "ingest", "Load a file, glob, folder, REST API, PostgreSQL or BigQuery source into an Iceberg table (one atomic snapshot)");
    c->add_option("source", source_,
                  "A file, a glob (quote it) or a folder; or a source URI: postgresql://..., bigquery://PROJECT?query=..., "
                  "http(s)://... (with --source-config)");
    c->add_option("--source-config", source_config_,
                  "YAML options of a connector source (REST API, PostgreSQL, BigQuery); values may be {{ env.NAME }}");
    c->add_option("-t,--table", table_, "Target table NS.NAME (created when missing)")->required();
    c->add_option("--mode", mode_, "append (default), replace or merge ('overwrite': deprecated spelling of replace)")
        ->check(CLI::IsMember({"append", "replace", "merge", "overwrite"}));
    c->add_option("--key", key_, "merge: key column(s) COL[,COL]; source rows replace rows with their key, others are added");
    c->add_option("--where", where_, "replace: replace only the rows matching this DuckDB predicate");
    c->add_option("--format", format_, "parquet, csv or json (default: from the file extension)")
        ->check(CLI::IsMember({"parquet", "csv", "json"}));
    c->add_option("--branch", branch_, "Commit to this existing branch instead of main (write-audit-publish)");
    c->add_option("--partition-by", partition_by_,
                  "Partition spec of a table this creates, e.g. \"day(ts), bucket(16, id)\" "
                  "(identity, bucket, truncate, year, month, day, hour, void)");
    c->add_option("--sort-by", sort_by_,
                  "Sort order of a table this creates, e.g. \"tpep_pickup_datetime desc nulls last, day(ts)\"; "
                  "rows of every write are sorted by the table's order");
    c->add_flag("--evolve", evolve_,
                "Merge the source schema into the table: add new columns, apply allowed type promotions, match "
                "a column whose name differs only in case (committed with the data)");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    if (source_.empty() && source_config_.empty()) return InvalidArgument("give a source (a file or a URI) or --source-config FILE");
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    services::IngestOptions o;
    o.source = source_;
    o.evolve = evolve_;
    LDP_ASSIGN_OR_RAISE(o.table, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(o.mode, services::ParseIngestMode(mode_));
    LDP_ASSIGN_OR_RAISE(o.format, services::ParseSourceFormat(format_));
    if (!branch_.empty()) o.branch = branch_;
    if (o.mode == services::IngestMode::kMerge && key_.empty()) return InvalidArgument("--mode merge needs --key COL[,COL]");
    if (o.mode != services::IngestMode::kMerge && !key_.empty()) return InvalidArgument("--key goes with --mode merge");
    if (o.mode != services::IngestMode::kOverwrite && !where_.empty()) return InvalidArgument("--where goes with --mode replace");
    for (size_t start = 0; !key_.empty() && start <= key_.size();) {
      size_t comma = key_.find(',', start);
      std::string k = key_.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      k.erase(0, k.find_first_not_of(' '));
      k.erase(k.find_last_not_of(' ') + 1);
      if (k.empty()) return InvalidArgument("--key '{}' has an empty column name", key_);
      o.keys.push_back(k);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    o.where = where_;
    o.partition_by = partition_by_;
    o.sort_by = sort_by_;
    ProgressBar bar("ingest " + o.table.ToString());
    if (!g.quiet) o.progress = [&bar](double p) { bar.Update(p); };
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
    auto start = std::chrono::steady_clock::now();
    std::optional<services::SourceIngestResult> from_source;
    Result<services::IngestResult> r = Internal("not run");
    if (services::IsConnectorSource(source_, source_config_)) {
      LDP_ASSIGN_OR_RAISE(auto connector, connectors::ConnectorOptions::Load(source_, source_config_));
      if (connector.kind() == connectors::SourceKind::kFile) {
        // A config that names a file source: the file path below reads it.
        o.source = connector.uri();
        r = services::Ingest(*project, *conn, o);
      } else {
        auto sr = services::IngestFromSource(*project, *conn, o, connector);
        if (!sr.ok()) {
          bar.Finish();
          return sr.status();
        }
        from_source = *sr;
        r = sr->ingest;
      }
    } else {
      r = services::Ingest(*project, *conn, o);
    }
    bar.Finish();
    if (!r.ok()) return r.status();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (g.json) {
      nlohmann::json j{{"table", r->table.ToString()},
                 {"created_table", r->created_table},
                 {"committed", r->committed},
                 {"snapshot_id", r->snapshot_id},
                 {"rows", r->rows},
                 {"data_files", r->data_files},
                 {"bytes", r->bytes},
                 {"source_files", r->source_files},
                 {"commit_attempts", r->commit_attempts},
                 {"branch", o.branch},
                 {"spec_id", r->spec_id},
                 {"partitions", r->partitions},
                 {"metadata_location", r->metadata_location},
                 {"schema_evolved", r->schema_evolved},
                 {"schema_id", r->schema_id},
                 {"schema_notes", r->schema_notes},
                 {"seconds", secs}};
      if (from_source) {
        j["source"] = from_source->source;
        j["state_name"] = from_source->state_name;
        j["records"] = from_source->records;
        j["pages"] = from_source->pages;
        j["previous_cursor"] = from_source->previous_cursor ? nlohmann::json(*from_source->previous_cursor) : nlohmann::json();
        j["cursor"] = from_source->cursor ? nlohmann::json(*from_source->cursor) : nlohmann::json();
      }
      if (!r->write_mode.empty()) {
        // merge / overwrite --where: what happened to existing rows
        j["write_mode"] = r->write_mode;
        j["rows_deleted"] = r->rows_deleted;
        j["rows_updated"] = r->rows_updated;
        j["rows_inserted"] = r->rows_inserted;
        j["files_rewritten"] = r->files_rewritten;
        j["delete_files_added"] = r->delete_files;
      }
      PrintJson(j);
      return Status::OK();
    }
    if (g.quiet) return Status::OK();
    if (r->created_table) std::cout << "Created table " << r->table.ToString() << "\n";
    if (evolve_) {
      std::cout << (r->schema_evolved ? fmt::format("Evolved schema of {} (schema id {}):\n", r->table.ToString(), r->schema_id)
                                      : std::string("Schema unchanged\n"));
      for (const auto& n : r->schema_notes) std::cout << "  " << n << "\n";
    }
    if (from_source)
      std::cout << fmt::format("Read {} records in {} page{} from {}{}\n", from_source->records, from_source->pages,
                               from_source->pages == 1 ? "" : "s", from_source->source,
                               from_source->cursor ? ", cursor " + *from_source->cursor : std::string());
    if (!r->committed) {
      std::cout << "Source had no rows: no snapshot written\n";
      return Status::OK();
    }
    if (!r->write_mode.empty()) {
      std::cout << fmt::format("{} {} ({}): {} rows updated, {} inserted, {} removed in {:.2f}s\n",
                               mode_ == "merge" ? "Merged into" : "Overwrote matching rows of", r->table.ToString(),
                               r->write_mode, r->rows_updated, r->rows_inserted, r->rows_deleted, secs)
                << fmt::format("  data files: {} rewritten, {} added; delete files added: {}\n", r->files_rewritten,
                               r->data_files, r->delete_files)
                << "  snapshot " << r->snapshot_id << "\n";
      return Status::OK();
    }
    std::string from = from_source ? std::string("the source")
                                   : fmt::format("{} source file{}", r->source_files, r->source_files == 1 ? "" : "s");
    std::cout << fmt::format("{} {} rows from {} into {} ({} data file{}, {:.1f} MiB) in {:.2f}s\n",
                             o.mode == services::IngestMode::kOverwrite ? "Replaced with" : "Appended", r->rows, from, r->table.ToString(), r->data_files,
                             r->data_files == 1 ? "" : "s", r->bytes / 1048576.0, secs)
              << "  snapshot " << r->snapshot_id
              << (r->partitions > 0 ? fmt::format(", {} partition{} (spec {})", r->partitions,
                                                  r->partitions == 1 ? "" : "s", r->spec_id)
                                    : std::string())
              << (o.branch == "main" ? std::string() : " on branch " + o.branch) << "\n";
    return Status::OK();
  }

 private:
  std::string source_, source_config_, table_, mode_ = "append", format_, branch_, key_, where_;
  std::optional<std::string> partition_by_, sort_by_;
  bool evolve_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeIngestCommand() { return std::make_unique<IngestCommand>(); }

}  // namespace ldp::cli
