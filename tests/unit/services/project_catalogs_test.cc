// ldp.yaml's `catalogs:` section (named source catalogs for `ldp clone --from NAME`) and the file
// system of a local-warehouse project routing s3:// paths to an S3 file system made on first use
// (ADR 0023). No server needed: nothing here sends a request.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ldp/io/object_store_router.h"
#include "ldp/io/s3_file_system.h"
#include "ldp/services/project.h"
#include "testing/temp_dir.h"

namespace ldp::services {
namespace {

using ::testing::HasSubstr;

class ProjectCatalogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                          "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "LDP_TEST_PROD_TOKEN"})
      ::unsetenv(v);
  }
  std::string Config(const std::string& text) {
    std::ofstream(tmp_.Join("ldp.yaml")) << text;
    return tmp_.Join("ldp.yaml");
  }
  std::string ErrorOf(const std::string& text) {
    auto r = Project::ParseConfig(Config(text));
    EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument)) << text;
    return r.ok() ? "" : r.status().message();
  }
  ::ldp::testing::TempDir tmp_;
};

TEST_F(ProjectCatalogsTest, NamedCatalogsAreParsedWithTheCatalogFields) {
  ::setenv("LDP_TEST_PROD_TOKEN", "s3cret", 1);
  const std::string path = Config(
      "name: dev\n"
      "catalogs:\n"
      "  other:\n"
      "    type: sql\n"
      "    uri: ../other/warehouse/catalog.db\n"
      "  prod:\n"
      "    type: rest\n"
      "    uri: http://rest.example:8181/\n"
      "    token: ${LDP_TEST_PROD_TOKEN}\n"
      "    warehouse: wh\n"
      "    prefix: p1\n"
      "  pg:\n"
      "    uri: postgresql://u@127.0.0.1:5/db\n"
      "    name: lake\n");
  ASSERT_OK_AND_ASSIGN(ProjectConfig c, Project::ParseConfig(path));
  ASSERT_EQ(c.catalogs.size(), 3u);
  EXPECT_EQ(c.catalogs["other"].type, "sql");
  EXPECT_EQ(c.catalogs["other"].uri, "../other/warehouse/catalog.db");
  EXPECT_EQ(c.catalogs["other"].name, "default");
  EXPECT_EQ(c.catalogs["prod"].type, "rest");
  EXPECT_EQ(c.catalogs["prod"].token, "s3cret");
  EXPECT_EQ(c.catalogs["prod"].warehouse, "wh");
  EXPECT_EQ(c.catalogs["prod"].prefix, "p1");
  EXPECT_EQ(c.catalogs["prod"].origin, path + ":7: catalogs.prod");
  EXPECT_EQ(c.catalogs["pg"].type, "sql");
  EXPECT_EQ(c.catalogs["pg"].name, "lake");
  // The project's own catalog is untouched by them.
  EXPECT_EQ(c.catalog_type, "sql");
  EXPECT_EQ(c.catalog_uri, "warehouse/catalog.db");
}

TEST_F(ProjectCatalogsTest, BadEntriesNameFileLineAndField) {
  EXPECT_THAT(ErrorOf("catalogs:\n  prod:\n    type: rest\n    urii: http://x\n"),
              HasSubstr("ldp.yaml:4: unknown field 'catalogs.prod.urii'"));
  EXPECT_THAT(ErrorOf("catalogs:\n  prod:\n    type: rest\n"),
              HasSubstr("ldp.yaml:3: catalogs.prod.uri is required for a rest catalog"));
  EXPECT_THAT(ErrorOf("catalogs:\n  other:\n    type: sql\n"), HasSubstr("ldp.yaml:2: catalogs.other.uri is required"));
  EXPECT_THAT(ErrorOf("catalogs:\n  prod:\n    type: hive\n    uri: thrift://x\n"),
              HasSubstr("ldp.yaml:3: catalogs.prod.type 'hive' is not supported (use: sql, rest)"));
  EXPECT_THAT(ErrorOf("catalogs:\n  prod:\n    type: sql\n    uri: a.db\n    token: t\n"),
              HasSubstr("catalogs.prod.token applies to type rest, not sql"));
  EXPECT_THAT(ErrorOf("catalogs:\n  prod:\n    type: rest\n    uri: http://x\n    token: a\n    credential: b:c\n"),
              HasSubstr("catalogs.prod: give token or credential, not both"));
  EXPECT_THAT(ErrorOf("catalogs:\n  prod:\n    uri: [a, b]\n"), HasSubstr("ldp.yaml:3: field 'catalogs.prod.uri' must be a string"));
  EXPECT_THAT(ErrorOf("catalogs:\n  prod: http://x\n"), HasSubstr("ldp.yaml:2: 'catalogs.prod' must be a mapping"));
  EXPECT_THAT(ErrorOf("catalogs:\n  - prod\n"), HasSubstr("ldp.yaml:2: 'catalogs' must be a mapping"));
  EXPECT_THAT(ErrorOf("catalogs:\n  pr.od:\n    uri: a.db\n"), HasSubstr("ldp.yaml:2: catalogs: name 'pr.od'"));
  // The project's own catalog keeps its messages.
  EXPECT_THAT(ErrorOf("catalog:\n  type: rest\n"), HasSubstr("ldp.yaml:2: catalog.uri is required for a rest catalog"));
  EXPECT_THAT(ErrorOf("catalog:\n  typ: sql\n"), HasSubstr("ldp.yaml:2: unknown field 'catalog.typ'"));
}

