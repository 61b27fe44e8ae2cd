// `ldp alter NS.T`: schema evolution (add, drop, rename, move, make optional, promote types) as
// one commit, and partition spec evolution (--partition-by) as another. The logic lives in
// services/alter.h, iceberg/schema_update.h and services/partition_evolution.h.
#include <iostream>
#include <map>
#include <optional>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/services/alter.h"
#include "ldp/services/partition_evolution.h"
#include "ldp/services/sorted_write.h"

namespace ldp::cli {
namespace {

class AlterCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("alter", "Change a table's schema (by field id): add, drop, rename, move columns, "
                                          "make optional, promote types (one commit); or evolve the partition spec");
    c->add_option("table", table_, "NS.NAME")->required();
    add_ = c->add_option("--add-column", add_values_,
                         "Add a column: \"NAME TYPE [first|after COL|before COL]\"; TYPE as `ldp describe` "
                         "shows it (long, decimal(9,2), struct<a: int>); NAME may be s.new to add inside a struct");
    drop_ = c->add_option("--drop-column", drop_values_, "Drop a column (s.x for a nested one)");
    rename_ = c->add_option("--rename-column", rename_values_, "Rename a column: \"OLD:NEW\" (s.old:new for a nested one)");
    move_ = c->add_option("--move-column", move_values_, "Move a column: \"NAME first|after COL|before COL\"");
    optional_ = c->add_option("--make-optional", optional_values_, "Make a required column optional");
    required_ = c->add_option("--make-required", required_values_,
                              "Make a column required (refused for optional columns: old rows may hold NULL)");
    type_ = c->add_option("--change-type", type_values_,
                          "Promote a column's type: \"NAME TYPE\" (int->long, float->double, wider decimal)");
    for (CLI::Option* o : {add_, drop_, rename_, move_, optional_, required_, type_}) o->allow_extra_args(false);
    c->add_option("--partition-by", partition_by_,
                  "New partition spec for new writes, e.g. \"day(ts), bucket(16, id)\"; "
                  "\"\" or unpartitioned for none. Existing files keep their spec");
    c->add_option("--sort-by", sort_by_,
                  "New default sort order, e.g. \"ts desc nulls last, day(ts), bucket(16, id)\"; \"\" or unsorted "
                  "for none. Writes and compaction sort rows by it");
    c->footer("Changes apply in the order given. Example:\n"
              "  ldp alter nyc.trips --add-column \"tip_share double after tip_amount\" --rename-column fare_amount:fare");
    sub_ = c;
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    size_t schema_changes = 0;
    for (CLI::Option* o : {add_, drop_, rename_, move_, optional_, required_, type_}) schema_changes += o->count();
    if (sort_by_) {
      if (schema_changes > 0 || partition_by_)
        return InvalidArgument("--sort-by cannot be combined with other changes: run `ldp alter` twice");
      return RunSortBy(g);
    }
    if (partition_by_) {
      if (schema_changes > 0)
        return InvalidArgument("--partition-by cannot be combined with schema changes: run `ldp alter` twice");
      return RunPartitionBy(g);
    }
    if (schema_changes == 0)
      return InvalidArgument("nothing to alter: give a schema change, --partition-by or --sort-by (see `ldp help alter`)");
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    services::AlterOptions o;
    LDP_ASSIGN_OR_RAISE(o.table, catalog::TableIdentifier::Parse(table_));
    // parse_order() lists every occurrence of every option in command-line order: the changes
    // apply in that order.
    std::map<CLI::Option*, size_t> seen;
    for (CLI::Option* opt : sub_->parse_order()) {
      size_t i = seen[opt]++;
      iceberg::SchemaChange c;
      if (opt == add_) {
        LDP_ASSIGN_OR_RAISE(c, services::ParseAddColumn(add_values_.at(i)));
      } else if (opt == drop_) {
        c.kind = iceberg::SchemaChange::Kind::kDrop;
        c.column = drop_values_.at(i);
      } else if (opt == rename_) {
        LDP_ASSIGN_OR_RAISE(c, services::ParseRename(rename_values_.at(i)));
      } else if (opt == move_) {
        LDP_ASSIGN_OR_RAISE(c, services::ParseMove(move_values_.at(i)));
      } else if (opt == optional_) {
        c.kind = iceberg::SchemaChange::Kind::kMakeOptional;
        c.column = optional_values_.at(i);
      } else if (opt == required_) {
        c.kind = iceberg::SchemaChange::Kind::kMakeRequired;
        c.column = required_values_.at(i);
      } else if (opt == type_) {
        LDP_ASSIGN_OR_RAISE(c, services::ParseTypeChange(type_values_.at(i)));
      } else {
        continue;
      }
      o.changes.push_back(std::move(c));
    }
    LDP_ASSIGN_OR_RAISE(auto r, services::AlterTable(*project, o));
    if (g.json) {
      PrintJson({{"table", r.table.ToString()},
                 {"committed", r.committed},
                 {"new_schema", r.new_schema},
                 {"previous_schema_id", r.previous_schema_id},
                 {"schema_id", r.schema_id},
                 {"last_column_id", r.last_column_id},
                 {"changes", r.applied},
                 {"commit_attempts", r.commit_attempts},
                 {"metadata_location", r.metadata_location}});
      return Status::OK();
    }
    if (!r.committed) {
      std::cout << "Schema of " << r.table.ToString() << " unchanged (schema id " << r.schema_id << ")\n";
      return Status::OK();
    }
    std::cout << "Altered " << r.table.ToString() << ": schema id " << r.previous_schema_id << " -> " << r.schema_id
              << (r.new_schema ? " (new)" : " (an earlier, identical schema)") << "\n";
    for (const auto& a : r.applied) std::cout << "  " << a << "\n";
    return Status::OK();
  }

