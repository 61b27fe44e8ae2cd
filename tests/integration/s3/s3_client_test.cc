// io::S3Client and io::S3FileSystem against a real S3-compatible server (Swift + s3api, which checks
// SigV4 signatures and payload hashes): objects, ranged reads, listings across pages, multipart
// uploads, conditional creates, errors and retries.
#include <fstream>
#include <random>

#include "ldp/io/s3_client.h"
#include "ldp/io/s3_file_system.h"
#include "testing/s3_server.h"
#include "testing/temp_dir.h"

namespace ldp::io {
namespace {

using ::ldp::testing::kS3AccessKey;
using ::ldp::testing::kS3SecretKey;
using ::testing::HasSubstr;

S3Options OptionsFor(const ::ldp::testing::S3Server& s) {
  S3Options o;
  o.endpoint = s.endpoint();
  o.credentials = {kS3AccessKey, kS3SecretKey, ""};
  o.base_backoff_ms = 10;
  return o;
}

TEST(S3ClientTest, ObjectsRangesAndPagedListings) {
  LDP_REQUIRE_S3(server);
  S3Options o = OptionsFor(*server);
  o.list_page_size = 2;  // 5 objects -> 3 pages with continuation tokens
  S3Client c(o);
  const std::string bucket = server->NewBucketName();
  ASSERT_OK(c.CreateBucket(bucket));
  for (int i = 0; i < 5; ++i) ASSERT_OK(c.PutObject(bucket, "p/k" + std::to_string(i) + " x+y.txt", "value-" + std::to_string(i)));
  ASSERT_OK(c.PutObject(bucket, "p/sub/deep.txt", "d"));
  ASSERT_OK_AND_ASSIGN(auto whole, c.GetObject(bucket, "p/k3 x+y.txt"));
  EXPECT_EQ(whole, "value-3");
  ASSERT_OK_AND_ASSIGN(auto range, c.GetObject(bucket, "p/k3 x+y.txt", 2, 3));
  EXPECT_EQ(range, "lue");
  ASSERT_OK_AND_ASSIGN(auto head, c.HeadObject(bucket, "p/k1 x+y.txt"));
  EXPECT_EQ(head.size, 7);
  EXPECT_GT(head.mtime_ms, 0);
  ASSERT_OK_AND_ASSIGN(auto flat, c.ListObjects(bucket, "p/", ""));
  EXPECT_EQ(flat.objects.size(), 6u);
  ASSERT_OK_AND_ASSIGN(auto folders, c.ListObjects(bucket, "p/", "/"));
  EXPECT_EQ(folders.objects.size(), 5u);
  ASSERT_EQ(folders.common_prefixes.size(), 1u);
  EXPECT_EQ(folders.common_prefixes[0], "p/sub/");
  EXPECT_EQ(folders.objects[4].key, "p/k4 x+y.txt");
  EXPECT_GE(c.request_count(), 3 + 2);  // the flat listing alone took 3 pages

  EXPECT_THAT(c.GetObject(bucket, "p/missing"), IsError(ErrorCode::kNotFound));
  ASSERT_OK(c.DeleteObject(bucket, "p/k0 x+y.txt"));
  EXPECT_THAT(c.HeadObject(bucket, "p/k0 x+y.txt"), IsError(ErrorCode::kNotFound));
  ASSERT_OK(c.DeleteObject(bucket, "p/k0 x+y.txt"));  // deleting twice is fine
}

TEST(S3ClientTest, MultipartUploadOfAFileLargerThanThePartSize) {
  LDP_REQUIRE_S3(server);
  S3Options o = OptionsFor(*server);
  o.part_size = 5 << 20;
  S3Client c(o);
  const std::string bucket = server->NewBucketName();
  ASSERT_OK(c.CreateBucket(bucket));
  ::ldp::testing::TempDir tmp;
  const std::string local = tmp.Join("big.bin");
  std::string content(12 * 1024 * 1024 + 123, '\0');  // 3 parts: 5 MiB, 5 MiB, 2 MiB + 123
  std::mt19937 rng(7);
  for (auto& ch : content) ch = static_cast<char>(rng());
  {
    std::ofstream out(local, std::ios::binary);
    out << content;
  }
  int64_t before = c.request_count();
  ASSERT_OK(c.PutObjectFromFile(bucket, "big/object.bin", local));
  EXPECT_EQ(c.request_count() - before, 5);  // create, 3 parts, complete
  ASSERT_OK_AND_ASSIGN(auto head, c.HeadObject(bucket, "big/object.bin"));
  EXPECT_EQ(head.size, static_cast<int64_t>(content.size()));
  const std::string back = tmp.Join("back.bin");
  ASSERT_OK(c.GetObjectToFile(bucket, "big/object.bin", back));
  std::ifstream in(back, std::ios::binary);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(got == content) << "downloaded " << got.size() << " bytes";
  // A ranged read across the first part boundary.
  ASSERT_OK_AND_ASSIGN(auto across, c.GetObject(bucket, "big/object.bin", (5 << 20) - 4, 8));
  EXPECT_EQ(across, content.substr((5 << 20) - 4, 8));
  // No multipart upload is left open.
  ASSERT_OK_AND_ASSIGN(auto listing, c.ListObjects(bucket, "", ""));
  EXPECT_EQ(listing.objects.size(), 1u);
}

TEST(S3ClientTest, WrongSecretIsAClearErrorNamingBucketKeyAndCode) {
  LDP_REQUIRE_S3(server);
  S3Client good(OptionsFor(*server));
  const std::string bucket = server->NewBucketName();
  ASSERT_OK(good.CreateBucket(bucket));
  S3Options o = OptionsFor(*server);
  o.credentials.secret_access_key = "wrong";
  S3Client bad(o);
  auto st = bad.PutObject(bucket, "a/b.txt", "x");
  EXPECT_THAT(st, IsError(ErrorCode::kNotAuthorized));
  EXPECT_THAT(st.message(), HasSubstr("s3://" + bucket + "/a/b.txt"));
  EXPECT_THAT(st.message(), HasSubstr("SignatureDoesNotMatch"));
  EXPECT_THAT(good.HeadObject(bucket, "a/b.txt"), IsError(ErrorCode::kNotFound));
  EXPECT_EQ(bad.request_count(), 1);  // 403 is not retried
}

TEST(S3ClientTest, NetworkErrorsAreRetriedWithBackoffThenReported) {
  LDP_REQUIRE_S3(server);
  S3Options o = OptionsFor(*server);
  o.endpoint = "http://127.0.0.1:" + std::to_string(server->port() + 5);  // nothing listens there
  o.max_attempts = 3;
  S3Client c(o);
  auto st = c.GetObject("b", "k");
  EXPECT_THAT(st, IsError(ErrorCode::kUnavailable));
  EXPECT_THAT(st.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_EQ(c.request_count(), 3);
}

TEST(S3ClientTest, VirtualHostedAndPathStyleUrls) {
  S3Options o;
  o.endpoint = "http://localhost:9000";
  o.path_style = false;
  EXPECT_EQ(S3Client(o).UrlFor("bkt", "a b/c.parquet"),
            std::make_pair(std::string("http://bkt.localhost:9000/a%20b/c.parquet"), std::string("bkt.localhost:9000")));
  o.path_style = true;
  EXPECT_EQ(S3Client(o).UrlFor("bkt", "a/c"), std::make_pair(std::string("http://localhost:9000/bkt/a/c"),
                                                            std::string("localhost:9000")));
  S3Options aws;
  aws.region = "eu-west-1";
  aws.path_style = false;
  EXPECT_EQ(S3Client(aws).UrlFor("bkt", "k").first, "https://bkt.s3.eu-west-1.amazonaws.com/k");
}

TEST(S3ClientTest, VirtualHostedRequestsAgainstTheServer) {
  LDP_REQUIRE_S3(server);
  // Swift's s3api is configured with storage_domain = localhost; curl resolves *.localhost to
  // the loopback address.
  S3Client path(OptionsFor(*server));
  const std::string bucket = server->NewBucketName();
  ASSERT_OK(path.CreateBucket(bucket));
  S3Options o = OptionsFor(*server);
  o.endpoint = "http://localhost:" + std::to_string(server->port());
  o.path_style = false;
  S3Client vh(o);
  ASSERT_OK(vh.PutObject(bucket, "vh/key.txt", "virtual"));
  ASSERT_OK_AND_ASSIGN(auto got, path.GetObject(bucket, "vh/key.txt"));
  EXPECT_EQ(got, "virtual");
}

TEST(S3FileSystemTest, ExclusiveWritesListingsAndDeletes) {
  LDP_REQUIRE_S3(server);
  S3Client admin(OptionsFor(*server));
  const std::string bucket = server->NewBucketName();
  ASSERT_OK(admin.CreateBucket(bucket));
  ::ldp::testing::TempDir tmp;
  S3FileSystemOptions o;
  o.s3 = OptionsFor(*server);
  o.cache_dir = tmp.Join("cache");
  auto fs = MakeS3FileSystem(o, bucket);
  const std::string dir = "s3://" + bucket + "/t/metadata";
  ASSERT_OK(fs->WriteFileExclusive(dir + "/00001-a.metadata.json", "{\"v\":1}"));
  EXPECT_THAT(fs->WriteFileExclusive(dir + "/00001-a.metadata.json", "{\"v\":2}"), IsError(ErrorCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(auto text, fs->ReadFile(dir + "/00001-a.metadata.json"));
  EXPECT_EQ(text, "{\"v\":1}");
  ASSERT_OK(fs->WriteFile("s3://" + bucket + "/t/data/x=1/f.parquet", "PAR1"));
  ASSERT_OK_AND_ASSIGN(auto top, fs->List("s3://" + bucket + "/t"));
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].path, "s3://" + bucket + "/t/data");
  EXPECT_TRUE(top[0].is_dir);
  EXPECT_EQ(top[1].path, "s3://" + bucket + "/t/metadata");
  ASSERT_OK_AND_ASSIGN(bool exists, fs->Exists(dir + "/00001-a.metadata.json"));
  EXPECT_TRUE(exists);
  ASSERT_OK_AND_ASSIGN(int64_t size, fs->FileSize("s3://" + bucket + "/t/data/x=1/f.parquet"));
  EXPECT_EQ(size, 4);
  EXPECT_THAT(fs->List("s3://" + bucket + "/nothing"), IsError(ErrorCode::kNotFound));

  // A local copy (ToLocalPath) is downloaded once, then served from the cache.
  const std::string uri = "s3://" + bucket + "/t/data/x=1/f.parquet";
  EXPECT_EQ(ToLocalPath(uri), o.cache_dir + "/" + bucket + "/t/data/x=1/f.parquet");
  EXPECT_EQ(ToFileUri(ToLocalPath(uri)), uri);
  ASSERT_OK(fs->MakeLocal({{uri, 4}}));
  ASSERT_OK(fs->MakeLocal({{uri, 4}}));
  EXPECT_EQ(CacheStatsOf(*fs).downloads, 1);
  EXPECT_EQ(CacheStatsOf(*fs).hits, 1);
  // Delete by either name removes the object and the local copy.
  ASSERT_OK(fs->Delete(ToLocalPath(uri)));
  EXPECT_FALSE(std::filesystem::exists(ToLocalPath(uri)));
  EXPECT_THAT(admin.HeadObject(bucket, "t/data/x=1/f.parquet"), IsError(ErrorCode::kNotFound));
}

TEST(S3FileSystemTest, ReadCacheEvictsLeastRecentlyUsedCleanCopies) {
  LDP_REQUIRE_S3(server);
  S3Client admin(OptionsFor(*server));
  const std::string bucket = server->NewBucketName();
  ASSERT_OK(admin.CreateBucket(bucket));
  ::ldp::testing::TempDir tmp;
  S3FileSystemOptions o;
  o.s3 = OptionsFor(*server);
  o.cache_dir = tmp.Join("cache");
  o.cache_max_bytes = 2500;  // room for two of the 1000-byte files
  auto fs = MakeS3FileSystem(o, bucket);
  std::vector<std::string> uris;
  for (int i = 0; i < 4; ++i) {
    uris.push_back("s3://" + bucket + "/f" + std::to_string(i));
    ASSERT_OK(admin.PutObject(bucket, "f" + std::to_string(i), std::string(1000, 'a' + i)));
  }
  ASSERT_OK(fs->MakeLocal({{uris[0], 1000}, {uris[1], 1000}}));
  // Age the first two copies past the two-minute protection window, f0 older than f1.
  auto age = [](const std::string& p, int seconds) {
    auto t = std::filesystem::file_time_type::clock::now() - std::chrono::seconds(seconds);
    std::filesystem::last_write_time(p, t);
  };
  age(ToLocalPath(uris[0]), 600);
  age(ToLocalPath(uris[1]), 300);
  ASSERT_OK(fs->MakeLocal({{uris[2], 1000}}));  // 3000 bytes > 2500: f0 goes
  EXPECT_FALSE(std::filesystem::exists(ToLocalPath(uris[0])));
  EXPECT_TRUE(std::filesystem::exists(ToLocalPath(uris[1])));
  EXPECT_TRUE(std::filesystem::exists(ToLocalPath(uris[2])));
  EXPECT_EQ(CacheStatsOf(*fs).evicted_files, 1);
  // A staged (writable, not uploaded) file is never evicted, however old.
  std::filesystem::create_directories(o.cache_dir + "/" + bucket + "/staged");
  const std::string staged = o.cache_dir + "/" + bucket + "/staged/new.parquet";
  {
    std::ofstream(staged) << std::string(5000, 's');
  }
  age(staged, 3600);
  ASSERT_OK(fs->MakeLocal({{uris[3], 1000}}));
  EXPECT_TRUE(std::filesystem::exists(staged));
  // Publishing uploads it; the copy then becomes a clean cache entry.
  ASSERT_OK(fs->Publish({"s3://" + bucket + "/staged/new.parquet"}));
  ASSERT_OK_AND_ASSIGN(auto head, admin.HeadObject(bucket, "staged/new.parquet"));
  EXPECT_EQ(head.size, 5000);
  EXPECT_EQ(CacheStatsOf(*fs).uploads, 1);
}

}  // namespace
}  // namespace ldp::io
