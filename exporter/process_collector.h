#pragma once

#include <string>

#include "exporter/collector.h"
#include "exporter/file_reader.h"

namespace upkeep {

// The daemon's own CPU time, resident memory, open file descriptors and start time
// (the standard process_* series). Always reads the real /proc/self: --path.procfs
// points host collectors elsewhere (a fixture, a host mount), but this process lives here.
class ProcessCollector : public Collector {
 public:
  ProcessCollector(double ticks_per_second, long page_size,
                   const std::string& self_procfs = "/proc");
  std::string_view Name() const override { return "process"; }
  Status Collect(Sample& sample) override;

 private:
  ProcFile stat_file_;  // <self_procfs>/self/stat
  std::string fd_dir_;
  std::string proc_stat_path_;
  double ticks_per_second_;
  long page_size_;
  double boot_time_seconds_ = -1;  // read once: it does not change while we run
  std::string buffer_;
};

}  // namespace upkeep
