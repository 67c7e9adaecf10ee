#include "controller/update_checker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/fd.h"
#include "controller/git_helper.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

std::vector<std::string> OwnArgs() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

// Started as `controller_unit_tests git check ...` (by the UpdateChecker under test), this
// binary is the git helper, as `upkeep git check ...` will be: it answers and exits before
// gtest's main runs. exit() (not _exit) so that a coverage build writes its counts.
const bool kRanAsHelper = [] {
  const std::vector<std::string> args = OwnArgs();
  if (args.size() >= 3 && args[1] == "git") {
    std::exit(RunGitHelper(std::vector<std::string>(args.begin() + 2, args.end()), 0, 1));
  }
  return false;
}();

std::string CurrentUser() {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof buffer, &found) != 0 || found == nullptr) {
    return std::to_string(::geteuid());
  }
  return found->pw_name;
}

std::string OwnBinary() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// A TCP listener on 127.0.0.1 that never accepts: connections complete (the backlog) and then
// hear nothing, as from a remote that accepts and says nothing.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_.get(), 16), 0);
    EXPECT_EQ(::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  uint16_t port() const { return port_; }

 private:
  Fd fd_;
  uint16_t port_ = 0;
};

// Processes whose command line mentions `text` (a helper left behind would).
int ProcessesMentioning(const std::string& text) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::stringstream cmdline;
    cmdline << in.rdbuf();
    if (cmdline.str().find(text) != std::string::npos) ++count;
  }
  return count;
}

class UpdateCheckerTest : public ::testing::Test {
 protected:
  UpdateCheckerOptions Options() const {
    UpdateCheckerOptions options;
    options.helper_binary = OwnBinary();
    options.request.repo = repos_.service();
    options.min_fetch_interval = std::chrono::minutes(10);
    options.fetch_timeout = std::chrono::seconds(20);
    // The temp repos belong to whoever runs the test (root in CI): say so, as a config must.
    options.user = CurrentUser();
    return options;
  }

  std::unique_ptr<UpdateChecker> Make(UpdateCheckerOptions options) {
    return std::make_unique<UpdateChecker>(
        std::move(options), [this] { return queue_; },
        [this] {
          return UpdateLockFlags{in_progress_.load(), false};
        });
  }

  testing::GitRepos repos_;
  QueueState queue_{QueueStatus::kIdle, 0, 0, {}, ""};
  std::atomic<bool> in_progress_{false};
};

TEST_F(UpdateCheckerTest, ChecksThroughTheHelperAndReusesItsFetch) {
  ASSERT_FALSE(kRanAsHelper);
  repos_.PushCommits(2);
  auto checker = Make(Options());
  UpdateCheckOutcome first = checker->Check();
  ASSERT_TRUE(first.answer.has_value()) << first.error->message;
  EXPECT_EQ(first.answer->commits_behind, 2u);
  EXPECT_TRUE(first.answer->can_update);
  ASSERT_TRUE(first.answer->fetched_at.has_value());
  EXPECT_EQ(checker->helper_runs(), 1u);

  // Within min_fetch_interval: the same facts, the live queue.
  repos_.PushCommits(1, 3);
  queue_.status = QueueStatus::kBusy;
  UpdateCheckOutcome second = checker->Check();
  ASSERT_TRUE(second.answer.has_value());
  EXPECT_EQ(second.answer->commits_behind, 2u);
  EXPECT_EQ(second.answer->fetched_at, first.answer->fetched_at);
  ASSERT_EQ(second.answer->blockers.size(), 1u);
  EXPECT_EQ(second.answer->blockers[0], UpdateBlocker::kJobsActive);
  EXPECT_EQ(checker->helper_runs(), 1u);

  // refresh forces a fetch.
  UpdateCheckOutcome third = checker->Check(true);
  ASSERT_TRUE(third.answer.has_value());
  EXPECT_EQ(third.answer->commits_behind, 3u);
  EXPECT_EQ(checker->helper_runs(), 2u);
}

