#include "ldp/services/tables.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "ldp/catalog/metadata_catalog.h"
#include "ldp/iceberg/metadata_file.h"

namespace ldp::services {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// A REST catalog owns the metadata files: tables are loaded, created and committed through it
// (docs/adr/0017-catalog-choice.md).
catalog::MetadataCatalog* OwnsMetadata(Project& project) {
  return dynamic_cast<catalog::MetadataCatalog*>(&project.catalog());
}

LoadedTable FromCatalog(const catalog::TableIdentifier& id, catalog::CatalogTable t) {
  LoadedTable out;
  out.id = id;
  out.metadata_location = std::move(t.metadata_location);
  out.metadata = std::move(t.metadata);
  return out;
}

}  // namespace

Result<LoadedTable> LoadTable(Project& project, const catalog::TableIdentifier& id) {
  Result<std::string> loc = std::string();
  catalog::MetadataCatalog* owner = OwnsMetadata(project);
  Result<catalog::CatalogTable> owned = catalog::CatalogTable{};
  if (owner != nullptr) {
    owned = owner->LoadTable(id);
    if (!owned.ok()) loc = owned.status();
  } else {
    loc = project.catalog().LoadTableLocation(id);
  }
  if (!loc.ok()) {
    if (loc.status().code() == ErrorCode::kNoSuchTable) {
      auto ns_exists = project.catalog().NamespaceExists(id.ns);
      if (ns_exists.ok() && !*ns_exists)
        return NoSuchNamespace("table {} does not exist: no namespace '{}' in catalog '{}'",
                               id.ToString(), catalog::NamespaceToString(id.ns),
                               project.catalog().name());
    }
    return loc.status();
  }
  if (owner != nullptr) return FromCatalog(id, std::move(*owned));
  LoadedTable t;
  t.id = id;
  t.metadata_location = *loc;
  LDP_ASSIGN_OR_RAISE(std::string text, iceberg::ReadMetadataText(project.fs(), t.metadata_location));
  auto md = iceberg::TableMetadata::FromJsonString(text);
  if (!md.ok()) return md.status().WithContext(fmt::format("table {}: metadata {}", id.ToString(), t.metadata_location));
  t.metadata = *md;
  return t;
}

Result<LoadedTable> CreateTable(Project& project, const catalog::TableIdentifier& id,
                                iceberg::SchemaPtr schema, iceberg::PartitionSpec spec,
                                std::map<std::string, std::string> properties) {
  auto& cat = project.catalog();
  LDP_ASSIGN_OR_RAISE(bool ns_exists, cat.NamespaceExists(id.ns));
  if (!ns_exists) {
    Status st = cat.CreateNamespace(id.ns, {});
    if (!st.ok() && st.code() != ErrorCode::kAlreadyExists) return st;
  }
  LDP_ASSIGN_OR_RAISE(bool exists, cat.TableExists(id));
  if (exists) return AlreadyExists("table {} already exists", id.ToString());
  std::string location = project.DefaultTableLocation(id);
  auto md = iceberg::TableMetadata::NewTable(location, std::move(schema), std::move(spec),
                                             std::move(properties), NowMs());
  if (catalog::MetadataCatalog* owner = OwnsMetadata(project)) {
    LDP_ASSIGN_OR_RAISE(auto created, owner->CreateTable(id, *md));
    return FromCatalog(id, std::move(created));
  }
  std::string path = fmt::format("{}/metadata/{}", location, iceberg::MetadataFileName(0));
  LDP_RETURN_NOT_OK(project.fs().WriteFileExclusive(path, md->ToJsonString()));
  Status st = cat.CreateTable(id, path);
  if (!st.ok()) {
    (void)project.fs().Delete(path);
    return st;
  }
  LoadedTable t;
  t.id = id;
  t.metadata_location = path;
  t.metadata = md;
  return t;
}

