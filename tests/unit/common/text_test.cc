#include "common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

TEST(TrimTest, StripsSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(Trim(" \t gzip;q=1 \t"), "gzip;q=1");
  EXPECT_EQ(Trim("a b"), "a b");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t "), "");
}

TEST(TrimTest, KeepsOtherWhitespace) {
  // Only HTTP's optional whitespace: a CR or LF is a protocol error, not padding.
  EXPECT_EQ(Trim("\r\nx\n"), "\r\nx\n");
}

TEST(QuoteTest, WrapsInDoubleQuotes) {
  EXPECT_EQ(Quote("web.threads"), "\"web.threads\"");
  EXPECT_EQ(Quote(""), "\"\"");
}

TEST(QuoteTest, CutsLongValuesInsideTheQuotes) {
  EXPECT_EQ(Quote("abcdef", 3), "\"abc...\"");
  EXPECT_EQ(Quote("abc", 3), "\"abc\"");
}

TEST(PrintableTest, ReplacesBytesOutsidePrintableAscii) {
  EXPECT_EQ(Printable("a\r\nb\x7f\xc3\xa9"), "a??b???");
  EXPECT_EQ(Printable("plain text ~"), "plain text ~");
}

TEST(PrintableTest, CutsAtTheLimit) {
  EXPECT_EQ(Printable(std::string(250, 'x')), std::string(200, 'x') + "...");
  EXPECT_EQ(Printable("abcdef", 4), "abcd...");
  EXPECT_EQ(Printable("abcd", 4), "abcd");
}

}  // namespace
}  // namespace upkeep
