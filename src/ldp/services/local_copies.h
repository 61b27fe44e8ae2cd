#pragma once
// DuckDB reads only local files. On a warehouse on object storage, the files a scan reads are
// downloaded into the project's read cache first (io::FileSystem::MakeLocal, ADR 0018); on a local
// warehouse these calls do nothing.

#include <vector>

#include "ldp/core/status.h"
#include "ldp/iceberg/scan.h"
#include "ldp/io/file_system.h"

namespace ldp::services {

/// The plan's data files and the delete files that apply to them.
Status MakePlanLocal(io::FileSystem& fs, const iceberg::ScanPlan& plan);
Status MakeFilesLocal(io::FileSystem& fs, const std::vector<iceberg::DataFile>& files);

}  // namespace ldp::services
