// The repo check of `upkeep check-config` in process, with the real upkeep binary as its git
// helper, against real repositories (a bare remote, the service's clone, a pusher): the facts
// it reports, that it never fetches, and each way a checkout can be unusable.

#include "app/check_config_repo.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CheckUpdateRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::IsolateGitEnvironment();
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: the repos are root's, git runs as root";
  }

  // The service's clone, as root: the test's repositories are root's.
  UpdateOptions Update() const {
    UpdateOptions update;
    update.configured = true;
    update.repo = repos_.service();
    update.user = "root";
    update.state_dir = repos_.root() + "/state";
    return update;
  }

  testing::GitRepos repos_;
};

TEST_F(CheckUpdateRepoTest, SkippedWithoutAnUpdateSection) {
  const CheckLine line = CheckUpdateRepo(UpdateOptions{}, UPKEEP_BINARY);
  EXPECT_EQ(line.status, CheckStatus::kSkipped);
  EXPECT_EQ(line.check, "repo");
  EXPECT_EQ(line.detail, "no update: section");
}

TEST_F(CheckUpdateRepoTest, ReportsHeadAndTheRemoteBranchWithoutFetching) {
  const std::string head = repos_.Head(repos_.service());
  repos_.PushCommits(2);  // on the remote, not fetched into the service's clone
  CheckLine line = CheckUpdateRepo(Update(), UPKEEP_BINARY);
  ASSERT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_EQ(line.detail, repos_.service() + " as root (uid 0): HEAD main at " + head.substr(0, 7) +
                             " (v1.0.0), origin/main at " + head.substr(0, 7) +
                             " (v1.0.0), 0 behind")
      << line.detail;
  // Still 0 behind: the check fetched nothing. A fetch by hand moves origin/main.
  testing::Git(repos_.service(), {"fetch", "--quiet", "origin"});
  line = CheckUpdateRepo(Update(), UPKEEP_BINARY);
  ASSERT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_TRUE(Contains(line.detail, ", 2 behind")) << line.detail;
}

TEST_F(CheckUpdateRepoTest, NotesLocalChanges) {
  repos_.WriteFile(repos_.service(), "stray.txt", "left behind\n");
  const CheckLine line = CheckUpdateRepo(Update(), UPKEEP_BINARY);
  ASSERT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "-dirty)")) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "note: the working tree has local changes")) << line.detail;
}

TEST_F(CheckUpdateRepoTest, ABranchWithoutARemoteTrackingRefFails) {
  UpdateOptions update = Update();
  update.branch = "release";
  const CheckLine line = CheckUpdateRepo(update, UPKEEP_BINARY);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("remote_unavailable: ", 0), 0u) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "refs/remotes/origin/release")) << line.detail;
}

TEST_F(CheckUpdateRepoTest, AnUnknownRemoteFails) {
  UpdateOptions update = Update();
  update.remote = "upstream";
  const CheckLine line = CheckUpdateRepo(update, UPKEEP_BINARY);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("remote_unavailable: ", 0), 0u) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "upstream")) << line.detail;
}

TEST_F(CheckUpdateRepoTest, APathThatIsNoCheckoutFails) {
  UpdateOptions update = Update();
  update.repo = repos_.root() + "/nothing-here";
  std::filesystem::create_directory(update.repo);
  const CheckLine line = CheckUpdateRepo(update, UPKEEP_BINARY);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("repo_unavailable: ", 0), 0u) << line.detail;
}

TEST_F(CheckUpdateRepoTest, ARootOwnedCheckoutWithoutANamedUserFails) {
  UpdateOptions update = Update();
  update.user = "";  // the owner, who is root here: refused unless named
  const CheckLine line = CheckUpdateRepo(update, UPKEEP_BINARY);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("repo_permission: ", 0), 0u) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "is owned by root")) << line.detail;
}

TEST_F(CheckUpdateRepoTest, AHelperThatCannotRunFails) {
  const CheckLine line = CheckUpdateRepo(Update(), repos_.root() + "/no-such-binary");
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("internal: ", 0), 0u) << line.detail;
}

}  // namespace
}  // namespace upkeep
