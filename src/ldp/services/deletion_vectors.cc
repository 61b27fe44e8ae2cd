#include "ldp/services/deletion_vectors.h"

#include <fmt/format.h>

#include <functional>

#include "ldp/iceberg/puffin.h"

namespace ldp::services {

bool HasLargeDeletionVectors(const iceberg::ScanPlan& plan) {
  for (const auto& d : plan.delete_files)
    if (d.is_deletion_vector && !d.dv_inline) return true;
  return false;
}

Status LoadLargeDeletionVectors(io::FileSystem& fs, engine::Connection& conn, iceberg::ScanPlan* plan) {
  for (auto& d : plan->delete_files) {
    if (!d.is_deletion_vector || d.dv_inline) continue;
    const int64_t offset = d.file.content_offset.value_or(0);
    const int64_t length = d.file.content_size_in_bytes.value_or(0);
    // One table per vector, named by what identifies its (immutable) bytes.
    const std::string table =
        fmt::format("__ldp_dv_{:016x}", std::hash<std::string>{}(fmt::format("{}\n{}\n{}", d.file.file_path, offset, length)));
    LDP_ASSIGN_OR_RAISE(auto exists, conn.QueryScalar(fmt::format(
                                         "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = {}",
                                         engine::QuoteLiteral(table))));
    if (!exists || *exists == "0") {
      LDP_RETURN_NOT_OK(conn.Execute(fmt::format("CREATE TEMP TABLE {} (lo BIGINT, hi BIGINT)", engine::QuoteIdent(table))));
      Status st = conn.AppendInt64Rows(table, 2, [&](const std::function<Status(const int64_t*)>& row) {
        return iceberg::ReadDeletionVector(fs, d.file.file_path, offset, length, [&](int64_t first, int64_t last) {
          const int64_t values[2] = {first, last};
          return row(values);
        });
      });
      if (!st.ok()) {
        (void)conn.Execute(fmt::format("DROP TABLE IF EXISTS temp.main.{}", engine::QuoteIdent(table)));
        return st.WithContext(fmt::format("reading deletion vector {}", d.file.file_path));
      }
    }
    d.dv_relation = "temp.main." + engine::QuoteIdent(table);
  }
  return Status::OK();
}

}  // namespace ldp::services
