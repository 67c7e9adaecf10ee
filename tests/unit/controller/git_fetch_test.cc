#include <gtest/gtest.h>

#include "controller/git_facts.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

using testing::Git;
using testing::GitDaemon;
using testing::GitRepos;

// The remote served by a real `git daemon` on 127.0.0.1 (git://: no authentication of the
// server, so it is fetched only with allow_insecure_transport).
class GitDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.started());
    Git(repos_.service(), {"remote", "set-url", "origin", daemon_.Url("remote.git")});
    request_.repo = repos_.service();
    request_.fetch = true;
  }

  GitRepos repos_;
  GitDaemon daemon_{repos_.root()};
  GitCheckRequest request_;
};

TEST_F(GitDaemonTest, FetchesWithTheOptIn) {
  repos_.PushCommits(2);
  repos_.Tag(repos_.pusher(), "v1.2.0");
  repos_.Push();
  request_.allow_insecure_transport = true;
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_TRUE(facts->fetched);
  EXPECT_TRUE(facts->insecure_transport);
  EXPECT_EQ(facts->commits_behind, 2u);
  EXPECT_EQ(facts->latest_version, "v1.2.0");
  EXPECT_EQ(facts->latest_revision, repos_.Head(repos_.pusher()));
  EXPECT_EQ(facts->remote_url, daemon_.Url("remote.git"));
}

TEST_F(GitDaemonTest, WithoutTheOptInNothingIsFetched) {
  repos_.PushCommits(2);
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_FALSE(facts->fetched);
  EXPECT_TRUE(facts->insecure_transport);
  // The facts rest on the clone's own fetch: the two new commits are not known.
  EXPECT_EQ(facts->commits_behind, 0u);
  EXPECT_EQ(facts->latest_revision, repos_.Head(repos_.service()));
}

TEST_F(GitDaemonTest, WithoutTheOptInAndNeverFetchedItIsAnError) {
  request_.branch = "release";
  repos_.Commit(repos_.pusher(), "Release branch");
  Git(repos_.pusher(), {"push", "--quiet", "origin", "main:release"});
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kInsecureTransport);
  EXPECT_NE(facts.error().message.find("allow_insecure_transport"), std::string::npos);
  request_.allow_insecure_transport = true;
  facts = CheckGitCheckout(request_);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->commits_behind, 1u);
}

TEST_F(GitDaemonTest, AMissingRepositoryOnTheDaemonIsAFailedFetch) {
  Git(repos_.service(), {"remote", "set-url", "origin", daemon_.Url("nope.git")});
  request_.allow_insecure_transport = true;
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
}

TEST_F(GitDaemonTest, AMissingBranchOnTheDaemon) {
  request_.allow_insecure_transport = true;
  request_.branch = "nope";
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kRemoteUnavailable);
}

}  // namespace
}  // namespace upkeep