Result<LoadedTable> CommitMetadata(Project& project, const LoadedTable& base,
                                   std::shared_ptr<iceberg::TableMetadata> next) {
  if (base.metadata->format_version >= 3 || next->format_version >= 3)
    return NotImplemented("not supported: writing to table {} (format v3); ldp reads v3 tables but writes v1 and v2",
                          base.id.ToString());
  if (catalog::MetadataCatalog* owner = OwnsMetadata(project)) {
    // The server writes the metadata file (and its metadata-log entry).
    LDP_ASSIGN_OR_RAISE(auto committed, owner->CommitTable(base.id, *base.metadata, *next));
    return FromCatalog(base.id, std::move(committed));
  }
  int version = iceberg::ParseMetadataVersion(base.metadata_location);
  int next_version = version < 0 ? 1 : version + 1;
  iceberg::AppendMetadataLog(*next, base.metadata->last_updated_ms, base.metadata_location);
  std::string dir = base.metadata_location.substr(0, base.metadata_location.rfind('/'));
  std::string path = fmt::format("{}/{}", dir, iceberg::MetadataFileName(next_version));
  LDP_RETURN_NOT_OK(project.fs().WriteFileExclusive(path, next->ToJsonString()));
  Status st = project.catalog().CommitTable(base.id, base.metadata_location, path);
  if (!st.ok()) {
    // Only a definite failure may remove the file: after CommitStateUnknown it may be current.
    if (st.code() != ErrorCode::kCommitStateUnknown) (void)project.fs().Delete(path);
    return st;
  }
  LoadedTable t;
  t.id = base.id;
  t.metadata_location = path;
  t.metadata = std::move(next);
  return t;
}

Result<LoadedTable> UpdateTableMetadata(Project& project, const catalog::TableIdentifier& id, const std::string& what,
                                        const MetadataChange& change, int* attempts) {
  constexpr int kMaxAttempts = 20;
  std::mt19937_64 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    if (attempts) *attempts = attempt;
    LDP_ASSIGN_OR_RAISE(LoadedTable base, LoadTable(project, id));
    LDP_ASSIGN_OR_RAISE(std::shared_ptr<iceberg::TableMetadata> next, change(base));
    if (!next) return base;
    next->last_updated_ms = std::max(NowMs(), base.metadata->last_updated_ms);
    Status valid = next->Validate();
    if (!valid.ok())
      return Internal("table {}: {} would make invalid metadata: {}", id.ToString(), what, valid.message());
    auto committed = CommitMetadata(project, base, next);
    if (committed.ok()) return committed;
    Status st = committed.status();
    bool retry = st.code() == ErrorCode::kCommitFailed || st.code() == ErrorCode::kAlreadyExists;
    if (!retry || attempt >= kMaxAttempts)
      return st.WithContext(fmt::format("committing {} of {} after {} attempt{}", what, id.ToString(), attempt,
                                        attempt == 1 ? "" : "s"));
    std::uniform_int_distribution<int> jitter(5, 20 + 10 * std::min(attempt, 10));
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
  }
}

Result<LoadedTable> CommitWithRetry(
    Project& project, LoadedTable& table, const std::string& what, int* attempts,
    const std::function<Result<iceberg::PendingSnapshot>(const iceberg::TableMetadata& base)>& produce,
    const std::function<Status(LoadedTable& reloaded)>& revalidate) {
  constexpr int kMaxAttempts = 50;
  std::mt19937_64 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    *attempts = attempt;
    LDP_ASSIGN_OR_RAISE(iceberg::PendingSnapshot pending, produce(*table.metadata));
    auto committed = CommitMetadata(project, table, pending.metadata);
    if (committed.ok()) return committed;
    for (const auto& p : pending.written_files) (void)project.fs().Delete(p);
    Status st = committed.status();
    if (st.code() == ErrorCode::kCommitStateUnknown) return st;
    bool retry = st.code() == ErrorCode::kCommitFailed || st.code() == ErrorCode::kAlreadyExists;
    if (!retry || attempt >= kMaxAttempts)
      return st.WithContext(fmt::format("committing {} after {} attempts", what, attempt));
    // Another writer won: reload, check the work still applies, go again after a short pause.
    LDP_ASSIGN_OR_RAISE(LoadedTable reloaded, LoadTable(project, table.id));
    LDP_RETURN_NOT_OK(revalidate(reloaded));
    table = std::move(reloaded);
    std::uniform_int_distribution<int> jitter(5, 20 + 10 * std::min(attempt, 10));
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
  }
}

}  // namespace ldp::services