TEST_F(UpdateCheckerTest, ConcurrentChecksShareOneFetch) {
  repos_.PushCommits(1);
  auto checker = Make(Options());
  std::vector<std::thread> threads;
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      if (checker->Check().answer.has_value()) ++answered;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), 50);
  EXPECT_EQ(checker->helper_runs(), 1u);
}

TEST_F(UpdateCheckerTest, WhileAnUpdateRunsItAnswersFromMemory) {
  auto checker = Make(Options());
  in_progress_ = true;
  UpdateCheckOutcome none = checker->Check(true);
  ASSERT_TRUE(none.error.has_value());
  EXPECT_EQ(none.error->kind, CheckErrorKind::kUpdateInProgress);
  EXPECT_EQ(checker->helper_runs(), 0u);

  in_progress_ = false;
  ASSERT_TRUE(checker->Check().answer.has_value());
  in_progress_ = true;
  std::filesystem::remove_all(repos_.service() + "/.git");  // nothing may touch it now
  UpdateCheckOutcome remembered = checker->Check(true);
  ASSERT_TRUE(remembered.answer.has_value());
  EXPECT_EQ(remembered.answer->blockers,
            std::vector<UpdateBlocker>{UpdateBlocker::kUpdateInProgress});
  EXPECT_EQ(checker->helper_runs(), 1u);
}

TEST_F(UpdateCheckerTest, ErrorsComeWithTheLastGoodAnswer) {
  auto checker = Make(Options());
  ASSERT_TRUE(checker->Check().answer.has_value());
  std::filesystem::remove_all(repos_.remote());
  UpdateCheckOutcome failed = checker->Check(true);
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_EQ(failed.error->kind, CheckErrorKind::kFetchFailed);
  ASSERT_TRUE(failed.last.has_value());
  EXPECT_EQ(failed.last->current_revision, repos_.Head(repos_.service()));
  // A failure is remembered for min_fetch_interval too: the remote is not hammered.
  EXPECT_TRUE(checker->Check().error.has_value());
  EXPECT_EQ(checker->helper_runs(), 2u);
}

TEST_F(UpdateCheckerTest, ASilentRemoteIsStoppedAtTheFetchTimeout) {
  SilentListener silent;
  const std::string url = "git://127.0.0.1:" + std::to_string(silent.port()) + "/remote.git";
  testing::Git(repos_.service(), {"remote", "set-url", "origin", url});
  UpdateCheckerOptions options = Options();
  options.request.allow_insecure_transport = true;
  options.fetch_timeout = std::chrono::milliseconds(1500);
  options.kill_grace = std::chrono::milliseconds(500);
  auto checker = Make(options);
  const auto start = std::chrono::steady_clock::now();
  UpdateCheckOutcome outcome = checker->Check();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(outcome.error->message.find("timed out after 1s500ms"), std::string::npos)
      << outcome.error->message;
  EXPECT_LT(took, std::chrono::seconds(15));  // generous: the timeout plus the grace, and slack
  EXPECT_EQ(ProcessesMentioning(repos_.service()), 0);
}

TEST_F(UpdateCheckerTest, AHelperThatCannotRunIsAnInternalError) {
  UpdateCheckerOptions options = Options();
  options.helper_binary = repos_.root() + "/no-such-binary";
  auto checker = Make(options);
  UpdateCheckOutcome outcome = checker->Check();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, CheckErrorKind::kInternal);
  EXPECT_FALSE(outcome.last.has_value());
}

TEST_F(UpdateCheckerTest, AHelperWithoutAnAnswerIsAnInternalError) {
  UpdateCheckerOptions options = Options();
  options.helper_binary = "/bin/false";
  auto checker = Make(options);
  UpdateCheckOutcome outcome = checker->Check();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->kind, CheckErrorKind::kInternal);
  EXPECT_NE(outcome.error->message.find("exited with 1"), std::string::npos)
      << outcome.error->message;
}

