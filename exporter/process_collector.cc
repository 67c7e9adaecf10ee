#include "exporter/process_collector.h"

#include <dirent.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace upkeep {
namespace {

Result<uint64_t> CountOpenFds(const std::string& fd_dir) {
  DIR* dir = ::opendir(fd_dir.c_str());
  if (dir == nullptr) return MakeError("opendir " + fd_dir + ": " + std::strerror(errno));
  uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count > 0 ? count - 1 : 0;  // minus the descriptor opendir itself holds
}

}  // namespace

ProcessCollector::ProcessCollector(double ticks_per_second, long page_size,
                                   const std::string& self_procfs)
    : stat_path_(self_procfs + "/self/stat"),
      proc_stat_path_(self_procfs + "/stat"),
      statm_file_(self_procfs + "/self/statm"),
      fd_dir_(self_procfs + "/self/fd"),
      page_size_(page_size),
      ticks_per_second_(ticks_per_second) {}

Status ProcessCollector::ReadStartTime() {
  if (Status read = ReadFileInto(proc_stat_path_, buffer_); !read) return read;
  const Result<ProcStat> boot = ParseProcStat(buffer_);
  if (!boot) return MakeError(proc_stat_path_ + ": " + boot.error());
  if (Status read = ReadFileInto(stat_path_, buffer_); !read) return read;
  const Result<ProcessStat> stat = ParseProcessStat(buffer_);
  if (!stat) return MakeError(stat_path_ + ": " + stat.error());
  start_time_seconds_ = static_cast<double>(boot->boot_time) +
                        static_cast<double>(stat->start_time_ticks) / ticks_per_second_;
  return OkStatus();
}

Status ProcessCollector::Collect(Sample& sample) {
  if (start_time_seconds_ < 0) {
    if (Status read = ReadStartTime(); !read) return read;
  }
  timespec cpu{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) != 0) {
    return MakeError(std::string("clock_gettime(CLOCK_PROCESS_CPUTIME_ID): ") +
                     std::strerror(errno));
  }
  if (Status read = statm_file_.ReadInto(buffer_); !read) return read;
  const Result<ProcessStatm> statm = ParseProcessStatm(buffer_);
  if (!statm) return MakeError(statm_file_.path() + ": " + statm.error());
  const Result<uint64_t> fds = CountOpenFds(fd_dir_);
  if (!fds) return MakeError(fds.error());

  ProcessSample process;
  process.cpu_seconds = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
  process.resident_bytes = statm->resident_pages * static_cast<uint64_t>(page_size_);
  process.open_fds = *fds;
  process.start_time_seconds = start_time_seconds_;
  sample.process = process;
  return OkStatus();
}

}  // namespace upkeep
