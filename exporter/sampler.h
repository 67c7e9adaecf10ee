#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/worker_thread.h"
#include "exporter/collector.h"
#include "exporter/gzip_compressor.h"
#include "exporter/metrics_renderer.h"
#include "exporter/snapshot_ring.h"
#include "exporter/update_run_sample.h"
#include "exporter/update_sample.h"

namespace upkeep {

// Where each tick's CPU time went, for the benchmark and the debug log.
struct TickCost {
  std::chrono::nanoseconds collect{0};
  std::chrono::nanoseconds render{0};
  std::chrono::nanoseconds compress{0};
};

// The one thread that reads the host. Every interval it runs each collector, takes the
// latest queue state, renders the Prometheus text, its gzip form and the health JSON
// into a free slot of the SnapshotRing, and publishes it. Requests never sample.
class Sampler {
 public:
  using QueueStateFunction = std::function<QueueSample()>;
  // Appends more families (Prometheus text format) to each tick's metrics text, after the
  // rendered sample and before compression: counters kept elsewhere (server/'s request
  // counters) reach the snapshot without exporter/ knowing them.
  using ExtraMetricsFunction = std::function<void(std::string& out)>;
  // The update check's latest state (see exporter/update_metrics.h for the series it gives);
  // nullopt: no update series (the update check is not configured). It must be cheap (a copy
  // under a lock): the check itself runs on its own thread, never in a tick.
  using UpdateStateFunction = std::function<std::optional<UpdateSample>()>;
  // The update runs' state (see AppendUpdateRunMetrics); nullopt: no run series (no update:
  // section). Cheap too: a copy of counters under a lock, never waiting for a run.
  using UpdateRunStateFunction = std::function<std::optional<UpdateRunSample>()>;

  Sampler(std::vector<std::unique_ptr<Collector>> collectors, QueueStateFunction queue_state,
          std::chrono::milliseconds interval, SnapshotRing& ring);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // Set before Start(); called on the sampler thread once a tick.
  void SetExtraMetrics(ExtraMetricsFunction extra) { extra_metrics_ = std::move(extra); }
  // Set before Start(); called on the sampler thread once a tick. Its series follow the
  // sample's and come before the extra metrics.
  void SetUpdateState(UpdateStateFunction update) { update_state_ = std::move(update); }
  // Set before Start(); called on the sampler thread once a tick. Its series follow the update
  // check's and come before the extra metrics.
  void SetUpdateRunState(UpdateRunStateFunction runs) { update_run_state_ = std::move(runs); }

  // Runs the first tick at once, then one every interval, on a thread of its own.
  void Start();
  // Stops the thread; returns once the tick in progress (if any) has finished.
  void Stop();

  // One tick on the caller's thread (what the thread does each interval). For tests and
  // benchmarks; do not call while the thread runs.
  TickCost Tick();

  uint64_t published() const { return published_.load(std::memory_order_relaxed); }
  uint64_t skipped() const { return skipped_.load(std::memory_order_relaxed); }

 private:
  std::vector<std::unique_ptr<Collector>> collectors_;
  QueueStateFunction queue_state_;
  ExtraMetricsFunction extra_metrics_;
  UpdateStateFunction update_state_;
  UpdateRunStateFunction update_run_state_;
  std::chrono::milliseconds interval_;
  SnapshotRing& ring_;
  MetricsRenderer metrics_renderer_;
  GzipCompressor gzip_;
  uint64_t sequence_ = 0;
  std::vector<std::string> last_errors_;  // per collector, to log a failure once per change
  std::vector<double> begin_seconds_;     // per collector, this tick's Begin() time

  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> skipped_{0};
  WorkerThread worker_;  // last: stopped before the members its ticks use go
};

}  // namespace upkeep
