// `ldp maintain expire-snapshots | remove-orphans | rewrite-manifests`: keeping a table small.
#include <iostream>

#include <fmt/ranges.h>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/services/maintain.h"
#include "ldp/services/snapshots.h"
#include "ldp/services/tables.h"

namespace ldp::cli {
namespace {

nlohmann::json FilesJson(const std::vector<services::RemovedFile>& files) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : files) arr.push_back({{"path", f.path}, {"kind", f.kind}, {"size", f.size}});
  return arr;
}

// One line per file, paths in full (a table would cut them to the terminal's width).
void PrintFiles(const std::vector<services::RemovedFile>& files) {
  for (const auto& f : files) std::cout << fmt::format("  {:<13} {:>12}  {}\n", f.kind, f.size, f.path);
}

int64_t TotalBytes(const std::vector<services::RemovedFile>& files) {
  int64_t n = 0;
  for (const auto& f : files) n += f.size;
  return n;
}

class MaintainCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("maintain", "Table maintenance: expire-snapshots, remove-orphans, rewrite-manifests");
    c->require_subcommand(1);
    expire_ = c->add_subcommand("expire-snapshots",
                                "Remove old snapshots (never one a branch or tag needs) and the files only they used");
    expire_->add_option("table", table_, "NS.NAME")->required();
    expire_->add_option("--older-than", older_than_,
                        "Expire snapshots older than this: a duration back from now (7d, 12h) or a timestamp "
                        "(default: table property history.expire.max-snapshot-age-ms, 5 days)");
    retain_last_opt_ = expire_->add_option("--retain-last", retain_last_,
                        "Every branch keeps at least this many snapshots (default: history.expire.min-snapshots-to-keep, 1)");
    expire_->add_flag("--dry-run", dry_run_, "List what would be expired and deleted; change nothing");
    orphans_ = c->add_subcommand("remove-orphans", "Delete files under the table folder that no metadata references");
    orphans_->add_option("table", table_, "NS.NAME")->required();
    orphans_->add_option("--older-than", older_than_,
                         "Only files last modified before this: a duration (default 3d) or a timestamp");
    orphans_->add_flag("--dry-run", dry_run_, "List what would be deleted; delete nothing");
    rewrite_ = c->add_subcommand("rewrite-manifests", "Merge small manifests into fewer (same data, a replace snapshot)");
    rewrite_->add_option("table", table_, "NS.NAME")->required();
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    const int64_t now = services::NowMs();
    if (expire_->parsed()) {
      services::ExpireOptions o;
      o.table = id;
      o.dry_run = dry_run_;
      if (retain_last_opt_->count() > 0) o.retain_last = retain_last_;
      if (!older_than_.empty()) {
        auto c = services::ParseCutoffMs(older_than_, now);
        if (!c.ok()) return c.status().WithContext("--older-than");
        o.older_than_ms = *c;
      }
      LDP_ASSIGN_OR_RAISE(auto r, services::ExpireSnapshots(*project, o));
      if (g.json) {
        PrintJson({{"table", id.ToString()}, {"dry_run", r.dry_run}, {"expired_snapshots", r.expired_snapshots},
                   {"removed_refs", r.removed_refs}, {"retained_snapshots", r.retained_snapshots},
                   {"files", FilesJson(r.files)}, {"bytes", TotalBytes(r.files)},
                   {"delete_errors", r.delete_errors}, {"metadata_location", r.metadata_location}});
        return Status::OK();
      }
      const char* verb = r.dry_run ? "Would expire" : "Expired";
      std::cout << fmt::format("{} {} snapshot{} of {} ({} retained)", verb, r.expired_snapshots.size(),
                               r.expired_snapshots.size() == 1 ? "" : "s", id.ToString(), r.retained_snapshots);
      if (!r.removed_refs.empty()) std::cout << fmt::format("; refs past their max age: {}", fmt::join(r.removed_refs, ", "));
      std::cout << "\n";
      if (!r.expired_snapshots.empty()) std::cout << "  snapshots: " << fmt::format("{}", fmt::join(r.expired_snapshots, ", ")) << "\n";
      std::cout << fmt::format("{} {} file{} ({:.1f} MiB)\n", r.dry_run ? "Would delete" : "Deleted", r.files.size(),
                               r.files.size() == 1 ? "" : "s", TotalBytes(r.files) / 1048576.0);
      PrintFiles(r.files);
      for (const auto& e : r.delete_errors) std::cerr << "warning: " << e << "\n";
      return Status::OK();
    }
    if (orphans_->parsed()) {
      services::OrphanOptions o;
      o.table = id;
      o.dry_run = dry_run_;
      auto c = services::ParseCutoffMs(older_than_.empty() ? "3d" : older_than_, now);
      if (!c.ok()) return c.status().WithContext("--older-than");
      o.older_than_ms = *c;
      LDP_ASSIGN_OR_RAISE(auto r, services::RemoveOrphanFiles(*project, o));
      if (g.json) {
        PrintJson({{"table", id.ToString()}, {"dry_run", r.dry_run}, {"older_than", services::FormatTimestampMs(o.older_than_ms)},
                   {"files", FilesJson(r.files)}, {"bytes", TotalBytes(r.files)}, {"scanned_files", r.scanned_files},
                   {"referenced_files", r.referenced_files}, {"young_unreferenced_files", r.young_files},
                   {"delete_errors", r.delete_errors}});
        return Status::OK();
      }
      std::cout << fmt::format("{} {} orphan file{} of {} ({:.1f} MiB); {} files scanned, {} referenced, {} "
                               "unreferenced but newer than {} kept\n",
                               r.dry_run ? "Would delete" : "Deleted", r.files.size(), r.files.size() == 1 ? "" : "s",
                               id.ToString(), TotalBytes(r.files) / 1048576.0, r.scanned_files, r.referenced_files,
                               r.young_files, services::FormatTimestampMs(o.older_than_ms));
      PrintFiles(r.files);
      for (const auto& e : r.delete_errors) std::cerr << "warning: " << e << "\n";
      return Status::OK();
    }
    LDP_ASSIGN_OR_RAISE(auto r, services::RewriteManifests(*project, id));
    if (g.json) {
      PrintJson({{"table", id.ToString()}, {"committed", r.committed}, {"snapshot_id", r.snapshot_id},
                 {"manifests_before", r.manifests_before}, {"manifests_after", r.manifests_after},
                 {"replaced_manifests", r.replaced_manifests}, {"new_manifests", r.new_manifests},
                 {"entries", r.entries}});
      return Status::OK();
    }
    if (!r.committed) {
      std::cout << fmt::format("Nothing to rewrite: {} has {} manifest{} already\n", id.ToString(), r.manifests_before,
                               r.manifests_before == 1 ? "" : "s");
      return Status::OK();
    }
    std::cout << fmt::format("Rewrote {} manifests of {} into {} ({} files); snapshot {} (replace)\n",
                             r.replaced_manifests.size(), id.ToString(), r.new_manifests.size(), r.entries, r.snapshot_id)
              << fmt::format("  manifests: {} -> {}; the old ones go when their snapshots expire\n", r.manifests_before,
                             r.manifests_after);
    return Status::OK();
  }

 private:
  CLI::App* expire_ = nullptr;
  CLI::App* orphans_ = nullptr;
  CLI::App* rewrite_ = nullptr;
  std::string table_, older_than_;
  int32_t retain_last_ = 0;
  CLI::Option* retain_last_opt_ = nullptr;
  bool dry_run_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeMaintainCommand() { return std::make_unique<MaintainCommand>(); }

}  // namespace ldp::cli
