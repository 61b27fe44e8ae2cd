// `ldp maintain expire-snapshots | remove-orphans | rewrite-manifests | compact`: keeping a table small
// and fast.
#include <chrono>
#include <iostream>

#include <fmt/ranges.h>

#include "ldp/cli/command.h"
#include "ldp/cli/output.h"
#include "ldp/services/compact.h"
#include "ldp/services/ingest.h"
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

Status RunCompact(const GlobalOptions& g, services::Project& project, const services::CompactOptions& o) {
  LDP_ASSIGN_OR_RAISE(auto db, services::OpenEngine(project));
  LDP_ASSIGN_OR_RAISE(auto conn, db->Connect());
  auto start = std::chrono::steady_clock::now();
  LDP_ASSIGN_OR_RAISE(auto r, services::Compact(project, *conn, o));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t in_files = 0, in_bytes = 0, in_rows = 0, out_files = 0, out_bytes = 0, out_rows = 0;
  for (const auto& grp : r.groups) {
    in_files += static_cast<int64_t>(grp.input_files.size());
    in_bytes += grp.input_bytes;
    in_rows += grp.input_records;
    out_files += static_cast<int64_t>(grp.output_files.size());
    out_bytes += grp.output_bytes;
    out_rows += grp.output_records;
  }
  if (g.json) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& grp : r.groups)
      groups.push_back({{"spec_id", grp.spec_id}, {"partition", grp.partition}, {"input_files", grp.input_files},
                        {"input_bytes", grp.input_bytes}, {"input_records", grp.input_records},
                        {"delete_files", grp.delete_files}, {"output_files", grp.output_files},
                        {"output_bytes", grp.output_bytes}, {"output_records", grp.output_records}});
    PrintJson({{"table", r.table.ToString()}, {"dry_run", r.dry_run}, {"committed", r.committed},
               {"snapshot_id", r.snapshot_id}, {"target_size", r.target_size}, {"min_size", r.min_size},
               {"total_files", r.total_files}, {"files_considered", r.files_considered},
               {"data_files_removed", r.data_files_removed}, {"data_files_added", r.data_files_added},
               {"removed_delete_files", r.removed_delete_files}, {"records_removed", r.records_removed},
               {"sort_order_id", r.sort_order_id ? nlohmann::json(*r.sort_order_id) : nlohmann::json(nullptr)},
               {"groups", groups}, {"commit_attempts", r.commit_attempts}, {"metadata_location", r.metadata_location},
               {"seconds", secs}});
    return Status::OK();
  }
  const std::string t = r.table.ToString();
  if (r.groups.empty() && r.removed_delete_files.empty()) {
    std::cout << fmt::format("Nothing to compact in {}: {} of {} data files considered, none smaller than {:.1f} MiB "
                             "with another small file in its partition, none with deletes\n",
                             t, r.files_considered, r.total_files, r.min_size / 1048576.0);
    return Status::OK();
  }
  if (r.dry_run) {
    std::cout << fmt::format("Would compact {} data files of {} ({:.1f} MiB, {} rows before deletes) in {} group{} "
                             "(target {:.1f} MiB); would drop {} delete file{}\n",
                             in_files, t, in_bytes / 1048576.0, in_rows, r.groups.size(), r.groups.size() == 1 ? "" : "s",
                             r.target_size / 1048576.0, r.removed_delete_files.size(),
                             r.removed_delete_files.size() == 1 ? "" : "s");
  } else {
    std::cout << fmt::format("Compacted {} data files of {} into {} ({:.1f} MiB -> {:.1f} MiB, {} rows; {} deleted "
                             "rows dropped); removed {} delete file{}; snapshot {} (replace) in {:.2f}s\n",
                             in_files, t, out_files, in_bytes / 1048576.0, out_bytes / 1048576.0, out_rows,
                             r.records_removed, r.removed_delete_files.size(),
                             r.removed_delete_files.size() == 1 ? "" : "s", r.snapshot_id, secs);
  }
  for (const auto& grp : r.groups) {
    std::cout << fmt::format("  {:<40} {:>5} files {:>10.1f} MiB {:>10} rows, {} delete file{}", grp.partition.empty() ? "(unpartitioned)" : grp.partition,
                             grp.input_files.size(), grp.input_bytes / 1048576.0, grp.input_records, grp.delete_files,
                             grp.delete_files == 1 ? "" : "s");
    if (!r.dry_run)
      std::cout << fmt::format(" -> {} file{}, {} rows", grp.output_files.size(), grp.output_files.size() == 1 ? "" : "s",
                               grp.output_records);
    std::cout << "\n";
    if (r.dry_run)
      for (const auto& f : grp.input_files) std::cout << "      " << f << "\n";
  }
  for (const auto& f : r.removed_delete_files) std::cout << fmt::format("  {} delete file {}\n", r.dry_run ? "would drop" : "dropped", f);
  return Status::OK();
}

class MaintainCommand final : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* c = app.add_subcommand("maintain", "Table maintenance: expire-snapshots, remove-orphans, rewrite-manifests, compact");
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
    compact_ = c->add_subcommand("compact",
                                 "Rewrite small data files (and files with deletes) of each partition into fewer, "
                                 "deletes applied (a replace snapshot)");
    compact_->add_option("table", table_, "NS.NAME")->required();
    compact_->add_option("--target-size", target_size_,
                         "Target data file size, e.g. 128MB (default: table property write.target-file-size-bytes, "
                         "else 512MB); files below 75% of it are rewritten");
    compact_->add_option("--where", where_, "Only files that may hold rows matching this DuckDB predicate");
    compact_->add_flag("--dry-run", dry_run_, "List what would be rewritten; change nothing");
    compact_->footer("Files keep their partition spec; rows are written in the table's sort order (ldp alter --sort-by).");
    return c;
  }

  Status Run(const GlobalOptions& g) override {
    LDP_ASSIGN_OR_RAISE(auto project, OpenProject(g));
    LDP_ASSIGN_OR_RAISE(auto id, catalog::TableIdentifier::Parse(table_));
    const int64_t now = services::NowMs();
    if (compact_->parsed()) {
      services::CompactOptions o;
      o.table = id;
      o.where = where_;
      o.dry_run = dry_run_;
      if (!target_size_.empty()) {
        auto n = services::ParseByteSize(target_size_);
        if (!n.ok()) return n.status().WithContext("--target-size");
        o.target_size = *n;
      }
      return RunCompact(g, *project, o);
    }
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
  CLI::App* compact_ = nullptr;
  std::string table_, older_than_, target_size_, where_;
  int32_t retain_last_ = 0;
  CLI::Option* retain_last_opt_ = nullptr;
  bool dry_run_ = false;
};

}  // namespace

std::unique_ptr<Command> MakeMaintainCommand() { return std::make_unique<MaintainCommand>(); }

}  // namespace ldp::cli
