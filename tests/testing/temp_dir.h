#pragma once
// Test helpers shared by every test binary: Status matchers and a self-deleting temp folder.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ldp/core/status.h"

#define ASSERT_OK(expr)                                            \
  do {                                                             \
    auto&& _st = ::ldp::internal::ToStatus((expr));                \
    ASSERT_TRUE(_st.ok()) << #expr << " -> " << _st.ToString();    \
  } while (0)
#define EXPECT_OK(expr)                                            \
  do {                                                             \
    auto&& _st = ::ldp::internal::ToStatus((expr));                \
    EXPECT_TRUE(_st.ok()) << #expr << " -> " << _st.ToString();    \
  } while (0)

#define LDP_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr)                         \
  auto tmp = (rexpr);                                                          \
  ASSERT_TRUE(tmp.ok()) << #rexpr << " -> " << tmp.status().ToString();        \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  LDP_ASSERT_OK_AND_ASSIGN_IMPL(LDP_CONCAT(_ldp_t_, __COUNTER__), lhs, rexpr)

/// Matches a Status or Result whose code is `code_`.
MATCHER_P(IsError, code_, "") {
  auto st = ::ldp::internal::ToStatus(arg);
  *result_listener << "status " << st.ToString();
  return st.code() == code_;
}
/// Matches a Status or Result whose message contains `needle`.
MATCHER_P(HasMessage, needle, "") {
  auto st = ::ldp::internal::ToStatus(arg);
  *result_listener << "status " << st.ToString();
  return st.message().find(needle) != std::string::npos;
}

namespace ldp::testing {

/// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string Join(const std::string& rel) const { return (path_ / rel).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ldp::testing
