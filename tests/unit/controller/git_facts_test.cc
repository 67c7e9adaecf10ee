#include "controller/git_facts.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

using testing::Git;
using testing::GitRepos;

class GitCheckTest : public ::testing::Test {
 protected:
  GitCheckRequest Request(bool fetch = true) const {
    GitCheckRequest request;
    request.repo = repos_.service();
    request.fetch = fetch;
    return request;
  }

  GitFacts Check(const GitCheckRequest& request) {
    CheckResult<GitFacts> facts = CheckGitCheckout(request);
    EXPECT_TRUE(facts.ok()) << facts.error().message;
    return facts.ok() ? *facts : GitFacts{};
  }

  CheckError CheckFails(const GitCheckRequest& request) {
    CheckResult<GitFacts> facts = CheckGitCheckout(request);
    EXPECT_FALSE(facts.ok());
    return facts.ok() ? CheckError{} : facts.error();
  }

  GitRepos repos_;
};

TEST_F(GitCheckTest, UpToDate) {
  const GitFacts facts = Check(Request());
  const std::string head = repos_.Head(repos_.service());
  EXPECT_EQ(facts.branch, "main");
  EXPECT_FALSE(facts.detached);
  EXPECT_EQ(facts.current_revision, head);
  EXPECT_EQ(facts.latest_revision, head);
  EXPECT_EQ(facts.current_version, "v1.0.0");
  EXPECT_EQ(facts.latest_version, "v1.0.0");
  EXPECT_EQ(facts.commits_behind, 0u);
  EXPECT_EQ(facts.commits_ahead, 0u);
  EXPECT_TRUE(facts.changelog.empty());
  EXPECT_FALSE(facts.dirty);
  EXPECT_EQ(facts.remote, "origin");
  EXPECT_EQ(facts.remote_branch, "main");
  EXPECT_EQ(facts.remote_url, repos_.remote());
  EXPECT_FALSE(facts.insecure_transport);
  EXPECT_TRUE(facts.fetched);
}

TEST_F(GitCheckTest, BehindByThreeWithTags) {
  repos_.Commit(repos_.pusher(), "Fix frame range parsing");
  repos_.Commit(repos_.pusher(), "Merge-free refactor of the queue view");
  repos_.Tag(repos_.pusher(), "v1.1.0");
  repos_.Commit(repos_.pusher(), "Bump dependencies");
  repos_.Push();
  const std::string latest = repos_.Head(repos_.pusher());

  // Without a fetch the checkout knows nothing new yet.
  EXPECT_EQ(Check(Request(false)).commits_behind, 0u);

  const GitFacts facts = Check(Request());
  EXPECT_EQ(facts.current_version, "v1.0.0");
  EXPECT_EQ(facts.latest_version, "v1.1.0-1-g" + latest.substr(0, 7));
  EXPECT_EQ(facts.latest_revision, latest);
  EXPECT_EQ(facts.commits_behind, 3u);
  EXPECT_EQ(facts.commits_ahead, 0u);
  EXPECT_EQ(facts.changelog,
            (std::vector<std::string>{"Bump dependencies", "Merge-free refactor of the queue view",
                                      "Fix frame range parsing"}));
  // The fetch left the working tree alone.
  EXPECT_EQ(facts.current_revision, repos_.Head(repos_.service()));
  EXPECT_FALSE(facts.dirty);
}

TEST_F(GitCheckTest, ChangelogOverTheLimit) {
  repos_.PushCommits(15);
  GitCheckRequest request = Request();
  request.changelog_limit = 3;
  const GitFacts facts = Check(request);
  EXPECT_EQ(facts.commits_behind, 15u);
  EXPECT_EQ(facts.changelog, (std::vector<std::string>{"Change 15", "Change 14", "Change 13",
                                                       "... and 12 more commits"}));
}

TEST_F(GitCheckTest, MergeCommitsAreInTheChangelog) {
  Git(repos_.pusher(), {"checkout", "--quiet", "-b", "feature"});
  repos_.Commit(repos_.pusher(), "Feature work");
  Git(repos_.pusher(), {"checkout", "--quiet", "main"});
  repos_.Commit(repos_.pusher(), "Main work");
  Git(repos_.pusher(), {"merge", "--quiet", "--no-ff", "-m", "Merge feature", "feature"});
  repos_.Push();
  const GitFacts facts = Check(Request());
  EXPECT_EQ(facts.commits_behind, 3u);
  ASSERT_EQ(facts.changelog.size(), 3u);
  EXPECT_EQ(facts.changelog[0], "Merge feature");
}

TEST_F(GitCheckTest, Diverged) {
  repos_.PushCommits(2);
  repos_.Commit(repos_.service(), "Hotfix made on the server");
  const GitFacts facts = Check(Request());
  EXPECT_EQ(facts.commits_ahead, 1u);
  EXPECT_EQ(facts.commits_behind, 2u);
  EXPECT_EQ(facts.changelog, (std::vector<std::string>{"Change 2", "Change 1"}));
  const std::string head = repos_.Head(repos_.service());
  EXPECT_EQ(facts.current_version, "v1.0.0-1-g" + head.substr(0, 7));
}

