#include "ldp/io/s3_file_system.h"

#include <sys/stat.h>
#include <utime.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace ldp::io {
namespace stdfs = std::filesystem;

Result<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri) {
  // s3a:// (Hadoop's name, in tables Spark wrote) names the same objects as s3://.
  size_t scheme = uri.substr(0, 5) == "s3://" ? 5 : uri.substr(0, 6) == "s3a://" ? 6 : 0;
  if (scheme == 0) return InvalidArgument("'{}' is not an s3:// URI", uri);
  std::string_view rest = uri.substr(scheme);
  size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  if (bucket.empty()) return InvalidArgument("'{}' has no bucket name (expected s3://bucket/prefix)", uri);
  std::string key = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  // "a//b" and "a/./b" would name different objects than the local mirror does: normalise.
  std::string norm;
  size_t i = 0;
  while (i <= key.size()) {
    size_t j = key.find('/', i);
    if (j == std::string::npos) j = key.size();
    std::string_view part(key.data() + i, j - i);
    if (!part.empty() && part != ".") norm += (norm.empty() ? "" : "/") + std::string(part);
    i = j + 1;
  }
  return std::make_pair(bucket, norm);
}

class S3FileSystem final : public FileSystem {
 public:
  S3FileSystem(const S3FileSystemOptions& o) : options_(o), client_(o.s3), local_(LocalFileSystem()) {}

  S3CacheStats stats() const {
    return {hits_.load(), downloads_.load(), uploads_.load(), evicted_.load(), client_.request_count()};
  }

