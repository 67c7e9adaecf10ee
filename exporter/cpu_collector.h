#pragma once

#include <optional>
#include <string>

#include "common/file_reader.h"
#include "exporter/collector.h"

namespace upkeep {

// /proc/stat: CPU time by mode, the number of online CPUs, the boot time, and the busy
// share over the last interval (from the tick deltas between two Collect() calls; the
// first call, with nothing before it, gives the average since boot).
class CpuCollector : public Collector {
 public:
  CpuCollector(std::string procfs, double ticks_per_second);
  std::string_view Name() const override { return "cpu"; }
  Status Collect(Sample& sample) override;

 private:
  ProcFile file_;
  double ticks_per_second_;
  std::string buffer_;
  std::optional<CpuTicks> previous_;
};

// Busy share of the CPU time that passed between two readings, 0..1; none when no time
// passed or the counters went backwards (a counter reset).
std::optional<double> CpuUsageRatio(const CpuTicks& before, const CpuTicks& after);

}  // namespace upkeep
