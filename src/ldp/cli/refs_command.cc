// `ldp branch ...`, `ldp tag ...`, `ldp rollback`: snapshot references of a table.
#include <algorithm>
#include <iostream>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/iceberg/refs.h"
#include "ldp/services/snapshots.h"
#include "ldp/services/tables.h"

namespace ldp::cli {
namespace {

std::string AgeText(const std::optional<int64_t>& ms) {
  if (!ms) return "";
  if (*ms % 86400000 == 0) return fmt::format("{}d", *ms / 86400000);
  if (*ms % 3600000 == 0) return fmt::format("{}h", *ms / 3600000);
  return fmt::format("{}ms", *ms);
}

nlohmann::json RefJson(const std::string& name, const iceberg::SnapshotRef& r, const iceberg::TableMetadata& m) {
  nlohmann::json j = {{"name", name}, {"type", r.type}, {"snapshot_id", r.snapshot_id}};
  if (const auto* s = m.SnapshotById(r.snapshot_id)) j["snapshot_timestamp_ms"] = s->timestamp_ms;
  j["min_snapshots_to_keep"] = r.min_snapshots_to_keep ? nlohmann::json(*r.min_snapshots_to_keep) : nlohmann::json(nullptr);
  j["max_snapshot_age_ms"] = r.max_snapshot_age_ms ? nlohmann::json(*r.max_snapshot_age_ms) : nlohmann::json(nullptr);
  j["max_ref_age_ms"] = r.max_ref_age_ms ? nlohmann::json(*r.max_ref_age_ms) : nlohmann::json(nullptr);
  return j;
}

Status ListRefs(const GlobalOptions& g, const std::string& table, const std::string& type) {
  LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
  LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table));
  LDP_ASSIGN_OR_RAISE(auto t, services::LoadTable(*project, id));
  const auto& m = *t.metadata;
  nlohmann::json arr = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> names;
  for (const auto& [name, r] : m.refs)
    if (r.type == type) names.push_back(name);
  std::stable_partition(names.begin(), names.end(), [](const std::string& n) { return n == iceberg::kMainBranch; });
  for (const auto& name : names) {
    const auto& r = m.refs.at(name);
    arr.push_back(RefJson(name, r, m));
    const auto* s = m.SnapshotById(r.snapshot_id);
    std::vector<std::string> row = {name, std::to_string(r.snapshot_id),
                                    s ? services::FormatTimestampMs(s->timestamp_ms) : "-"};
    if (type == "branch") {
      row.push_back(r.min_snapshots_to_keep ? std::to_string(*r.min_snapshots_to_keep) : "");
      row.push_back(AgeText(r.max_snapshot_age_ms));
    }
    row.push_back(AgeText(r.max_ref_age_ms));
    rows.push_back(std::move(row));
  }
  if (g.json) {
    PrintJson(arr);
    return Status::OK();
  }
  std::vector<std::string> headers = {type, "snapshot_id", "snapshot committed (UTC)"};
  if (type == "branch") {
    headers.push_back("min snapshots");
    headers.push_back("max snapshot age");
  }
  headers.push_back(type == "branch" ? "max ref age" : "retained for");
  std::vector<bool> numeric(headers.size(), false);
  if (type == "branch") numeric[3] = true;  // min snapshots
  std::cout << RenderTable(MakeTable(headers, std::move(rows), numeric));
  return Status::OK();
}

Result<std::optional<int64_t>> OptionalDuration(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<int64_t>();
  auto d = services::ParseDurationMs(text);
  if (!d.ok()) return d.status().WithContext(flag);
  return std::optional<int64_t>(*d);
}

// `ldp branch` and `ldp tag` share create / list / drop.
class RefCommand final : public Command {
 public:
  explicit RefCommand(std::string type) : type_(std::move(type)) {}

