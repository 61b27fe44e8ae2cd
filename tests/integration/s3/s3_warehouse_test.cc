// ldp with the warehouse on S3 (a real Swift + s3api server): the real CLI end to end — ingest
// (plain and partitioned), query with a cold and a warm read cache, delete, update, compaction,
// snapshot expiry and orphan removal listing and deleting objects, wrong credentials changing
// nothing, and an independent reader (icebird) reading the table.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "integration/cli_fixture.h"
#include "ldp/io/s3_client.h"
#include "testing/s3_server.h"

namespace ldp::testing {
namespace {

using ::testing::HasSubstr;

class S3WarehouseTest : public CliTest {
 protected:
  void SetUp() override {
    server_ = S3Server::Get();
    if (!server_) {
      if (S3Server::Installed()) FAIL() << S3Server::SkipReason();
      GTEST_SKIP() << S3Server::SkipReason();
    }
    CliTest::SetUp();
    bucket_ = server_->NewBucketName();
    ASSERT_OK(Client().CreateBucket(bucket_));
    WriteConfig(kS3SecretKey);
  }

  void WriteConfig(const std::string& secret) {
    WriteFile(project_ + "/ldp.yaml", fmt::format("name: s3test\n"
                                                  "warehouse: s3://{}/lake\n"
                                                  "storage:\n"
                                                  "  s3:\n"
                                                  "    endpoint: {}\n"
                                                  "    access-key-id: \"{}\"\n"
                                                  "    secret-access-key: \"{}\"\n"
                                                  "    part-size: 5242880\n",
                                                  bucket_, server_->endpoint(), kS3AccessKey, secret));
  }

  io::S3Client Client() {
    io::S3Options o;
    o.endpoint = server_->endpoint();
    o.credentials = {kS3AccessKey, kS3SecretKey, ""};
    return io::S3Client(o);
  }

  /// Keys of every object under lake/ (sorted).
  std::set<std::string> Objects(const std::string& under = "lake/") {
    auto l = Client().ListObjects(bucket_, under, "");
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    std::set<std::string> out;
    if (l.ok())
      for (const auto& o : l->objects) out.insert(o.key);
    return out;
  }
  static size_t CountEnding(const std::set<std::string>& keys, const std::string& suffix) {
    size_t n = 0;
    for (const auto& k : keys) n += k.size() >= suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0;
    return n;
  }

