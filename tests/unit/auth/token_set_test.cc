// API tokens: generation, hashing, and the immutable lookup set.

#include "auth/token_set.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth/api_token.h"
#include "auth/base64url.h"
#include "auth/sha256.h"

namespace upkeep {
namespace {

TEST(Sha256Test, KnownVectorsAndHex) {
  // FIPS 180-2 appendix B.1 and the empty string.
  EXPECT_EQ(Sha256Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto parsed =
      ParseSha256Hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(DigestsEqual(*parsed, Sha256("abc")));
  EXPECT_FALSE(DigestsEqual(*parsed, Sha256("abd")));
  EXPECT_FALSE(ParseSha256Hex("ba78").has_value());
  EXPECT_FALSE(ParseSha256Hex(std::string(64, 'z')).has_value());
}

TEST(ApiTokenTest, TokensArePrefixed32RandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const Result<std::string> token = GenerateApiToken();
    ASSERT_TRUE(token) << token.error();
    ASSERT_EQ(token->size(), 4u + 43u) << *token;
    EXPECT_EQ(token->substr(0, 4), "upk_");
    const auto bytes = Base64UrlDecode(token->substr(4));
    ASSERT_TRUE(bytes.has_value());
    EXPECT_EQ(bytes->size(), 32u);
    EXPECT_TRUE(IsApiTokenShaped(*token));
    EXPECT_TRUE(seen.insert(*token).second) << "repeated token";
  }
  EXPECT_FALSE(IsApiTokenShaped("upk_short"));
  EXPECT_FALSE(IsApiTokenShaped("xyz_" + std::string(43, 'A')));
}

TEST(TokenSetTest, FindsExactlyTheStoredTokens) {
  std::vector<TokenRecord> records;
  std::vector<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    tokens.push_back(*GenerateApiToken());
    TokenRecord record;
    record.name = "t" + std::to_string(i);
    record.role = i % 2 == 0 ? Role::kAdmin : Role::kMetrics;
    record.hash = Sha256(tokens.back());
    records.push_back(record);
  }
  const TokenSet set(records);
  EXPECT_EQ(set.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const TokenRecord* found = set.Find(tokens[static_cast<size_t>(i)]);
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(found->name, "t" + std::to_string(i));
    EXPECT_EQ(found->role, i % 2 == 0 ? Role::kAdmin : Role::kMetrics);
  }
  EXPECT_EQ(set.Find(*GenerateApiToken()), nullptr);
  EXPECT_EQ(set.Find(""), nullptr);
  EXPECT_EQ(set.Find(tokens[0] + "x"), nullptr);
  EXPECT_EQ(set.Find(tokens[0].substr(1)), nullptr);
  EXPECT_EQ(TokenSet().Find(tokens[0]), nullptr);
}

TEST(TokenSetTest, HashesSharingAPrefixAreToldApart) {
  // Two stored hashes with the same first 8 bytes (made up, not real tokens).
  Sha256Digest a{};
  Sha256Digest b{};
  b[31] = 1;
  std::vector<TokenRecord> records(2);
  records[0].name = "a";
  records[0].hash = a;
  records[1].name = "b";
  records[1].hash = b;
  const TokenSet set(records);
  ASSERT_NE(set.FindHash(a), nullptr);
  EXPECT_EQ(set.FindHash(a)->name, "a");
  ASSERT_NE(set.FindHash(b), nullptr);
  EXPECT_EQ(set.FindHash(b)->name, "b");
  Sha256Digest c{};
  c[31] = 2;
  EXPECT_EQ(set.FindHash(c), nullptr);
}

}  // namespace
}  // namespace upkeep
