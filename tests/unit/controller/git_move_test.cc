#include "controller/git_move.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;
using testing::Git;
using testing::GitRepos;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Everything a move could touch, byte for byte: each file and directory of the working tree
// (ignored ones too), the index, HEAD and the branch.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    const std::string relative = fs::relative(entry.path(), dir).string();
    if (relative.rfind(".git", 0) == 0 && relative.rfind(".gitignore", 0) != 0) continue;
    files[relative] = entry.is_directory() ? "<dir>" : Read(entry.path().string());
  }
  files[".git/index"] = Read(dir + "/.git/index");
  files["HEAD"] = Git(dir, {"symbolic-ref", "HEAD"}) + " " + Git(dir, {"rev-parse", "HEAD"});
  return files;
}

class GitMoveTest : public ::testing::Test {
 protected:
  // The service at a revision with an ignore file and three tracked files.
  GitMoveTest() {
    repos_.WriteFile(repos_.pusher(), ".gitignore", "*.log\nnode_modules/\ncache/\n");
    repos_.WriteFile(repos_.pusher(), "app.txt", "version 1\n");
    repos_.WriteFile(repos_.pusher(), "old.txt", "to be deleted\n");
    from_ = CommitUpstream("Base", {".gitignore", "app.txt", "old.txt"});
    Git(repos_.service(), {"merge", "--quiet", "--ff-only", "origin/main"});
  }

  // A commit in pusher/ of what `paths` now hold (git add -A), pushed and fetched by service/.
  std::string CommitUpstream(const std::string& subject, const std::vector<std::string>& paths) {
    for (const std::string& path : paths) Git(repos_.pusher(), {"add", "-A", "--", path});
    Git(repos_.pusher(), {"commit", "--quiet", "-m", subject});
    repos_.Push();
    Git(repos_.service(), {"fetch", "--quiet", "origin"});
    return repos_.Head(repos_.pusher());
  }

  // The next revision: app.txt changed, old.txt deleted, new/added.txt added.
  std::string NextRevision() {
    repos_.WriteFile(repos_.pusher(), "app.txt", "version 2\n");
    fs::remove(repos_.pusher() + "/old.txt");
    fs::create_directories(repos_.pusher() + "/new");
    repos_.WriteFile(repos_.pusher(), "new/added.txt", "added\n");
    return CommitUpstream("Next", {"app.txt", "old.txt", "new"});
  }

  GitMoveRequest Request(const std::string& to, GitMoveMode mode = GitMoveMode::kForward) {
    return GitMoveRequest{repos_.service(), "main", from_, to, mode};
  }

  GitUpdateError Refused(const GitMoveRequest& request, std::string_view code) {
    GitUpdateResult<GitMoveOutcome> moved = MoveCheckout(request);
    EXPECT_FALSE(moved.ok());
    if (moved.ok()) return {};
    EXPECT_EQ(moved.error().code, code) << moved.error().message;
    return moved.error();
  }

  // The state a move to `to` killed half-way leaves: the index and working tree at `to` (a
  // two-tree read-tree, as a checkout writes them) and the branch at `ref`.
  void InterruptedMove(const std::string& to, const std::string& ref) {
    Git(repos_.service(), {"read-tree", "-m", "-u", from_, to});
    if (ref != from_) Git(repos_.service(), {"update-ref", "refs/heads/main", ref});
  }

  std::string Service(const std::string& relative) { return repos_.service() + "/" + relative; }
  std::string LastReflog() { return Git(repos_.service(), {"reflog", "-1", "--format=%gs"}); }

  // The tree, index and ref at from_, the ignored files of the fixture still there.
  void ExpectAtFrom() {
    EXPECT_EQ(repos_.Head(repos_.service()), from_);
    EXPECT_EQ(Git(repos_.service(), {"symbolic-ref", "HEAD"}), "refs/heads/main");
    EXPECT_EQ(Git(repos_.service(), {"status", "--porcelain"}), "");
    EXPECT_EQ(Read(Service("app.txt")), "version 1\n");
    EXPECT_EQ(Read(Service("old.txt")), "to be deleted\n");
    EXPECT_FALSE(fs::exists(Service("new/added.txt")));
  }

