// Tables on S3 read from a project whose warehouse is LOCAL (ADR 0023), with a real Swift + s3api
// server: a table written by ldp into an S3-warehouse project ("prod") is cloned (whole, --where,
// --sample) into a second project with a local warehouse, and registered + queried there (files
// through the read cache under its storage.cache-dir). Rows are compared with the source project's
// answers. Missing credentials, a wrong secret and a missing bucket fail with one line naming the
// location and leave no catalog row, no table folder and no data file behind.
#include <filesystem>
#include <set>

#include "integration/cli_fixture.h"
#include "ldp/io/s3_client.h"
#include "testing/s3_server.h"

namespace ldp::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class S3SourcesTest : public CliTest {
 protected:
  void SetUp() override {
    server_ = S3Server::Get();
    if (!server_) {
      if (S3Server::Installed()) FAIL() << S3Server::SkipReason();
      GTEST_SKIP() << S3Server::SkipReason();
    }
    CliTest::SetUp();
    bucket_ = server_->NewBucketName();
    io::S3Options o;
    o.endpoint = server_->endpoint();
    o.credentials = {kS3AccessKey, kS3SecretKey, ""};
    ASSERT_OK(io::S3Client(o).CreateBucket(bucket_));
    // No AWS variables of the environment running the tests leak into ldp.
    for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                          "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"})
      env_.env[v] = std::nullopt;

    // prod: warehouse on S3; prod.trips partitioned by cat, sorted, with merge-on-read deletes.
    prod_ = tmp_.Join("prod");
    ASSERT_EQ(Run({"init", prod_}).exit_code, 0);
    WriteFile(prod_ + "/ldp.yaml", fmt::format("name: prod\nwarehouse: s3://{}/lake\n{}", bucket_, Storage(kS3SecretKey)));
    const std::string src = tmp_.Join("trips.parquet");
    Copy("SELECT i AS id, ['a','b','c'][i % 3 + 1] AS cat, TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS ts, "
         "(i * 37 % 1000) / 10.0 AS amount, 'note-' || (i % 17) AS note FROM range(30000) t(i)",
         src);
    ASSERT_EQ(RunIn(prod_, {"ingest", src, "--table", "prod.trips", "--partition-by", "cat", "--sort-by", "id desc",
                            "--quiet"})
                  .exit_code,
              0);
    ASSERT_EQ(RunIn(prod_, {"properties", "prod.trips", "--set", "write.delete.mode=merge-on-read", "--set",
                            "owner=team-a"})
                  .exit_code,
              0);
    ASSERT_EQ(RunIn(prod_, {"delete", "prod.trips", "--where", "id % 7 = 0", "--quiet"}).exit_code, 0);
    location_ = "s3://" + bucket_ + "/lake/prod.db/trips";

    // This project (project_): local warehouse, S3 settings in its storage section.
    WriteFile(project_ + "/ldp.yaml", "name: dev\nwarehouse: warehouse\n" + Storage(kS3SecretKey));
  }

  std::string Storage(const std::string& secret) const {
    return fmt::format("storage:\n  s3:\n    endpoint: {}\n    access-key-id: \"{}\"\n    secret-access-key: \"{}\"\n",
                       server_->endpoint(), kS3AccessKey, secret);
  }

  ProcessResult Run(const std::vector<std::string>& args) { return RunLdp(args, env_); }
  ProcessResult RunIn(const std::string& project, std::vector<std::string> args) {
    args.insert(args.end(), {"--project", project});
    ProcessResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r;
  }
  ProcessResult Dev(std::vector<std::string> args) {
    args.insert(args.end(), {"--project", project_});
    return Run(args);
  }
  nlohmann::json DevJson(std::vector<std::string> args) {
    args.push_back("--json");
    ProcessResult r = Dev(args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
  }
  /// count, sum of ids and a sum of row hashes: equal only for the same rows (as a multiset).
  std::string Fingerprint(const std::string& project, const std::string& relation) {
    return RunIn(project, {"query",
                           "SELECT count(*) AS n, sum(id) AS s, sum(hash(id, cat, ts, amount, note)::HUGEINT) AS h FROM " +
                               relation,
                           "--format", "csv"})
        .out;
  }
  bool Registered(const std::string& table) {
    for (const auto& t : DevJson({"tables"}))
      if (t.value("table", "") == table) return true;
    return false;
  }
  std::set<std::string> CachedFiles() { return FilesUnder(project_ + "/.ldp/cache"); }
  void ExpectNothingOf(const std::string& ns, const std::string& name) {
    EXPECT_FALSE(Registered(ns + "." + name));
    EXPECT_FALSE(fs::exists(TableDir(ns, name))) << TableDir(ns, name);
    EXPECT_FALSE(fs::exists(warehouse() + "/" + ns + ".db")) << "no namespace folder either";
  }

  S3Server* server_ = nullptr;
  SubprocessOptions env_;
  std::string bucket_, prod_, location_;
};