TEST_F(UpdateCheckerTest, EveryHelperRunIsReportedOnceAndReusedAnswersAreNot) {
  std::vector<UpdateCheckRun> runs;
  UpdateCheckerOptions options = Options();
  options.on_run = [&](const UpdateCheckRun& run) { runs.push_back(run); };
  repos_.PushCommits(2);
  auto checker = Make(options);
  const SystemTime before = std::chrono::system_clock::now();
  ASSERT_TRUE(checker->Check().answer.has_value());
  ASSERT_TRUE(checker->Check().answer.has_value());  // reused: no run
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_TRUE(runs[0].facts.has_value());
  EXPECT_EQ(runs[0].facts->commits_behind, 2u);
  EXPECT_FALSE(runs[0].error.has_value());
  EXPECT_GE(runs[0].started, before);
  EXPECT_GT(runs[0].duration.count(), 0);

  std::filesystem::remove_all(repos_.remote());
  ASSERT_TRUE(checker->Check(true).error.has_value());
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_FALSE(runs[1].facts.has_value());
  ASSERT_TRUE(runs[1].error.has_value());
  EXPECT_EQ(runs[1].error->kind, CheckErrorKind::kFetchFailed);
}

TEST_F(UpdateCheckerTest, FetchForUpdateRunsWhileTheLockSaysAnUpdateIsInProgress) {
  std::vector<UpdateCheckRun> runs;
  UpdateCheckerOptions options = Options();
  options.on_run = [&](const UpdateCheckRun& run) { runs.push_back(run); };
  auto checker = Make(options);
  ASSERT_TRUE(checker->Check().answer.has_value());
  repos_.PushCommits(2);
  in_progress_ = true;  // the update runner holds the lock

  // Within min_fetch_interval, and the flags say an update runs: it fetches all the same.
  CheckResult<GitFacts> facts = checker->FetchForUpdate();
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_TRUE(facts->fetched);
  EXPECT_EQ(facts->commits_behind, 2u);
  EXPECT_EQ(checker->helper_runs(), 2u);
  ASSERT_EQ(runs.size(), 2u);
  ASSERT_TRUE(runs[1].facts.has_value());

  // A check meanwhile starts no helper and answers from what that run found.
  UpdateCheckOutcome check = checker->Check(true);
  ASSERT_TRUE(check.answer.has_value());
  EXPECT_EQ(check.answer->commits_behind, 2u);
  EXPECT_EQ(check.answer->blockers, std::vector<UpdateBlocker>{UpdateBlocker::kUpdateInProgress});
  EXPECT_EQ(checker->helper_runs(), 2u);

  // Without a fetch: the checkout as it is, the remote's new commit unseen.
  repos_.PushCommits(1, 3);
  CheckResult<GitFacts> looked = checker->FetchForUpdate(false);
  ASSERT_TRUE(looked.ok()) << looked.error().message;
  EXPECT_FALSE(looked->fetched);
  EXPECT_EQ(looked->commits_behind, 2u);
  EXPECT_EQ(checker->helper_runs(), 3u);
  EXPECT_EQ(runs.size(), 3u);
}

