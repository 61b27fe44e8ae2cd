#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/services/clone.h"
#include "ldp/services/ingest.h"

namespace ldp::cli {
namespace {

class CloneCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("clone", "Copy a table (or a slice of it) from a catalog or a location into a new local table");
    c->add_option("source", source_,
                  "NS.NAME of this project's catalog (or of --from / --from-catalog); or a table location: a "
                  "metadata file or a table folder, local or s3://")
        ->required();
    c->add_option("--to", to_, "The new table NS.NAME")->required();
    c->add_option("--from", from_,
                  "Read SOURCE from this catalog of ldp.yaml's `catalogs:` section (SQL or REST, by name)");
    c->add_option("--from-catalog", from_catalog_,
                  "Read SOURCE from this Iceberg REST catalog (URI, e.g. http://host:8181 of `ldp serve`)");
    c->add_option("--from-token", from_token_, "Bearer token for --from-catalog")->envname("LDP_FROM_CATALOG_TOKEN");
    c->add_option("--from-credential", from_credential_, "OAuth2 client_id:client_secret for --from-catalog")
        ->envname("LDP_FROM_CATALOG_CREDENTIAL");
    c->add_option("--from-warehouse", from_warehouse_, "Warehouse to ask --from-catalog for");
    c->add_option("--sample", sample_, "Keep PCT percent of the rows (0 < PCT <= 100), the same rows for the same --seed");
    c->add_option("--seed", seed_, "Seed of --sample (default 0)");
    c->add_option("--where", where_, "Keep the rows matching this DuckDB predicate on the source's columns");
    c->add_option("--limit", limit_, "Keep at most N rows (the first in the order of the source's data files)");
    c->add_option("--snapshot", snapshot_, "Clone this snapshot id, branch or tag instead of the current snapshot");
    c->add_flag("--replace", replace_, "Replace an existing table of that name (its old files are kept)");
    c->footer(
        "The new table has the source's schema (field ids kept), partition spec, sort order and\n"
        "properties (minus storage-bound ones) and new local data files with the source's deletes\n"
        "applied. --where, --sample and --limit combine (in that order). Its properties record the\n"
        "source (ldp.clone.source, ldp.clone.snapshot-id, ldp.clone.filter); `ldp describe` shows them.\n"
        "s3:// locations use ldp.yaml's storage settings (or the AWS_* variables) and the read cache,\n"
        "whatever the warehouse's storage. Nothing is created when the source, a data file or the\n"
        "predicate is at fault.");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    services::CloneOptions o;
    o.source = source_;
    LDP_ASSIGN_OR_RAISE(o.to, catalog::TableIdentifier::Parse(to_));
    o.from = from_;
    o.from_catalog = from_catalog_;
    if (!from_.empty() && (!from_token_.empty() || !from_credential_.empty() || !from_warehouse_.empty()))
      return InvalidArgument("--from {}: its token, credential and warehouse come from ldp.yaml's catalogs.{}; "
                             "--from-token, --from-credential and --from-warehouse go with --from-catalog URI",
                             from_, from_);
    o.from_token = from_token_;
    o.from_credential = from_credential_;
    o.from_warehouse = from_warehouse_;
    if (from_catalog_.empty() && !from_warehouse_.empty())
      return InvalidArgument("--from-warehouse goes with --from-catalog URI");
    o.snapshot = snapshot_;
    o.sample_percent = sample_;
    if (seed_ && !sample_) return InvalidArgument("--seed goes with --sample PCT");
    o.seed = seed_.value_or(0);
    o.where = where_;
    o.limit = limit_;
    o.replace = replace_;
    ProgressBar bar("clone " + o.to.ToString());
    if (!g.quiet) o.progress = [&bar](double p) { bar.Update(p); };
    LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(*project));
    LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
    auto start = std::chrono::steady_clock::now();
    auto r = services::CloneTable(*project, *conn, o);
    bar.Finish();
    if (!r.ok()) return r.status();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (g.json) {
      PrintJson({{"table", r->table.ToString()},
                 {"source", r->source},
                 {"source_metadata", r->source_metadata},
                 {"source_snapshot_id", r->source_snapshot_id},
                 {"source_rows", r->source_rows},
                 {"source_files", r->source_files},
                 {"filter", r->filter},
                 {"rows", r->rows},
                 {"data_files", r->data_files},
                 {"bytes", r->bytes},
                 {"partitions", r->partitions},
                 {"snapshot_id", r->snapshot_id},
                 {"metadata_location", r->metadata_location},
                 {"replaced", r->replaced},
                 {"seconds", secs}});
      return Status::OK();
    }
    if (!g.quiet) {
      std::cout << (r->replaced ? "Replaced " : "Cloned ") << r->table.ToString() << " from " << r->source
                << (r->source_snapshot_id >= 0 ? fmt::format(" at snapshot {}", r->source_snapshot_id) : "") << "\n"
                << fmt::format("  {} row(s) in {} data file(s), {} bytes{}; {:.1f}s\n", r->rows, r->data_files, r->bytes,
                               r->filter.empty() ? "" : " (" + r->filter + ")", secs);
    }
    return Status::OK();
  }

 private:
  std::string source_, to_, from_, from_catalog_, from_token_, from_credential_, from_warehouse_, where_, snapshot_;
  std::optional<double> sample_;
  std::optional<int64_t> seed_, limit_;
  bool replace_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeCloneCommand() { return std::make_unique<CloneCommand>(); }

}  // namespace ldp::cli
