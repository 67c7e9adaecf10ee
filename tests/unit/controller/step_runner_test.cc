// One update step with real shell scripts: the clean environment with the update's variables
// and nothing of ours, the directory, the user, the log's header, output and footer, a failing
// step, and a hung step whose whole process group (a grandchild too) is killed at its timeout.

#include "controller/step_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/fd.h"
#include "tests/support/daemon_process.h"
#include "tests/support/process_checks.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Processes of group `pgid` that still run (zombies waiting for init do not count).
// A repo directory and a log file, as the update runner has them.
class StepRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0711), 0);  // let another user reach the repo
    repo_ = dir_.path() + "/repo";
    std::filesystem::create_directory(repo_);
    log_path_ = dir_.path() + "/update.log";
    log_ = Fd(::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    ASSERT_TRUE(log_.valid());
    context_.repo = repo_;
    context_.env = {{"PM2_HOME", "/home/render/.pm2"}, {"PATH", "/opt/node/bin:/usr/bin:/bin"}};
    context_.update_id = "20261130T031500Z-1a2b3c4d";
    context_.from_rev = std::string(40, 'a');
    context_.to_rev = std::string(40, 'b');
    context_.log_fd = log_.get();
    context_.kill_grace = 200ms;
  }

  std::string Log() const { return ReadAll(log_path_); }

  TempDir dir_;
  std::string repo_;
  std::string log_path_;
  Fd log_;
  StepContext context_;
};

TEST_F(StepRunnerTest, CleanEnvironmentWithTheUpdatesVariablesInTheRepo) {
  ASSERT_EQ(::setenv("UPKEEP_STEP_TEST_SECRET", "hunter2", 1), 0);
  const StepOutcome outcome = RunStep(
      {.name = "install", .run = "env; echo cwd=$(pwd); echo mask=$(umask)", .timeout = 30s},
      context_);
  ::unsetenv("UPKEEP_STEP_TEST_SECRET");
  EXPECT_EQ(outcome.state, StepState::kOk);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.error, "");
  const std::string log = Log();
  const std::vector<std::string> lines = {"UPKEEP_UPDATE_ID=20261130T031500Z-1a2b3c4d",
                                          "UPKEEP_FROM_REV=" + context_.from_rev,
                                          "UPKEEP_TO_REV=" + context_.to_rev,
                                          "PM2_HOME=/home/render/.pm2",
                                          "PATH=/opt/node/bin:/usr/bin:/bin",
                                          "cwd=" + repo_,
                                          "mask=0022"};
  for (const std::string& line : lines) {
    EXPECT_NE(log.find("\n" + line + "\n"), std::string::npos) << line << " in\n" << log;
  }
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
  EXPECT_NE(log.find("\nHOME="), std::string::npos);
  EXPECT_NE(log.find("\nUSER="), std::string::npos);
  EXPECT_TRUE(log.starts_with("--- step install: env; echo cwd=$(pwd); echo mask=$(umask) (as "))
      << log;
  EXPECT_NE(log.find(", timeout 30s)\n"), std::string::npos) << log;
  EXPECT_NE(log.find("\n--- step install: ok, took "), std::string::npos) << log;
}

