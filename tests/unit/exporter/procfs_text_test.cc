// The /proc parsers' shared toolkit: tokens, non-negative decimals, number errors, the
// kernel's octal escapes and blank lines.

#include "exporter/procfs_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace upkeep::procfs_text {
namespace {

std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view token = NextToken(s); !token.empty(); token = NextToken(s)) {
    out.emplace_back(token);
  }
  EXPECT_TRUE(s.empty()) << "left: " << s;
  return out;
}

TEST(NextTokenTest, SplitsOnEveryKindOfWhitespace) {
  EXPECT_EQ(Tokens("cpu  4756100\t8391\r\n1607795\n"),
            (std::vector<std::string>{"cpu", "4756100", "8391", "1607795"}));
  EXPECT_EQ(Tokens(""), std::vector<std::string>{});
  EXPECT_EQ(Tokens(" \t\r\n "), std::vector<std::string>{});
}

TEST(NextTokenTest, LeavesTheRestRightAfterTheToken) {
  std::string_view s = "  MemTotal:  16369420 kB";
  EXPECT_EQ(NextToken(s), "MemTotal:");
  // The separator after the token is still there: a caller can tell "a b" from "ab".
  EXPECT_EQ(s, "  16369420 kB");
  EXPECT_EQ(NextToken(s), "16369420");
  EXPECT_EQ(NextToken(s), "kB");
  EXPECT_EQ(s, "");
  EXPECT_EQ(NextToken(s), "");
  EXPECT_EQ(s, "");
}

TEST(NextTokenTest, OnlyWhitespaceLeftIsConsumed) {
  std::string_view s = "last   \n";
  EXPECT_EQ(NextToken(s), "last");
  EXPECT_EQ(NextToken(s), "");
  EXPECT_EQ(s, "");
}

TEST(ParseNonNegativeDoubleTest, AcceptsTheKernelsDecimals) {
  double out = -1;
  EXPECT_EQ(ParseNonNegativeDouble("305412.87", out), Num::kOk);
  EXPECT_DOUBLE_EQ(out, 305412.87);
  EXPECT_EQ(ParseNonNegativeDouble("0", out), Num::kOk);
  EXPECT_EQ(out, 0.0);
  EXPECT_EQ(ParseNonNegativeDouble("1.27", out), Num::kOk);
  EXPECT_DOUBLE_EQ(out, 1.27);
  EXPECT_EQ(ParseNonNegativeDouble("42", out), Num::kOk);
  EXPECT_EQ(out, 42.0);
}

TEST(ParseNonNegativeDoubleTest, RefusesWhatTheKernelNeverWritesAndKeepsTheOutput) {
  for (const char* token : {"-1", "-0", "-0.5", "nan", "NaN", "inf", "-inf", "infinity", "", "1.5x",
                            "x1", " 1", "1 ", "+1", "1,5"}) {
    SCOPED_TRACE(token);
    double out = 7;
    EXPECT_EQ(ParseNonNegativeDouble(token, out), Num::kMalformed);
    EXPECT_EQ(out, 7.0);
  }
}

TEST(ParseNonNegativeDoubleTest, HugeExponentIsOutOfRange) {
  double out = 7;
  EXPECT_EQ(ParseNonNegativeDouble("1e400", out), Num::kOutOfRange);
  EXPECT_EQ(out, 7.0);
}

TEST(ParseNumberTest, WholeTokenOrNothing) {
  uint64_t u = 9;
  EXPECT_EQ(ParseNumber(std::string_view("18446744073709551615"), u), Num::kOk);
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_EQ(ParseNumber(std::string_view("18446744073709551616"), u), Num::kOutOfRange);
  EXPECT_EQ(ParseNumber(std::string_view("-1"), u), Num::kMalformed);
  EXPECT_EQ(ParseNumber(std::string_view("12x"), u), Num::kMalformed);
  EXPECT_EQ(ParseNumber(std::string_view(""), u), Num::kMalformed);
  EXPECT_EQ(u, UINT64_MAX);
  int64_t s = 0;
  EXPECT_EQ(ParseNumber(std::string_view("-12"), s), Num::kOk);
  EXPECT_EQ(s, -12);
}

