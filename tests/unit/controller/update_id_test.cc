#include "controller/update_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace upkeep {
namespace {

using std::chrono::system_clock;

// 2026-11-30 03:15:00 UTC
const system_clock::time_point kWhen = system_clock::from_time_t(1796008500);

TEST(UpdateIdTest, FormatsUtcTimeAndEightHexDigits) {
  EXPECT_EQ(FormatUpdateId(kWhen, 0x1a2b3c4d), "20261130T031500Z-1a2b3c4d");
  EXPECT_EQ(FormatUpdateId(kWhen + std::chrono::milliseconds(999), 0x0000000f),
            "20261130T031500Z-0000000f");
  EXPECT_EQ(FormatUpdateId(kWhen, 0xffffffff), "20261130T031500Z-ffffffff");
}

TEST(UpdateIdTest, NewIdsAreValidDistinctAndCarryTheTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Result<std::string> id = NewUpdateId(kWhen);
    ASSERT_TRUE(id.ok()) << id.error();
    EXPECT_TRUE(IsValidUpdateId(*id)) << *id;
    EXPECT_EQ(id->substr(0, 17), "20261130T031500Z-");
    seen.insert(*id);
  }
  // 100 draws of 32 random bits: a repeat would mean the random source is broken.
  EXPECT_EQ(seen.size(), 100u);
  Result<std::string> now = NewUpdateId();
  ASSERT_TRUE(now.ok());
  EXPECT_TRUE(IsValidUpdateId(*now)) << *now;
}

TEST(UpdateIdTest, IdsSortByTime) {
  EXPECT_LT(FormatUpdateId(kWhen, 0xffffffff), FormatUpdateId(kWhen + std::chrono::seconds(1), 0));
  EXPECT_LT(FormatUpdateId(kWhen, 0), FormatUpdateId(kWhen + std::chrono::hours(24 * 40), 0));
}

TEST(UpdateIdTest, AcceptsExactlyTheShape) {
  for (const char* id :
       {"20261130T031500Z-1a2b3c4d", "19700101T000000Z-00000000", "20241231T235960Z-abcdef09"}) {
    EXPECT_TRUE(IsValidUpdateId(id)) << id;
  }
}

TEST(UpdateIdTest, RefusesEverythingElse) {
  const std::vector<std::string> bad = {
      "",
      "../x",
      "../../etc/passwd",
      "20261130T031500Z-1a2b3c4",     // short
      "20261130T031500Z-1a2b3c4d0",   // long
      "20261130T031500Z-1A2B3C4D",    // upper-case hex
      "20261130T031500Z-1a2b3c4g",    // not hex
      "20261130t031500Z-1a2b3c4d",    // lower-case T
      "20261130T031500z-1a2b3c4d",    // lower-case Z
      "20261130T031500Z_1a2b3c4d",    // wrong separator
      "2026113OT031500Z-1a2b3c4d",    // letter O for a digit
      "20261330T031500Z-1a2b3c4d",    // month 13
      "20261100T031500Z-1a2b3c4d",    // day 0
      "20261132T031500Z-1a2b3c4d",    // day 32
      "20261130T241500Z-1a2b3c4d",    // hour 24
      "20261130T036000Z-1a2b3c4d",    // minute 60
      "20261130T031561Z-1a2b3c4d",    // second 61
      "20261130T031500Z-1a2b3c4d\n",  // trailing newline
      " 20261130T031500Z-1a2b3c4",    // leading space
      "20261130T031500Z-1a2b/c4d",
      "20261130T031500Z-..2b3c4d",
      "%2e%2e%2f20261130T031500Z",
      std::string("20261130T031500Z-1a2b3c4\0", 25),
  };
  for (const std::string& id : bad) EXPECT_FALSE(IsValidUpdateId(id)) << id;
}

}  // namespace
}  // namespace upkeep
