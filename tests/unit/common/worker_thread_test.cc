// WorkerThread: when the work runs (at once or after an interval, every interval, when woken),
// and that Stop() is prompt and safe. Time only bounds a test from below (a sleep never ends
// early) or generously from above (a worker that ignored Wake or Stop would take an hour).

#include "common/worker_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Far beyond any scheduling delay; far below the hour a missed wake-up would take.
constexpr auto kGenerous = 10s;
constexpr std::chrono::milliseconds kHour = 1h;

// Counts runs and lets a test wait for the n-th.
class Runs {
 public:
  void Record() {
    {
      std::lock_guard lock(mutex_);
      starts_.push_back(Clock::now());
    }
    changed_.notify_all();
  }
  bool WaitFor(size_t n, std::chrono::milliseconds limit = kGenerous) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return starts_.size() >= n; });
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return starts_.size();
  }
  std::vector<Clock::time_point> starts() const {
    std::lock_guard lock(mutex_);
    return starts_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Clock::time_point> starts_;
};

WorkerSchedule Every(std::chrono::milliseconds interval,
                     WorkerSchedule::FirstRun first = WorkerSchedule::FirstRun::kAtOnce) {
  WorkerSchedule schedule;
  schedule.interval = interval;
  schedule.first_run = first;
  return schedule;
}

TEST(WorkerThreadTest, RunsAtOnceThenEveryIntervalNeverFaster) {
  Runs runs;
  WorkerThread worker;
  const auto started = Clock::now();
  worker.Start(Every(20ms), [&] { runs.Record(); });
  ASSERT_TRUE(runs.WaitFor(6));
  worker.Stop();
  const std::vector<Clock::time_point> starts = runs.starts();
  // The first at once, then one per interval: the sixth starts five intervals in, or later.
  EXPECT_GE(starts[5] - started, 5 * 20ms);
  EXPECT_LT(starts[0] - started, kGenerous);
}

TEST(WorkerThreadTest, FirstRunAfterIntervalWaitsOneInterval) {
  Runs runs;
  WorkerThread worker;
  const auto started = Clock::now();
  worker.Start(Every(100ms, WorkerSchedule::FirstRun::kAfterInterval), [&] { runs.Record(); });
  ASSERT_TRUE(runs.WaitFor(1));
  worker.Stop();
  EXPECT_GE(runs.starts()[0] - started, 100ms);
}

TEST(WorkerThreadTest, FirstRunAfterFirstDelayWaitsThatLongThenTheInterval) {
  Runs runs;
  WorkerThread worker;
  WorkerSchedule schedule = Every(kHour, WorkerSchedule::FirstRun::kAfterFirstDelay);
  schedule.first_delay = 100ms;
  const auto started = Clock::now();
  worker.Start(schedule, [&] { runs.Record(); });
  ASSERT_TRUE(runs.WaitFor(1));
  worker.Stop();
  EXPECT_GE(runs.starts()[0] - started, 100ms);
  EXPECT_EQ(runs.count(), 1u);  // the next one was an hour away
}

TEST(WorkerThreadTest, JitteredSpansTheIntervalPlusOrMinusTheJitter) {
  EXPECT_EQ(Jittered(1000ms, 0.1, 0.0), 900ms);
  EXPECT_EQ(Jittered(1000ms, 0.1, 0.5), 1000ms);
  EXPECT_EQ(Jittered(1000ms, 0.1, 1.0), 1100ms);
  EXPECT_EQ(Jittered(1000ms, 0.0, 0.9), 1000ms);
  // Out-of-range inputs are clamped: a wait is never negative, nor more than twice the interval.
  EXPECT_EQ(Jittered(1000ms, 3.0, 0.0), 0ms);
  EXPECT_EQ(Jittered(1000ms, 0.1, 7.0), 1100ms);
  EXPECT_EQ(Jittered(1000ms, -1.0, 0.0), 1000ms);
}

// With jitter the waits vary, none below interval * (1 - jitter).
TEST(WorkerThreadTest, JitteredRunsKeepToTheShortestJitteredWait) {
  Runs runs;
  WorkerThread worker;
  WorkerSchedule schedule = Every(20ms);
  schedule.jitter = 0.5;
  const auto started = Clock::now();
  worker.Start(schedule, [&] { runs.Record(); });
  ASSERT_TRUE(runs.WaitFor(6));
  worker.Stop();
  const std::vector<Clock::time_point> starts = runs.starts();
  // The cadence counts from due times (not from late starts), so only the sum is bounded.
  EXPECT_GE(starts[5] - started, 5 * 10ms);
}

TEST(WorkerThreadTest, WakeRunsTheWorkWithoutWaitingForTheInterval) {
  Runs runs;
  WorkerThread worker;
  worker.Start(Every(kHour), [&] { runs.Record(); });
  ASSERT_TRUE(runs.WaitFor(1));
  for (size_t n = 2; n <= 4; ++n) {
    worker.Wake();
    ASSERT_TRUE(runs.WaitFor(n)) << n;
  }
  worker.Stop();
  EXPECT_EQ(runs.count(), 4u);
}

