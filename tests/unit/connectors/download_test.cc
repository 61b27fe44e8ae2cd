#include "ldp/connectors/download.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "testing/api_test_server.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace ldp::connectors {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DownloadTest : public ::testing::Test {
 protected:
  testing::ApiTestServer server_;
  testing::FakeClock clock_;
  testing::TempDir tmp_;
  DownloadOptions Options() {
    DownloadOptions o;
    o.clock = &clock_;
    o.retry.max_attempts = 3;
    return o;
  }
};

TEST_F(DownloadTest, WholeFile) {
  auto r = DownloadToFile(server_.Url("/files/trips.csv"), tmp_.Join("a.csv"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Slurp(tmp_.Join("a.csv")), testing::ApiTestServer::Csv());
  EXPECT_EQ(r->attempts, 1);
}

TEST_F(DownloadTest, RetriesAfter503) {
  auto r = DownloadToFile(server_.Url("/files/flaky.csv"), tmp_.Join("b.csv"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(clock_.sleeps(), std::vector<double>{1});
  EXPECT_EQ(Slurp(tmp_.Join("b.csv")), testing::ApiTestServer::Csv());  // the 503 page is not in it
}

TEST_F(DownloadTest, ResumesWithRangeAfterADroppedConnection) {
  auto r = DownloadToFile(server_.Url("/files/resume.csv"), tmp_.Join("c.csv"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->resumed, 1);
  EXPECT_EQ(server_.ranged_calls(), 1);
  std::string got = Slurp(tmp_.Join("c.csv")), want = testing::ApiTestServer::Csv();
  ASSERT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

TEST_F(DownloadTest, NotFoundNamesTheUrl) {
  auto r = DownloadToFile(server_.Url("/files/nope.csv"), tmp_.Join("d.csv"), Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.status().message().find("/files/nope.csv"), std::string::npos);
}

}  // namespace
}  // namespace ldp::connectors
