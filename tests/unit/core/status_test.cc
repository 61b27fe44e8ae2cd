#include "ldp/core/status.h"

#include "testing/temp_dir.h"

namespace ldp {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  LDP_ASSIGN_OR_RAISE(int h, Half(x));
  LDP_ASSIGN_OR_RAISE(int q, Half(h));
  return q;
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::OK().ok());
  Status st = NoSuchTable("table {} does not exist", "nyc.trips");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.ToString(), "NoSuchTable: table nyc.trips does not exist");
  EXPECT_EQ(st.WithContext("ingest").message(), "ingest: table nyc.trips does not exist");
  EXPECT_TRUE(IsRetryable(ErrorCode::kCommitFailed));
  EXPECT_FALSE(IsRetryable(ErrorCode::kInvalidArgument));
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Quarter(6), HasMessage("3 is odd"));
}

}  // namespace
}  // namespace ldp