  GitRepos repos_;
  std::string from_;
};

TEST_F(GitMoveTest, ForwardMovesHeadFilesAndIndexAndKeepsIgnoredFiles) {
  const std::string to = NextRevision();
  repos_.WriteFile(repos_.service(), "render.log", "ignored log\n");
  fs::create_directories(Service("node_modules/dep"));
  repos_.WriteFile(repos_.service(), "node_modules/dep/index.js", "module\n");

  GitUpdateResult<GitMoveOutcome> moved = MoveCheckout(Request(to));
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, (GitMoveOutcome{from_, to, true}));
  EXPECT_EQ(repos_.Head(repos_.service()), to);
  EXPECT_EQ(Git(repos_.service(), {"symbolic-ref", "HEAD"}), "refs/heads/main");
  EXPECT_EQ(Read(Service("app.txt")), "version 2\n");
  EXPECT_FALSE(fs::exists(Service("old.txt")));
  EXPECT_EQ(Read(Service("new/added.txt")), "added\n");
  EXPECT_EQ(Read(Service("render.log")), "ignored log\n");
  EXPECT_EQ(Read(Service("node_modules/dep/index.js")), "module\n");
  EXPECT_EQ(Git(repos_.service(), {"status", "--porcelain"}), "");  // the index moved too
  EXPECT_EQ(LastReflog(), "upkeep: update " + from_.substr(0, 7) + " -> " + to.substr(0, 7));
  EXPECT_EQ(Git(repos_.service(), {"reflog", "-1", "--format=%gs", "main"}), LastReflog());
}

TEST_F(GitMoveTest, BackGoesBackAndRemovesWhatTheNewerRevisionAdded) {
  const std::string to = NextRevision();
  ASSERT_TRUE(MoveCheckout(Request(to)).ok());
  repos_.WriteFile(repos_.service(), "render.log", "written by the new version\n");

  GitMoveRequest back{repos_.service(), "main", to, from_, GitMoveMode::kBack};
  GitUpdateResult<GitMoveOutcome> moved = MoveCheckout(back);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, (GitMoveOutcome{to, from_, true}));
  ExpectAtFrom();
  EXPECT_FALSE(fs::exists(Service("new")));
  EXPECT_EQ(Read(Service("render.log")), "written by the new version\n");
  EXPECT_EQ(LastReflog(), "upkeep: rollback " + to.substr(0, 7) + " -> " + from_.substr(0, 7));
}

TEST_F(GitMoveTest, UntrackedFileRefusesAndNothingChanges) {
  const std::string to = NextRevision();
  repos_.WriteFile(repos_.service(), "notes.txt", "an admin's notes\n");
  const auto before = Snapshot(repos_.service());
  EXPECT_EQ(Refused(Request(to), "dirty_worktree").tree, GitTreeState::kUnchanged);
  EXPECT_EQ(Snapshot(repos_.service()), before);
  // A rollback never destroys a local change either.
  Refused(Request(to, GitMoveMode::kBack), "dirty_worktree");
  EXPECT_EQ(Snapshot(repos_.service()), before);
}

TEST_F(GitMoveTest, ModifiedTrackedFileRefusesAndStaysIntact) {
  const std::string to = NextRevision();
  repos_.WriteFile(repos_.service(), "app.txt", "hotfix on the server\n");
  const auto before = Snapshot(repos_.service());
  Refused(Request(to), "dirty_worktree");
  EXPECT_EQ(Snapshot(repos_.service()), before);
  EXPECT_EQ(Read(Service("app.txt")), "hotfix on the server\n");
}

