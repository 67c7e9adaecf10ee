#include "auth/tokens_file.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

const std::string kHashA = std::string(64, 'a');
const std::string kHashB = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";

// The error of parsing `text`, or "" when it parsed.
std::string ErrorOf(const std::string& text) {
  const auto parsed = ParseTokensFile(text);
  return parsed ? "" : parsed.error();
}

TEST(TokensFileTest, ParsesRecordsCommentsBlankLinesTabsAndCrlf) {
  const std::string text = "# a comment\n\n   \nci-deploy admin " + kHashA +
                           "\r\n\tgrafana@host\tmetrics   " + kHashB + "  \n# trailing";
  const auto parsed = ParseTokensFile(text);
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].name, "ci-deploy");
  EXPECT_EQ((*parsed)[0].role, Role::kAdmin);
  EXPECT_EQ(Sha256Hex((*parsed)[0].hash), kHashA);
  EXPECT_EQ((*parsed)[0].line, 4u);
  EXPECT_EQ((*parsed)[1].name, "grafana@host");
  EXPECT_EQ((*parsed)[1].role, Role::kMetrics);
  EXPECT_EQ(Sha256Hex((*parsed)[1].hash),
            "0123456789abcdefabcdef0123456789abcdef0123456789abcdef0123456789");
  EXPECT_EQ((*parsed)[1].line, 5u);
}

TEST(TokensFileTest, EmptyAndCommentOnlyFilesHoldNoTokens) {
  for (const char* text : {"", "\n", "# nothing yet\n", "   \n\t\n"}) {
    const auto parsed = ParseTokensFile(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_TRUE(parsed->empty());
  }
}

TEST(TokensFileTest, ErrorsNameTheLineAndTheProblem) {
  EXPECT_EQ(ErrorOf("# ok\nadmin admin\n"), "line 2: expected NAME ROLE SHA256, got 2 fields");
  EXPECT_EQ(ErrorOf("garbage\n"), "line 1: expected NAME ROLE SHA256, got 1 field");
  EXPECT_EQ(ErrorOf("a admin " + kHashA + " extra\n"),
            "line 1: expected NAME ROLE SHA256, got 4 fields");
  EXPECT_NE(ErrorOf("bad/name admin " + kHashA).find("line 1: invalid token name"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(65, 'n') + " admin " + kHashA).find("invalid token name"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("a root " + kHashA), "line 1: unknown role \"root\" (admin or metrics)");
  EXPECT_EQ(ErrorOf("a Admin " + kHashA), "line 1: unknown role \"Admin\" (admin or metrics)");
  EXPECT_EQ(ErrorOf("a admin " + kHashA.substr(1)),
            "line 1: the third field must be a SHA-256 in 64 hex digits");
  EXPECT_EQ(ErrorOf("a admin " + std::string(63, 'a') + "g"),
            "line 1: the third field must be a SHA-256 in 64 hex digits");
  EXPECT_EQ(ErrorOf("a admin " + kHashA + "\na metrics " + kHashB),
            "line 2: duplicate token name \"a\"");
  EXPECT_EQ(ErrorOf("a admin " + kHashA + "\nb metrics " + kHashA),
            "line 2: token \"b\" has the same hash as an earlier line");
}

TEST(TokensFileTest, BinaryGarbageIsAnErrorNotACrash) {
  std::string garbage;
  for (int i = 0; i < 512; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xff));
  EXPECT_FALSE(ParseTokensFile(garbage));
  EXPECT_FALSE(ParseTokensFile(std::string("a\0b admin ", 10) + kHashA));
}

TEST(TokensFileTest, AppendAndRemoveKeepTheRestByteForByte) {
  TokenRecord record;
  record.name = "new";
  record.role = Role::kMetrics;
  record.hash = *ParseSha256Hex(kHashB);
  const std::string before = "# keep me\nold admin " + kHashA;  // no final newline
  const std::string after = AppendTokenLine(before, record);
  EXPECT_EQ(after, before + "\nnew metrics " + Sha256Hex(record.hash) + "\n");
  const auto parsed = ParseTokensFile(after);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 2u);

  EXPECT_EQ(RemoveLine(after, 2), "# keep me\nnew metrics " + Sha256Hex(record.hash) + "\n");
  EXPECT_EQ(RemoveLine(after, 3), before + "\n");
  EXPECT_EQ(RemoveLine(after, 9), after);  // no such line
  EXPECT_EQ(AppendTokenLine("", record), "new metrics " + Sha256Hex(record.hash) + "\n");
  // A new file's header parses as no tokens.
  EXPECT_TRUE(ParseTokensFile(TokensFileHeader())->empty());
}

TEST(TokensFileTest, NamesAreRestricted) {
  EXPECT_TRUE(IsValidTokenName("a"));
  EXPECT_TRUE(IsValidTokenName("ci.deploy_bot-2@farm"));
  EXPECT_TRUE(IsValidTokenName(std::string(64, 'x')));
  EXPECT_FALSE(IsValidTokenName(""));
  EXPECT_FALSE(IsValidTokenName(std::string(65, 'x')));
  EXPECT_FALSE(IsValidTokenName("two words"));
  EXPECT_FALSE(IsValidTokenName("quote\""));
  EXPECT_FALSE(IsValidTokenName("#comment"));
}

}  // namespace
}  // namespace upkeep
