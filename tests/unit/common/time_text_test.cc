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