TEST_F(S3SourcesTest, CloneFromS3IntoALocalWarehouse) {
  const std::string expect = Fingerprint(prod_, "prod.trips");
  ASSERT_THAT(expect, HasSubstr("\n25714,"));  // 30000 minus the multiples of 7

  auto j = DevJson({"clone", location_, "--to", "dev.trips"});
  EXPECT_EQ(j.value("rows", -1), 25714);
  EXPECT_EQ(j.value("partitions", -1), 3);
  EXPECT_EQ(Fingerprint(project_, "dev.trips"), expect);
  auto d = DevJson({"describe", "dev.trips"});
  EXPECT_EQ(d["properties"].value("ldp.clone.source", ""), location_);
  EXPECT_EQ(d["properties"].value("owner", ""), "team-a");
  EXPECT_EQ(d.value("partition_spec_text", ""), "cat");
  EXPECT_EQ(d["current_snapshot"]["summary"].value("total-position-deletes", "0"), "0") << "deletes applied";
  EXPECT_EQ(d.value("location", "").rfind("file://" + warehouse() + "/dev.db/trips", 0), 0u) << d.value("location", "");
  EXPECT_GE(FilesUnder(TableDir("dev", "trips") + "/data").size(), 3u) << "new local data files";
  // The source's data and delete files went through this project's read cache, under the bucket.
  const auto cached = CachedFiles();
  ASSERT_FALSE(cached.empty());
  for (const auto& f : cached)
    EXPECT_EQ(f.rfind(project_ + "/.ldp/cache/" + bucket_ + "/lake/prod.db/trips/data/", 0), 0u) << f;

  // --where: the same rows as the source project answers, and pruning by partition.
  auto w = DevJson({"clone", location_, "--to", "dev.w", "--where", "cat = 'b' AND amount > 50"});
  EXPECT_EQ(w.value("source_files", -1), 1) << "only the cat=b data file is read";
  EXPECT_EQ(Fingerprint(project_, "dev.w"), Fingerprint(prod_, "prod.trips WHERE cat = 'b' AND amount > 50"));

  // --sample: the same rows as the same sample taken inside the S3 project (sampling depends on the
  // rows, not on the route), a subset of about 20%.
  auto s = DevJson({"clone", location_, "--to", "dev.s", "--sample", "20", "--seed", "4"});
  EXPECT_NEAR(s.value("rows", 0), 25714 * 0.2, 25714 * 0.02);
  ASSERT_EQ(RunIn(prod_, {"clone", "prod.trips", "--to", "ref.s", "--sample", "20", "--seed", "4", "--quiet"}).exit_code,
            0);
  EXPECT_EQ(Fingerprint(project_, "dev.s"), Fingerprint(prod_, "ref.s"));
  EXPECT_EQ(DevJson({"describe", "dev.s"})["properties"].value("ldp.clone.filter", ""), "sample 20% seed 4");

  // The folder's metadata file directly, and an s3a:// spelling of the same location.
  auto a = DevJson({"clone", "s3a://" + bucket_ + "/lake/prod.db/trips", "--to", "dev.a", "--limit", "100"});
  EXPECT_EQ(a.value("rows", -1), 100);
  EXPECT_EQ(a.value("source_metadata", "").rfind("s3a://" + bucket_ + "/lake/prod.db/trips/metadata/", 0), 0u);
}

