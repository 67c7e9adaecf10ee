// WorkerThread under ThreadSanitizer: wakes from many threads while the owner stops and
// restarts it, and work that shares state with the waking threads.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/worker_thread.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

TEST(WorkerThreadConcurrencyTest, WakesFromManyThreadsWhileTheOwnerStopsAndRestarts) {
  WorkerThread worker;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> runs{0};
  std::atomic<uint64_t> wakes{0};
  std::vector<std::thread> wakers;
  for (int i = 0; i < 4; ++i) {
    wakers.emplace_back([&] {
      while (!stop.load()) {
        worker.Wake();
        wakes.fetch_add(1);
        std::this_thread::yield();
      }
    });
  }
  WorkerSchedule schedule;
  schedule.interval = 1h;  // every run is a woken one
  for (int round = 0; round < 20; ++round) {
    const uint64_t before = runs.load();
    worker.Start(schedule, [&] { runs.fetch_add(1); });
    // Wakes keep coming, so the worker runs again and again until stopped.
    while (runs.load() < before + 3) std::this_thread::yield();
    worker.Stop();
    const uint64_t stopped = runs.load();
    std::this_thread::sleep_for(1ms);
    EXPECT_EQ(runs.load(), stopped) << "a run after Stop() returned";
  }
  stop = true;
  for (std::thread& waker : wakers) waker.join();
  EXPECT_GE(runs.load(), 60u);
  EXPECT_GT(wakes.load(), 0u);
}

// The work reads what other threads publish before waking it: Wake() orders their writes
// before the run it causes (TSan would see a race otherwise).
TEST(WorkerThreadConcurrencyTest, AWakeHandsOverWhatTheWakerWroteBefore) {
  WorkerThread worker;
  uint64_t handed = 0;  // plain: written by the waker before Wake(), read by the work
  std::atomic<uint64_t> seen{0};
  std::atomic<uint64_t> done{0};
  WorkerSchedule schedule;
  schedule.interval = 1h;
  schedule.first_run = WorkerSchedule::FirstRun::kAfterInterval;
  worker.Start(schedule, [&] {
    seen.store(handed);
    done.fetch_add(1);
  });
  for (uint64_t i = 1; i <= 200; ++i) {
    const uint64_t before = done.load();
    handed = i;
    worker.Wake();
    while (done.load() == before) std::this_thread::yield();
    EXPECT_EQ(seen.load(), i);
  }
  worker.Stop();
}

}  // namespace
}  // namespace upkeep