TEST_F(StepRunnerTest, RunsAsTheGivenUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const Result<RunAs> nobody = ResolveUser("65534");
  ASSERT_TRUE(nobody.ok()) << nobody.error();
  ASSERT_EQ(::chown(repo_.c_str(), 65534, 65534), 0);
  context_.run_as = *nobody;
  const StepOutcome outcome = RunStep(
      {.name = "build", .run = "echo built > out.txt; echo home=$HOME user=$USER"}, context_);
  ASSERT_EQ(outcome.state, StepState::kOk) << outcome.error << outcome.tail;
  struct stat info {};
  ASSERT_EQ(::stat((repo_ + "/out.txt").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 65534u);
  EXPECT_EQ(info.st_mode & 0777, 0644u);  // umask 022
  const std::string log = Log();
  EXPECT_NE(log.find("(as " + nobody->name + ", timeout 10m)"), std::string::npos) << log;
  EXPECT_NE(log.find("home=" + nobody->home + " user=" + nobody->name + "\n"), std::string::npos)
      << log;
}

TEST_F(StepRunnerTest, AFailingStepAndItsTail) {
  const StepOutcome outcome =
      RunStep({.name = "migrate",
               .run = "for i in $(seq 1 30); do echo line $i >&2; done; echo to-stdout; exit 3"},
              context_);
  EXPECT_EQ(outcome.state, StepState::kFailed);
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(outcome.signal, 0);
  EXPECT_EQ(outcome.error, "");
  std::string expected;
  for (int i = 21; i <= 30; ++i) expected += (i > 21 ? "\n" : "") + ("line " + std::to_string(i));
  EXPECT_EQ(outcome.tail, expected);
  EXPECT_NE(Log().find("to-stdout\n"), std::string::npos);
  EXPECT_NE(Log().find("\n--- step migrate: failed (exit 3), took "), std::string::npos) << Log();

  const StepOutcome killed =
      RunStep({.name = "crash", .run = "echo only-out; kill -KILL $$"}, context_);
  EXPECT_EQ(killed.state, StepState::kFailed);
  EXPECT_EQ(killed.exit_code, std::nullopt);
  EXPECT_EQ(killed.signal, SIGKILL);
  EXPECT_EQ(killed.tail, "only-out");
  EXPECT_NE(Log().find("\n--- step crash: killed by signal 9, took "), std::string::npos) << Log();
}

TEST_F(StepRunnerTest, OutputIsAppendedToTheLog) {
  ASSERT_EQ(::write(log_.get(), "earlier\n", 8), 8);
  EXPECT_EQ(RunStep({.name = "one", .run = "echo first"}, context_).state, StepState::kOk);
  EXPECT_EQ(RunStep({.name = "two", .run = "echo second >&2"}, context_).state, StepState::kOk);
  const std::string log = Log();
  EXPECT_TRUE(log.starts_with("earlier\n--- step one: echo first (as ")) << log;
  const size_t first = log.find("\nfirst\n");
  const size_t second = log.find("\nsecond\n");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_TRUE(log.ends_with("\n")) << log;
}

TEST_F(StepRunnerTest, ALogThatCannotBeWrittenDoesNotStopTheStep) {
  const Fd read_only(::open(log_path_.c_str(), O_RDONLY | O_CLOEXEC));
  context_.log_fd = read_only.get();
  const StepOutcome outcome = RunStep({.name = "quiet", .run = "echo hello; touch ran"}, context_);
  EXPECT_EQ(outcome.state, StepState::kOk);
  EXPECT_TRUE(std::filesystem::exists(repo_ + "/ran"));
  EXPECT_EQ(Log(), "");
}

TEST_F(StepRunnerTest, AMultiLineCommandIsOneHeaderLine) {
  RunStep({.name = "multi", .run = "echo a\necho b"}, context_);
  EXPECT_TRUE(Log().starts_with("--- step multi: echo a\\necho b (as ")) << Log();
}

TEST_F(StepRunnerTest, AStepPastItsTimeoutLosesItsWholeGroup) {
  pid_t group = 0;
  bool running_at_start = false;
  context_.on_started = [&](pid_t pgid, uint64_t start_ticks) {
    group = pgid;
    running_at_start = ::kill(pgid, 0) == 0 && ::getpgid(pgid) == pgid && start_ticks > 0;
  };
  const StepOutcome outcome = RunStep(
      {.name = "hang", .run = "sleep 600 & echo $! > grandchild.pid; sleep 600", .timeout = 500ms},
      context_);
  EXPECT_EQ(outcome.state, StepState::kTimedOut);
  EXPECT_TRUE(running_at_start);
  ASSERT_GT(group, 0);
  EXPECT_TRUE(Eventually([&] { return LiveMembers(group) == 0; }));
  std::string grandchild;
  ASSERT_TRUE(Eventually([&] {
    grandchild = ReadAll(repo_ + "/grandchild.pid");
    return !grandchild.empty();
  }));
  const std::vector<std::string> fields = StatFields(std::stoi(grandchild));
  EXPECT_TRUE(fields.empty() || fields[0] == "Z") << grandchild;
  EXPECT_NE(Log().find("\n--- step hang: timed out after 500ms, took "), std::string::npos)
      << Log();
}

TEST_F(StepRunnerTest, AStepThatCannotStartIsAFailureWithTheReason) {
  context_.repo = dir_.path() + "/no-such-repo";
  const StepOutcome outcome = RunStep({.name = "install", .run = "true"}, context_);
  EXPECT_EQ(outcome.state, StepState::kFailed);
  EXPECT_EQ(outcome.exit_code, std::nullopt);
  EXPECT_NE(outcome.error.find("chdir " + context_.repo), std::string::npos) << outcome.error;
  EXPECT_NE(Log().find("\n--- step install: could not start: cannot run /bin/sh: chdir "),
            std::string::npos)
      << Log();
}

TEST(StepEnvironmentTest, UpdateVariablesWinAndTheRestIsClean) {
  StepContext context;
  context.env = {{"UPKEEP_UPDATE_ID", "forged"}, {"NODE_ENV", "production"}};
  context.update_id = "id";
  const std::vector<std::string> env = StepEnvironment(context);
  EXPECT_EQ(std::count(env.begin(), env.end(), "UPKEEP_UPDATE_ID=id"), 1);
  EXPECT_EQ(std::count(env.begin(), env.end(), "UPKEEP_UPDATE_ID=forged"), 0);
  EXPECT_EQ(std::count(env.begin(), env.end(), "NODE_ENV=production"), 1);
  EXPECT_EQ(std::count(env.begin(), env.end(), "PATH=/usr/local/bin:/usr/bin:/bin"), 1);
  EXPECT_EQ(env.size(), 9u);  // HOME USER LOGNAME SHELL PATH NODE_ENV and the three UPKEEP_*
}

}  // namespace
}  // namespace upkeep
