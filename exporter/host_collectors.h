#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "exporter/collector.h"

namespace upkeep {

struct HostCollectorOptions {
  std::string procfs = "/proc";
  std::string rootfs = "/";
  bool filesystems_auto = false;
  std::vector<std::string> filesystems{"/"};
  std::chrono::milliseconds stat_timeout{500};
};

// Every host collector, in the order the sampler runs them: cpu, meminfo, loadavg, uptime,
// process, filesystem (last, so its statvfs answers are in by then). One place, so the daemon
// and the benchmarks sample alike.
std::vector<std::unique_ptr<Collector>> MakeHostCollectors(const HostCollectorOptions& options);

}  // namespace upkeep
