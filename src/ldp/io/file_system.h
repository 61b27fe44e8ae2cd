#pragma once
// FileSystem: every byte ldp reads or writes outside DuckDB goes through this interface, so that
// the table format runs the same on a local folder and (later) on object storage, and tests can
// inject failures.
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
};

/// The local disk.
std::shared_ptr<FileSystem> LocalFileSystem();

/// "file:///a/b" -> "/a/b"; plain paths are returned unchanged.
std::string ToLocalPath(std::string_view path_or_uri);
/// "/a/b" -> "file:///a/b" (the path is made absolute first).
std::string ToFileUri(std::string_view path);

}  // namespace ldp::io
