// s3:// URIs, the local mirror mapping and XML error parsing (no server needed; the S3 protocol
// itself is tested against Swift in tests/integration/s3/).
#include "ldp/io/file_system.h"
#include "ldp/io/s3_client.h"
#include "ldp/io/s3_file_system.h"
#include "testing/temp_dir.h"

namespace ldp::io {
namespace {

TEST(S3UriTest, ParsesBucketAndNormalisesKey) {
  ASSERT_OK_AND_ASSIGN(auto a, ParseS3Uri("s3://bkt/a//b/./c.parquet"));
  EXPECT_EQ(a.first, "bkt");
  EXPECT_EQ(a.second, "a/b/c.parquet");
  ASSERT_OK_AND_ASSIGN(auto b, ParseS3Uri("s3://bkt"));
  EXPECT_EQ(b.second, "");
  EXPECT_THAT(ParseS3Uri("s3:///key"), IsError(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseS3Uri("file:///x"), IsError(ErrorCode::kInvalidArgument));
}

TEST(S3UriTest, LocalMirrorMapsBothWaysOnlyForItsBucket) {
  RegisterLocalMirror("s3://mirror-test", "/tmp/cache-x/mirror-test");
  EXPECT_EQ(ToLocalPath("s3://mirror-test/lake/t/data/f.parquet"), "/tmp/cache-x/mirror-test/lake/t/data/f.parquet");
  EXPECT_EQ(ToFileUri("/tmp/cache-x/mirror-test/lake/t/data/f.parquet"), "s3://mirror-test/lake/t/data/f.parquet");
  // Another bucket, a bucket whose name extends this one, and plain paths are left alone.
  EXPECT_EQ(ToLocalPath("s3://other/k"), "s3://other/k");
  EXPECT_EQ(ToLocalPath("s3://mirror-test2/k"), "s3://mirror-test2/k");
  EXPECT_EQ(ToFileUri("/tmp/cache-x/mirror-test2/k"), "file:///tmp/cache-x/mirror-test2/k");
  EXPECT_EQ(ToFileUri("s3://other/k"), "s3://other/k");
  EXPECT_EQ(ToLocalPath("file:///a/b"), "/a/b");
}

TEST(S3UriTest, XmlTagsOfErrorBodiesAndListings) {
  const std::string body =
      "<?xml version='1.0'?><Error><Code>NoSuchKey</Code><Message>a &amp; b &lt;c&gt;</Message></Error>";
  EXPECT_EQ(XmlTag(body, "Code"), "NoSuchKey");
  EXPECT_EQ(XmlTag(body, "Message"), "a & b <c>");
  EXPECT_EQ(XmlTag(body, "Missing"), "");
  const std::string list = "<R><Contents><Key>a</Key></Contents><Contents><Key>b&amp;c</Key></Contents></R>";
  size_t pos = 0;
  std::vector<std::string> keys;
  for (;;) {
    std::string item = XmlTag(list, "Contents", &pos);
    if (pos == std::string::npos) break;
    keys.push_back(XmlTag(item, "Key"));
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b&c"}));
}

}  // namespace
}  // namespace ldp::io
