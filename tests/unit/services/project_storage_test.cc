// ldp.yaml's s3:// warehouse and storage section: parsing errors name the line, credentials come
// from the file or the AWS variables, and the project gets the S3 file system (no server needed:
// opening a project sends no request).
#include <cstdlib>
#include <fstream>

#include "ldp/io/s3_file_system.h"
#include "ldp/services/project.h"
#include "testing/temp_dir.h"

namespace ldp::services {
namespace {

using ::testing::HasSubstr;

class ProjectStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                          "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"})
      ::unsetenv(v);
  }
  void Config(const std::string& text) { std::ofstream(tmp_.Join("ldp.yaml")) << text; }
  ::ldp::testing::TempDir tmp_;
};

TEST_F(ProjectStorageTest, S3WarehouseWithCredentialsInTheFile) {
  Config(
      "warehouse: s3://bkt/some//lake/\n"
      "storage:\n"
      "  s3:\n"
      "    endpoint: http://127.0.0.1:9\n"
      "    access-key-id: AK\n"
      "    secret-access-key: SK\n"
      "  cache-dir: mycache\n"
      "  cache-size: 1000000\n");
  ASSERT_OK_AND_ASSIGN(auto p, Project::Open(tmp_.path().string()));
  EXPECT_EQ(p->warehouse(), "s3://bkt/some/lake");
  EXPECT_EQ(p->DefaultTableLocation({{"db"}, "t"}), "s3://bkt/some/lake/db.db/t");
  EXPECT_EQ(io::ToLocalPath("s3://bkt/some/lake/db.db/t/data/f.parquet"),
            tmp_.Join("mycache") + "/bkt/some/lake/db.db/t/data/f.parquet");
  EXPECT_EQ(io::CacheStatsOf(p->fs()).requests, 0);  // an S3 file system; opening sent nothing
  EXPECT_TRUE(std::filesystem::exists(tmp_.Join("warehouse/catalog.db")));  // the catalog stays local
}

TEST_F(ProjectStorageTest, CredentialsFromTheEnvironmentOrAClearError) {
  Config("warehouse: s3://bkt/lake\n");
  auto missing = Project::Open(tmp_.path().string());
  EXPECT_THAT(missing, IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(missing.status().message(), HasSubstr("AWS_ACCESS_KEY_ID"));
  ::setenv("AWS_ACCESS_KEY_ID", "AK", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
  ASSERT_OK_AND_ASSIGN(auto p, Project::Open(tmp_.path().string()));
  EXPECT_EQ(p->warehouse(), "s3://bkt/lake");
}

TEST_F(ProjectStorageTest, BadStorageFieldsNameTheLine) {
  Config("warehouse: s3://bkt/lake\nstorage:\n  s3:\n    endpiont: http://x\n");
  auto r = Project::Open(tmp_.path().string());
  EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("ldp.yaml:4: unknown field 'storage.s3.endpiont'"));
  Config("warehouse: s3://bkt/lake\nstorage:\n  s3:\n    part-size: 1000\n");
  EXPECT_THAT(Project::Open(tmp_.path().string()).status().message(),
              HasSubstr("ldp.yaml:4: storage.s3.part-size must be at least 5242880"));
  Config("warehouse: s3://bkt/lake\nstorage:\n  s3:\n    path-style: maybe\n");
  EXPECT_THAT(Project::Open(tmp_.path().string()).status().message(), HasSubstr("path-style must be true or false"));
  Config("warehouse: s3:///lake\nstorage:\n  s3:\n    access-key-id: a\n    secret-access-key: b\n");
  EXPECT_THAT(Project::Open(tmp_.path().string()), IsError(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ldp::services