 private:
  Status RunPartitionBy(const GlobalOptions& g) {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(auto r, services::EvolveTablePartitioning(*project, id, *partition_by_));
    if (g.json) {
      PrintJson({{"table", r.table.ToString()},
                 {"changed", r.changed},
                 {"spec_id", r.spec_id},
                 {"partition_spec", r.spec_text},
                 {"previous_partition_spec", r.previous_spec_text},
                 {"metadata_location", r.metadata_location}});
      return Status::OK();
    }
    if (!r.changed) {
      std::cout << "Table " << r.table.ToString() << " is already partitioned by " << r.spec_text
                << " (spec " << r.spec_id << "): nothing changed\n";
      return Status::OK();
    }
    std::cout << "Table " << r.table.ToString() << ": partition spec " << r.spec_id << " (" << r.spec_text
              << ") is now the default, was " << r.previous_spec_text
              << "\n  existing data files keep their spec; new writes use the new one\n";
    return Status::OK();
  }

  Status RunSortBy(const GlobalOptions& g) {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(auto r, services::AlterSortOrder(*project, id, *sort_by_));
    if (g.json) {
      PrintJson({{"table", id.ToString()},
                 {"changed", r.changed},
                 {"sort_order_id", r.order_id},
                 {"sort_order", r.text},
                 {"previous_sort_order", r.previous_text},
                 {"metadata_location", r.metadata_location}});
      return Status::OK();
    }
    if (!r.changed) {
      std::cout << "Table " << id.ToString() << " is already sorted by " << r.text << " (order " << r.order_id
                << "): nothing changed\n";
      return Status::OK();
    }
    std::cout << "Table " << id.ToString() << ": sort order " << r.order_id << " (" << r.text
              << ") is now the default, was " << r.previous_text
              << "\n  existing data files keep their order; new writes and compaction use the new one\n";
    return Status::OK();
  }

  std::string table_;
  std::optional<std::string> partition_by_, sort_by_;
  CLI::App* sub_ = nullptr;
  CLI::Option *add_ = nullptr, *drop_ = nullptr, *rename_ = nullptr, *move_ = nullptr, *optional_ = nullptr,
              *required_ = nullptr, *type_ = nullptr;
  std::vector<std::string> add_values_, drop_values_, rename_values_, move_values_, optional_values_, required_values_,
      type_values_;
};

}  // namespace

std::unique_ptr<Command> MakeAlterCommand() { return std::make_unique<AlterCommand>(); }

}  // namespace ldp::cli
