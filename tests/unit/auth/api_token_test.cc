#include "auth/api_token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth/base64url.h"

namespace upkeep {
namespace {

TEST(ApiTokenTest, GeneratedTokensHaveTheDocumentedShape) {
  const Result<std::string> token = GenerateApiToken();
  ASSERT_TRUE(token) << token.error();
  EXPECT_EQ(token->size(), kApiTokenPrefix.size() + 43);
  EXPECT_TRUE(token->starts_with("upk_"));
  EXPECT_TRUE(IsApiTokenShaped(*token)) << *token;
  // 43 base64url characters hold the 32 random bytes.
  const auto bytes = Base64UrlDecode(std::string_view(*token).substr(kApiTokenPrefix.size()));
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), 32u);
}

TEST(ApiTokenTest, GeneratedTokensDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const Result<std::string> token = GenerateApiToken();
    ASSERT_TRUE(token);
    EXPECT_TRUE(seen.insert(*token).second) << "repeated token " << *token;
  }
}

TEST(ApiTokenTest, ShapeAcceptsEveryCanonicalEncoding) {
  // 32 zero bytes and 32 0xff bytes: the edges of the alphabet.
  EXPECT_TRUE(IsApiTokenShaped("upk_" + Base64UrlEncode(std::string(32, '\0'))));
  EXPECT_TRUE(IsApiTokenShaped("upk_" + Base64UrlEncode(std::string(32, '\xff'))));
  EXPECT_TRUE(IsApiTokenShaped("upk_" + std::string(43, 'A')));
  EXPECT_TRUE(IsApiTokenShaped("upk_" + std::string(42, '-') + "w"));
}

TEST(ApiTokenTest, ShapeRefusesEverythingElse) {
  const std::string body = std::string(43, 'A');
  for (const std::string& text : {
           std::string(),
           std::string("upk_"),
           body,                           // no prefix
           "UPK_" + body,                  // the prefix is case-sensitive
           "upk-" + body,                  // another prefix
           "upk_" + body.substr(1),        // 42 characters
           "upk_" + body + "A",            // 44 characters
           "upk_" + body.substr(1) + "=",  // padding
           "upk_" + body.substr(1) + "+",  // the standard alphabet, not the URL one
           "upk_" + body.substr(1) + "/",  //
           "upk_" + body.substr(1) + " ",  // whitespace
           " upk_" + body,                 //
           "upk_" + body.substr(1) + "B",  // non-zero unused low bits
           "upk_" + body.substr(1) + std::string(1, '\0'),
       }) {
    EXPECT_FALSE(IsApiTokenShaped(text)) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace upkeep