TEST_F(GitMoveTest, HeadNotAtExpectedFromRefuses) {
  const std::string to = NextRevision();
  GitMoveRequest request = Request(to);
  request.expected_from = to;  // what the caller believed, not where HEAD is
  request.to = from_;
  const auto before = Snapshot(repos_.service());
  const GitUpdateError error = Refused(request, "head_moved");
  EXPECT_NE(error.message.find(from_), std::string::npos) << error.message;
  EXPECT_EQ(Snapshot(repos_.service()), before);
}

TEST_F(GitMoveTest, DetachedHeadAndAnotherBranchRefuse) {
  const std::string to = NextRevision();
  Git(repos_.service(), {"checkout", "--quiet", "--detach", "HEAD"});
  Refused(Request(to), "detached_head");
  Git(repos_.service(), {"checkout", "--quiet", "-b", "other"});
  Refused(Request(to), "wrong_branch");
  EXPECT_EQ(repos_.Head(repos_.service()), from_);
}

TEST_F(GitMoveTest, ForwardRefusesWhatIsNotAFastForward) {
  const std::string upstream = NextRevision();
  const std::string local = repos_.Commit(repos_.service(), "Hotfix made on the server");
  GitMoveRequest request = Request(upstream);
  request.expected_from = local;
  const auto before = Snapshot(repos_.service());
  Refused(request, "not_fast_forward");
  // Backwards is not forwards either.
  request.to = from_;
  Refused(request, "not_fast_forward");
  EXPECT_EQ(Snapshot(repos_.service()), before);
}

TEST_F(GitMoveTest, ToTheSameRevisionMovesNothing) {
  const auto before = Snapshot(repos_.service());
  GitUpdateResult<GitMoveOutcome> moved = MoveCheckout(Request(from_));
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_FALSE(moved->moved);
  EXPECT_EQ(Snapshot(repos_.service()), before);
}

TEST_F(GitMoveTest, AnIgnoredEntryWhereTheTargetHasAFileRefusesBeforeWriting) {
  // The new revision adds a file `cache` and force-adds a `build.log`; in the service both
  // names are taken by ignored things (a directory, a file), which the move must not destroy.
  repos_.WriteFile(repos_.pusher(), "cache", "now a tracked file\n");
  repos_.WriteFile(repos_.pusher(), "app.txt", "version 2\n");
  repos_.WriteFile(repos_.pusher(), "build.log", "tracked log\n");
  Git(repos_.pusher(), {"add", "-f", "build.log"});
  const std::string to = CommitUpstream("Cache file", {"cache", "app.txt"});
  fs::create_directories(Service("cache"));
  repos_.WriteFile(repos_.service(), "cache/blob.bin", "cached\n");
  repos_.WriteFile(repos_.service(), "build.log", "local log\n");
  const auto before = Snapshot(repos_.service());
  EXPECT_EQ(Refused(Request(to), "checkout_failed").tree, GitTreeState::kUnchanged);
  EXPECT_EQ(Snapshot(repos_.service()), before);
}

TEST_F(GitMoveTest, AFailedRefUpdatePutsTheTreeBack) {
  // A stale lock of the branch ref (a crashed git) makes the ref update fail after the
  // checkout wrote every file; this works as root, where permissions do not bite.
  const std::string to = NextRevision();
  repos_.WriteFile(repos_.service(), "render.log", "ignored log\n");
  repos_.WriteFile(repos_.service(), ".git/refs/heads/main.lock", "");
  const GitUpdateError error = Refused(Request(to), "checkout_failed");
  EXPECT_EQ(error.tree, GitTreeState::kReverted);
  EXPECT_NE(error.message.find("put back"), std::string::npos) << error.message;
  fs::remove(Service(".git/refs/heads/main.lock"));
  ExpectAtFrom();
  EXPECT_FALSE(fs::exists(Service("new")));
  EXPECT_EQ(Read(Service("render.log")), "ignored log\n");
}

