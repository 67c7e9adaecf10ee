#pragma once

// Pure parsers of /proc files (see exporter/procfs_parsers.h).

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace upkeep {

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

}  // namespace upkeep
