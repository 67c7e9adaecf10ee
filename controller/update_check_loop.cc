#include "controller/update_check_loop.h"

#include <algorithm>
#include <random>

namespace upkeep {
namespace {

constexpr double kJitter = 0.1;
constexpr std::chrono::milliseconds kMaxFirstDelay{5000};

}  // namespace

std::chrono::milliseconds FirstCheckDelay(std::chrono::milliseconds interval, double unit) {
  const std::chrono::milliseconds span =
      std::clamp(interval / 10, std::chrono::milliseconds(0), kMaxFirstDelay);
  const double share = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(span.count()) * share));
}

UpdateCheckLoop::UpdateCheckLoop(UpdateChecker& checker, std::chrono::milliseconds interval)
    : checker_(checker), interval_(interval) {}

UpdateCheckLoop::~UpdateCheckLoop() { Stop(); }

void UpdateCheckLoop::Start() {
  if (interval_.count() <= 0) return;
  std::random_device seed;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::minstd_rand random(seed());
  // A check that overran (a fetch near its timeout) is followed by a whole (jittered) interval
  // of rest, never at once by another fetch.
  worker_.Start({.interval = interval_,
                 .first_run = WorkerSchedule::FirstRun::kAfterFirstDelay,
                 .overrun = WorkerSchedule::Overrun::kWaitFullInterval,
                 .first_delay = FirstCheckDelay(interval_, unit(random)),
                 .jitter = kJitter},
                // The outcome is not needed here: the checker's on_run records every run.
                [this] { checker_.Check(false); });
}

void UpdateCheckLoop::Stop() { worker_.Stop(); }

}  // namespace upkeep
