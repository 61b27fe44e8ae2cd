#include "ldp/connectors/retry.h"

#include <gtest/gtest.h>

namespace ldp::connectors {
namespace {

Result<RetryPolicy> FromYaml(const std::string& yaml) {
  LDP_ASSIGN_OR_RAISE(auto o, ConnectorOptions::FromYaml("https://api.example.com/items", yaml, "test.yaml"));
  return RetryPolicy::FromOptions(o);
}

TEST(RetryPolicyTest, DefaultsAndDoublingCappedDelays) {
  auto p = FromYaml("{}\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->max_attempts, 5);
  EXPECT_DOUBLE_EQ(p->Delay(1), 1);
  EXPECT_DOUBLE_EQ(p->Delay(2), 2);
  EXPECT_DOUBLE_EQ(p->Delay(6), 32);
  EXPECT_DOUBLE_EQ(p->Delay(7), 60);  // capped by max_backoff_seconds
  EXPECT_DOUBLE_EQ(p->Delay(40), 60);
}

TEST(RetryPolicyTest, ReadsTheRetryOptions) {
  auto p = FromYaml("retry: {max_attempts: 2, backoff_seconds: 0.5, max_backoff_seconds: 3}\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->max_attempts, 2);
  EXPECT_DOUBLE_EQ(p->Delay(1), 0.5);
  EXPECT_DOUBLE_EQ(p->Delay(3), 2);
  EXPECT_DOUBLE_EQ(p->Delay(4), 3);
}

TEST(RetryPolicyTest, OutOfRangeValuesNameTheOption) {
  auto zero = FromYaml("retry: {max_attempts: 0}\n");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("retry.max_attempts"), std::string::npos) << zero.status().ToString();
  auto negative = FromYaml("retry: {backoff_seconds: -1}\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("retry.backoff_seconds"), std::string::npos);
}

}  // namespace
}  // namespace ldp::connectors
