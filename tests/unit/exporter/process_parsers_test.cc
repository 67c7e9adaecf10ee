#include "exporter/process_parsers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace upkeep {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

// /proc/stat of a 2-vCPU VM, Linux 6.18 (intr line shortened).
// /proc/1/stat of a real process (52 fields).
constexpr std::string_view kProcessStat =
    "1 (process_api) S 0 0 0 0 -1 4194560 34338 1079120 0 747 36 185 1655 1090 10 -10 13 0 "
    "24 42737664 3062 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 "
    "0 0 0 0 0 0\n";

// Builds a /proc/<pid>/stat line with the given comm and the fields from 3 on.
std::string ProcessStatLine(std::string_view comm) {
  return "4697 (" + std::string(comm) +
         ") R 4697 4697 3168 34816 4697 4194304 122 0 0 0 1234 567 0 0 20 0 1 0 38165 "
         "3133440 344 18446744073709551615 94750302928896 94750302948777 140730236543088 0 0 0 "
         "0 0 0 0 0 0 17 1 0 0 0 0 0 94750302964784 94750302966400 94750389280768 "
         "140730236545637 140730236545684 140730236545684 140730236547051 0\n";
}

// ---------------------------------------------------------------------------------------------
// /proc/<pid>/stat

TEST(ParseProcessStatTest, ParsesRealKernelOutput) {
  auto stat = ParseProcessStat(kProcessStat);
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->utime_ticks, 36u);
  EXPECT_EQ(stat->stime_ticks, 185u);
  EXPECT_EQ(stat->start_time_ticks, 24u);
  EXPECT_EQ(stat->rss_pages, 3062);
}

TEST(ParseProcessStatTest, CommWithSpacesAndParentheses) {
  for (std::string_view comm :
       {"my proc", "a) R 1 2 3 (", "x)", ") ) )", "((", "tmux: server", "kworker/0:1-events"}) {
    auto stat = ParseProcessStat(ProcessStatLine(comm));
    ASSERT_TRUE(stat.ok()) << comm << ": " << stat.error();
    EXPECT_EQ(stat->utime_ticks, 1234u) << comm;
    EXPECT_EQ(stat->stime_ticks, 567u) << comm;
    EXPECT_EQ(stat->start_time_ticks, 38165u) << comm;
    EXPECT_EQ(stat->rss_pages, 344) << comm;
  }
}

TEST(ParseProcessStatTest, CommWithNewline) {
  // prctl(PR_SET_NAME) accepts a '\n', and /proc/<pid>/stat prints comm unescaped.
  auto stat = ParseProcessStat(ProcessStatLine("two\nlines"));
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->rss_pages, 344);
}

TEST(ParseProcessStatTest, MissingCommIsAnError) {
  auto stat = ParseProcessStat("4697 cat R 4697 4697\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: missing (comm)"));

  auto reversed = ParseProcessStat("4697 )cat( R 4697 4697\n");
  ASSERT_FALSE(reversed.ok());
  EXPECT_THAT(reversed.error(), HasSubstr("missing (comm)"));

  auto pid = ParseProcessStat("46x7 (cat) R 4697\n");
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.error(), HasSubstr("process stat: malformed pid"));
}

TEST(ParseProcessStatTest, EmptyInputIsAnError) {
  auto stat = ParseProcessStat("");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: missing (comm)"));
}

TEST(ParseProcessStatTest, TooFewFieldsIsAnError) {
  auto stat =
      ParseProcessStat("4697 (cat) R 4697 4697 3168 34816 4697 4194304 122 0 0 0 1234 567\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: truncated: 15 fields, needs at least 24"));
}

TEST(ParseProcessStatTest, TruncatedMidLineIsAnError) {
  std::string line = ProcessStatLine("cat");
  auto stat = ParseProcessStat(std::string_view(line).substr(0, 40));
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: truncated"));
}

TEST(ParseProcessStatTest, TruncatedMidNumberIsAnError) {
  // Cut inside rss ("344" -> "34"): nothing after it, not even a newline.
  std::string line = ProcessStatLine("cat");
  size_t rss_end = line.find(" 344 ") + 3;
  auto stat = ParseProcessStat(std::string_view(line).substr(0, rss_end));
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("process stat: truncated after rss"));

  // The same 24 fields ended by a newline are complete.
  auto complete = ParseProcessStat(line.substr(0, rss_end + 1) + "\n");
  ASSERT_TRUE(complete.ok()) << complete.error();
  EXPECT_EQ(complete->rss_pages, 344);
}

