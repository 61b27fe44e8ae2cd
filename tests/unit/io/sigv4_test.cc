// SigV4 against the examples AWS publishes: the S3 "Signature Calculations for the Authorization
// Header" examples (GET object with Range, PUT object, GET bucket lifecycle, list objects) and a
// case of the generic SigV4 test suite (get-vanilla-query-order-key-case).
#include "ldp/io/sigv4.h"

#include "ldp/io/crypto.h"
#include "testing/temp_dir.h"

namespace ldp::io {
namespace {

const AwsCredentials kS3Creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string SignatureOf(const std::string& auth) { return auth.substr(auth.rfind("Signature=") + 10); }

TEST(Sigv4Test, Sha256OfEmptyString) {
  ASSERT_OK_AND_ASSIGN(auto h, Sha256(""));
  EXPECT_EQ(Hex(h), kEmptyHash);
}

TEST(Sigv4Test, S3GetObjectWithRange) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  r.payload_hash = kEmptyHash;
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  ASSERT_OK_AND_ASSIGN(auto c, Sha256(CanonicalRequest(r)));
  EXPECT_EQ(Hex(c), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  ASSERT_OK_AND_ASSIGN(auto auth, SignRequest(r, kS3Creds));
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(Sigv4Test, S3PutObject) {
  ASSERT_OK_AND_ASSIGN(auto body_hash, Sha256("Welcome to Amazon S3."));
  ASSERT_EQ(Hex(body_hash), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningRequest r;
  r.method = "PUT";
  r.path = "/" + UriEncode("test$file.text", true);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", Hex(body_hash)}};
  r.payload_hash = Hex(body_hash);
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  EXPECT_EQ(r.path, "/test%24file.text");
  ASSERT_OK_AND_ASSIGN(auto auth, SignRequest(r, kS3Creds));
  EXPECT_EQ(SignatureOf(auth), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(Sigv4Test, S3GetBucketLifecycleEmptyQueryValue) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"lifecycle", ""}};
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-content-sha256", kEmptyHash}};
  r.payload_hash = kEmptyHash;
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  ASSERT_OK_AND_ASSIGN(auto auth, SignRequest(r, kS3Creds));
  EXPECT_EQ(SignatureOf(auth), "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(Sigv4Test, S3ListObjectsSortsQuery) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // out of order on purpose
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-content-sha256", kEmptyHash}};
  r.payload_hash = kEmptyHash;
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  ASSERT_OK_AND_ASSIGN(auto auth, SignRequest(r, kS3Creds));
  EXPECT_EQ(SignatureOf(auth), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(Sigv4Test, GenericSuiteVanillaQueryOrderKeyCase) {
  SigningRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_hash = kEmptyHash;
  r.amz_date = "20150830T123600Z";
  r.region = "us-east-1";
  r.service = "service";
  ASSERT_OK_AND_ASSIGN(auto auth, SignRequest(r, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}));
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
            "SignedHeaders=host;x-amz-date,"
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(Sigv4Test, UriEncodeKeepsUnreservedAndOptionallySlash) {
  EXPECT_EQ(UriEncode("a b/c~d+e", true), "a%20b/c~d%2Be");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(AmzDate(1369353600), "20130524T000000Z");
}

}  // namespace
}  // namespace ldp::io
