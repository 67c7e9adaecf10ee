// The process runner's cancel flag: another thread (a shutdown) stops a running child and its
// whole group as the timeout would, and a flag that stays false changes nothing.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/process_runner.h"
#include "tests/support/process_checks.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

ProcessOptions Options() {
  ProcessOptions options;
  options.timeout = 60s;
  options.kill_grace = 200ms;
  options.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
  return options;
}

TEST(ProcessRunnerCancelTest, ACancelStopsTheWholeGroupLongBeforeTheTimeout) {
  std::atomic<bool> cancel{false};
  ProcessOptions options = Options();
  options.cancel = &cancel;
  pid_t group = -1;
  options.on_started = [&](pid_t pgid, uint64_t) { group = pgid; };
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    cancel.store(true);
  });
  const auto start = std::chrono::steady_clock::now();
  const Result<ProcessOutcome> outcome =
      RunProcess(ShellCommand("sleep 100 & echo $!; sleep 100"), options);
  canceller.join();
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_FALSE(outcome->timed_out);
  EXPECT_EQ(outcome->signal, SIGTERM);
  const pid_t grandchild = std::stoi(outcome->out);
  EXPECT_TRUE(Eventually([&] { return ProcessIsGone(grandchild); }));
  EXPECT_TRUE(Eventually([&] { return LiveMembers(group) == 0; }));
}

TEST(ProcessRunnerCancelTest, AFlagAlreadySetStopsTheChildAtOnce) {
  std::atomic<bool> cancel{true};
  ProcessOptions options = Options();
  options.cancel = &cancel;
  const Result<ProcessOutcome> outcome = RunProcess(ShellCommand("sleep 100"), options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_EQ(outcome->signal, SIGTERM);
}

TEST(ProcessRunnerCancelTest, AFlagThatStaysFalseChangesNothing) {
  std::atomic<bool> cancel{false};
  ProcessOptions options = Options();
  options.cancel = &cancel;
  const Result<ProcessOutcome> outcome = RunProcess(ShellCommand("echo hi; exit 3"), options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_FALSE(outcome->cancelled);
  EXPECT_EQ(outcome->exit_code, 3);
  EXPECT_EQ(outcome->out, "hi\n");
}

}  // namespace
}  // namespace upkeep