TEST_F(S3SourcesTest, RegisterAndQueryAnS3TableFromALocalWarehouse) {
  const std::string expect = Fingerprint(prod_, "prod.trips");
  auto r = DevJson({"register", "ext.trips", location_});
  EXPECT_EQ(r.value("metadata_location", "").rfind(location_ + "/metadata/", 0), 0u) << r.dump();
  EXPECT_EQ(Fingerprint(project_, "ext.trips"), expect);
  // Cold: the cache removed, the files are downloaded again; partition pruning downloads less.
  fs::remove_all(project_ + "/.ldp/cache");
  EXPECT_EQ(Fingerprint(project_, "ext.trips WHERE cat = 'c'"), Fingerprint(prod_, "prod.trips WHERE cat = 'c'"));
  for (const auto& f : CachedFiles()) EXPECT_EQ(f.find("cat=a"), std::string::npos) << "pruned file downloaded: " << f;
  EXPECT_EQ(Fingerprint(project_, "ext.trips"), expect);
  // Nothing of the table is in the local warehouse: only the catalog row points at S3.
  EXPECT_FALSE(fs::exists(warehouse() + "/ext.db"));
  ASSERT_TRUE(CatalogTable("ext", "trips"));
  EXPECT_EQ(CatalogTable("ext", "trips")->metadata_location.rfind(location_, 0), 0u);
  // The cache is this project's storage.cache-dir when set.
  WriteFile(project_ + "/ldp.yaml",
            "name: dev\nwarehouse: warehouse\n" + Storage(kS3SecretKey) + "  cache-dir: " + tmp_.Join("cache2") + "\n");
  EXPECT_EQ(Fingerprint(project_, "ext.trips"), expect);
  EXPECT_FALSE(FilesUnder(tmp_.Join("cache2/" + bucket_)).empty());

  // Credentials from the AWS variables when ldp.yaml has none.
  WriteFile(project_ + "/ldp.yaml", "name: dev\nwarehouse: warehouse\n");
  SubprocessOptions env = env_;
  env.env["AWS_ACCESS_KEY_ID"] = kS3AccessKey;
  env.env["AWS_SECRET_ACCESS_KEY"] = kS3SecretKey;
  env.env["AWS_ENDPOINT_URL"] = server_->endpoint();
  fs::remove_all(project_ + "/.ldp/cache");
  ProcessResult q = RunLdp({"query", "SELECT count(*) AS n FROM ext.trips", "--format", "csv", "--project", project_}, env);
  EXPECT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.out, "n\n25714\n");
}

TEST_F(S3SourcesTest, MissingCredentialsWrongSecretOrBucketLeaveNothingBehind) {
  // No credentials anywhere.
  WriteFile(project_ + "/ldp.yaml", fmt::format("name: dev\nwarehouse: warehouse\nstorage:\n  s3:\n    endpoint: {}\n",
                                                server_->endpoint()));
  for (const auto& args : std::vector<std::vector<std::string>>{{"clone", location_, "--to", "dev.x"},
                                                                {"register", "dev.x", location_}}) {
    ProcessResult r = Dev(args);
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    auto line = OneLine(r.err);
    ASSERT_TRUE(line) << r.Describe();
    EXPECT_THAT(*line, HasSubstr(location_));
    EXPECT_THAT(*line, HasSubstr("needs S3 credentials"));
    EXPECT_THAT(*line, HasSubstr("AWS_ACCESS_KEY_ID"));
    ExpectNothingOf("dev", "x");
  }
  // The project still works for local tables meanwhile.
  EXPECT_EQ(Dev({"query", "SELECT 42"}).exit_code, 0);

  // A wrong secret: the server refuses, the error names the object and S3's code.
  WriteFile(project_ + "/ldp.yaml", "name: dev\nwarehouse: warehouse\n" + Storage("wrong-secret"));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"clone", location_, "--to", "dev.x", "--sample", "10"}, {"register", "dev.x", location_}}) {
    ProcessResult r = Dev(args);
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    auto line = OneLine(r.err);
    ASSERT_TRUE(line) << r.Describe();
    EXPECT_THAT(*line, HasSubstr("SignatureDoesNotMatch"));
    EXPECT_THAT(*line, HasSubstr(location_));
    ExpectNothingOf("dev", "x");
  }
  // A bucket that does not exist.
  WriteFile(project_ + "/ldp.yaml", "name: dev\nwarehouse: warehouse\n" + Storage(kS3SecretKey));
  ProcessResult r = Dev({"clone", "s3://" + bucket_ + "-nope/lake/prod.db/trips", "--to", "dev.x"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  ASSERT_TRUE(OneLine(r.err)) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr(bucket_ + "-nope"));
  EXPECT_THAT(r.err, HasSubstr("NoSuchBucket"));
  ExpectNothingOf("dev", "x");
  EXPECT_TRUE(CachedFiles().empty()) << "nothing was downloaded by the failed attempts";

  // A data file gone from the bucket: named, and no half-made clone.
  io::S3Options o;
  o.endpoint = server_->endpoint();
  o.credentials = {kS3AccessKey, kS3SecretKey, ""};
  io::S3Client client(o);
  auto listing = client.ListObjects(bucket_, "lake/prod.db/trips/data/cat=a/", "");
  ASSERT_TRUE(listing.ok());
  std::string victim;
  for (const auto& obj : listing->objects)
    if (obj.key.find("delete") == std::string::npos) victim = obj.key;
  ASSERT_FALSE(victim.empty());
  ASSERT_OK(client.DeleteObject(bucket_, victim));
  r = Dev({"clone", location_, "--to", "dev.x"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  ASSERT_TRUE(OneLine(r.err)) << r.Describe();
  EXPECT_THAT(r.err, HasSubstr(fs::path(victim).filename().string()));
  ExpectNothingOf("dev", "x");
}

}  // namespace
}  // namespace ldp::testing
