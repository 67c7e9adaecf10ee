#include "auth/failure_lockout.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = FailureLockout::Clock;

TEST(FailureLockoutTest, LocksAfterMaxFailuresWithinTheWindow) {
  FailureLockout lockout(3, seconds(60));
  const Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(lockout.AnyLocked());
  EXPECT_FALSE(lockout.RecordFailure(7, t0));
  EXPECT_FALSE(lockout.RecordFailure(7, t0 + seconds(1)));
  EXPECT_FALSE(lockout.LockedFor(7, t0 + seconds(1)).has_value());
  EXPECT_TRUE(lockout.RecordFailure(7, t0 + seconds(2)));  // the third
  EXPECT_TRUE(lockout.AnyLocked());
  // Locked for one window from the locking failure; Retry-After rounds up.
  EXPECT_EQ(lockout.LockedFor(7, t0 + seconds(2)), seconds(60));
  EXPECT_EQ(lockout.LockedFor(7, t0 + seconds(2) + milliseconds(59'500)), seconds(1));
  EXPECT_FALSE(lockout.LockedFor(7, t0 + seconds(62)).has_value());
  // Another client is not affected.
  EXPECT_FALSE(lockout.LockedFor(8, t0 + seconds(3)).has_value());
}

TEST(FailureLockoutTest, FailuresSpreadOverMoreThanAWindowDoNotLock) {
  FailureLockout lockout(3, seconds(10));
  const Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(lockout.RecordFailure(1, t0));
  EXPECT_FALSE(lockout.RecordFailure(1, t0 + seconds(5)));
  EXPECT_FALSE(lockout.RecordFailure(1, t0 + seconds(11)));  // a new window starts here
  EXPECT_FALSE(lockout.RecordFailure(1, t0 + seconds(12)));
  EXPECT_FALSE(lockout.LockedFor(1, t0 + seconds(12)).has_value());
  EXPECT_TRUE(lockout.RecordFailure(1, t0 + seconds(13)));
}

TEST(FailureLockoutTest, SweepDropsExpiredLocksAndLowersTheFlag) {
  FailureLockout lockout(1, seconds(5));
  const Clock::time_point t0 = Clock::now();
  EXPECT_TRUE(lockout.RecordFailure(1, t0));
  EXPECT_TRUE(lockout.RecordFailure(2, t0 + seconds(3)));
  lockout.Sweep(t0 + seconds(6));  // 1 expired, 2 not
  EXPECT_TRUE(lockout.AnyLocked());
  EXPECT_FALSE(lockout.LockedFor(1, t0 + seconds(6)).has_value());
  EXPECT_TRUE(lockout.LockedFor(2, t0 + seconds(6)).has_value());
  lockout.Sweep(t0 + seconds(9));
  EXPECT_FALSE(lockout.AnyLocked());
}

TEST(FailureLockoutTest, ZeroMaxFailuresDisablesIt) {
  FailureLockout lockout(0, seconds(60));
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(lockout.RecordFailure(1, t0));
  EXPECT_FALSE(lockout.AnyLocked());
  EXPECT_FALSE(lockout.enabled());
}

TEST(FailureLockoutTest, ManyClientsStayBounded) {
  FailureLockout lockout(2, seconds(60));
  const Clock::time_point t0 = Clock::now();
  // More distinct clients than are tracked: bookkeeping resets rather than growing.
  for (uint64_t key = 0; key < 70'000; ++key) lockout.RecordFailure(key, t0);
  EXPECT_FALSE(lockout.AnyLocked());
  EXPECT_TRUE(lockout.RecordFailure(69'999, t0));
}

}  // namespace
}  // namespace upkeep
