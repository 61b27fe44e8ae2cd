#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "ldp/io/file_system.h"

namespace ldp::io {
namespace fs = std::filesystem;

namespace {

struct Mirror {
  std::string uri_prefix;  // "s3://bucket"
  std::string local_dir;   // "/p/.ldp/cache/bucket"
};
std::mutex mirrors_mu;
std::vector<Mirror> mirrors;  // few entries: one per bucket a process uses

}  // namespace

void RegisterLocalMirror(const std::string& uri_prefix, const std::string& local_dir) {
  std::lock_guard<std::mutex> lock(mirrors_mu);
  for (auto& m : mirrors)
    if (m.uri_prefix == uri_prefix) {
      m.local_dir = local_dir;
      return;
    }
  mirrors.push_back({uri_prefix, local_dir});
}

std::string ToLocalPath(std::string_view p) {
  constexpr std::string_view kScheme = "file://";
  if (p.substr(0, kScheme.size()) == kScheme) p.remove_prefix(kScheme.size());
  if (p.find("://") != std::string_view::npos) {
    std::lock_guard<std::mutex> lock(mirrors_mu);
    for (const auto& m : mirrors)
      if (p.substr(0, m.uri_prefix.size()) == m.uri_prefix &&
          (p.size() == m.uri_prefix.size() || p[m.uri_prefix.size()] == '/'))
        return m.local_dir + std::string(p.substr(m.uri_prefix.size()));
  }
  return std::string(p);
}

std::string ToFileUri(std::string_view path) {
  if (path.substr(0, 7) == "file://") return std::string(path);
  if (path.find("://") != std::string_view::npos) return std::string(path);
  std::error_code ec;
  fs::path abs = fs::absolute(fs::path(path), ec);
  std::string local = ec ? std::string(path) : abs.lexically_normal().string();
  {
    std::lock_guard<std::mutex> lock(mirrors_mu);
    for (const auto& m : mirrors)
      if (local.compare(0, m.local_dir.size(), m.local_dir) == 0 &&
          (local.size() == m.local_dir.size() || local[m.local_dir.size()] == '/'))
        return m.uri_prefix + local.substr(m.local_dir.size());
  }
  return "file://" + local;
}

namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  if (err == ENOENT) return NotFound("{} {}: no such file or directory", what, path);
  return IOError("{} {}: {}", what, path, std::strerror(err));
}

std::string TempSuffix() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return ".tmp-" + std::to_string(rng());
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing", path, errno);
    }
    off += static_cast<size_t>(n);
  }
  return Status::OK();
}

class LocalFs final : public FileSystem {
 public:
  Result<std::string> ReadFile(std::string_view p) override {
    std::string path = ToLocalPath(p);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("reading", path, errno);
    std::string out;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        ::close(fd);
        return ErrnoStatus("reading", path, e);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status WriteFile(std::string_view p, std::string_view data) override {
    std::string path = ToLocalPath(p);
    LDP_RETURN_NOT_OK(CreateDirs(fs::path(path).parent_path().string()));
    std::string tmp = path + TempSuffix();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("creating", tmp, errno);
    Status st = WriteAll(fd, data, tmp);
    if (::close(fd) != 0 && st.ok()) st = ErrnoStatus("closing", tmp, errno);
    if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = ErrnoStatus("renaming", tmp, errno);
    if (!st.ok()) ::unlink(tmp.c_str());
    return st;
  }

  Status WriteFileExclusive(std::string_view p, std::string_view data) override {
    std::string path = ToLocalPath(p);
    LDP_RETURN_NOT_OK(CreateDirs(fs::path(path).parent_path().string()));
    // Write a temp file, then link() it into place: link fails if the target exists, so the
    // final name appears complete or not at all.
    std::string tmp = path + TempSuffix();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("creating", tmp, errno);
    Status st = WriteAll(fd, data, tmp);
    if (::close(fd) != 0 && st.ok()) st = ErrnoStatus("closing", tmp, errno);
    if (st.ok() && ::link(tmp.c_str(), path.c_str()) != 0) {
      st = errno == EEXIST ? AlreadyExists("file {} already exists", path)
                           : ErrnoStatus("linking", path, errno);
    }
    ::unlink(tmp.c_str());
    return st;
  }

  Result<bool> Exists(std::string_view p) override {
    std::error_code ec;
    bool e = fs::exists(ToLocalPath(p), ec);
    if (ec) return IOError("checking {}: {}", p, ec.message());
    return e;
  }

  Result<int64_t> FileSize(std::string_view p) override {
    std::string path = ToLocalPath(p);
    std::error_code ec;
    auto n = fs::file_size(path, ec);
    if (ec) return ErrnoStatus("size of", path, ec.value());
    return static_cast<int64_t>(n);
  }

  Result<std::vector<FileInfo>> List(std::string_view d) override {
    std::string dir = ToLocalPath(d);
    std::error_code ec;
    std::vector<FileInfo> out;
    fs::directory_iterator it(dir, ec);
    if (ec) return ErrnoStatus("listing", dir, ec.value());
    for (const auto& e : it) {
      FileInfo fi;
      fi.path = (fs::path(std::string(d)) / e.path().filename()).string();
      fi.is_dir = e.is_directory(ec);
      fi.size = fi.is_dir ? 0 : static_cast<int64_t>(e.file_size(ec));
      struct stat st{};
      if (::stat(e.path().c_str(), &st) == 0)
        fi.mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
      out.push_back(std::move(fi));
    }
    std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }

  Status CreateDirs(std::string_view d) override {
    std::string dir = ToLocalPath(d);
    if (dir.empty()) return Status::OK();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IOError("creating folder {}: {}", dir, ec.message());
    return Status::OK();
  }

  Status Delete(std::string_view p) override {
    std::string path = ToLocalPath(p);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("deleting", path, errno);
    return Status::OK();
  }
};

}  // namespace

std::shared_ptr<FileSystem> LocalFileSystem() {
  static std::shared_ptr<FileSystem> fs = std::make_shared<LocalFs>();
  return fs;
}

}  // namespace ldp::io