  std::string QueryCsv(const std::string& sql) {
    ProcessResult r = Ldp({"query", sql, "--format", "csv"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }

  std::string cache_dir() const { return project_ + "/.ldp/cache"; }

  /// Local files under the cache that are writable: staged writes not cleaned up.
  std::vector<std::string> StagedLeftovers() {
    std::vector<std::string> out;
    for (const auto& f : FilesUnder(cache_dir())) {
      auto perms = std::filesystem::status(f).permissions();
      if ((perms & std::filesystem::perms::owner_write) != std::filesystem::perms::none) out.push_back(f);
    }
    return out;
  }

  S3Server* server_ = nullptr;
  std::string bucket_;
};

TEST_F(S3WarehouseTest, IngestQueryChangeCompactAndMaintainOnS3) {
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id, i % 10 AS k, 'name-' || i AS s, i * 0.5 AS v FROM range(20000) t(i)", src);
  auto j = Ingest(src, "db.t");
  EXPECT_EQ(j["rows"], 20000);
  auto objects = Objects();
  EXPECT_EQ(CountEnding(objects, ".parquet"), 1u);
  EXPECT_EQ(CountEnding(objects, ".metadata.json"), 2u);  // create + append
  EXPECT_EQ(CountEnding(objects, ".avro"), 2u);            // manifest + manifest list
  for (const auto& k : objects) EXPECT_EQ(k.rfind("lake/db.db/t/", 0), 0u) << k;
  EXPECT_TRUE(StagedLeftovers().empty());
  EXPECT_FALSE(std::filesystem::exists(warehouse() + "/db.db")) << "nothing of the table is kept outside the cache";

  const std::string expect = QueryCsv("SELECT count(*) AS n, sum(id) AS s FROM read_parquet('" + src + "')");
  // Warm (the ingest left its uploaded file in the cache), then cold (cache removed).
  EXPECT_EQ(QueryCsv("SELECT count(*) AS n, sum(id) AS s FROM db.t"), expect);
  std::filesystem::remove_all(cache_dir());
  EXPECT_EQ(QueryCsv("SELECT count(*) AS n, sum(id) AS s FROM db.t"), expect);
  EXPECT_EQ(FilesUnder(cache_dir()).size(), 1u);  // the one data file, downloaded

  // Row-level changes, both write modes.
  ProcessResult d = Ldp({"delete", "db.t", "--where", "k = 3"});
  ASSERT_EQ(d.exit_code, 0) << d.Describe();
  ProcessResult u = Ldp({"update", "db.t", "--set", "s = 'changed'", "--where", "k = 4"});
  ASSERT_EQ(u.exit_code, 0) << u.Describe();
  ProcessResult mor = Ldp({"properties", "db.t", "--set", "write.delete.mode=merge-on-read"});
  ASSERT_EQ(mor.exit_code, 0) << mor.Describe();
  ProcessResult d2 = Ldp({"delete", "db.t", "--where", "id < 100"});
  ASSERT_EQ(d2.exit_code, 0) << d2.Describe();
  const std::string after = "SELECT count(*) AS n, sum(id) AS s, count(*) FILTER (s = 'changed') AS c FROM ";
  const std::string expect_after = QueryCsv(
      after + "(SELECT id, CASE WHEN k = 4 THEN 'changed' ELSE s END AS s FROM read_parquet('" + src +
      "') WHERE k <> 3 AND id >= 100)");
  EXPECT_EQ(QueryCsv(after + "db.t"), expect_after);
  std::filesystem::remove_all(cache_dir());  // cold read with a position delete file
  EXPECT_EQ(QueryCsv(after + "db.t"), expect_after);
  EXPECT_GE(CountEnding(Objects(), "-deletes.parquet") + CountEnding(Objects(), ".parquet"), 3u);

  // A second append, then compaction into one file.
  Ingest(src, "db.t");
  ProcessResult c = Ldp({"maintain", "compact", "db.t"});
  ASSERT_EQ(c.exit_code, 0) << c.Describe();
  const std::string expect_two = QueryCsv(
      "SELECT count(*) AS n, sum(id) AS s FROM (SELECT id FROM read_parquet('" + src +
      "') WHERE k <> 3 AND id >= 100 UNION ALL SELECT id FROM read_parquet('" + src + "'))");
  EXPECT_EQ(QueryCsv("SELECT count(*) AS n, sum(id) AS s FROM db.t"), expect_two);

  // Expiry deletes the objects only old snapshots used; the table reads the same from S3.
  const size_t parquet_before = CountEnding(Objects(), ".parquet");
  ProcessResult e = Ldp({"maintain", "expire-snapshots", "db.t", "--older-than", "0s", "--retain-last", "1"});
  ASSERT_EQ(e.exit_code, 0) << e.Describe();
  auto after_expiry = Objects();
  EXPECT_LT(CountEnding(after_expiry, ".parquet"), parquet_before);
  std::filesystem::remove_all(cache_dir());
  EXPECT_EQ(QueryCsv("SELECT count(*) AS n, sum(id) AS s FROM db.t"), expect_two);

  // An orphan object (a failed writer's leftover) is found by listing S3 and deleted.
  ASSERT_OK(Client().PutObject(bucket_, "lake/db.db/t/data/orphan-1.parquet", "junk"));
  ProcessResult o = Ldp({"maintain", "remove-orphans", "db.t", "--older-than", "2099-01-01", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.Describe();
  EXPECT_THAT(o.out, HasSubstr("orphan-1.parquet"));
  EXPECT_EQ(Objects().count("lake/db.db/t/data/orphan-1.parquet"), 0u);
  EXPECT_EQ(QueryCsv("SELECT count(*) AS n, sum(id) AS s FROM db.t"), expect_two);
  EXPECT_TRUE(StagedLeftovers().empty());
}

// `ldp serve` over a warehouse on S3: other engines load s3:// locations, commits write the next
// metadata file to the bucket, and locations outside the warehouse prefix are refused.
TEST_F(S3WarehouseTest, ServeTheCatalogOfAWarehouseOnS3) {
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id FROM range(1000) t(i)", src);
  Ingest(src, "db.t");
  auto p = Subprocess::Start({LDP_BIN, "--project", project_, "serve", "--port", "0", "--no-scheduler"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  int port = 0;
  for (int i = 0; i < 400 && port == 0; ++i) {
    std::string out = ReadFile(p->stdout_path());
    auto at = out.find("http://127.0.0.1:");
    if (at != std::string::npos && out.find('\n', at) != std::string::npos)
      port = std::atoi(out.c_str() + at + std::strlen("http://127.0.0.1:"));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(port, 0) << "ldp serve did not start";
  const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/v1/namespaces/db/tables";
  auto curl = [&](const std::vector<std::string>& extra, const std::string& url) {
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-w", "\n%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    auto r = RunProcess(argv);
    EXPECT_TRUE(r.ok());
    std::string out = r.ok() ? r->out : "";
    size_t nl = out.rfind('\n');
    return std::make_pair(std::atoi(out.c_str() + nl + 1), nlohmann::json::parse(out.substr(0, nl), nullptr, false));
  };
  const std::string prefix = "s3://" + bucket_ + "/lake/db.db/t/metadata/";
  auto [st, loaded] = curl({}, base + "/t");
  ASSERT_EQ(st, 200) << loaded.dump();
  EXPECT_EQ(loaded["metadata-location"].get<std::string>().rfind(prefix, 0), 0u) << loaded.dump();
  EXPECT_EQ(loaded["metadata"]["location"], "s3://" + bucket_ + "/lake/db.db/t");

  auto [cst, committed] = curl({"-X", "POST", "-H", "Content-Type: application/json", "--data",
                                R"({"updates":[{"action":"set-properties","updates":{"owner":"served"}}]})"},
                               base + "/t");
  ASSERT_EQ(cst, 200) << committed.dump();
  const std::string written = committed["metadata-location"];
  ASSERT_EQ(written.rfind(prefix, 0), 0u) << written;
  EXPECT_EQ(Objects().count(written.substr(("s3://" + bucket_ + "/").size())), 1u) << written;

  // A table may not be created outside the warehouse prefix, nor in another bucket.
  for (const std::string& loc : std::vector<std::string>{"s3://" + bucket_ + "/elsewhere/t2",
                                                         "s3://other-bucket/lake/db.db/t2",
                                                         "s3://" + bucket_ + "/lake/../t2"}) {
    auto [bad, body] = curl({"-X", "POST", "-H", "Content-Type: application/json", "--data",
                             nlohmann::json{{"name", "t2"},
                                            {"location", loc},
                                            {"schema", {{"type", "struct"}, {"fields", nlohmann::json::array()}}}}
                                 .dump()},
                            base);
    EXPECT_EQ(bad, 400) << loc << " " << body.dump();
  }
  kill(p->pid(), SIGTERM);
  auto done = p->Wait();
  ASSERT_TRUE(done.ok());
  // The local CLI sees the served commit (read back from the bucket).
  ProcessResult props = Ldp({"properties", "db.t", "--json"});
  ASSERT_EQ(props.exit_code, 0) << props.Describe();
  EXPECT_THAT(props.out, HasSubstr("\"served\""));
  EXPECT_TRUE(StagedLeftovers().empty());
}

// The NYC taxi demo with the warehouse on S3 gives the same reports as with a local warehouse
// (same seed, same data), and its table lives in the bucket.
TEST_F(S3WarehouseTest, NycTaxiDemoRunsOnS3WithTheSameReportsAsLocally) {
  ProcessResult on_s3 = Ldp({"demo", "nyc-taxi", "--rows", "30000", "--json"});
  ASSERT_EQ(on_s3.exit_code, 0) << on_s3.Describe();
  auto s3 = nlohmann::json::parse(on_s3.out, nullptr, false);
  ASSERT_FALSE(s3.is_discarded()) << on_s3.out;
  EXPECT_EQ(s3["ingest"]["rows"], 30000);
  EXPECT_EQ(s3["ingest"]["metadata_location"].get<std::string>().rfind("s3://" + bucket_ + "/lake/nyc.db/yellow_trips/", 0),
            0u);
  EXPECT_GE(CountEnding(Objects("lake/nyc.db/yellow_trips/"), ".parquet"), 1u);

  const std::string local = tmp_.Join("local");
  ASSERT_EQ(RunProcess({LDP_BIN, "init", local, "--quiet"})->exit_code, 0);
  auto on_disk = RunProcess({LDP_BIN, "--project", local, "demo", "nyc-taxi", "--rows", "30000", "--json"});
  ASSERT_TRUE(on_disk.ok());
  ASSERT_EQ(on_disk->exit_code, 0) << on_disk->Describe();
  auto here = nlohmann::json::parse(on_disk->out, nullptr, false);
  ASSERT_EQ(s3["reports"].size(), here["reports"].size());
  ASSERT_GE(s3["reports"].size(), 2u);
  for (size_t r = 0; r < s3["reports"].size(); ++r) {
    EXPECT_EQ(s3["reports"][r]["title"], here["reports"][r]["title"]);
    EXPECT_EQ(s3["reports"][r]["rows"], here["reports"][r]["rows"]) << s3["reports"][r]["title"];
  }
  // A cold read from the bucket agrees too.
  std::filesystem::remove_all(cache_dir());
  EXPECT_EQ(QueryCsv("SELECT count(*) AS n, round(sum(fare_amount), 2) AS f FROM nyc.yellow_trips"),
            QueryCsv("SELECT count(*) AS n, round(sum(fare_amount), 2) AS f FROM read_parquet('" +
                     s3["generated"]["path"].get<std::string>() + "')"));
  EXPECT_TRUE(StagedLeftovers().empty());
}

TEST_F(S3WarehouseTest, PartitionedIngestAndMultipartDataFiles) {
  const std::string src = tmp_.Join("src.parquet");
  // ~12 MB of incompressible strings: the data file is larger than the 5 MiB part size.
  Copy("SELECT i AS id, i % 3 AS p, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s FROM range(300000) t(i)", src);
  Ingest(src, "db.big");
  auto l = Client().ListObjects(bucket_, "lake/db.db/big/data/", "");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->objects.size(), 1u);
  EXPECT_GT(l->objects[0].size, 5 << 20);
  EXPECT_EQ(QueryCsv("SELECT count(*), count(DISTINCT s) FROM db.big"), "count_star(),count(DISTINCT s)\n300000,300000\n");

  Ingest(src, "db.parts", {"--partition-by", "p"});
  auto parts = Objects("lake/db.db/parts/data/");
  EXPECT_EQ(parts.size(), 3u);
  for (const auto& k : parts) EXPECT_THAT(k, ::testing::MatchesRegex("lake/db.db/parts/data/p=[012]/.*\\.parquet"));
  std::filesystem::remove_all(cache_dir());
  EXPECT_EQ(QueryCsv("SELECT count(*) FROM db.parts WHERE p = 1"), "count_star()\n100000\n");
  EXPECT_EQ(FilesUnder(cache_dir()).size(), 1u) << "partition pruning: only p=1 was downloaded";
}

TEST_F(S3WarehouseTest, WrongCredentialsFailClearlyAndChangeNothing) {
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id FROM range(100) t(i)", src);
  Ingest(src, "db.t");
  auto before = Objects();
  auto row = CatalogTable("db", "t");
  ASSERT_TRUE(row);

  WriteConfig("wrong-secret");
  ProcessResult r = Ldp({"ingest", src, "--table", "db.t"});
  EXPECT_NE(r.exit_code, 0);
  auto line = OneLine(r.err);
  ASSERT_TRUE(line) << r.Describe();
  EXPECT_THAT(*line, HasSubstr("SignatureDoesNotMatch"));
  EXPECT_THAT(*line, HasSubstr("s3://" + bucket_ + "/lake/db.db/t/"));
  ProcessResult q = Ldp({"query", "SELECT count(*) FROM db.t"});
  EXPECT_NE(q.exit_code, 0);
  EXPECT_THAT(q.err, HasSubstr("SignatureDoesNotMatch"));

  // Nothing changed: same objects, same catalog pointer, no staged files left behind.
  EXPECT_EQ(Objects(), before);
  EXPECT_EQ(CatalogTable("db", "t")->metadata_location, row->metadata_location);
  EXPECT_TRUE(StagedLeftovers().empty());

  // Credentials from the AWS environment variables when ldp.yaml has none.
  WriteFile(project_ + "/ldp.yaml", fmt::format("warehouse: s3://{}/lake\nstorage:\n  s3:\n    endpoint: {}\n",
                                                bucket_, server_->endpoint()));
  SubprocessOptions env;
  env.env["AWS_ACCESS_KEY_ID"] = kS3AccessKey;
  env.env["AWS_SECRET_ACCESS_KEY"] = kS3SecretKey;
  ProcessResult ok = RunLdp({"query", "SELECT count(*) AS n FROM db.t", "--format", "csv", "--project", project_}, env);
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  EXPECT_EQ(ok.out, "n\n100\n");
  env.env["AWS_ACCESS_KEY_ID"] = std::nullopt;
  env.env["AWS_SECRET_ACCESS_KEY"] = std::nullopt;
  ProcessResult none = RunLdp({"query", "SELECT 1", "--project", project_}, env);
  EXPECT_EQ(none.exit_code, 2) << none.Describe();
  EXPECT_THAT(none.err, HasSubstr("AWS_ACCESS_KEY_ID"));
}

TEST_F(S3WarehouseTest, IcebirdReadsTheTableDownloadedFromS3) {
  const std::string interop = std::string(LDP_SOURCE_DIR) + "/tests/interop";
  if (!std::filesystem::exists(interop + "/node_modules/icebird")) {
    GTEST_SKIP() << "icebird is not installed (scripts/setup.sh --test runs npm ci in tests/interop)";
  }
  const std::string src = tmp_.Join("src.parquet");
  Copy("SELECT i AS id, 'n' || i AS s FROM range(5000) t(i)", src);
  Ingest(src, "db.t");
  ASSERT_EQ(Ldp({"delete", "db.t", "--where", "id % 7 = 0"}).exit_code, 0);
  // An independent copy of the bucket: every object downloaded as is (paths inside stay s3://).
  const std::string copy = tmp_.Join("bucket-copy");
  auto c = Client();
  auto all = c.ListObjects(bucket_, "", "");
  ASSERT_TRUE(all.ok());
  for (const auto& o : all->objects) {
    std::filesystem::create_directories(std::filesystem::path(copy + "/" + bucket_ + "/" + o.key).parent_path());
    ASSERT_OK(c.GetObjectToFile(bucket_, o.key, copy + "/" + bucket_ + "/" + o.key));
  }
  auto row = CatalogTable("db", "t");
  ASSERT_TRUE(row);
  ASSERT_EQ(row->metadata_location.rfind("s3://", 0), 0u);
  const std::string metadata = copy + "/" + row->metadata_location.substr(5);
  SubprocessOptions env;
  env.env["LDP_S3_LOCAL_COPY"] = copy;  // file_fetch.mjs maps s3://bucket/key to COPY/bucket/key
  auto r = RunProcess({"/usr/bin/node", interop + "/read_table.mjs", metadata}, env);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->Describe();
  auto j = nlohmann::json::parse(r->out);
  EXPECT_EQ(j["rows"], 5000 - 715);
}

}  // namespace
}  // namespace ldp::testing
