// UpdateCheckLoop with a real UpdateChecker on real repositories: this test binary is the git
// helper it starts (update_checker_test.cc makes it answer `controller_unit_tests git ...`).
// Time only bounds a test from below or generously from above.

#include "controller/update_check_loop.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "controller/update_status.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Far beyond any check on a local remote; far below the hour a missed wake-up would take.
constexpr auto kGenerous = 30s;

std::string CurrentUser() {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof buffer, &found) != 0 || found == nullptr) {
    return std::to_string(::geteuid());
  }
  return found->pw_name;
}

template <typename Condition>
bool WaitUntil(Condition condition) {
  const auto deadline = Clock::now() + kGenerous;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class UpdateCheckLoopTest : public ::testing::Test {
 protected:
  // A checker whose every Check runs the helper (no fetch is reused), feeding `tracker_`.
  std::unique_ptr<UpdateChecker> MakeChecker() {
    UpdateCheckerOptions options;
    options.helper_binary = std::filesystem::read_symlink("/proc/self/exe").string();
    options.request.repo = repos_.service();
    options.min_fetch_interval = 0ms;
    options.fetch_timeout = 20s;
    options.user = CurrentUser();
    options.on_run = [this](const UpdateCheckRun& run) { tracker_.Record(run); };
    return std::make_unique<UpdateChecker>(
        std::move(options),
        [] {
          return QueueState{QueueStatus::kIdle, 0, 0, {}, ""};
        },
        [] { return UpdateLockFlags{}; });
  }

  testing::GitRepos repos_;
  UpdateStatusTracker tracker_{""};
};

TEST(UpdateCheckLoopDelayTest, TheFirstCheckComesWithinATenthOfTheIntervalAtMostFiveSeconds) {
  EXPECT_EQ(FirstCheckDelay(15min, 0.0), 0ms);
  EXPECT_EQ(FirstCheckDelay(15min, 1.0), 5s);
  EXPECT_EQ(FirstCheckDelay(15min, 0.5), 2500ms);
  EXPECT_EQ(FirstCheckDelay(10s, 1.0), 1s);
  EXPECT_EQ(FirstCheckDelay(50ms, 1.0), 5ms);
  EXPECT_EQ(FirstCheckDelay(15min, 2.0), 5s);  // clamped
}

TEST_F(UpdateCheckLoopTest, ChecksEveryIntervalAndFeedsTheStatus) {
  repos_.PushCommits(2);
  auto checker = MakeChecker();
  UpdateCheckLoop loop(*checker, 50ms);
  const auto started = Clock::now();
  loop.Start();
  ASSERT_TRUE(WaitUntil([&] { return checker->helper_runs() >= 3; }));
  loop.Stop();
  // Three checks: the first within 5 ms of Start, then two waits of at least 45 ms each.
  EXPECT_GE(Clock::now() - started, 2 * 45ms);
  const UpdateCheckStatus status = tracker_.Status();
  EXPECT_TRUE(status.checked);
  EXPECT_TRUE(status.success);
  EXPECT_TRUE(status.available);
  EXPECT_EQ(status.commits_behind, 2u);
  EXPECT_EQ(status.current_version, "v1.0.0");

  const uint64_t runs = checker->helper_runs();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(checker->helper_runs(), runs) << "a check ran after Stop()";
}

// With a long interval the loop sleeps between checks; Stop() wakes it, not the hour.
TEST_F(UpdateCheckLoopTest, StopIsPromptWhileWaiting) {
  auto checker = MakeChecker();
  UpdateCheckLoop loop(*checker, 1h);
  loop.Start();
  // The first check is due within 5 s of Start.
  ASSERT_TRUE(WaitUntil([&] { return checker->helper_runs() >= 1; }));
  const auto stopping = Clock::now();
  loop.Stop();
  EXPECT_LT(Clock::now() - stopping, kGenerous);
  EXPECT_EQ(checker->helper_runs(), 1u);
  EXPECT_TRUE(tracker_.Status().success);
  EXPECT_FALSE(tracker_.Status().available);
  loop.Stop();  // again: no effect
}

TEST_F(UpdateCheckLoopTest, AZeroIntervalNeverChecks) {
  auto checker = MakeChecker();
  {
    UpdateCheckLoop loop(*checker, 0ms);
    loop.Start();
    std::this_thread::sleep_for(200ms);
    loop.Stop();
  }
  EXPECT_EQ(checker->helper_runs(), 0u);
  EXPECT_FALSE(tracker_.Status().checked);
}

TEST_F(UpdateCheckLoopTest, TheDestructorStopsARunningLoop) {
  auto checker = MakeChecker();
  {
    UpdateCheckLoop loop(*checker, 1h);
    loop.Start();
    ASSERT_TRUE(WaitUntil([&] { return checker->helper_runs() >= 1; }));
  }
  EXPECT_EQ(checker->helper_runs(), 1u);
}

}  // namespace
}  // namespace upkeep
