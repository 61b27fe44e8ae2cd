#include "ldp/io/object_store_router.h"

#include <mutex>

namespace ldp::io {

bool IsObjectStorePath(std::string_view p) { return p.substr(0, 5) == "s3://" || p.substr(0, 6) == "s3a://"; }

namespace {

class ObjectStoreRouter final : public FileSystem {
 public:
  explicit ObjectStoreRouter(ObjectStoreOpener open) : open_(std::move(open)), local_(LocalFileSystem()) {}

  FileSystem* opened() {
    std::lock_guard<std::mutex> lock(mu_);
    return store_.get();
  }

  Result<std::string> ReadFile(std::string_view path) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(path));
    return fs->ReadFile(path);
  }
  Status WriteFile(std::string_view path, std::string_view data) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(path));
    return fs->WriteFile(path, data);
  }
  Status WriteFileExclusive(std::string_view path, std::string_view data) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(path));
    return fs->WriteFileExclusive(path, data);
  }
  Result<bool> Exists(std::string_view path) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(path));
    return fs->Exists(path);
  }
  Result<int64_t> FileSize(std::string_view path) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(path));
    return fs->FileSize(path);
  }
  Result<std::vector<FileInfo>> List(std::string_view dir) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(dir));
    return fs->List(dir);
  }
  Status CreateDirs(std::string_view dir) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(dir));
    return fs->CreateDirs(dir);
  }
  Status Delete(std::string_view path) override {
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(path));
    return fs->Delete(path);
  }

  Status MakeLocal(const std::vector<Needed>& files) override {
    std::vector<Needed> remote;
    for (const auto& f : files)
      if (IsObjectStorePath(f.path)) remote.push_back(f);
    if (remote.empty()) return Status::OK();  // local files are local already
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(remote.front().path));
    return fs->MakeLocal(remote);
  }

  Status Publish(const std::vector<std::string>& paths) override {
    std::vector<std::string> remote;
    for (const auto& p : paths)
      if (IsObjectStorePath(p)) remote.push_back(p);
    if (remote.empty()) return Status::OK();
    LDP_ASSIGN_OR_RAISE(FileSystem * fs, For(remote.front()));
    return fs->Publish(remote);
  }

 private:
  Result<FileSystem*> For(std::string_view path) {
    if (!IsObjectStorePath(path)) return local_.get();
    std::lock_guard<std::mutex> lock(mu_);
    if (!store_) {
      LDP_ASSIGN_OR_RAISE(store_, open_(path));
    }
    return store_.get();
  }

  ObjectStoreOpener open_;
  std::shared_ptr<FileSystem> local_;
  std::mutex mu_;
  std::shared_ptr<FileSystem> store_;  // guarded by mu_ until set; never reset
};

}  // namespace

std::shared_ptr<FileSystem> MakeObjectStoreRouter(ObjectStoreOpener open) {
  return std::make_shared<ObjectStoreRouter>(std::move(open));
}

FileSystem* OpenedObjectStore(FileSystem& fs) {
  if (auto* r = dynamic_cast<ObjectStoreRouter*>(&fs)) return r->opened();
  return nullptr;
}

}  // namespace ldp::io