TEST_F(GitCheckTest, DirtyMarksTheCurrentVersion) {
  repos_.WriteFile(repos_.service(), "file-1.txt", "edited on the server\n");
  const GitFacts facts = Check(Request());
  EXPECT_TRUE(facts.dirty);
  EXPECT_EQ(facts.current_version, "v1.0.0-dirty");
  EXPECT_EQ(facts.latest_version, "v1.0.0");
}

TEST_F(GitCheckTest, DetachedHead) {
  repos_.PushCommits(2);
  Git(repos_.service(), {"checkout", "--quiet", "--detach", "HEAD"});
  const GitFacts facts = Check(Request());
  EXPECT_TRUE(facts.detached);
  EXPECT_EQ(facts.branch, "");
  EXPECT_EQ(facts.commits_behind, 2u);
}

TEST_F(GitCheckTest, NoTagAnywhereGivesAbbreviatedIds) {
  testing::TempDir dir;
  const std::string remote = dir.path() + "/r.git";
  const std::string clone = dir.path() + "/c";
  Git(dir.path(), {"init", "--quiet", "--bare", remote});
  Git(dir.path(), {"clone", "--quiet", remote, clone});
  repos_.Commit(clone, "First");
  Git(clone, {"push", "--quiet", "origin", "main"});
  GitCheckRequest request = Request();
  request.repo = clone;
  const GitFacts facts = Check(request);
  EXPECT_EQ(facts.current_version, repos_.Head(clone).substr(0, 7));
  EXPECT_EQ(facts.latest_version, facts.current_version);
}

TEST_F(GitCheckTest, RepoPathMissing) {
  GitCheckRequest request = Request();
  request.repo = repos_.root() + "/gone";
  const CheckError error = CheckFails(request);
  EXPECT_EQ(error.kind, CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(error.message.find(request.repo), std::string::npos) << error.message;
}

TEST_F(GitCheckTest, PathNotARepository) {
  std::filesystem::create_directory(repos_.root() + "/plain");
  GitCheckRequest request = Request();
  request.repo = repos_.root() + "/plain";
  EXPECT_EQ(CheckFails(request).kind, CheckErrorKind::kRepoUnavailable);
}

TEST_F(GitCheckTest, RemoteDeletedFromTheConfig) {
  Git(repos_.service(), {"remote", "remove", "origin"});
  for (bool fetch : {true, false}) {
    const CheckError error = CheckFails(Request(fetch));
    EXPECT_EQ(error.kind, CheckErrorKind::kRemoteUnavailable);
    EXPECT_NE(error.message.find("no remote \"origin\""), std::string::npos) << error.message;
  }
}

TEST_F(GitCheckTest, RemoteRepositoryGoneIsAFailedFetch) {
  std::filesystem::remove_all(repos_.remote());
  const CheckError error = CheckFails(Request());
  EXPECT_EQ(error.kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(error.message.find("fetch from origin"), std::string::npos) << error.message;
}

TEST_F(GitCheckTest, BranchMissingOnTheRemote) {
  GitCheckRequest request = Request();
  request.branch = "release";
  const CheckError error = CheckFails(request);
  EXPECT_EQ(error.kind, CheckErrorKind::kRemoteUnavailable);
  EXPECT_NE(error.message.find("has no branch \"release\""), std::string::npos) << error.message;
  // Without a fetch: never fetched.
  request.fetch = false;
  const CheckError unfetched = CheckFails(request);
  EXPECT_EQ(unfetched.kind, CheckErrorKind::kRemoteUnavailable);
}

TEST_F(GitCheckTest, FetchOverAFileUrlWithCredentialsInItShowsNone) {
  Git(repos_.service(), {"remote", "set-url", "origin", "file://" + repos_.remote()});
  repos_.PushCommits(1);
  GitFacts facts = Check(Request());
  EXPECT_EQ(facts.remote_url, "file://" + repos_.remote());
  EXPECT_EQ(facts.commits_behind, 1u);
  Git(repos_.service(), {"remote", "set-url", "origin", "https://user:s3cret@127.0.0.1:1/x.git"});
  facts = Check(Request(false));
  EXPECT_EQ(facts.remote_url, "https://127.0.0.1:1/x.git");
  // A failed fetch names the URL without them too.
  const CheckError error = CheckFails(Request());
  EXPECT_EQ(error.kind, CheckErrorKind::kFetchFailed);
  EXPECT_EQ(error.message.find("s3cret"), std::string::npos) << error.message;
}

TEST_F(GitCheckTest, AFetchMovesTheTrackingBranchEvenWhenTheRemoteWasRewritten) {
  repos_.PushCommits(2);
  EXPECT_EQ(Check(Request()).commits_behind, 2u);
  Git(repos_.pusher(), {"reset", "--quiet", "--hard", "HEAD~2"});
  repos_.Commit(repos_.pusher(), "Rewritten");
  Git(repos_.pusher(), {"push", "--quiet", "--force", "origin", "main"});
  const GitFacts facts = Check(Request());
  EXPECT_EQ(facts.latest_revision, repos_.Head(repos_.pusher()));
  EXPECT_EQ(facts.changelog, std::vector<std::string>{"Rewritten"});
}

}  // namespace
}  // namespace upkeep
