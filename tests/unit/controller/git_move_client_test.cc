// The helper is this test binary itself: update_checker_test.cc makes it answer
// `controller_unit_tests git ...` before gtest's main runs, as `upkeep git ...` does.

#include "controller/git_move_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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

// A stand-in helper: `script` as an executable shell script in `dir`.
std::string Script(const testing::TempDir& dir, const std::string& script) {
  const std::string path = dir.Write("helper.sh", "#!/bin/sh\n" + script);
  fs::permissions(path, fs::perms(0755));
  return path;
}

class GitMoveClientTest : public ::testing::Test {
 protected:
  // The service one commit behind the remote, fetched.
  GitMoveClientTest() {
    from_ = repos_.Head(repos_.service());
    repos_.PushCommits(1);
    Git(repos_.service(), {"fetch", "--quiet", "origin"});
    to_ = repos_.Head(repos_.pusher());
    call_.helper_binary = fs::read_symlink("/proc/self/exe").string();
    call_.timeout = std::chrono::seconds(60);
  }

  GitMoveRequest Move(GitMoveMode mode = GitMoveMode::kForward) const {
    return GitMoveRequest{repos_.service(), "main", from_, to_, mode};
  }

  GitRepos repos_;
  std::string from_;
  std::string to_;
  GitHelperCall call_;
};

TEST_F(GitMoveClientTest, MovesThroughTheHelper) {
  pid_t started = -1;
  call_.on_started = [&](pid_t pid, uint64_t) { started = pid; };
  GitUpdateResult<GitMoveOutcome> moved = RunGitMove(call_, Move());
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, (GitMoveOutcome{from_, to_, true}));
  EXPECT_EQ(repos_.Head(repos_.service()), to_);
  EXPECT_GT(started, 0);

  // The helper's refusal comes back as it gave it.
  GitUpdateResult<GitMoveOutcome> again = RunGitMove(call_, Move());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "head_moved");
  EXPECT_EQ(again.error().tree, GitTreeState::kUnchanged);

  GitMoveRequest back{repos_.service(), "main", to_, from_, GitMoveMode::kBack};
  ASSERT_TRUE(RunGitMove(call_, back).ok());
  EXPECT_EQ(repos_.Head(repos_.service()), from_);
}

TEST_F(GitMoveClientTest, RepairsThroughTheHelper) {
  Git(repos_.service(), {"read-tree", "-m", "-u", from_, to_});
  Git(repos_.service(), {"update-ref", "refs/heads/main", to_});
  GitUpdateResult<GitMoveOutcome> repaired = RunGitMove(call_, Move(GitMoveMode::kRepair));
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(*repaired, (GitMoveOutcome{to_, from_, true}));
  EXPECT_EQ(repos_.Head(repos_.service()), from_);
  EXPECT_EQ(Git(repos_.service(), {"status", "--porcelain"}), "");
}

TEST_F(GitMoveClientTest, ListsTheChangedPaths) {
  GitUpdateResult<GitChangedPaths> changed =
      RunGitChanged(call_, GitChangedRequest{repos_.service(), from_, to_});
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(changed->paths, std::vector<std::string>{"file-2.txt"});
  EXPECT_FALSE(changed->truncated);
}

TEST_F(GitMoveClientTest, AnAnswerOfAHundredThousandPathsComesThrough) {
  // A commit adding kChangedPathsCap files with long names (one blob, a tree made with
  // plumbing): an answer of several MiB, more than the update check's helper may write.
  const std::string service = repos_.service();
  const std::string blob =
      testing::RunCommand({"git", "-C", service, "hash-object", "-w", "--stdin"}, "same\n")
          .output.substr(0, 40);
  std::string tree_text = Git(service, {"ls-tree", "HEAD"}) + "\n";
  for (size_t i = 0; i < kChangedPathsCap; ++i) {
    tree_text += "100644 blob " + blob + "\t" + std::string(50, 'p') + std::to_string(i) + "\n";
  }
  const std::string tree =
      testing::RunCommand({"git", "-C", service, "mktree"}, tree_text).output.substr(0, 40);
  const std::string many = Git(service, {"commit-tree", tree, "-p", from_, "-m", "Many files"});

  GitUpdateResult<GitChangedPaths> changed =
      RunGitChanged(call_, GitChangedRequest{service, from_, many});
  ASSERT_TRUE(changed.ok()) << changed.error().message.substr(0, 500);
  EXPECT_EQ(changed->paths.size(), kChangedPathsCap);
  EXPECT_FALSE(changed->truncated);
  EXPECT_EQ(changed->paths.front(), std::string(50, 'p') + "0");
}

TEST_F(GitMoveClientTest, TheHelperRunsInACleanEnvironment) {
  testing::TempDir dir;
  ASSERT_EQ(::setenv("UPKEEP_DAEMON_ONLY", "not for the helper", 1), 0);
  call_.helper_binary =
      Script(dir, "{ env; echo CWD $(pwd); echo UMASK $(umask); } > " + dir.path() +
                      "/seen\n"
                      "echo '{\"paths\": [\"a\"], \"truncated\": false}'\n");
  GitUpdateResult<GitChangedPaths> changed =
      RunGitChanged(call_, GitChangedRequest{repos_.service(), from_, to_});
  ::unsetenv("UPKEEP_DAEMON_ONLY");
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(changed->paths, std::vector<std::string>{"a"});
  const std::string seen = Read(dir.path() + "/seen");
  EXPECT_EQ(seen.find("UPKEEP_DAEMON_ONLY"), std::string::npos) << seen;
  EXPECT_NE(seen.find("PATH=/usr/local/bin:/usr/bin:/bin\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("CWD /\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("UMASK 0022\n"), std::string::npos) << seen;
}

TEST_F(GitMoveClientTest, AHelperStoppedAtItsTimeoutLeavesTheTreeUnknown) {
  testing::TempDir dir;
  call_.helper_binary = Script(dir, "sleep 30\n");
  call_.timeout = std::chrono::milliseconds(300);
  call_.kill_grace = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  GitUpdateResult<GitMoveOutcome> moved = RunGitMove(call_, Move());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, "internal");
  EXPECT_EQ(moved.error().tree, GitTreeState::kUnknown);
  EXPECT_NE(moved.error().message.find("timed out"), std::string::npos) << moved.error().message;

  GitUpdateResult<GitChangedPaths> changed =
      RunGitChanged(call_, GitChangedRequest{repos_.service(), from_, to_});
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().tree, GitTreeState::kUnknown);
}

TEST_F(GitMoveClientTest, AHelperThatDiesOrCannotRunLeavesTheTreeUnknown) {
  testing::TempDir dir;
  for (const std::string& script : {
           std::string("printf '{\"from\": \"ab'\nkill -KILL $$\n"),  // killed mid-answer
           std::string("printf '{\"from\": \"ab'\n"),                 // cut off, exit 0
           std::string("echo broken >&2\nexit 1\n"),                  // no answer at all
       }) {
    call_.helper_binary = Script(dir, script);
    GitUpdateResult<GitMoveOutcome> moved = RunGitMove(call_, Move());
    ASSERT_FALSE(moved.ok()) << script;
    EXPECT_EQ(moved.error().code, "internal") << script;
    EXPECT_EQ(moved.error().tree, GitTreeState::kUnknown) << script << moved.error().message;
  }
  call_.helper_binary = dir.path() + "/no-such-binary";
  GitUpdateResult<GitMoveOutcome> missing = RunGitMove(call_, Move());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().tree, GitTreeState::kUnknown);
  EXPECT_EQ(repos_.Head(repos_.service()), from_);
}

}  // namespace
}  // namespace upkeep
