#include "ldp/iceberg/compaction.h"

#include <algorithm>

namespace ldp::iceberg {

CompactionRules RulesForTarget(int64_t target_size) {
  CompactionRules r;
  r.target_size = target_size;
  r.min_size = target_size / 4 * 3 + (target_size % 4) * 3 / 4;
  return r;
}

std::vector<CompactionBin> PlanCompaction(const std::vector<CompactionInput>& files, const CompactionRules& rules) {
  // Groups by (spec, partition tuple), in order of first appearance. PartitionValue has no
  // ordering (Bytes only compares equal), so groups are found by a linear search.
  struct Group {
    int32_t spec_id;
    const std::vector<PartitionValue>* partition;
    std::vector<size_t> candidates;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (!(f.size < rules.min_size || f.has_deletes)) continue;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.spec_id == f.spec_id && *g.partition == f.partition;
    });
    if (it == groups.end()) it = groups.insert(groups.end(), Group{f.spec_id, &f.partition, {}});
    it->candidates.push_back(i);
  }
  std::vector<CompactionBin> out;
  for (auto& g : groups) {
    std::stable_sort(g.candidates.begin(), g.candidates.end(),
                     [&](size_t a, size_t b) { return files[a].size > files[b].size; });
    std::vector<CompactionBin> bins;
    for (size_t i : g.candidates) {
      const auto& f = files[i];
      auto fits = std::find_if(bins.begin(), bins.end(),
                               [&](const CompactionBin& b) { return b.bytes + f.size <= rules.target_size; });
      if (fits == bins.end()) {
        CompactionBin b;
        b.spec_id = g.spec_id;
        b.partition = *g.partition;
        fits = bins.insert(bins.end(), std::move(b));
      }
      fits->files.push_back(i);
      fits->bytes += f.size;
      fits->has_deletes = fits->has_deletes || f.has_deletes;
    }
    for (auto& b : bins)
      if (b.files.size() >= 2 || b.has_deletes) out.push_back(std::move(b));
  }
  return out;
}

std::vector<size_t> UnneededDeletes(const TableMetadata& metadata, const std::vector<DeleteFileInfo>& deletes,
                                    const std::vector<LiveDataFile>& remaining) {
  std::vector<size_t> out;
  for (size_t k = 0; k < deletes.size(); ++k) {
    bool applies = std::any_of(remaining.begin(), remaining.end(), [&](const LiveDataFile& d) {
      return DeleteApplies(metadata, deletes[k], *d.file, d.spec_id, d.sequence_number);
    });
    if (!applies) out.push_back(k);
  }
  return out;
}

}  // namespace ldp::iceberg
