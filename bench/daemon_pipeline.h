#pragma once

// The daemon's sampling side for the benchmarks, wired as server/daemon.cc wires it with the
// default config: MakeHostCollectors() (the daemon's own factory), the queue state from a
// QueueMonitor on the `none` source, and the HTTP request counters appended to every tick's
// /metrics text. So a benchmark tick costs what a daemon tick costs.

#include <memory>

#include "exporter/sample.h"
#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"
#include "queue/queue_monitor.h"
#include "server/access_control.h"

namespace upkeep::bench {

class DaemonPipeline {
 public:
  DaemonPipeline();
  ~DaemonPipeline();
  DaemonPipeline(const DaemonPipeline&) = delete;
  DaemonPipeline& operator=(const DaemonPipeline&) = delete;

  // Tick() it on the caller's thread; do not Start() it.
  Sampler& sampler() { return *sampler_; }
  SnapshotRing& ring() { return ring_; }

 private:
  SnapshotRing ring_;
  AccessControl access_;  // only its request counters are used (not started: no credentials)
  std::unique_ptr<QueueMonitor> queue_;
  std::unique_ptr<Sampler> sampler_;
};

// One Sample of this machine, from a pipeline that has ticked a few times (so the CPU usage
// ratio is an interval value).
Sample CollectHostSample();

}  // namespace upkeep::bench
