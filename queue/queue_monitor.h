#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/worker_thread.h"
#include "queue/queue_source.h"

namespace upkeep {

enum class QueueStatus { kIdle, kBusy, kUnknown };

// "idle", "busy" or "unknown".
std::string_view QueueStatusName(QueueStatus status);

// What the controller asks before an update: may it go ahead (only on kIdle)?
struct QueueState {
  QueueStatus status = QueueStatus::kUnknown;
  int64_t depth = 0;            // kIdle and kBusy only
  int64_t active_jobs = 0;      // kBusy: how many run now
  nlohmann::json active_job{};  // kBusy: the first of them
  std::string reason{};         // kUnknown: why (the source's error, staleness, a timeout)
};

struct QueueMonitorOptions {
  std::chrono::milliseconds interval{2000};      // between the starts of two probes
  std::chrono::milliseconds timeout{1000};       // what a probe may take (sources bound themselves)
  std::chrono::milliseconds stale_after{10000};  // older than this, a good probe no longer counts
};

// Probes a QueueSource on a thread of its own, every interval, so that a slow or hung source
// never delays host sampling or a request. Readers never wait for a probe: Latest() and
// State() copy a pointer to the last finished result under a mutex that is only ever held for
// that copy (the probe runs outside it).
//
// An outage is logged when it starts, with its error, and once when probes succeed again;
// while it lasts, each different error once (see LogChange). Never at every probe.
class QueueMonitor {
 public:
  QueueMonitor(std::unique_ptr<QueueSource> source, QueueMonitorOptions options);
  ~QueueMonitor();
  QueueMonitor(const QueueMonitor&) = delete;
  QueueMonitor& operator=(const QueueMonitor&) = delete;

  // Starts the probe thread and waits for its first probe, at most `timeout`, so that the first
  // snapshot already has the queue.
  void Start();
  // Stops the thread; returns once a probe in progress has finished (sources bound themselves).
  void Stop();

  // The latest result for the sampler: depth and jobs from the last good probe, success,
  // duration and error of the last probe, stale when the last good probe is older than
  // stale_after (or there is none).
  QueueSample Latest() const;

  // idle, busy (active jobs > 0, with the count and first job) or unknown (the last probe
  // failed, or no good probe within stale_after), from the latest probe. Never waits.
  QueueState State() const;

  // Asks for a probe that starts after this call and returns its verdict: for decisions that
  // must not rest on a result up to `interval` old. Fails closed: unknown when the probe fails
  // or does not finish in time. Waits at most `timeout` for the fresh probe, plus, when a
  // probe is already running, the rest of that probe's own timeout (it finishes first): at
  // most twice `timeout` in all. Safe to call from any number of threads.
  QueueState ProbeNow();

  std::string_view source_type() const { return type_; }
  // Probes finished so far, for tests.
  uint64_t probes() const { return probes_.load(std::memory_order_relaxed); }

 private:
  using Clock = std::chrono::steady_clock;

  // One finished probe; immutable once published.
  struct Record {
    bool success = false;
    std::string error;
    double duration_seconds = 0;
    Clock::time_point finished;
    double finished_wall_seconds = 0;
    QueueProbe probe;  // success only
  };

  struct View {
    std::shared_ptr<const Record> last;
    std::shared_ptr<const Record> last_good;
  };

  void ProbeOnce();
  void LogChange(const Record& record);
  View Load() const;
  QueueState StateOf(const View& view, Clock::time_point now) const;

  const std::unique_ptr<QueueSource> source_;
  const std::string type_;
  const QueueMonitorOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable finished_;  // ProbeNow and Start waiters: a probe finished
  std::shared_ptr<const Record> last_;
  std::shared_ptr<const Record> last_good_;
  uint64_t requested_ = 0;  // ProbeNow requests so far
  uint64_t covered_ = 0;    // requests answered by a probe that started after them
  bool probing_ = false;
  Clock::time_point probe_started_;
  bool running_ = false;  // between Start() and Stop()

  // The probe thread only: the errors logged in the current outage (empty: none).
  std::vector<std::string> outage_errors_;
  uint64_t outage_probes_ = 0;  // failed probes in the current outage
  std::atomic<uint64_t> probes_{0};

  WorkerThread worker_;  // last: stopped before the members its probes use go
};

}  // namespace upkeep
