#include "auth/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

TEST(Base64UrlTest, EncodesRfc4648VectorsWithoutPadding) {
  // RFC 4648 section 10, with the padding dropped.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  // The URL alphabet: 62 and 63 are '-' and '_', not '+' and '/'.
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
}

TEST(Base64UrlTest, DecodesWhatItEncodes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t length = 0; length <= all.size(); ++length) {
    const std::string bytes = all.substr(0, length);
    const auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.has_value()) << length;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64UrlTest, RejectsWhatIsNotStrictBase64Url) {
  for (const char* bad : {
           "Zg==",      // padding
           "Zm9v+w",    // standard alphabet
           "Zm9v/w",    // standard alphabet
           "Zm 9v",     // whitespace
           "Zm9v\n",    // newline
           "Z",         // 4n+1 characters: no encoding has that length
           "Zm9vY",     // truncated: 5 characters
           "Zh",        // 'h' leaves non-zero bits after the last byte (canonical is "Zg")
           "Zm9",       // '9' leaves non-zero bits (canonical "Zm8")
           "\xff\xfe",  // not ASCII
       }) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
  EXPECT_EQ(Base64UrlDecode("").value(), "");
}

}  // namespace
}  // namespace upkeep
