#include "controller/git_checkout.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "controller/git_handles.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

using testing::Git;
using testing::GitRepos;

git_oid OidOf(const std::string& hex) {
  git_oid oid{};
  EXPECT_EQ(git_oid_fromstr(&oid, hex.c_str()), 0) << hex;
  return oid;
}

TEST(GitCheckoutOpenTest, AMissingPathIsRepoUnavailable) {
  testing::TempDir dir;
  CheckResult<GitCheckout> opened = GitCheckout::Open(dir.path() + "/nope");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(opened.error().message.find(dir.path() + "/nope"), std::string::npos)
      << opened.error().message;
}

TEST(GitCheckoutOpenTest, ADirectoryThatIsNoRepositoryIsRepoUnavailable) {
  testing::TempDir dir;
  CheckResult<GitCheckout> opened = GitCheckout::Open(dir.path());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(opened.error().message.find("is not a git repository"), std::string::npos)
      << opened.error().message;
}

TEST(GitCheckoutOpenTest, AFileIsRepoUnavailable) {
  testing::TempDir dir;
  CheckResult<GitCheckout> opened = GitCheckout::Open(dir.Write("file", "x"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(opened.error().message.find("not a directory"), std::string::npos);
}

TEST(GitCheckoutOpenTest, ACheckoutOfAnotherUserIsRepoPermissionNamingTheOwner) {
  GitRepos repos;
  const std::string git_dir = repos.service() + "/.git";
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the checkout to another user";
  ASSERT_EQ(::lchown(git_dir.c_str(), 65534, 65534), 0);
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, CheckErrorKind::kRepoPermission) << opened.error().message;
  EXPECT_NE(opened.error().message.find("is owned by nobody"), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find("update.user"), std::string::npos);
}

TEST(GitCheckoutOpenTest, ASubdirectoryOfACheckoutIsNotOpenedAsIt) {
  GitRepos repos;
  std::filesystem::create_directory(repos.service() + "/sub");
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service() + "/sub");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, CheckErrorKind::kRepoUnavailable);
}

TEST(GitCheckoutOpenTest, ABareRepositoryHasNoWorkingTree) {
  GitRepos repos;
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.remote());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(opened.error().message.find("bare"), std::string::npos);
}

TEST(GitCheckoutOpenTest, ARepositoryWithoutCommitsHasNoHead) {
  testing::TempDir dir;
  Git(dir.path(), {"init", "--quiet", dir.path()});
  CheckResult<GitCheckout> opened = GitCheckout::Open(dir.path());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  CheckResult<CheckoutHead> head = opened->Head();
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.error().kind, CheckErrorKind::kRepoUnavailable);
}

TEST(GitCheckoutTest, HeadOnABranch) {
  GitRepos repos;
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  CheckResult<CheckoutHead> head = opened->Head();
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->branch, "main");
  EXPECT_FALSE(head->detached);
  EXPECT_EQ(OidHex(head->oid), repos.Head(repos.service()));
}

TEST(GitCheckoutTest, DetachedHead) {
  GitRepos repos;
  repos.Commit(repos.service(), "Local");
  Git(repos.service(), {"checkout", "--quiet", "--detach", "HEAD~1"});
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  CheckResult<CheckoutHead> head = opened->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_TRUE(head->detached);
  EXPECT_EQ(head->branch, "");
  EXPECT_EQ(OidHex(head->oid), repos.Head(repos.service()));
}

TEST(GitCheckoutTest, CleanIsNotDirty) {
  GitRepos repos;
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  CheckResult<bool> dirty = opened->Dirty();
  ASSERT_TRUE(dirty.ok());
  EXPECT_FALSE(*dirty);
}

TEST(GitCheckoutTest, AModifiedTrackedFileIsDirty) {
  GitRepos repos;
  repos.WriteFile(repos.service(), "file-1.txt", "changed\n");
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(*opened->Dirty());
}

TEST(GitCheckoutTest, AStagedChangeIsDirty) {
  GitRepos repos;
  repos.WriteFile(repos.service(), "file-1.txt", "changed\n");
  Git(repos.service(), {"add", "file-1.txt"});
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(*opened->Dirty());
}

TEST(GitCheckoutTest, AnUntrackedFileIsDirty) {
  GitRepos repos;
  repos.WriteFile(repos.service(), "notes.txt", "mine\n");
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(*opened->Dirty());
}

TEST(GitCheckoutTest, AnIgnoredFileIsNotDirty) {
  GitRepos repos;
  repos.WriteFile(repos.pusher(), ".gitignore", "*.log\nnode_modules/\n");
  Git(repos.pusher(), {"add", ".gitignore"});
  Git(repos.pusher(), {"commit", "--quiet", "-m", "Ignore logs"});
  repos.Push();
  Git(repos.service(), {"pull", "--quiet", "--ff-only"});
  repos.WriteFile(repos.service(), "server.log", "log\n");
  std::filesystem::create_directory(repos.service() + "/node_modules");
  repos.WriteFile(repos.service(), "node_modules/x.js", "x\n");
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  EXPECT_FALSE(*opened->Dirty());
}

TEST(GitCheckoutTest, DescribeFindsTagsAndCountsCommitsAfterThem) {
  GitRepos repos;
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.pusher());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened->Describe(OidOf(repos.Head(repos.pusher()))), "v1.0.0");
  repos.Commit(repos.pusher(), "One");
  repos.Commit(repos.pusher(), "Two");
  const std::string head = repos.Head(repos.pusher());
  EXPECT_EQ(*opened->Describe(OidOf(head)), "v1.0.0-2-g" + head.substr(0, 7));
  // A lightweight tag counts too (--tags).
  Git(repos.pusher(), {"tag", "v1.1.0-rc1"});
  EXPECT_EQ(*opened->Describe(OidOf(head)), "v1.1.0-rc1");
}

TEST(GitCheckoutTest, DescribeWithoutATagIsTheAbbreviatedId) {
  testing::TempDir dir;
  Git(dir.path(), {"init", "--quiet", dir.path()});
  std::ofstream(dir.path() + "/a") << "a";
  Git(dir.path(), {"add", "a"});
  Git(dir.path(), {"commit", "--quiet", "-m", "A"});
  CheckResult<GitCheckout> opened = GitCheckout::Open(dir.path());
  ASSERT_TRUE(opened.ok());
  const std::string head = Git(dir.path(), {"rev-parse", "HEAD"});
  CheckResult<std::string> described = opened->Describe(OidOf(head));
  ASSERT_TRUE(described.ok()) << described.error().message;
  EXPECT_EQ(*described, head.substr(0, 7));
}

TEST(GitCheckoutTest, RemoteTrackingTipAndUrl) {
  GitRepos repos;
  CheckResult<GitCheckout> opened = GitCheckout::Open(repos.service());
  ASSERT_TRUE(opened.ok());
  CheckResult<std::optional<git_oid>> tip = opened->RemoteTrackingTip("origin", "main");
  ASSERT_TRUE(tip.ok());
  ASSERT_TRUE(tip->has_value());
  EXPECT_EQ(OidHex(**tip), repos.Head(repos.service()));
  EXPECT_FALSE(opened->RemoteTrackingTip("origin", "nope")->has_value());
  EXPECT_EQ(*opened->RemoteUrl("origin"), repos.remote());
  CheckResult<std::string> missing = opened->RemoteUrl("upstream");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, CheckErrorKind::kRemoteUnavailable);
}

}  // namespace
}  // namespace upkeep
