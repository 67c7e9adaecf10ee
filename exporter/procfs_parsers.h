#pragma once

// Pure parsers for the /proc files upkeep reads. No I/O: each takes the file's text and
// returns the parsed values or an Error naming what was wrong. Tested with literal input
// (tests/unit/procfs_parsers_test.cc) and fuzzed (tests/fuzz/).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace upkeep {

// Aggregate CPU time by mode, in clock ticks (USER_HZ), from the "cpu " line of /proc/stat.
struct CpuTicks {
  uint64_t user = 0;
  uint64_t nice = 0;
  uint64_t system = 0;
  uint64_t idle = 0;
  uint64_t iowait = 0;
  uint64_t irq = 0;
  uint64_t softirq = 0;
  uint64_t steal = 0;

  uint64_t Total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
  // Time not spent idle or waiting for I/O.
  uint64_t Busy() const { return Total() - idle - iowait; }
};

struct ProcStat {
  CpuTicks total;          // the aggregate "cpu" line
  int cores = 0;           // number of "cpuN" lines (online CPUs)
  uint64_t boot_time = 0;  // "btime", seconds since the epoch
};

// /proc/stat. Needs the "cpu " line (at least user..idle; older kernels lack later fields,
// which stay 0) and "btime". Guest time is already included in user/nice and is not added.
// Those two lines must end in '\n', as the kernel writes them: a text cut inside one of them
// is an error, not a smaller value.
Result<ProcStat> ParseProcStat(std::string_view text);

// /proc/meminfo, converted to bytes. Needs MemTotal and MemAvailable (Linux >= 3.14); the
// values read must carry their "kB" unit (a line cut mid-number lacks it).
struct MemInfo {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t available_bytes = 0;
  uint64_t buffers_bytes = 0;
  uint64_t cached_bytes = 0;

  // What the kernel cannot hand out without reclaiming or swapping: MemTotal - MemAvailable.
  uint64_t UsedBytes() const {
    return total_bytes > available_bytes ? total_bytes - available_bytes : 0;
  }
};
Result<MemInfo> ParseMeminfo(std::string_view text);

// /proc/loadavg: "0.52 0.58 0.59 1/467 12345". All five fields are required.
struct LoadAvg {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
};
Result<LoadAvg> ParseLoadavg(std::string_view text);

// /proc/uptime: "350735.47 234388.90" (uptime, idle), seconds.
struct Uptime {
  double uptime_seconds = 0;
  double idle_seconds = 0;
};
Result<Uptime> ParseUptime(std::string_view text);

// /proc/<pid>/stat for the process's own CPU time, RSS and start time. The comm field
// (2nd) is in parentheses and may itself contain spaces and ')'; the parser splits at the
// last ')'. Needs fields up to rss (24); a text ending right after rss, with no newline, is
// taken as cut off.
struct ProcessStat {
  uint64_t utime_ticks = 0;       // field 14
  uint64_t stime_ticks = 0;       // field 15
  uint64_t start_time_ticks = 0;  // field 22, ticks after boot
  int64_t rss_pages = 0;          // field 24
};
Result<ProcessStat> ParseProcessStat(std::string_view text);

// /proc/<pid>/statm (proc(5)): "size resident shared text lib data dt", in pages.
struct ProcessStatm {
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
};
Result<ProcessStatm> ParseProcessStatm(std::string_view text);

// One line of /proc/<pid>/mountinfo (proc(5)). Octal escapes (\040 for a space, \011, \012,
// \134) in the root, mount point, fstype and source are decoded.
struct MountInfo {
  std::string device_id;    // "major:minor" (field 3)
  std::string root;         // root of the mount within its filesystem (field 4)
  std::string mount_point;  // field 5
  std::string fstype;       // after the " - " separator
  std::string source;       // the device, e.g. /dev/sda1 or server:/export
};
// Skips blank lines; a malformed line is an error naming its line number. No mount line at
// all is an error too: every process sees at least its root mount.
Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text);

}  // namespace upkeep
