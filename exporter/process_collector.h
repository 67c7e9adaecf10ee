#pragma once

#include <string>

#include "common/file_reader.h"
#include "exporter/collector.h"

namespace upkeep {

// The daemon's own CPU time, resident memory, open file descriptors and start time
// (the standard process_* series). Always reads the real /proc/self: --path.procfs
// points host collectors elsewhere (a fixture, a host mount), but this process lives here.
//
// Each tick reads /proc/self/statm and clock_gettime(CLOCK_PROCESS_CPUTIME_ID), not
// /proc/self/stat: with CivetWeb's 512 worker threads, generating /proc/self/stat walks
// every thread twice (CPU times and fault counts) and was a fifth of the live sampler's CPU;
// the two used here cost a quarter of it (bench/RESULTS.md). /proc/self/stat is read once,
// for the start time.
class ProcessCollector : public Collector {
 public:
  ProcessCollector(double ticks_per_second, long page_size,
                   const std::string& self_procfs = "/proc");
  std::string_view Name() const override { return "process"; }
  Status Collect(Sample& sample) override;

 private:
  Status ReadStartTime();

  std::string stat_path_;       // <self_procfs>/self/stat, read once
  std::string proc_stat_path_;  // <self_procfs>/stat, read once (boot time)
  ProcFile statm_file_;         // <self_procfs>/self/statm
  std::string fd_dir_;
  long page_size_;
  double ticks_per_second_;
  double start_time_seconds_ = -1;  // read once: it does not change while we run
  std::string buffer_;
};

}  // namespace upkeep