TEST_F(GitMoveTest, AFileThatCannotBeWrittenMidCheckoutPutsTheTreeBack) {
  // A commit made with plumbing whose tree adds a.txt, changes app.txt and adds a file whose
  // name is longer than NAME_MAX: git stores it, but no Linux file system can create it, so
  // the checkout fails after it has written what sorts before it (even as root).
  const std::string service = repos_.service();
  const std::string blob =
      testing::RunCommand({"git", "-C", service, "hash-object", "-w", "--stdin"}, "content\n")
          .output.substr(0, 40);
  std::string tree_text = Git(service, {"ls-tree", "HEAD"}) + "\n";
  tree_text += "100644 blob " + blob + "\ta.txt\n";
  tree_text += "100644 blob " + blob + "\t" + std::string(300, 'z') + "\n";
  const std::string old_app = Git(service, {"rev-parse", "HEAD:app.txt"});
  tree_text.replace(tree_text.find(old_app), 40, blob);  // app.txt changed
  const std::string tree =
      testing::RunCommand({"git", "-C", service, "mktree"}, tree_text).output.substr(0, 40);
  const std::string to = Git(service, {"commit-tree", tree, "-p", from_, "-m", "Long name"});

  const GitUpdateError error = Refused(Request(to), "checkout_failed");
  EXPECT_EQ(error.tree, GitTreeState::kReverted) << error.message;
  ExpectAtFrom();
  EXPECT_FALSE(fs::exists(Service("a.txt")));
}

TEST_F(GitMoveTest, BadRequestsAreErrorsBeforeAnythingIsTouched) {
  const std::string to = NextRevision();
  GitMoveRequest request = Request(to);
  request.repo = repos_.root() + "/missing";
  Refused(request, "repo_unavailable");
  request = Request(to.substr(0, 12));
  Refused(request, "internal");
  request = Request(std::string(40, 'a'));  // no such commit
  request.mode = GitMoveMode::kBack;
  const GitUpdateError error = Refused(request, "internal");
  EXPECT_NE(error.message.find("not in the repository"), std::string::npos) << error.message;
  ExpectAtFrom();
}

TEST_F(GitMoveTest, RepairPutsAnInterruptedMoveBackWhereverTheRefWas) {
  const std::string to = NextRevision();
  repos_.WriteFile(repos_.service(), "render.log", "ignored log\n");
  const std::string reflog = LastReflog();

  // Killed after the tree was written, before the ref moved.
  InterruptedMove(to, from_);
  EXPECT_EQ(Read(Service("new/added.txt")), "added\n");
  GitUpdateResult<GitMoveOutcome> repaired = MoveCheckout(Request(to, GitMoveMode::kRepair));
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(*repaired, (GitMoveOutcome{from_, from_, true}));
  ExpectAtFrom();
  EXPECT_FALSE(fs::exists(Service("new")));
  EXPECT_EQ(Read(Service("render.log")), "ignored log\n");
  EXPECT_EQ(LastReflog(), reflog);  // the ref did not move

  // Killed after the ref moved too.
  InterruptedMove(to, to);
  repaired = MoveCheckout(Request(to, GitMoveMode::kRepair));
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(*repaired, (GitMoveOutcome{to, from_, true}));
  ExpectAtFrom();
  EXPECT_FALSE(fs::exists(Service("new")));
  EXPECT_EQ(Read(Service("render.log")), "ignored log\n");
  EXPECT_EQ(LastReflog(), "upkeep: repair " + to.substr(0, 7) + " -> " + from_.substr(0, 7));

  // Nothing left to mend: nothing is touched.
  const auto before = Snapshot(repos_.service());
  repaired = MoveCheckout(Request(to, GitMoveMode::kRepair));
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(*repaired, (GitMoveOutcome{from_, from_, false}));
  EXPECT_EQ(Snapshot(repos_.service()), before);
}

