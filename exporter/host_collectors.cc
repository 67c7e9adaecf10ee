#include "exporter/host_collectors.h"

#include <unistd.h>

#include "exporter/cpu_collector.h"
#include "exporter/filesystem_collector.h"
#include "exporter/load_collector.h"
#include "exporter/memory_collector.h"
#include "exporter/process_collector.h"
#include "exporter/uptime_collector.h"

namespace upkeep {

std::vector<std::unique_ptr<Collector>> MakeHostCollectors(const HostCollectorOptions& options) {
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::make_unique<CpuCollector>(options.procfs, ticks_per_second));
  collectors.push_back(std::make_unique<MemoryCollector>(options.procfs));
  collectors.push_back(std::make_unique<LoadCollector>(options.procfs));
  collectors.push_back(std::make_unique<UptimeCollector>(options.procfs));
  collectors.push_back(std::make_unique<ProcessCollector>(ticks_per_second, sysconf(_SC_PAGESIZE)));
  // Last: its statvfs calls, handed to the workers in Begin(), run while the collectors above
  // read their files, so that by its Collect() the answers are usually in and the sampler does
  // not sleep on them.
  collectors.push_back(std::make_unique<FilesystemCollector>(FilesystemCollectorOptions{
      .procfs = options.procfs,
      .rootfs = options.rootfs,
      .select_auto = options.filesystems_auto,
      .mount_points = options.filesystems,
      .stat_timeout = options.stat_timeout,
      .stat_fn_for_test = {},
  }));
  return collectors;
}

}  // namespace upkeep
