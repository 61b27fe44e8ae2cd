#include "ldp/services/local_copies.h"

namespace ldp::services {

Status MakeFilesLocal(io::FileSystem& fs, const std::vector<iceberg::DataFile>& files) {
  std::vector<io::FileSystem::Needed> needed;
  needed.reserve(files.size());
  for (const auto& f : files) needed.push_back({f.file_path, f.file_size_in_bytes});
  return fs.MakeLocal(needed);
}

Status MakePlanLocal(io::FileSystem& fs, const iceberg::ScanPlan& plan) {
  std::vector<io::FileSystem::Needed> needed;
  needed.reserve(plan.files.size() + plan.delete_files.size());
  for (const auto& f : plan.files) needed.push_back({f.file_path, f.file_size_in_bytes});
  for (const auto& d : plan.delete_files) needed.push_back({d.file.file_path, d.file.file_size_in_bytes});
  return fs.MakeLocal(needed);
}

}  // namespace ldp::services
