#pragma once
// Compaction planning (`ldp maintain compact`): which data files to rewrite and how to group
// them, and which delete files stop applying once they are rewritten. Pure functions over file
// descriptions; services/compact.h reads the table, writes the files and commits.
// docs/adr/0010-compaction.md explains the rules.
//
// Thread-safety: free functions over values.

#include <cstdint>
#include <vector>

#include "ldp/iceberg/manifest.h"
#include "ldp/iceberg/scan.h"
#include "ldp/iceberg/table_metadata.h"

namespace ldp::iceberg {

/// Iceberg's default for write.target-file-size-bytes (512 MiB).
inline constexpr int64_t kDefaultTargetFileSize = 512LL << 20;

/// A live data file as compaction planning sees it.
struct CompactionInput {
  int32_t spec_id = 0;
  std::vector<PartitionValue> partition;
  int64_t size = 0;            ///< file_size_in_bytes
  bool has_deletes = false;    ///< some live delete file applies to it
};

/// Files rewritten together into new files of one partition (same spec and tuple).
struct CompactionBin {
  int32_t spec_id = 0;
  std::vector<PartitionValue> partition;
  std::vector<size_t> files;   ///< indexes into the inputs
  int64_t bytes = 0;
  bool has_deletes = false;
};

struct CompactionRules {
  int64_t target_size = kDefaultTargetFileSize;
  /// Files below this are candidates (Java's min-file-size-bytes default: 75% of the target).
  int64_t min_size = kDefaultTargetFileSize / 4 * 3;
};

/// The rules for a target size: min_size = 75% of it.
CompactionRules RulesForTarget(int64_t target_size);

/// Candidates are files smaller than min_size or with deletes attached. Per (spec, partition) the
/// candidates are packed first-fit-decreasing into bins of at most target_size bytes (a file larger
/// than the target gets a bin of its own); a bin is kept when it has two or more files or a file
/// with deletes: a lone small file without deletes is left alone. Bins come in input order of
/// their partitions' first file; files in a bin largest first.
std::vector<CompactionBin> PlanCompaction(const std::vector<CompactionInput>& files, const CompactionRules& rules);

/// A live data file and the data sequence number it has.
struct LiveDataFile {
  const DataFile* file = nullptr;
  int32_t spec_id = 0;
  int64_t sequence_number = 0;
};

/// Indexes of the delete files in `deletes` that apply (DeleteApplies) to none of `remaining`:
/// after a commit that leaves only `remaining` (plus files with a newer sequence number than every
/// delete), they are dead weight and go in the same snapshot.
std::vector<size_t> UnneededDeletes(const TableMetadata& metadata, const std::vector<DeleteFileInfo>& deletes,
                                    const std::vector<LiveDataFile>& remaining);

}  // namespace ldp::iceberg
