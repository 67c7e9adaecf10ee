#include "common/duration.h"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

milliseconds Parsed(std::string_view text) {
  const Result<milliseconds> result = ParseDuration(text);
  EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error());
  return result.ok() ? *result : milliseconds(-1);
}

std::string ParseError(std::string_view text) {
  const Result<milliseconds> result = ParseDuration(text);
  EXPECT_FALSE(result.ok()) << text << " parsed as " << (result.ok() ? result->count() : 0);
  return result.ok() ? "" : result.error();
}

TEST(ParseDurationTest, SingleUnits) {
  EXPECT_EQ(Parsed("1s"), milliseconds(1000));
  EXPECT_EQ(Parsed("500ms"), milliseconds(500));
  EXPECT_EQ(Parsed("2m"), milliseconds(120'000));
  EXPECT_EQ(Parsed("1h"), milliseconds(3'600'000));
  EXPECT_EQ(Parsed("1d"), milliseconds(86'400'000));
  EXPECT_EQ(Parsed("1w"), milliseconds(7 * 86'400'000LL));
  EXPECT_EQ(Parsed("1y"), milliseconds(365 * 86'400'000LL));
}

TEST(ParseDurationTest, CompoundUnitsLargestFirst) {
  EXPECT_EQ(Parsed("1m30s"), milliseconds(90'000));
  EXPECT_EQ(Parsed("1h1m1s1ms"), milliseconds(3'661'001));
  EXPECT_EQ(Parsed("1s500ms"), milliseconds(1500));
  EXPECT_EQ(Parsed("90s"), milliseconds(90'000));  // A term may exceed the next unit up.
}

TEST(ParseDurationTest, ZeroIsAcceptedPositivityIsTheCallersJob) {
  EXPECT_EQ(Parsed("0s"), milliseconds(0));
  EXPECT_EQ(Parsed("0ms"), milliseconds(0));
  EXPECT_EQ(Parsed("0"), milliseconds(0));  // As in Prometheus: a bare 0 needs no unit.
  EXPECT_EQ(Parsed("007s"), milliseconds(7000));
}

TEST(ParseDurationTest, RejectsMalformedText) {
  EXPECT_NE(ParseError("").find("empty"), std::string::npos);
  EXPECT_NE(ParseError("1").find("missing unit"), std::string::npos);
  EXPECT_NE(ParseError("1x").find("unknown unit \"x\""), std::string::npos);
  EXPECT_NE(ParseError("1S").find("unexpected \"S\""), std::string::npos);
  EXPECT_NE(ParseError("s").find("expected a number"), std::string::npos);
  EXPECT_NE(ParseError("-1s").find("negative"), std::string::npos);
  EXPECT_NE(ParseError("+1s").find("expected a number"), std::string::npos);
  EXPECT_NE(ParseError("1.5s").find("unexpected \".\""), std::string::npos);
  EXPECT_NE(ParseError(" 1s").find("expected a number"), std::string::npos);
  EXPECT_NE(ParseError("1s ").find("expected a number"), std::string::npos);
  EXPECT_NE(ParseError("1s1m").find("largest to smallest"), std::string::npos);
  EXPECT_NE(ParseError("1s1s").find("largest to smallest"), std::string::npos);
  EXPECT_NE(ParseError("1mss").find("unknown unit \"mss\""), std::string::npos);
  // Every message quotes the input.
  EXPECT_NE(ParseError("1x").find("invalid duration \"1x\""), std::string::npos);
}

TEST(ParseDurationTest, RejectsOverflow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Parsed(std::to_string(max) + "ms"), milliseconds(max));
  EXPECT_NE(ParseError("9223372036854775808ms").find("too large"), std::string::npos);
  EXPECT_NE(ParseError("99999999999999999999999ms").find("too large"), std::string::npos);
  EXPECT_NE(ParseError("300000000y").find("too large"), std::string::npos);
  EXPECT_NE(ParseError("292000000y1000000000w").find("too large"), std::string::npos);
  EXPECT_NE(ParseError(std::to_string(max) + "ms1").find("missing unit"), std::string::npos);
}

TEST(FormatDurationTest, Formats) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(milliseconds(1000)), "1s");
  EXPECT_EQ(FormatDuration(milliseconds(250)), "250ms");
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds(3'600'000)), "1h");
  EXPECT_EQ(FormatDuration(milliseconds(7 * 86'400'000LL)), "1w");
  EXPECT_EQ(FormatDuration(milliseconds(90 * 86'400'000LL)), "90d");  // Not "12w6d".
  EXPECT_EQ(FormatDuration(milliseconds(-1500)), "-1s500ms");
}

TEST(FormatDurationTest, RoundTrips) {
  for (const int64_t ms : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{61'001},
                           int64_t{3'600'000} * 25, int64_t{86'400'000} * 400 + 7,
                           std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(Parsed(FormatDuration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
  EXPECT_EQ(FormatDuration(Parsed("1m30s")), "1m30s");
}

TEST(FormatDurationTest, MostNegativeValueDoesNotOverflow) {
  const std::string text = FormatDuration(milliseconds::min());
  EXPECT_EQ(text.front(), '-');
  EXPECT_FALSE(ParseDuration(text).ok());
}

}  // namespace
}  // namespace upkeep
