#pragma once
// FileSystem: every byte ldp reads or writes outside DuckDB goes through this interface, so that
// the table format runs the same on a local folder and on object storage (s3_file_system.h), and
// tests can inject failures.
//
// Paths are either plain absolute paths or `file://` URIs; both name the same local file.
// Thread-safety: implementations are thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ldp/core/status.h"

namespace ldp::io {

struct FileInfo {
  std::string path;  ///< as given to List (joined with the entry name)
  int64_t size = 0;
  bool is_dir = false;
  int64_t mtime_ms = 0;  ///< last modification, milliseconds since the epoch
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// Whole-file read. NotFound when missing, IOError otherwise.
  virtual Result<std::string> ReadFile(std::string_view path) = 0;
  /// Writes the file atomically (temp file + rename), creating parent folders.
  virtual Status WriteFile(std::string_view path, std::string_view data) = 0;
  /// Writes only if the file does not exist yet (AlreadyExists otherwise).
  virtual Status WriteFileExclusive(std::string_view path, std::string_view data) = 0;
  virtual Result<bool> Exists(std::string_view path) = 0;
  virtual Result<int64_t> FileSize(std::string_view path) = 0;
  /// Entries directly inside a folder, sorted by name. NotFound when the folder is missing.
  virtual Result<std::vector<FileInfo>> List(std::string_view dir) = 0;
  virtual Status CreateDirs(std::string_view dir) = 0;
  /// Deletes a file; OK when it did not exist.
  virtual Status Delete(std::string_view path) = 0;

  /// A file ldp wants DuckDB to read, with its size as recorded in the table's manifests.
  struct Needed {
    std::string path;
    int64_t size = -1;
  };
  /// Object storage: makes a local copy (ToLocalPath) of each file exist, because DuckDB reads only
  /// local files (ADR 0018). The local disk has nothing to do.
  virtual Status MakeLocal(const std::vector<Needed>& files) { return Status::OK(); }
  /// Object storage: uploads the local copies (written by DuckDB at ToLocalPath) of files about to
  /// be referenced by a manifest. The local disk has nothing to do.
  virtual Status Publish(const std::vector<std::string>& paths) { return Status::OK(); }
};

/// The local disk.
std::shared_ptr<FileSystem> LocalFileSystem();

/// "file:///a/b" -> "/a/b"; plain paths are returned unchanged.
std::string ToLocalPath(std::string_view path_or_uri);
/// "/a/b" -> "file:///a/b" (the path is made absolute first); URIs with a scheme are unchanged.
std::string ToFileUri(std::string_view path);

/// Object storage: files under `uri_prefix` ("s3://bucket") have their local copies (write staging
/// and read cache) under `local_dir`, and ToLocalPath / ToFileUri map between the two (ADR 0018).
/// Process-wide; registering the same prefix again replaces its folder.
void RegisterLocalMirror(const std::string& uri_prefix, const std::string& local_dir);

}  // namespace ldp::io