  CLI::App* Register(CLI::App& app) override {
    const bool branch = type_ == "branch";
    auto* c = app.add_subcommand(type_, branch ? "Branches of a table: create, list, drop, fast-forward"
                                               : "Tags of a table (named snapshots): create, list, drop");
    c->require_subcommand(1);
    create_ = c->add_subcommand("create", fmt::format("Create a {} at a snapshot (default: main's current one)", type_));
    create_->add_option("table", table_, "NS.NAME")->required();
    create_->add_option("name", name_, fmt::format("Name of the {}", type_))->required();
    create_->add_option("--snapshot", at_, "Snapshot id, branch or tag to point at (default: main)");
    create_->add_option("--retain", retain_,
                        branch ? "Drop the branch when its head is older than this (e.g. 30d; a number is days)"
                               : "Drop the tag when its snapshot is older than this (e.g. 365d; a number is days)");
    if (branch) {
      min_snapshots_opt_ = create_->add_option("--min-snapshots", min_snapshots_, "Snapshots of the branch that expiry always keeps");
      create_->add_option("--max-snapshot-age", max_snapshot_age_,
                          "Expiry keeps the branch's snapshots younger than this (e.g. 7d)");
    }
    list_ = c->add_subcommand("list", fmt::format("List the {} of a table", branch ? "branches" : "tags"));
    list_->add_option("table", table_, "NS.NAME")->required();
    drop_ = c->add_subcommand("drop", fmt::format("Remove a {} (its snapshots stay until they expire)", type_));
    drop_->add_option("table", table_, "NS.NAME")->required();
    drop_->add_option("name", name_, fmt::format("Name of the {}", type_))->required();
    if (branch) {
      ff_ = c->add_subcommand("fast-forward",
                              "Move branch TARGET to SOURCE's head when TARGET's head is its ancestor (publish)");
      ff_->add_option("table", table_, "NS.NAME")->required();
      ff_->add_option("target", name_, "The branch that moves, usually main")->required();
      ff_->add_option("source", source_, "The branch whose head it moves to")->required();
    }
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    if (list_->parsed()) return ListRefs(g, table_, type_);
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    if (create_->parsed()) {
      services::RefRetention r;
      LDP_ASSIGN_OR_RAISE(r.max_ref_age_ms, OptionalDuration(retain_, "--retain"));
      LDP_ASSIGN_OR_RAISE(r.max_snapshot_age_ms, OptionalDuration(max_snapshot_age_, "--max-snapshot-age"));
      if (min_snapshots_opt_ && min_snapshots_opt_->count() > 0) r.min_snapshots_to_keep = min_snapshots_;
      LDP_ASSIGN_OR_RAISE(auto t, services::CreateRef(*project, id, name_, type_, at_, r));
      const auto& ref = t.metadata->refs.at(name_);
      if (g.json) {
        PrintJson({{"table", id.ToString()}, {"created", RefJson(name_, ref, *t.metadata)},
                   {"metadata_location", t.metadata_location}});
      } else {
        std::cout << fmt::format("Created {} {} of {} at snapshot {}\n", type_, name_, id.ToString(), ref.snapshot_id);
      }
      return Status::OK();
    }
    if (drop_->parsed()) {
      LDP_ASSIGN_OR_RAISE(auto before, services::LoadTable(*project, id));
      auto it = before.metadata->refs.find(name_);
      int64_t was = it == before.metadata->refs.end() ? 0 : it->second.snapshot_id;
      LDP_ASSIGN_OR_RAISE(auto t, services::DropRef(*project, id, name_, type_));
      if (g.json) {
        PrintJson({{"table", id.ToString()}, {"dropped", name_}, {"type", type_}, {"snapshot_id", was},
                   {"metadata_location", t.metadata_location}});
      } else {
        std::cout << fmt::format("Dropped {} {} of {} (it pointed at snapshot {})\n", type_, name_, id.ToString(), was);
      }
      return Status::OK();
    }
    if (ff_ && ff_->parsed()) {
      LDP_ASSIGN_OR_RAISE(auto before, services::LoadTable(*project, id));
      const auto* from = iceberg::BranchHead(*before.metadata, name_);
      LDP_ASSIGN_OR_RAISE(auto t, services::FastForward(*project, id, name_, source_));
      const auto* to = iceberg::BranchHead(*t.metadata, name_);
      if (g.json) {
        PrintJson({{"table", id.ToString()}, {"branch", name_}, {"to_branch", source_},
                   {"from_snapshot_id", from ? nlohmann::json(from->snapshot_id) : nlohmann::json(nullptr)},
                   {"snapshot_id", to ? to->snapshot_id : 0}, {"metadata_location", t.metadata_location}});
      } else {
        std::cout << fmt::format("Fast-forwarded {} of {} to {}: snapshot {} -> {}\n", name_, id.ToString(), source_,
                                 from ? std::to_string(from->snapshot_id) : "none", to ? to->snapshot_id : 0);
      }
      return Status::OK();
    }
    return InvalidArgument("no {} subcommand given (see `ldp help {}`)", type_, type_);
  }

 private:
  std::string type_;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* drop_ = nullptr;
  CLI::App* ff_ = nullptr;
  std::string table_, name_, at_, retain_, max_snapshot_age_, source_;
  int32_t min_snapshots_ = 0;
  CLI::Option* min_snapshots_opt_ = nullptr;
};

class RollbackCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("rollback", "Point main back at an earlier snapshot of its history");
    c->add_option("table", table_, "NS.NAME")->required();
    auto* to = c->add_option("--to", to_, "Snapshot id (an ancestor of main's current snapshot)");
    auto* ts = c->add_option("--to-timestamp", to_time_, "The latest snapshot of main committed before this time");
    to->excludes(ts);
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    if (to_.empty() == to_time_.empty()) return InvalidArgument("give --to SNAPSHOT_ID or --to-timestamp TIME");
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    LDP_ASSIGN_OR_RAISE(auto before, services::LoadTable(*project, id));
    const auto* was = before.metadata->CurrentSnapshot();
    services::LoadedTable t;
    if (!to_.empty()) {
      int64_t sid = 0;
      try {
        size_t used = 0;
        sid = std::stoll(to_, &used);
        if (used != to_.size()) throw std::invalid_argument("");
      } catch (...) {
        return InvalidArgument("--to '{}' is not a snapshot id", to_);
      }
      LDP_ASSIGN_OR_RAISE(t, services::RollbackTo(*project, id, sid));
    } else {
      LDP_ASSIGN_OR_RAISE(int64_t ms, services::ParseTimestampMs(to_time_));
      LDP_ASSIGN_OR_RAISE(t, services::RollbackToTime(*project, id, ms));
    }
    const auto* now = t.metadata->CurrentSnapshot();
    if (g.json) {
      PrintJson({{"table", id.ToString()},
                 {"from_snapshot_id", was ? nlohmann::json(was->snapshot_id) : nlohmann::json(nullptr)},
                 {"snapshot_id", now ? now->snapshot_id : 0},
                 {"metadata_location", t.metadata_location}});
    } else {
      std::cout << fmt::format("Rolled back main of {} to snapshot {} (was {})\n", id.ToString(),
                               now ? now->snapshot_id : 0, was ? std::to_string(was->snapshot_id) : "none");
    }
    return Status::OK();
  }

 private:
  std::string table_, to_, to_time_;
};

}  // namespace

std::unique_ptr<Command> MakeBranchCommand() { return std::make_unique<RefCommand>("branch"); }
std::unique_ptr<Command> MakeTagCommand() { return std::make_unique<RefCommand>("tag"); }
std::unique_ptr<Command> MakeRollbackCommand() { return std::make_unique<RollbackCommand>(); }

}  // namespace ldp::cli
