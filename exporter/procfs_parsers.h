#pragma once

// Pure parsers for the /proc files upkeep reads. No I/O: each takes the file's text and
// returns the parsed values or an Error naming what was wrong. Tested with literal input
// (tests/unit/exporter/) and fuzzed (tests/fuzz/).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "exporter/mountinfo_parser.h"
#include "exporter/process_parsers.h"

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

}  // namespace upkeep
