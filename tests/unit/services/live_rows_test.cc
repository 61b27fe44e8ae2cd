// Deletion vectors in the SQL of the live rows: small ones inline, large ones from their table.

#include <gtest/gtest.h>

#include "ldp/services/live_rows.h"

namespace ldp::services {
namespace {

iceberg::ScanPlan PlanWithVector(size_t ranges, bool inline_ranges, const std::string& relation) {
  iceberg::ScanPlan plan;
  iceberg::DataFile data;
  data.file_path = "/t/data/a.parquet";
  data.record_count = 1000000;
  plan.files.push_back(data);
  plan.data_sequence_numbers.push_back(1);
  iceberg::DeleteFileInfo dv;
  dv.file.file_path = "/t/data/dv.puffin";
  dv.file.content = iceberg::FileContent::kPositionDeletes;
  dv.file.file_format = "PUFFIN";
  dv.is_deletion_vector = true;
  dv.dv_inline = inline_ranges;
  dv.dv_relation = relation;
  if (inline_ranges)
    for (size_t i = 0; i < ranges; ++i) dv.dv_ranges.emplace_back(2 * i, 2 * i);
  plan.delete_files.push_back(dv);
  plan.file_deletes = {{0}};
  return plan;
}

iceberg::Schema OneColumn() {
  return iceberg::Schema(0, {{1, "id", true, iceberg::Type::Primitive(iceberg::TypeId::kLong), ""}});
}

TEST(LiveRowsSql, SmallDeletionVectorsAreInlineLargeOnesReadFromTheirTable) {
  const iceberg::Schema schema = OneColumn();
  std::string small = LiveRowsSql(schema, PlanWithVector(3, true, ""), false, false);
  EXPECT_NE(small.find("(0::UBIGINT, 4::BIGINT, 4::BIGINT)"), std::string::npos) << small;

  std::string large = LiveRowsSql(schema, PlanWithVector(0, false, "temp.main.\"__ldp_dv_1\""), false, false);
  EXPECT_NE(large.find("SELECT 0::UBIGINT AS fi, lo AS pos FROM temp.main.\"__ldp_dv_1\" WHERE lo = hi"),
            std::string::npos)
      << large;
  EXPECT_NE(large.find("unnest(range(lo, hi + 1)) AS pos FROM temp.main.\"__ldp_dv_1\" WHERE lo < hi"),
            std::string::npos)
      << large;
  EXPECT_EQ(large.find("VALUES"), std::string::npos) << "no positions in the text: " << large;
  EXPECT_LT(large.size(), 2000u);

  // Not loaded: the read fails instead of keeping deleted rows.
  std::string unloaded = LiveRowsSql(schema, PlanWithVector(0, false, ""), false, false);
  EXPECT_NE(unloaded.find("error('deletion vector /t/data/dv.puffin was not loaded')"), std::string::npos) << unloaded;
}

}  // namespace
}  // namespace ldp::services
