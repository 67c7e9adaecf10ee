#include "exporter/process_collector.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>

#include "exporter/file_reader.h"

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
    : stat_file_(self_procfs + "/self/stat"),
      fd_dir_(self_procfs + "/self/fd"),
      proc_stat_path_(self_procfs + "/stat"),
      ticks_per_second_(ticks_per_second),
      page_size_(page_size) {}

Status ProcessCollector::Collect(Sample& sample) {
  if (boot_time_seconds_ < 0) {
    if (Status read = ReadFileInto(proc_stat_path_, buffer_); !read) return read;
    Result<ProcStat> stat = ParseProcStat(buffer_);
    if (!stat) return MakeError(proc_stat_path_ + ": " + stat.error());
    boot_time_seconds_ = static_cast<double>(stat->boot_time);
  }
  if (Status read = stat_file_.ReadInto(buffer_); !read) return read;
  Result<ProcessStat> stat = ParseProcessStat(buffer_);
  if (!stat) return MakeError(stat_file_.path() + ": " + stat.error());
  Result<uint64_t> fds = CountOpenFds(fd_dir_);
  if (!fds) return MakeError(fds.error());

  ProcessSample process;
  process.cpu_seconds =
      static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_second_;
  process.resident_bytes = stat->rss_pages > 0 ? static_cast<uint64_t>(stat->rss_pages) *
                                                     static_cast<uint64_t>(page_size_)
                                               : 0;
  process.open_fds = *fds;
  process.start_time_seconds =
      boot_time_seconds_ + static_cast<double>(stat->start_time_ticks) / ticks_per_second_;
  sample.process = process;
  return OkStatus();
}

}  // namespace upkeep
