#include "controller/version_text.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

using Strings = std::vector<std::string>;

TEST(FormatVersionTest, ATagIsTheVersion) {
  EXPECT_EQ(FormatVersion("v1.4.2", "0123456789abcdef0123456789abcdef01234567", false), "v1.4.2");
  EXPECT_EQ(FormatVersion("v1.4.2-3-gabc1234", "abc1234fff", false), "v1.4.2-3-gabc1234");
}

TEST(FormatVersionTest, WithoutATagTheAbbreviatedIdIsTheVersion) {
  EXPECT_EQ(FormatVersion("", "0123456789abcdef0123456789abcdef01234567", false), "0123456");
}

TEST(FormatVersionTest, ADirtyTreeIsMarked) {
  EXPECT_EQ(FormatVersion("v2.0.0", "0123456789", true), "v2.0.0-dirty");
  EXPECT_EQ(FormatVersion("", "0123456789", true), "0123456-dirty");
}

TEST(CapChangelogTest, UnderTheLimitAllSubjectsAndNoTrailer) {
  EXPECT_EQ(CapChangelog({"c", "b", "a"}, 3, 100), (Strings{"c", "b", "a"}));
  EXPECT_EQ(CapChangelog({"a"}, 1, 1), (Strings{"a"}));
  EXPECT_EQ(CapChangelog({}, 0, 100), Strings{});
}

TEST(CapChangelogTest, OverTheLimitTheLastEntrySaysHowManyMore) {
  EXPECT_EQ(CapChangelog({"e", "d", "c"}, 5, 2), (Strings{"e", "d", "... and 3 more commits"}));
  EXPECT_EQ(CapChangelog({"b", "a"}, 2, 1), (Strings{"b", "... and 1 more commit"}));
  EXPECT_EQ(CapChangelog({"b", "a"}, 112, 2), (Strings{"b", "a", "... and 110 more commits"}));
}

TEST(CapChangelogTest, LimitZeroShowsOnlyTheCount) {
  EXPECT_EQ(CapChangelog({"a"}, 4, 0), (Strings{"... and 4 more commits"}));
}

}  // namespace
}  // namespace upkeep