  Result<std::string> ReadFile(std::string_view path) override {
    if (!IsS3(path)) return local_->ReadFile(path);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(path));
    return client_.GetObject(bk.first, bk.second);
  }

  Status WriteFile(std::string_view path, std::string_view data) override {
    if (!IsS3(path)) return local_->WriteFile(path, data);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(path));
    return client_.PutObject(bk.first, bk.second, std::string(data));  // a PUT is atomic on S3
  }

  Status WriteFileExclusive(std::string_view path, std::string_view data) override {
    if (!IsS3(path)) return local_->WriteFileExclusive(path, data);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(path));
    // If-None-Match: * makes the PUT conditional on servers that support it (AWS since 2024, Swift).
    // On servers that ignore it, the HEAD narrows the window; the catalog's compare-and-swap is what
    // makes a commit atomic, and metadata files carry a UUID in their name (ADR 0018).
    auto head = client_.HeadObject(bk.first, bk.second);
    if (head.ok()) return AlreadyExists("{} already exists", path);
    if (head.status().code() != ErrorCode::kNotFound) return head.status();
    std::string body(data);
    if (!no_conditional_put_) {
      Status st = client_.PutObject(bk.first, bk.second, body, /*if_none_match=*/true);
      if (st.code() != ErrorCode::kNotImplemented) return st;
      no_conditional_put_ = true;  // e.g. Swift's s3api answers 501: plain PUTs from now on
    }
    return client_.PutObject(bk.first, bk.second, body);
  }

  Result<bool> Exists(std::string_view path) override {
    if (!IsS3(path)) return local_->Exists(path);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(path));
    auto head = client_.HeadObject(bk.first, bk.second);
    if (head.ok()) return true;
    if (head.status().code() == ErrorCode::kNotFound) return false;
    return head.status();
  }

  Result<int64_t> FileSize(std::string_view path) override {
    if (!IsS3(path)) return local_->FileSize(path);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(path));
    LDP_ASSIGN_OR_RAISE(auto head, client_.HeadObject(bk.first, bk.second));
    return head.size;
  }

  Result<std::vector<FileInfo>> List(std::string_view dir) override {
    if (!IsS3(dir)) return local_->List(dir);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(dir));
    std::string prefix = bk.second.empty() ? "" : bk.second + "/";
    LDP_ASSIGN_OR_RAISE(auto listing, client_.ListObjects(bk.first, prefix, "/"));
    std::string base = std::string(dir.substr(0, dir.find("://") + 3)) + bk.first + (bk.second.empty() ? "" : "/" + bk.second);
    std::vector<FileInfo> out;
    for (const auto& o : listing.objects) {
      std::string name = o.key.substr(prefix.size());
      if (name.empty()) continue;  // a "folder marker" object
      out.push_back({base + "/" + name, o.size, false, o.mtime_ms});
    }
    for (const auto& p : listing.common_prefixes) {
      std::string name = p.substr(prefix.size());
      while (!name.empty() && name.back() == '/') name.pop_back();
      if (!name.empty()) out.push_back({base + "/" + name, 0, true, 0});
    }
    if (out.empty()) return NotFound("no objects under {}", dir);
    std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return out;
  }

  Status CreateDirs(std::string_view dir) override {
    if (!IsS3(dir)) return local_->CreateDirs(dir);
    return Status::OK();  // object stores have no folders
  }

  Status Delete(std::string_view path) override {
    std::string uri = IsS3(path) ? std::string(path) : ToFileUri(path);
    if (!IsS3(uri)) return local_->Delete(path);
    LDP_ASSIGN_OR_RAISE(auto bk, Parse(uri));
    (void)local_->Delete(ToLocalPath(uri));  // the staged or cached copy
    return client_.DeleteObject(bk.first, bk.second);
  }

  Status MakeLocal(const std::vector<Needed>& files) override {
    std::vector<const Needed*> todo;
    std::set<std::string> pinned;
    for (const auto& f : files) {
      if (!IsS3(f.path)) continue;
      LDP_RETURN_NOT_OK(Parse(f.path).status());  // registers the bucket's mirror folder
      std::string local = ToLocalPath(f.path);
      pinned.insert(local);
      struct stat st{};
      if (::stat(local.c_str(), &st) == 0 && (f.size < 0 || st.st_size == f.size)) {
        hits_++;
        ::utime(local.c_str(), nullptr);  // last use, for the LRU order
        continue;
      }
      todo.push_back(&f);
    }
    if (todo.empty()) return Status::OK();
    Status st = ForEach(todo.size(), [&](size_t i) -> Status {
      const Needed& f = *todo[i];
      LDP_ASSIGN_OR_RAISE(auto bk, Parse(f.path));
      std::string local = ToLocalPath(f.path);
      std::error_code ec;
      stdfs::create_directories(stdfs::path(local).parent_path(), ec);
      Status s = client_.GetObjectToFile(bk.first, bk.second, local);
      if (!s.ok()) return s;
      downloads_++;
      MarkClean(local);
      return s;
    });
    LDP_RETURN_NOT_OK(st);
    Evict(pinned);
    return Status::OK();
  }

  Status Publish(const std::vector<std::string>& paths) override {
    std::vector<std::string> todo;
    for (const auto& p : paths) {
      if (!IsS3(p)) continue;
      LDP_RETURN_NOT_OK(Parse(p).status());
      std::string local = ToLocalPath(p);
      struct stat st{};
      if (::stat(local.c_str(), &st) != 0) continue;  // no local copy: the object is already there
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (published_.count(p)) continue;
      }
      todo.push_back(p);
    }
    return ForEach(todo.size(), [&](size_t i) -> Status {
      LDP_ASSIGN_OR_RAISE(auto bk, Parse(todo[i]));
      std::string local = ToLocalPath(todo[i]);
      // A copy that came from the store (a cached file in a rewritten manifest) is not sent again.
      struct stat st{};
      ::stat(local.c_str(), &st);
      auto head = client_.HeadObject(bk.first, bk.second);
      if (!head.ok() || head->size != st.st_size) {
        LDP_RETURN_NOT_OK(client_.PutObjectFromFile(bk.first, bk.second, local));
        uploads_++;
      }
      MarkClean(local);
      std::lock_guard<std::mutex> lock(mu_);
      published_.insert(todo[i]);
      return Status::OK();
    });
  }

 private:
  static bool IsS3(std::string_view p) { return p.substr(0, 5) == "s3://" || p.substr(0, 6) == "s3a://"; }

  // ParseS3Uri, and the first time a bucket is seen, its mirror folder <cache_dir>/<bucket> is
  // registered (ToLocalPath maps its objects there): a project reads tables in any bucket, not only
  // the warehouse's (ADR 0023).
  Result<std::pair<std::string, std::string>> Parse(std::string_view path) {
    LDP_ASSIGN_OR_RAISE(auto bk, ParseS3Uri(path));
    std::lock_guard<std::mutex> lock(mu_);
    if (mirrored_.insert(bk.first).second) {
      const std::string local = options_.cache_dir + "/" + bk.first;
      RegisterLocalMirror("s3://" + bk.first, local);  // first: ToFileUri maps the folder back to s3://
      RegisterLocalMirror("s3a://" + bk.first, local);
    }
    return bk;
  }

  // A local copy equal to its object is made read-only: eviction removes only those, never a
  // file DuckDB has staged and that is not uploaded yet (writable), whichever process wrote it.
  static void MarkClean(const std::string& local) { ::chmod(local.c_str(), 0444); }

  template <typename Fn>
  Status ForEach(size_t n, Fn fn) {
    std::atomic<size_t> next{0};
    std::mutex err_mu;
    Status first = Status::OK();
    auto work = [&] {
      for (size_t i; (i = next++) < n;) {
        {
          std::lock_guard<std::mutex> lock(err_mu);
          if (!first.ok()) return;
        }
        Status s = fn(i);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(err_mu);
          if (first.ok()) first = s;
        }
      }
    };
    size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, options_.parallelism)));
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    return first;
  }

  // Removes least recently used cached files until the cache fits its limit. Only clean copies
  // (MarkClean) count; never the files the current scan needs (`pinned`) or files used in the last
  // two minutes (another command may be reading them): the limit can be exceeded while commands run.
  void Evict(const std::set<std::string>& pinned) {
    struct Entry {
      std::string path;
      int64_t size;
      int64_t mtime;
    };
    std::vector<Entry> entries;
    int64_t total = 0;
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(options_.cache_dir, ec);
         !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      struct stat st{};
      if (::stat(it->path().c_str(), &st) != 0 || (st.st_mode & S_IWUSR)) continue;
      entries.push_back({it->path().string(), st.st_size, static_cast<int64_t>(st.st_mtime)});
      total += st.st_size;
    }
    if (total <= options_.cache_max_bytes) return;
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const auto& e : entries) {
      if (total <= options_.cache_max_bytes) break;
      if (pinned.count(e.path) || e.mtime > now - 120) continue;
      if (stdfs::remove(e.path, ec)) {
        total -= e.size;
        evicted_++;
      }
    }
  }

  S3FileSystemOptions options_;
  S3Client client_;
  std::shared_ptr<FileSystem> local_;
  std::mutex mu_;
  std::set<std::string> published_;
  std::set<std::string> mirrored_;  // buckets whose mirror folder is registered
  std::atomic<bool> no_conditional_put_{false};
  std::atomic<int64_t> hits_{0}, downloads_{0}, uploads_{0}, evicted_{0};
};

std::shared_ptr<FileSystem> MakeS3FileSystem(const S3FileSystemOptions& options, const std::string& bucket) {
  RegisterLocalMirror("s3://" + bucket, options.cache_dir + "/" + bucket);
  return std::make_shared<S3FileSystem>(options);
}

S3CacheStats CacheStatsOf(FileSystem& fs) {
  if (auto* s3 = dynamic_cast<S3FileSystem*>(&fs)) return s3->stats();
  return {};
}

}  // namespace ldp::io
