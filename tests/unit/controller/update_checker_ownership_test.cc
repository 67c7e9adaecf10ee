// Who touches the service's repository: upkeep runs as root, the checkout belongs to the
// service's user (uid 65534 here), and git work must run as that user, so that a fetch never
// leaves root-owned files in .git that break the service's own `git pull` later.
//
// The helper is this test binary itself: update_checker_test.cc makes it answer
// `controller_unit_tests git check ...` before gtest's main runs.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "controller/update_checker.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kServiceUid = 65534;  // Debian's nobody:nogroup
constexpr gid_t kServiceGid = 65534;

void ChownTree(const std::string& root, uid_t uid, gid_t gid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, gid), 0) << root;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    ASSERT_EQ(::lchown(entry.path().c_str(), uid, gid), 0) << entry.path();
  }
}

struct FileOwner {
  uid_t uid;
  gid_t gid;
  mode_t mode;
  bool operator==(const FileOwner&) const = default;
};

// Every file and directory under `root` (itself included), with owner and mode.
std::map<std::string, FileOwner> Tree(const std::string& root) {
  std::map<std::string, FileOwner> tree;
  struct stat info {};
  if (::lstat(root.c_str(), &info) == 0) tree[root] = {info.st_uid, info.st_gid, info.st_mode};
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    if (::lstat(entry.path().c_str(), &info) == 0) {
      tree[entry.path()] = {info.st_uid, info.st_gid, info.st_mode};
    }
  }
  return tree;
}

// Every directory from / down to `path` lets others through, and `path` lets them execute it.
bool OthersCanExecute(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) return false;
  for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (::stat(dir.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) return false;
    if (dir == dir.root_path()) break;
  }
  return true;
}

// This test binary, where uid 65534 can run it: in place when the build tree lets it, else a
// copy in a directory of mode 0755 (a build tree under a 0700 home does not).
const std::string& HelperBinaryForOthers() {
  static const testing::TempDir copy_dir;
  static const std::string binary = [] {
    const fs::path self = fs::read_symlink("/proc/self/exe");
    if (OthersCanExecute(self)) return self.string();
    const fs::path copy = fs::path(copy_dir.path()) / self.filename();
    fs::copy_file(self, copy);
    fs::permissions(copy_dir.path(), fs::perms(0755));
    fs::permissions(copy, fs::perms(0755));
    return copy.string();
  }();
  return binary;
}

class UpdateCheckerOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: upkeep as root runs git as the repository's owner";
    }
    // mkdtemp made the root 0700: uid 65534 must get through it to the repositories.
    fs::permissions(repos_.root(), fs::perms(0755));
  }

  // The service's checkout and its remote handed to uid 65534, as a deployment would have it.
  void GiveReposToTheService() {
    ChownTree(repos_.service(), kServiceUid, kServiceGid);
    ChownTree(repos_.remote(), kServiceUid, kServiceGid);
  }

  UpdateCheckerOptions Options() const {
    UpdateCheckerOptions options;
    options.helper_binary = HelperBinaryForOthers();
    options.request.repo = repos_.service();
    options.fetch_timeout = std::chrono::seconds(30);
    options.user = "";  // the owner of the repository
    return options;
  }

  std::unique_ptr<UpdateChecker> Make() const {
    return std::make_unique<UpdateChecker>(
        Options(),
        [] {
          return QueueState{QueueStatus::kIdle, 0, 0, {}, ""};
        },
        [] { return UpdateLockFlags{}; });
  }

  testing::GitRepos repos_;
};

TEST_F(UpdateCheckerOwnershipTest, GitRunsAsTheOwnerAndLeavesNothingOwnedByRoot) {
  // Pushed as root (the pusher is root's), then the remote handed over again: the new objects
  // in it are 65534's like the rest.
  repos_.PushCommits(3);
  GiveReposToTheService();
  const std::string git_dir = repos_.service() + "/.git";
  const std::map<std::string, FileOwner> before = Tree(git_dir);

  UpdateCheckOutcome outcome = Make()->Check();
  ASSERT_TRUE(outcome.answer.has_value()) << outcome.error->message;
  EXPECT_EQ(outcome.answer->commits_behind, 3u);
  EXPECT_EQ(outcome.answer->latest_revision, repos_.Head(repos_.pusher()));
  EXPECT_TRUE(outcome.answer->fetched_at.has_value());

  const std::map<std::string, FileOwner> after = Tree(git_dir);
  int created = 0;
  for (const auto& [path, owner] : after) {
    EXPECT_NE(owner.uid, 0u) << path << " is owned by root";
    EXPECT_NE(owner.gid, 0u) << path << " has group root";
    if (before.count(path) != 0) continue;
    // What the fetch wrote (objects, the remote-tracking ref, the reflog) is the helper's
    // work: it ran as 65534:65534, with umask 022.
    ++created;
    EXPECT_EQ(owner.uid, kServiceUid) << path;
    EXPECT_EQ(owner.gid, kServiceGid) << path;
    EXPECT_EQ(owner.mode & 022, 0u) << path << " is writable by group or others";
  }
  EXPECT_GT(created, 0) << "the fetch wrote nothing new under " << git_dir;
}

TEST_F(UpdateCheckerOwnershipTest, ARootOwnedRepositoryNeedsRootWrittenOut) {
  // The repositories stay root's.
  const std::map<std::string, FileOwner> before = Tree(repos_.service() + "/.git");
  UpdateCheckOutcome outcome = Make()->Check();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, CheckErrorKind::kRepoPermission);
  EXPECT_NE(outcome.error->message.find(repos_.service()), std::string::npos)
      << outcome.error->message;
  EXPECT_NE(outcome.error->message.find("update.user: root"), std::string::npos)
      << outcome.error->message;
  // Refused before any git work: .git is as it was.
  EXPECT_TRUE(Tree(repos_.service() + "/.git") == before);
}

}  // namespace
}  // namespace upkeep
