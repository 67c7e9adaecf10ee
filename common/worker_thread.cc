#include "common/worker_thread.h"

#include <algorithm>
#include <random>
#include <utility>

namespace upkeep {
namespace {

// The WorkerThread whose work the calling thread runs, if any: Stop() from the work must not
// join (it would wait for itself).
thread_local const WorkerThread* running_worker = nullptr;

}  // namespace

std::chrono::steady_clock::duration Jittered(std::chrono::milliseconds interval, double jitter,
                                             double unit) {
  jitter = std::clamp(jitter, 0.0, 1.0);
  unit = std::clamp(unit, 0.0, 1.0);
  const double factor = 1.0 + jitter * (2.0 * unit - 1.0);
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(static_cast<double>(interval.count()) * factor));
}

WorkerThread::~WorkerThread() { Stop(); }

void WorkerThread::Start(WorkerSchedule schedule, std::function<void()> work) {
  if (thread_.joinable()) {
    if (running()) return;
    thread_.join();  // it was stopped from its own work, which does not join
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    started_ = true;
  }
  thread_ =
      std::thread([this, schedule, work = std::move(work)]() mutable { Run(schedule, work); });
}

void WorkerThread::Wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void WorkerThread::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (running_worker == this) return;  // from the work: the owner joins later
  if (thread_.joinable()) thread_.join();
}

bool WorkerThread::running() const {
  std::lock_guard lock(mutex_);
  return started_ && !stopping_;
}

void WorkerThread::Run(WorkerSchedule schedule, const std::function<void()>& work) {
  using Clock = std::chrono::steady_clock;
  running_worker = this;
  // Seeded once per thread, and only when asked for: a fixed cadence stays deterministic.
  std::minstd_rand random(schedule.jitter > 0 ? std::random_device{}() : 1u);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto wait = [&]() -> Clock::duration {
    if (schedule.jitter <= 0) return schedule.interval;
    return Jittered(schedule.interval, schedule.jitter, unit(random));
  };
  std::unique_lock lock(mutex_);
  Clock::time_point next = Clock::now();
  if (schedule.first_run == WorkerSchedule::FirstRun::kAfterInterval) next += wait();
  if (schedule.first_run == WorkerSchedule::FirstRun::kAfterFirstDelay) {
    next += schedule.first_delay;
  }
  for (;;) {
    const bool woken = wake_.wait_until(lock, next, [this] { return stopping_ || woken_; });
    if (stopping_) break;
    woken_ = false;
    // A scheduled run counts from its due time, so the cadence does not drift by the wake-up
    // latency; a woken run starts a new cadence.
    const Clock::time_point started = woken ? Clock::now() : next;
    lock.unlock();
    work();
    lock.lock();
    next = started + wait();
    const Clock::time_point now = Clock::now();
    if (next < now) {
      next = schedule.overrun == WorkerSchedule::Overrun::kRunAtOnce ? now : now + wait();
    }
  }
}

}  // namespace upkeep
