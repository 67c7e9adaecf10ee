#include "common/time_text.h"

#include <gtest/gtest.h>

#include <chrono>

namespace upkeep {
namespace {

using std::chrono::system_clock;

system_clock::time_point At(long long unix_seconds) {
  return system_clock::time_point(std::chrono::seconds(unix_seconds));
}

TEST(FormatRfc3339Test, UtcWholeSeconds) {
  EXPECT_EQ(FormatRfc3339(At(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(1714564800)), "2024-05-01T12:00:00Z");
}

TEST(FormatRfc3339Test, FractionsAreCutNotRounded) {
  EXPECT_EQ(FormatRfc3339(At(1714564800) + std::chrono::milliseconds(999)), "2024-05-01T12:00:00Z");
}

}  // namespace
}  // namespace upkeep

namespace upkeep {
namespace {

TEST(TimeTextTest, ParseRfc3339ReadsBackWhatFormatWrites) {
  const auto when = std::chrono::sys_days(std::chrono::year(2026) / 11 / 30) +
                    std::chrono::hours(3) + std::chrono::minutes(15) + std::chrono::seconds(7);
  EXPECT_EQ(ParseRfc3339(FormatRfc3339(when)), when);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), std::chrono::system_clock::time_point{});
}

TEST(TimeTextTest, ParseRfc3339RefusesOtherShapesAndImpossibleDates) {
  for (const char* text :
       {"", "2026-11-30T03:15:07", "2026-11-30 03:15:07Z", "2026-11-30T03:15:07.5Z",
        "2026-02-30T03:15:07Z", "2026-11-30T24:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-30T03:15:07+01:00", "x026-11-30T03:15:07Z"}) {
    EXPECT_EQ(ParseRfc3339(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace upkeep
