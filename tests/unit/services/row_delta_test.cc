// The SET list of `ldp update`: split at top-level commas and the first '=' only.

#include <gtest/gtest.h>

#include "ldp/services/row_delta.h"

namespace ldp::services {
namespace {

TEST(ParseAssignments, SplitsAtTopLevelCommasAndTheFirstEquals) {
  auto r = ParseAssignments(" a = 1, \"b c\" = coalesce(x, 'p,q=r'), d = CASE WHEN y = 2 THEN [1, 2] END ");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].column, "a");
  EXPECT_EQ((*r)[0].expression, "1");
  EXPECT_EQ((*r)[1].column, "b c");
  EXPECT_EQ((*r)[1].expression, "coalesce(x, 'p,q=r')");
  EXPECT_EQ((*r)[2].column, "d");
  EXPECT_EQ((*r)[2].expression, "CASE WHEN y = 2 THEN [1, 2] END");
}

TEST(ParseAssignments, RejectsWhatIsNotColumnEqualsExpression) {
  for (const char* bad : {"", "a", "a =", "= 1", "a = f(1", "a = 'x", "a = 1,"}) {
    auto r = ParseAssignments(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << bad;
    }
  }
}

}  // namespace
}  // namespace ldp::services
