// The libgit2 version as the loaded library reports it.

#include "controller/git_library_version.h"

#include <git2.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace upkeep {
namespace {

TEST(LibGit2VersionTest, IsMajorMinorRevisionOfTheLoadedLibrary) {
  const std::string version = LibGit2Version();
  EXPECT_TRUE(std::regex_match(version, std::regex(R"(\d+\.\d+\.\d+)"))) << version;
  EXPECT_EQ(version.rfind(std::to_string(LIBGIT2_VER_MAJOR) + ".", 0), 0u) << version;
}

}  // namespace
}  // namespace upkeep