TEST(ParseProcessStatTest, MalformedNumbersAreErrors) {
  std::string line = ProcessStatLine("cat");
  std::string bad_utime = line;
  bad_utime.replace(bad_utime.find(" 1234 "), 6, " 12a4 ");
  auto utime = ParseProcessStat(bad_utime);
  ASSERT_FALSE(utime.ok());
  EXPECT_THAT(utime.error(), HasSubstr("process stat: malformed utime: \"12a4\""));

  std::string bad_rss = line;
  bad_rss.replace(bad_rss.find(" 344 "), 5, " 3.4 ");
  auto rss = ParseProcessStat(bad_rss);
  ASSERT_FALSE(rss.ok());
  EXPECT_THAT(rss.error(), HasSubstr("process stat: malformed rss: \"3.4\""));

  std::string negative_start = line;
  negative_start.replace(negative_start.find(" 38165 "), 7, " -38165 ");
  auto start = ParseProcessStat(negative_start);
  ASSERT_FALSE(start.ok());
  EXPECT_THAT(start.error(), HasSubstr("malformed starttime"));
}

// /proc/self/statm of a running upkeep (Linux 6.x).
TEST(ParseProcessStatmTest, ParsesRealKernelOutput) {
  const auto statm = ParseProcessStatm("73391 2715 1921 418 0 68421 0\n");
  ASSERT_TRUE(statm.ok()) << statm.error();
  EXPECT_EQ(statm->size_pages, 73391u);
  EXPECT_EQ(statm->resident_pages, 2715u);
}

TEST(ParseProcessStatmTest, WrongFieldCountsAreErrors) {
  const auto few = ParseProcessStatm("73391 2715 1921\n");
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error(), "statm: expected 7 fields, got 3: \"73391 2715 1921\n\"");
  const auto many = ParseProcessStatm("1 2 3 4 5 6 7 8\n");
  ASSERT_FALSE(many.ok());
  EXPECT_THAT(many.error(), HasSubstr("more than 7 fields"));
  EXPECT_FALSE(ParseProcessStatm("").ok());
}

TEST(ParseProcessStatmTest, MalformedNumbersNameTheField) {
  const auto resident = ParseProcessStatm("73391 27x5 1921 418 0 68421 0\n");
  ASSERT_FALSE(resident.ok());
  EXPECT_THAT(resident.error(), HasSubstr("resident"));
  const auto negative = ParseProcessStatm("-1 2715 1921 418 0 68421 0\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.error(), HasSubstr("size"));
  EXPECT_FALSE(ParseProcessStatm("1 2 3 4 5 6 99999999999999999999999\n").ok());  // overflow
}

TEST(ParseProcessStatTest, HugeValuesAndOverflow) {
  std::string line = ProcessStatLine("cat");
  std::string max = line;
  max.replace(max.find(" 567 "), 5, " 18446744073709551615 ");
  auto stat = ParseProcessStat(max);
  ASSERT_TRUE(stat.ok()) << stat.error();
  EXPECT_EQ(stat->stime_ticks, kMaxU64);

  std::string over = line;
  over.replace(over.find(" 567 "), 5, " 18446744073709551616 ");
  auto overflow = ParseProcessStat(over);
  ASSERT_FALSE(overflow.ok());
  EXPECT_THAT(overflow.error(), HasSubstr("process stat: stime out of range"));

  std::string rss = line;
  rss.replace(rss.find(" 344 "), 5, " 9223372036854775808 ");
  auto rss_overflow = ParseProcessStat(rss);
  ASSERT_FALSE(rss_overflow.ok());
  EXPECT_THAT(rss_overflow.error(), HasSubstr("process stat: rss out of range"));
}

TEST(ParseProcessStatTest, ALongGarbagePidIsCutInTheError) {
  // Whatever stands before the comm is quoted in the error, cut so a garbage file cannot make
  // a huge log line (found by the fuzzer).
  const std::string text = std::string(5000, 'x') + " (comm) S 1";
  auto stat = ParseProcessStat(text);
  ASSERT_FALSE(stat.ok());
  EXPECT_THAT(stat.error(), HasSubstr("malformed pid before comm"));
  EXPECT_LT(stat.error().size(), 200u) << stat.error();
}

}  // namespace
}  // namespace upkeep