TEST_F(ProjectCatalogsTest, UnsetSecretFailsOnlyWhenThatCatalogIsUsed) {
  Config("catalogs:\n  prod:\n    type: rest\n    uri: http://127.0.0.1:9\n    token: ${LDP_TEST_PROD_TOKEN}\n");
  ASSERT_OK_AND_ASSIGN(auto p, Project::Open(tmp_.path().string()));  // other commands work
  auto cat = p->OpenNamedCatalog("prod");
  EXPECT_THAT(cat, IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(cat.status().message(),
              HasSubstr("ldp.yaml:5: catalogs.prod.token refers to environment variable LDP_TEST_PROD_TOKEN, which is not set"));
  // The project's own catalog still refuses to open without its secret.
  Config("catalog:\n  type: rest\n  uri: http://127.0.0.1:9\n  token: ${LDP_TEST_PROD_TOKEN}\n");
  EXPECT_THAT(Project::Open(tmp_.path().string()), IsError(ErrorCode::kInvalidArgument));
}

TEST_F(ProjectCatalogsTest, OpenNamedCatalogListsNamesAndNeverCreatesASourceCatalog) {
  ::ldp::testing::TempDir other;
  ASSERT_OK_AND_ASSIGN(auto o, Project::Init(other.path().string(), "other"));
  ASSERT_OK(o->catalog().CreateNamespace({"prod"}, {}));
  o.reset();
  const std::string missing = tmp_.Join("nowhere/catalog.db");
  Config(fmt::format("catalogs:\n  other:\n    uri: {}/warehouse/catalog.db\n  gone:\n    uri: {}\n",
                     other.path().string(), missing));
  ASSERT_OK_AND_ASSIGN(auto p, Project::Open(tmp_.path().string()));
  ASSERT_OK_AND_ASSIGN(auto cat, p->OpenNamedCatalog("other"));
  ASSERT_OK_AND_ASSIGN(bool ns, cat->NamespaceExists({"prod"}));
  EXPECT_TRUE(ns) << "the other project's catalog, not a new one";

  auto unknown = p->OpenNamedCatalog("prd");
  EXPECT_THAT(unknown, IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(unknown.status().message(), HasSubstr("no catalog named 'prd'"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("(configured: gone, other)"));

  auto gone = p->OpenNamedCatalog("gone");
  EXPECT_THAT(gone, IsError(ErrorCode::kNotFound));
  EXPECT_THAT(gone.status().message(), HasSubstr("ldp.yaml:5: catalogs.gone: SQLite catalog " + missing + " does not exist"));
  EXPECT_FALSE(std::filesystem::exists(missing));
  EXPECT_FALSE(std::filesystem::exists(tmp_.Join("nowhere")));

  Config("name: x\n");
  ASSERT_OK_AND_ASSIGN(auto none, Project::Open(tmp_.path().string()));
  EXPECT_THAT(none->OpenNamedCatalog("prod").status().message(), HasSubstr("has no `catalogs:` section"));
}

TEST_F(ProjectCatalogsTest, LocalWarehouseOpensObjectStorageOnlyWhenAnS3PathIsUsed) {
  Config("name: x\n");
  ASSERT_OK_AND_ASSIGN(auto p, Project::Open(tmp_.path().string()));
  io::FileSystem& fs = p->fs();
  ASSERT_OK(fs.WriteFile(tmp_.Join("a/b.txt"), "hello"));
  ASSERT_OK_AND_ASSIGN(std::string back, fs.ReadFile("file://" + tmp_.Join("a/b.txt")));
  EXPECT_EQ(back, "hello");
  ASSERT_OK(fs.MakeLocal({{tmp_.Join("a/b.txt"), 5}}));
  EXPECT_EQ(io::OpenedObjectStore(fs), nullptr) << "local paths never make an S3 file system";

  // No credentials anywhere: a one-line error naming the location and where to put them.
  auto r = fs.ReadFile("s3://bkt/lake/t/metadata/v1.metadata.json");
  EXPECT_THAT(r, IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("s3://bkt/lake/t/metadata/v1.metadata.json needs S3 credentials"));
  EXPECT_THAT(r.status().message(), HasSubstr("AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(r.status().message(), HasSubstr("ldp.yaml"));
  EXPECT_EQ(io::OpenedObjectStore(fs), nullptr);

  // With credentials (here from the environment): made on first use, without a request.
  ::setenv("AWS_ACCESS_KEY_ID", "AK", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "SK", 1);
  ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9", 1);
  ASSERT_OK(fs.CreateDirs("s3a://bkt/lake"));
  ASSERT_NE(io::OpenedObjectStore(fs), nullptr);
  EXPECT_EQ(io::CacheStatsOf(*io::OpenedObjectStore(fs)).requests, 0);
  EXPECT_EQ(p->warehouse(), tmp_.Join("warehouse"));
}

TEST(ObjectStorePaths, S3aIsTheSameObjectAsS3) {
  ASSERT_OK_AND_ASSIGN(auto a, io::ParseS3Uri("s3a://bkt/x//y"));
  EXPECT_EQ(a.first, "bkt");
  EXPECT_EQ(a.second, "x/y");
  EXPECT_TRUE(io::IsObjectStorePath("s3a://b/k"));
  EXPECT_TRUE(io::IsObjectStorePath("s3://b/k"));
  EXPECT_FALSE(io::IsObjectStorePath("/s3://b"));
  EXPECT_FALSE(io::IsObjectStorePath("file:///b"));
  EXPECT_THAT(io::ParseS3Uri("gs://b/k"), IsError(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace ldp::services
