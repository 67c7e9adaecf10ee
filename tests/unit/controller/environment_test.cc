#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

// libgit2 reads HOME when it initialises: the isolation must come before any test runs.
class GitEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { testing::IsolateGitEnvironment(); }
};

const auto* const kGitEnvironment = ::testing::AddGlobalTestEnvironment(new GitEnvironment);

TEST(GitEnvironmentTest, GitReadsNoConfigOfTheMachineOrTheUser) {
  const char* home = std::getenv("HOME");
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(std::string(home).rfind("/tmp/upkeep-git-home-", 0), 0u) << home;
  EXPECT_STREQ(std::getenv("GIT_CONFIG_NOSYSTEM"), "1");
}

}  // namespace
}  // namespace upkeep