// Wakes that arrive while the work runs ask for one more run, not one each.
TEST(WorkerThreadTest, WakesDuringARunMakeOneMoreRun) {
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool open = false;
  Runs runs;
  WorkerThread worker;
  worker.Start(Every(kHour), [&] {
    runs.Record();
    std::unique_lock lock(gate_mutex);
    gate_cv.wait(lock, [&] { return open; });
  });
  ASSERT_TRUE(runs.WaitFor(1));  // the first run is inside the work, held at the gate
  for (int i = 0; i < 5; ++i) worker.Wake();
  {
    std::lock_guard lock(gate_mutex);
    open = true;
  }
  gate_cv.notify_all();
  ASSERT_TRUE(runs.WaitFor(2));
  worker.Stop();  // returns after the second run: nothing asked for a third
  EXPECT_EQ(runs.count(), 2u);
}

TEST(WorkerThreadTest, AWakeBeforeStartIsKeptForTheFirstWait) {
  Runs runs;
  WorkerThread worker;
  worker.Wake();
  worker.Start(Every(kHour, WorkerSchedule::FirstRun::kAfterInterval), [&] { runs.Record(); });
  EXPECT_TRUE(runs.WaitFor(1));
}

TEST(WorkerThreadTest, StopWakesASleepingWorkerPromptly) {
  Runs runs;
  WorkerThread worker;
  worker.Start(Every(kHour), [&] { runs.Record(); });
  ASSERT_TRUE(runs.WaitFor(1));
  EXPECT_TRUE(worker.running());
  const auto before = Clock::now();
  worker.Stop();
  EXPECT_LT(Clock::now() - before, kGenerous);
  EXPECT_FALSE(worker.running());
  EXPECT_EQ(runs.count(), 1u);
}

TEST(WorkerThreadTest, StopLetsTheRunInProgressFinish) {
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  WorkerThread worker;
  worker.Start(Every(kHour), [&] {
    entered = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  while (!entered.load()) std::this_thread::yield();
  worker.Stop();
  EXPECT_TRUE(finished.load());
}

TEST(WorkerThreadTest, StopIsSafeBeforeStartTwiceAndFromTheDestructor) {
  Runs runs;
  {
    WorkerThread never_started;
    never_started.Stop();
    EXPECT_FALSE(never_started.running());
  }
  {
    WorkerThread worker;
    worker.Start(Every(kHour), [&] { runs.Record(); });
    ASSERT_TRUE(runs.WaitFor(1));
    worker.Stop();
    worker.Stop();
  }
  {
    WorkerThread destroyed_running;
    destroyed_running.Start(Every(kHour), [&] { runs.Record(); });
    ASSERT_TRUE(runs.WaitFor(2));
  }  // the destructor stops and joins; a run after it would touch `runs` too late
  EXPECT_EQ(runs.count(), 2u);
}

TEST(WorkerThreadTest, StartWhileRunningIsIgnoredAndStartAfterStopStartsAfresh) {
  Runs first;
  Runs second;
  WorkerThread worker;
  worker.Start(Every(kHour), [&] { first.Record(); });
  worker.Start(Every(kHour), [&] { second.Record(); });  // already running: ignored
  ASSERT_TRUE(first.WaitFor(1));
  worker.Stop();
  worker.Start(Every(kHour), [&] { second.Record(); });
  ASSERT_TRUE(second.WaitFor(1));
  worker.Stop();
  EXPECT_EQ(first.count(), 1u);
  EXPECT_EQ(second.count(), 1u);
}

// The work may stop its own worker (it only asks; the owner joins).
TEST(WorkerThreadTest, TheWorkCanStopItsOwnWorker) {
  Runs runs;
  WorkerThread worker;
  worker.Start(Every(1ms), [&] {
    runs.Record();
    if (runs.count() == 3) worker.Stop();
  });
  ASSERT_TRUE(runs.WaitFor(3));
  const auto stopped_by_work = [&] { return !worker.running(); };
  for (int i = 0; i < 1000 && !stopped_by_work(); ++i) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(stopped_by_work());
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runs.count(), 3u);
  worker.Start(Every(kHour), [&] { runs.Record(); });  // joins the stopped thread, starts again
  EXPECT_TRUE(runs.WaitFor(4));
  worker.Stop();
}

// A run longer than the interval: with kRunAtOnce the next follows at once, with
// kWaitFullInterval after a whole interval; never a burst of catch-up runs either way.
TEST(WorkerThreadTest, AnOverrunIsFollowedAsTheScheduleSays) {
  constexpr auto kInterval = 500ms;
  for (const auto overrun :
       {WorkerSchedule::Overrun::kRunAtOnce, WorkerSchedule::Overrun::kWaitFullInterval}) {
    std::mutex mutex;
    std::vector<Clock::time_point> ends;
    Runs runs;
    WorkerSchedule schedule = Every(kInterval);
    schedule.overrun = overrun;
    WorkerThread worker;
    worker.Start(schedule, [&] {
      runs.Record();
      if (runs.count() == 1) std::this_thread::sleep_for(kInterval * 2);  // misses one run
      std::lock_guard lock(mutex);
      ends.push_back(Clock::now());
    });
    ASSERT_TRUE(runs.WaitFor(3));
    worker.Stop();
    const std::vector<Clock::time_point> starts = runs.starts();
    std::lock_guard lock(mutex);
    // No catch-up: the third run is at least one interval after the overrun ended.
    EXPECT_GE(starts[2] - ends[0], kInterval);
    if (overrun == WorkerSchedule::Overrun::kWaitFullInterval) {
      EXPECT_GE(starts[1] - ends[0], kInterval);
    } else {
      EXPECT_LT(starts[1] - ends[0], kInterval) << "the run after an overrun waited";
    }
  }
}

}  // namespace
}  // namespace upkeep
