#include "exporter/cpu_collector.h"

#include "common/file_reader.h"

namespace upkeep {

CpuCollector::CpuCollector(std::string procfs, double ticks_per_second)
    : file_(std::move(procfs) + "/stat"), ticks_per_second_(ticks_per_second) {}

std::optional<double> CpuUsageRatio(const CpuTicks& before, const CpuTicks& after) {
  const uint64_t total_before = before.Total();
  const uint64_t total_after = after.Total();
  const uint64_t busy_before = before.Busy();
  const uint64_t busy_after = after.Busy();
  if (total_after <= total_before || busy_after < busy_before) return std::nullopt;
  const double ratio = static_cast<double>(busy_after - busy_before) /
                       static_cast<double>(total_after - total_before);
  return ratio > 1.0 ? 1.0 : ratio;
}

Status CpuCollector::Collect(Sample& sample) {
  if (Status read = file_.ReadInto(buffer_); !read) return read;
  Result<ProcStat> stat = ParseProcStat(buffer_);
  if (!stat) return MakeError(file_.path() + ": " + stat.error());

  CpuSample cpu;
  cpu.ticks = stat->total;
  cpu.ticks_per_second = ticks_per_second_;
  cpu.cores = stat->cores;
  // The first tick has no previous reading: it reports the average since boot, so the
  // health JSON has a usage from its first snapshot on.
  cpu.usage_ratio = CpuUsageRatio(previous_.value_or(CpuTicks{}), stat->total);
  previous_ = stat->total;
  sample.cpu = cpu;
  sample.boot_time_seconds = static_cast<double>(stat->boot_time);
  return OkStatus();
}

}  // namespace upkeep
