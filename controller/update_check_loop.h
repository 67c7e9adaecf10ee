#pragma once

#include <chrono>

#include "common/worker_thread.h"
#include "controller/update_checker.h"

namespace upkeep {

// The background update check: checker.Check(false) every `interval`, each wait jittered by
// +-10% so that a fleet of hosts started together does not fetch from the remote in lockstep.
// The first check comes a random moment into the first min(interval / 10, 5 s) after Start():
// soon enough that /metrics knows within seconds of a start (an alert on a pending update
// must not wait a whole interval, 15 minutes by default), spread enough that a fleet restarted
// at once (a config push) does not hit the remote in the same second, and never later than a
// tenth of a short interval. A check within the checker's min_fetch_interval of another (an
// admin's) reuses that fetch, as any check does; the checker's on_run sees each real run.
class UpdateCheckLoop {
 public:
  // checker.Check(false) every `interval` with jitter; first run soon after Start(); 0 = never.
  UpdateCheckLoop(UpdateChecker& checker, std::chrono::milliseconds interval);
  ~UpdateCheckLoop();
  UpdateCheckLoop(const UpdateCheckLoop&) = delete;
  UpdateCheckLoop& operator=(const UpdateCheckLoop&) = delete;

  // Starts the thread (none when the interval is 0). No effect while it runs.
  void Start();
  // Returns at once when idle; a check in progress finishes first (it is bounded by the
  // checker's fetch_timeout).
  void Stop();

 private:
  UpdateChecker& checker_;
  const std::chrono::milliseconds interval_;
  WorkerThread worker_;  // last: stopped before the members its runs use go
};

// The delay before the first check: `unit` in [0, 1] spread over [0, min(interval / 10, 5 s)].
std::chrono::milliseconds FirstCheckDelay(std::chrono::milliseconds interval, double unit);

}  // namespace upkeep