TEST_F(UpdateCheckerTest, FetchForUpdateWaitsForABackgroundRunInFlight) {
  // A helper that takes a while and notes any run that overlaps another.
  testing::TempDir dir;
  const std::string running = dir.path() + "/running";
  const std::string overlap = dir.path() + "/overlap";
  std::string script = "#!/bin/sh\n";
  script += "mkdir " + running + " 2>/dev/null || touch " + overlap + "\n";
  script += "sleep 0.5\n";
  script += "rmdir " + running + "\n";
  script += R"(echo '{"error": {"kind": "fetch_failed", "message": "scripted"}}')";
  const std::string helper = dir.Write("helper.sh", script);
  std::filesystem::permissions(helper, std::filesystem::perms(0755));
  UpdateCheckerOptions options = Options();
  options.helper_binary = helper;
  auto checker = Make(options);
  std::thread background([&] { checker->Check(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(running) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  in_progress_ = true;
  CheckResult<GitFacts> facts = checker->FetchForUpdate();
  background.join();
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().message, "scripted");
  EXPECT_EQ(checker->helper_runs(), 2u);
  EXPECT_FALSE(std::filesystem::exists(overlap));
}

// A stand-in helper that records what it was given: its argv, its environment and its stdin.
std::string RecordingHelper(const testing::TempDir& dir) {
  const std::string seen = dir.path() + "/seen";
  const std::string helper = dir.Write(
      "helper.sh",
      "#!/bin/sh\n"
      "{ echo \"ARGS $*\"; env; echo STDIN; cat; } > " +
          seen +
          "\n"
          "echo '{\"error\": {\"kind\": \"fetch_failed\", \"message\": \"recorded\"}}'\n");
  std::filesystem::permissions(
      helper, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                  std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                  std::filesystem::perms::others_exec);
  return helper;
}

TEST_F(UpdateCheckerTest, TheTokenReachesTheHelperOnStdinOnly) {
  testing::TempDir dir;
  UpdateCheckerOptions options = Options();
  options.helper_binary = RecordingHelper(dir);
  options.https_token_file = dir.Write("token", "ghp_s3cretvalue\n");
  auto checker = Make(options);
  UpdateCheckOutcome outcome = checker->Check();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->message, "recorded");
  std::ifstream in(dir.path() + "/seen");
  std::stringstream seen;
  seen << in.rdbuf();
  const std::string text = seen.str();
  const size_t stdin_at = text.find("STDIN\n");
  ASSERT_NE(stdin_at, std::string::npos) << text;
  EXPECT_EQ(text.substr(stdin_at + 6), "ghp_s3cretvalue\n");
  EXPECT_EQ(text.substr(0, stdin_at).find("s3cret"), std::string::npos) << text;
  EXPECT_NE(text.find("ARGS git check --repo " + repos_.service()), std::string::npos) << text;
  EXPECT_NE(text.find("PATH=/usr/local/bin:/usr/bin:/bin"), std::string::npos) << text;

  // A token file that cannot be read stops the run before anything is spawned.
  std::filesystem::remove(dir.path() + "/seen");
  options.https_token_file = dir.path() + "/missing-token";
  auto unreadable = Make(options);
  UpdateCheckOutcome refused = unreadable->Check();
  ASSERT_TRUE(refused.error.has_value());
  EXPECT_EQ(refused.error->kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(refused.error->message.find("missing-token"), std::string::npos)
      << refused.error->message;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/seen"));
}

TEST_F(UpdateCheckerTest, TheDefaultUserIsTheOwnerButNeverImplicitlyRoot) {
  UpdateCheckerOptions options = Options();
  options.user = "";
  if (::geteuid() == 0) {
    // The temp repos are root's: running git there needs "root" written out.
    UpdateCheckOutcome outcome = Make(options)->Check();
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->kind, CheckErrorKind::kRepoPermission);
    EXPECT_NE(outcome.error->message.find(repos_.service()), std::string::npos);
    EXPECT_NE(outcome.error->message.find("update.user: root"), std::string::npos)
        << outcome.error->message;
  } else {
    EXPECT_TRUE(Make(options)->Check().answer.has_value());  // the owner is us
  }

  options.request.repo = repos_.root() + "/no-such-checkout";
  UpdateCheckOutcome missing = Make(options)->Check();
  ASSERT_TRUE(missing.error.has_value());
  EXPECT_EQ(missing.error->kind, CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(missing.error->message.find("no-such-checkout"), std::string::npos);

  options.user = "no-such-user-upkeep";
  UpdateCheckOutcome unknown = Make(options)->Check();
  ASSERT_TRUE(unknown.error.has_value());
  EXPECT_EQ(unknown.error->kind, CheckErrorKind::kRepoPermission);
  EXPECT_NE(unknown.error->message.find("no-such-user-upkeep"), std::string::npos);
}

}  // namespace
}  // namespace upkeep
