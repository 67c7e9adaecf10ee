#pragma once

// The values one sampler tick gathers. Plain data: collectors fill it, renderers read it.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exporter/procfs_parsers.h"
#include "queue/queue_source.h"

namespace upkeep {

struct CpuSample {
  CpuTicks ticks;                 // cumulative since boot
  double ticks_per_second = 100;  // sysconf(_SC_CLK_TCK)
  int cores = 0;
  std::optional<double> usage_ratio;  // busy share over the last interval; none if no time passed
};

struct FilesystemSample {
  std::string mount_point;  // as mounted on the host (without the rootfs prefix)
  std::string device;
  std::string fstype;
  uint64_t size_bytes = 0;   // f_blocks * f_frsize
  uint64_t free_bytes = 0;   // f_bfree * f_frsize
  uint64_t avail_bytes = 0;  // f_bavail * f_frsize (what unprivileged writers can still use)
  bool error = false;        // statvfs failed, or the mount is stuck (sizes then are 0)
  bool stuck = false;        // statvfs did not answer within the timeout
};

struct ProcessSample {
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
  uint64_t open_fds = 0;
  double start_time_seconds = 0;
};

struct CollectorStatus {
  std::string name;
  bool success = false;
  double duration_seconds = 0;
  std::string error;  // empty on success
};

struct Sample {
  double timestamp_seconds = 0;  // wall clock when the tick started
  std::optional<CpuSample> cpu;
  std::optional<MemInfo> memory;
  std::vector<FilesystemSample> filesystems;
  std::optional<LoadAvg> load;
  std::optional<double> boot_time_seconds;
  std::optional<Uptime> uptime;
  std::optional<ProcessSample> process;
  QueueSample queue;
  std::vector<CollectorStatus> collectors;
};

}  // namespace upkeep
