#include "controller/update_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <thread>
#include <vector>

#include "common/process_runner.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

ProcessOptions ChildOptions(const std::string& cwd) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  options.env = {"PATH=/usr/bin:/bin"};
  options.cwd = cwd;
  return options;
}

// What `flock -n` (util-linux) says of the lock from another process: 0 when it could take
// it, 42 when it is held.
int OtherProcessTry(const std::string& dir, const std::string& path) {
  Result<ProcessOutcome> outcome =
      RunProcess({"flock", "-n", "-E", "42", path, "true"}, ChildOptions(dir));
  EXPECT_TRUE(outcome.ok()) << outcome.error();
  return outcome.ok() ? outcome->exit_code : -1;
}

bool WaitForFile(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(UpdateLockTest, AnotherProcessHoldingTheLockReadsAsHeldUntilItExits) {
  testing::TempDir dir;
  UpdateLock lock(dir.path());
  // The child takes the flock (the flock CLI), says so, and holds it until told to stop.
  std::thread child([&] {
    Result<ProcessOutcome> outcome =
        RunProcess({"flock", lock.path(), "sh", "-c",
                    "touch ready && while [ ! -e release ]; do sleep 0.05; done"},
                   ChildOptions(dir.path()));
    ASSERT_TRUE(outcome.ok()) << outcome.error();
    EXPECT_EQ(outcome->exit_code, 0) << outcome->err;
  });
  ASSERT_TRUE(WaitForFile(dir.path() + "/ready"));

  Result<bool> held = lock.IsHeldElsewhere();
  ASSERT_TRUE(held.ok()) << held.error();
  EXPECT_TRUE(*held);
  Result<std::optional<UpdateLockGuard>> attempt = lock.TryAcquire();
  ASSERT_TRUE(attempt.ok()) << attempt.error();
  EXPECT_FALSE(attempt->has_value());
  // A failed attempt leaves nothing behind in this process: still held elsewhere.
  EXPECT_TRUE(*lock.IsHeldElsewhere());

  dir.Write("release", "");
  child.join();
  held = lock.IsHeldElsewhere();
  ASSERT_TRUE(held.ok()) << held.error();
  EXPECT_FALSE(*held);
  attempt = lock.TryAcquire();
  ASSERT_TRUE(attempt.ok()) << attempt.error();
  EXPECT_TRUE(attempt->has_value());
}

TEST(UpdateLockTest, AGuardKeepsOtherProcessesOutUntilItIsDestroyed) {
  testing::TempDir dir;
  UpdateLock lock(dir.path());
  {
    Result<std::optional<UpdateLockGuard>> attempt = lock.TryAcquire();
    ASSERT_TRUE(attempt.ok()) << attempt.error();
    ASSERT_TRUE(attempt->has_value());
    EXPECT_TRUE((*attempt)->holds());
    EXPECT_EQ(OtherProcessTry(dir.path(), lock.path()), 42);
    // Held here, not elsewhere.
    EXPECT_FALSE(*lock.IsHeldElsewhere());
  }
  EXPECT_EQ(OtherProcessTry(dir.path(), lock.path()), 0);
}

TEST(UpdateLockTest, OneHolderInThisProcessAndAMovedGuardStillHolds) {
  testing::TempDir dir;
  UpdateLock lock(dir.path());
  Result<std::optional<UpdateLockGuard>> first = lock.TryAcquire();
  ASSERT_TRUE(first.ok() && first->has_value());
  Result<std::optional<UpdateLockGuard>> second = lock.TryAcquire();
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_FALSE(second->has_value());

  UpdateLockGuard moved = std::move(**first);
  EXPECT_FALSE((*first)->holds());
  EXPECT_TRUE(moved.holds());
  first->reset();  // destroying the moved-from guard releases nothing
  EXPECT_FALSE(lock.TryAcquire()->has_value());
  EXPECT_EQ(OtherProcessTry(dir.path(), lock.path()), 42);

  moved.Release();
  EXPECT_FALSE(moved.holds());
  moved.Release();  // twice is harmless
  EXPECT_EQ(OtherProcessTry(dir.path(), lock.path()), 0);
  EXPECT_TRUE(lock.TryAcquire()->has_value());
}

TEST(UpdateLockTest, ConcurrentAttemptsGiveExactlyOneGuard) {
  testing::TempDir dir;
  UpdateLock lock(dir.path());
  constexpr int kThreads = 16;
  std::latch start(kThreads);
  std::latch tried(kThreads);
  std::atomic<int> winners{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      Result<std::optional<UpdateLockGuard>> attempt = lock.TryAcquire();
      if (!attempt.ok()) ++errors;
      if (attempt.ok() && attempt->has_value()) ++winners;
      // Everyone keeps what they got until all have tried.
      tried.arrive_and_wait();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_TRUE(lock.TryAcquire()->has_value());
}

TEST(UpdateLockTest, TheDescriptorIsCloseOnExecAndTheFileIs0600) {
  testing::TempDir dir;
  // A lock file made by hand with a wider mode is narrowed.
  dir.Write("update.lock", "");
  ASSERT_EQ(::chmod((dir.path() + "/update.lock").c_str(), 0644), 0);
  UpdateLock lock(dir.path());
  Result<std::optional<UpdateLockGuard>> attempt = lock.TryAcquire();
  ASSERT_TRUE(attempt.ok() && attempt->has_value());
  const int flags = ::fcntl((*attempt)->fd(), F_GETFD);
  ASSERT_GE(flags, 0);
  EXPECT_NE(flags & FD_CLOEXEC, 0);
  EXPECT_EQ(ModeOf(lock.path()), 0600u);

  testing::TempDir fresh;
  UpdateLock created(fresh.path());
  ASSERT_TRUE(created.TryAcquire()->has_value());
  EXPECT_EQ(ModeOf(created.path()), 0600u);
}

TEST(UpdateLockTest, ProbingAMissingFileSaysFreeAndCreatesNothing) {
  testing::TempDir dir;
  UpdateLock lock(dir.path());
  Result<bool> held = lock.IsHeldElsewhere();
  ASSERT_TRUE(held.ok()) << held.error();
  EXPECT_FALSE(*held);
  EXPECT_FALSE(std::filesystem::exists(lock.path()));
}

TEST(UpdateLockTest, AnUnusableLockFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  UpdateLock missing_dir(dir.path() + "/nope");
  Result<std::optional<UpdateLockGuard>> attempt = missing_dir.TryAcquire();
  ASSERT_FALSE(attempt.ok());
  EXPECT_NE(attempt.error().find(dir.path() + "/nope/update.lock"), std::string::npos)
      << attempt.error();

  // A symlink planted under the name is not followed.
  const std::string target = dir.Write("elsewhere", "");
  ASSERT_EQ(::symlink(target.c_str(), (dir.path() + "/update.lock").c_str()), 0);
  UpdateLock planted(dir.path());
  EXPECT_FALSE(planted.TryAcquire().ok());
  EXPECT_FALSE(planted.IsHeldElsewhere().ok());
}

}  // namespace
}  // namespace upkeep
