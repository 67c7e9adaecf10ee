#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace upkeep {

// When a WorkerThread runs its work.
struct WorkerSchedule {
  enum class FirstRun {
    kAtOnce,
    kAfterInterval,
    kAfterFirstDelay,  // after `first_delay` (a caller that spreads its first run picks it)
  };
  // What follows a run that took longer than the interval. Never a burst of catch-up runs.
  enum class Overrun {
    kRunAtOnce,         // one run at once, then the cadence again
    kWaitFullInterval,  // one whole interval of rest first (the work is what ran late)
  };

  // Between the starts of two runs; a run is never started while the previous one runs.
  std::chrono::milliseconds interval{1000};
  FirstRun first_run = FirstRun::kAtOnce;
  Overrun overrun = Overrun::kRunAtOnce;
  std::chrono::milliseconds first_delay{0};  // with FirstRun::kAfterFirstDelay
  // Each wait for a scheduled run is the interval times a random factor in
  // [1 - jitter, 1 + jitter], drawn afresh for every wait (0.1: +-10%), so that many processes
  // started together (a fleet restarted at once) drift apart instead of all running in the
  // same second. 0: the fixed cadence. Clamped to [0, 1].
  double jitter = 0;
};

// `interval` scaled by 1 + jitter * (2 * unit - 1): `unit` in [0, 1] maps onto
// [interval * (1 - jitter), interval * (1 + jitter)]. The jittered wait, with the randomness
// left to the caller so that it can be checked.
std::chrono::steady_clock::duration Jittered(std::chrono::milliseconds interval, double jitter,
                                             double unit);

// A thread that runs one function every interval, or sooner when woken, until stopped: the
// sampler's ticks, the queue probes, the credential watcher's polls, the background update check.
// The work runs with no lock held, so Wake() and Stop() never wait for it (Stop() only for the
// join).
//
// Start(), Stop() and the destructor belong to the owner (one thread at a time); Wake() is for
// any thread at any time. An owner whose work uses its members stops the worker in its own
// destructor (or declares the worker last) so that no run outlives what it uses.
class WorkerThread {
 public:
  WorkerThread() = default;
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // Starts the thread. No effect while it runs; after Stop() it starts afresh. `work` must not
  // throw (it runs on a thread of its own; an exception there ends the process).
  void Start(WorkerSchedule schedule, std::function<void()> work);
  // Asks for a run as soon as possible: at once when idle, right after the run in progress
  // otherwise (wakes that come during one run make one more run, not several). A wake before
  // Start() is kept for the first wait.
  void Wake();
  // Stops the thread: a waiting worker wakes at once; a run in progress finishes first. Then
  // joins. Safe to call twice, before Start(), and from the work itself (which then only
  // asks: the owner's Stop() or destructor joins).
  void Stop();

  // Started and not stopped.
  bool running() const;

 private:
  void Run(WorkerSchedule schedule, const std::function<void()>& work);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool started_ = false;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace upkeep