TEST_F(GitMoveTest, RepairMendsAPartlyWrittenTree) {
  const std::string to = NextRevision();
  for (const std::string& ref : {from_, to}) {
    // Some of the new files written, one of them cut short, nothing deleted, the index untouched.
    fs::create_directories(Service("new"));
    repos_.WriteFile(repos_.service(), "new/added.txt", "added\n");
    repos_.WriteFile(repos_.service(), "app.txt", "vers");
    Git(repos_.service(), {"update-ref", "refs/heads/main", ref});
    GitUpdateResult<GitMoveOutcome> repaired = MoveCheckout(Request(to, GitMoveMode::kRepair));
    ASSERT_TRUE(repaired.ok()) << repaired.error().message;
    EXPECT_TRUE(repaired->moved);
    ExpectAtFrom();
    EXPECT_FALSE(fs::exists(Service("new")));
  }
}

TEST_F(GitMoveTest, RepairRefusesWhenAPathTheUpdateDoesNotTouchChanged) {
  const std::string to = NextRevision();
  InterruptedMove(to, to);
  repos_.WriteFile(repos_.service(), "notes.txt", "an admin's notes\n");
  auto before = Snapshot(repos_.service());
  GitUpdateError error = Refused(Request(to, GitMoveMode::kRepair), "dirty_worktree");
  EXPECT_EQ(error.tree, GitTreeState::kUnchanged);
  EXPECT_NE(error.message.find("notes.txt"), std::string::npos) << error.message;
  EXPECT_EQ(Snapshot(repos_.service()), before);

  fs::remove(Service("notes.txt"));
  repos_.WriteFile(repos_.service(), ".gitignore", "*.log\nnode_modules/\ncache/\n*.tmp\n");
  before = Snapshot(repos_.service());
  error = Refused(Request(to, GitMoveMode::kRepair), "dirty_worktree");
  EXPECT_NE(error.message.find(".gitignore"), std::string::npos) << error.message;
  EXPECT_EQ(Snapshot(repos_.service()), before);
  EXPECT_EQ(Read(Service(".gitignore")), "*.log\nnode_modules/\ncache/\n*.tmp\n");
}

TEST_F(GitMoveTest, RepairRefusesABranchAtNeitherRevision) {
  const std::string to = NextRevision();
  const std::string elsewhere = repos_.Commit(repos_.service(), "Made on the server");
  const auto before = Snapshot(repos_.service());
  const GitUpdateError error = Refused(Request(to, GitMoveMode::kRepair), "head_moved");
  EXPECT_NE(error.message.find(elsewhere), std::string::npos) << error.message;
  EXPECT_EQ(Snapshot(repos_.service()), before);
  Git(repos_.service(), {"checkout", "--quiet", "--detach", "HEAD"});
  Refused(Request(to, GitMoveMode::kRepair), "detached_head");
}

TEST_F(GitMoveTest, APutBackThatFailsTooSaysSoAndARepairMendsIt) {
  // A stale index lock (a crashed git): the checkout writes the files and fails at the index,
  // and so does the forced checkout that puts them back. Works as root.
  const std::string to = NextRevision();
  repos_.WriteFile(repos_.service(), ".git/index.lock", "");
  const GitUpdateError error = Refused(Request(to), "checkout_failed");
  EXPECT_EQ(error.tree, GitTreeState::kRevertFailed) << error.message;
  EXPECT_NE(error.message.find("NEITHER REVISION"), std::string::npos) << error.message;
  EXPECT_EQ(repos_.Head(repos_.service()), from_);

  fs::remove(Service(".git/index.lock"));
  GitUpdateResult<GitMoveOutcome> repaired = MoveCheckout(Request(to, GitMoveMode::kRepair));
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  ExpectAtFrom();
}

TEST(IsFullObjectIdTest, FortyHexDigits) {
  EXPECT_TRUE(IsFullObjectId(std::string(40, 'a')));
  EXPECT_TRUE(IsFullObjectId("0123456789abcdefABCDEF0123456789abcdef01"));
  EXPECT_FALSE(IsFullObjectId(std::string(39, 'a')));
  EXPECT_FALSE(IsFullObjectId(std::string(41, 'a')));
  EXPECT_FALSE(IsFullObjectId(std::string(39, 'a') + "g"));
  EXPECT_FALSE(IsFullObjectId(""));
}

}  // namespace
}  // namespace upkeep