TEST(NumberErrorTest, NamesTheFileTheFieldAndTheToken) {
  EXPECT_EQ(NumberError("/proc/loadavg", "load1", "abc", Num::kMalformed).message,
            "/proc/loadavg: malformed load1: \"abc\"");
  EXPECT_EQ(NumberError("/proc/stat", "btime", "99999999999999999999", Num::kOutOfRange).message,
            "/proc/stat: btime out of range: \"99999999999999999999\"");
}

TEST(NumberErrorTest, QuotesAtMostKMaxQuotedBytesOfTheToken) {
  const std::string garbage(1000, 'z');
  const std::string message =
      NumberError("/proc/uptime", "uptime", garbage, Num::kMalformed).message;
  EXPECT_EQ(message, "/proc/uptime: malformed uptime: \"" + std::string(kMaxQuoted, 'z') + "...\"");
}

TEST(DecodeOctalEscapesTest, TheFourEscapesTheKernelWrites) {
  EXPECT_EQ(DecodeOctalEscapes("/mnt/my\\040disk"), "/mnt/my disk");
  EXPECT_EQ(DecodeOctalEscapes("a\\011b\\012c\\134d"), "a\tb\nc\\d");
  EXPECT_EQ(DecodeOctalEscapes("\\040\\040"), "  ");
  EXPECT_EQ(DecodeOctalEscapes("\\377"), "\xff");
}

TEST(DecodeOctalEscapesTest, TextWithoutAValidEscapeIsKept) {
  EXPECT_EQ(DecodeOctalEscapes(""), "");
  EXPECT_EQ(DecodeOctalEscapes("/srv/data"), "/srv/data");
  // Too short, at the end, not octal, or over a byte (\4xx): kept as written.
  EXPECT_EQ(DecodeOctalEscapes("a\\04"), "a\\04");
  EXPECT_EQ(DecodeOctalEscapes("a\\"), "a\\");
  EXPECT_EQ(DecodeOctalEscapes("a\\089b"), "a\\089b");
  EXPECT_EQ(DecodeOctalEscapes("a\\400b"), "a\\400b");
  EXPECT_EQ(DecodeOctalEscapes("\\x41"), "\\x41");
  // A kept backslash does not hide a valid escape right after it.
  EXPECT_EQ(DecodeOctalEscapes("\\\\040"), "\\ ");
}

TEST(IsBlankLineTest, OnlyWhitespaceIsBlank) {
  EXPECT_TRUE(IsBlankLine(""));
  EXPECT_TRUE(IsBlankLine(" \t\r"));
  EXPECT_FALSE(IsBlankLine(" x "));
  EXPECT_FALSE(IsBlankLine("0"));
  // Only the kernel's whitespace: a vertical tab or form feed is content.
  EXPECT_FALSE(IsBlankLine("\v"));
  EXPECT_FALSE(IsBlankLine("\f"));
}

TEST(LineCursorTest, TellsACutOffLastLine) {
  LineCursor cursor("a b\n\nlast");
  std::string_view line;
  bool terminated = false;
  ASSERT_TRUE(cursor.Next(line, terminated));
  EXPECT_EQ(line, "a b");
  EXPECT_TRUE(terminated);
  ASSERT_TRUE(cursor.Next(line, terminated));
  EXPECT_EQ(line, "");
  EXPECT_TRUE(terminated);
  ASSERT_TRUE(cursor.Next(line, terminated));
  EXPECT_EQ(line, "last");
  EXPECT_FALSE(terminated);
  EXPECT_FALSE(cursor.Next(line, terminated));
}

}  // namespace
}  // namespace upkeep::procfs_text
