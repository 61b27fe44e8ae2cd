#include "ldp/core/base64.h"

#include <gtest/gtest.h>

namespace ldp {
namespace {

// RFC 4648 section 10 test vectors.
TEST(Base64Test, RfcVectorsRoundTrip) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded) << plain;
    auto back = Base64Decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base64Test, UrlAlphabetWithoutPaddingAndBinaryBytes) {
  const std::string bytes("\xfb\xff\xfe\x00\x01", 5);
  EXPECT_EQ(Base64Encode(bytes), "+//+AAE=");
  EXPECT_EQ(Base64Encode(bytes, /*url=*/true), "-__-AAE");
  for (const char* text : {"+//+AAE=", "-__-AAE", "+//+AAE"}) {
    auto d = Base64Decode(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(*d, bytes) << text;
  }
}

TEST(Base64Test, OtherCharactersAreRefused) {
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
  EXPECT_FALSE(Base64Decode("Zm 9v").ok());
}

}  // namespace
}  // namespace ldp
