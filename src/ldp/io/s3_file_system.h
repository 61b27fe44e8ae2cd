#pragma once
// The FileSystem of a warehouse on S3-compatible object storage (ADR 0018).
//
// `s3://bucket/key` paths are objects; every other path is the local disk. Each bucket has a local
// mirror folder (RegisterLocalMirror): DuckDB writes new data files there (staging) and Publish
// uploads them before a manifest references them; MakeLocal downloads the files a scan needs
// there (the read cache, keyed by path and size, evicted least recently used first beyond the
// configured size). Delete removes both the object and the local copy, whichever name it is given.
//
// Thread-safety: thread-safe.

#include <memory>
#include <string>

#include "ldp/io/file_system.h"
#include "ldp/io/s3_client.h"

namespace ldp::io {

struct S3FileSystemOptions {
  S3Options s3;
  std::string cache_dir;                       ///< local mirror root; one sub-folder per bucket
  int64_t cache_max_bytes = 10LL << 30;        ///< read cache limit (LRU beyond it)
  int parallelism = 4;                         ///< concurrent uploads / downloads
};

/// Splits "s3://bucket/key" into bucket and key; InvalidArgument otherwise.
Result<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri);

class S3FileSystem;
/// Creates the file system and registers the mirror folder of `bucket`.
std::shared_ptr<FileSystem> MakeS3FileSystem(const S3FileSystemOptions& options, const std::string& bucket);

/// Counters of the read cache of an S3 file system made by MakeS3FileSystem (for tests, benches).
struct S3CacheStats {
  int64_t hits = 0;
  int64_t downloads = 0;
  int64_t uploads = 0;
  int64_t evicted_files = 0;
  int64_t requests = 0;
};
/// Zero counters when `fs` is not an S3 file system.
S3CacheStats CacheStatsOf(FileSystem& fs);

}  // namespace ldp::io
