#include "exporter/procfs_parsers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <system_error>
#include <utility>

#include "common/text.h"
#include "exporter/procfs_text.h"

namespace upkeep {

using namespace procfs_text;  // NOLINT(google-build-using-namespace): the parsers' own toolkit

Result<ProcStat> ParseProcStat(std::string_view text) {
  ProcStat stat;
  bool have_cpu = false;
  bool have_btime = false;
  LineCursor lines(text);
  std::string_view line;
  bool terminated = false;
  while (lines.Next(line, terminated)) {
    if (line.size() > 3 && line.starts_with("cpu")) {
      if (IsDigit(line[3])) {
        ++stat.cores;
        continue;
      }
      if (!IsSpace(line[3]) || have_cpu) continue;
      // A cut-off line would parse as a smaller, wrong value.
      if (!terminated) return Fail("stat: truncated cpu line (no newline)");
      uint64_t* const fields[] = {&stat.total.user,    &stat.total.nice,   &stat.total.system,
                                  &stat.total.idle,    &stat.total.iowait, &stat.total.irq,
                                  &stat.total.softirq, &stat.total.steal};
      constexpr size_t kFields = std::size(fields);
      std::string_view rest = line.substr(3);
      size_t count = 0;
      // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
      for (std::string_view token = NextToken(rest); !token.empty() && count < kFields;
           token = NextToken(rest)) {
        Num status = ParseNumber(token, *fields[count]);
        if (status != Num::kOk) return NumberError("stat", "cpu line value", token, status);
        ++count;
      }
      if (count < 4) {
        return Fail("stat: malformed cpu line: ", std::to_string(count),
                    " values, needs at least 4 (user nice system idle)");
      }
      have_cpu = true;
    } else if (line.size() > 5 && line.starts_with("btime") && IsSpace(line[5])) {
      if (!terminated) return Fail("stat: truncated btime line (no newline)");
      std::string_view rest = line.substr(5);
      std::string_view token = NextToken(rest);
      Num status = ParseNumber(token, stat.boot_time);
      if (status != Num::kOk) return NumberError("stat", "btime", token, status);
      if (!NextToken(rest).empty())
        return Fail("stat: malformed btime line: ", Quote(line, kMaxQuoted));
      have_btime = true;
    }
  }
  if (!have_cpu) return Fail("stat: cpu line missing");
  if (!have_btime) return Fail("stat: btime missing");
  return stat;
}

Result<MemInfo> ParseMeminfo(std::string_view text) {
  struct Field {
    std::string_view key;
    uint64_t MemInfo::*member;
  };
  static constexpr Field kFields[] = {
      {"MemTotal", &MemInfo::total_bytes},         {"MemFree", &MemInfo::free_bytes},
      {"MemAvailable", &MemInfo::available_bytes}, {"Buffers", &MemInfo::buffers_bytes},
      {"Cached", &MemInfo::cached_bytes},
  };
  constexpr unsigned kAllFound = (1u << std::size(kFields)) - 1;
  constexpr uint64_t kMaxKb = std::numeric_limits<uint64_t>::max() / 1024;

  MemInfo info;
  unsigned found = 0;
  LineCursor lines(text);
  std::string_view line;
  bool terminated = false;
  // The five keys are the first lines on every kernel, so this usually reads five lines.
  while (found != kAllFound && lines.Next(line, terminated)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    for (size_t i = 0; i < std::size(kFields); ++i) {
      if (key != kFields[i].key) continue;
      std::string_view rest = line.substr(colon + 1);
      std::string_view number = NextToken(rest);
      std::string_view unit = NextToken(rest);
      uint64_t kb = 0;
      Num status = ParseNumber(number, kb);
      if (status != Num::kOk) return NumberError("meminfo", key, number, status);
      // Requiring the unit also catches a line cut off mid-number.
      if (unit != "kB") return Fail("meminfo: ", key, " has no kB unit: ", Quote(line, kMaxQuoted));
      if (!NextToken(rest).empty())
        return Fail("meminfo: malformed ", key, ": ", Quote(line, kMaxQuoted));
      if (kb > kMaxKb)
        return Fail("meminfo: ", key, " overflows 64-bit bytes: ", Quote(number, kMaxQuoted));
      info.*kFields[i].member = kb * 1024;
      found |= 1u << i;
      break;
    }
  }
  if ((found & 1u) == 0) return Fail("meminfo: MemTotal missing");
  if ((found & 4u) == 0) return Fail("meminfo: MemAvailable missing (needs Linux >= 3.14)");
  return info;
}

Result<LoadAvg> ParseLoadavg(std::string_view text) {
  // "0.52 0.58 0.59 1/467 12345": three loads, runnable/total tasks, last pid.
  constexpr size_t kFields = 5;
  std::string_view tokens[kFields];
  std::string_view rest = text;
  size_t count = 0;
  for (std::string_view token = NextToken(rest); !token.empty(); token = NextToken(rest)) {
    if (count == kFields) return Fail("loadavg: more than 5 fields: ", Quote(text, kMaxQuoted));
    tokens[count++] = token;
  }
  if (count != kFields) {
    return Fail("loadavg: expected 5 fields, got ", std::to_string(count), ": ",
                Quote(text, kMaxQuoted));
  }
  LoadAvg load;
  static constexpr std::string_view kNames[] = {"load1", "load5", "load15"};
  double* const loads[] = {&load.load1, &load.load5, &load.load15};
  for (size_t i = 0; i < 3; ++i) {
    Num status = ParseNonNegativeDouble(tokens[i], *loads[i]);
    if (status != Num::kOk) return NumberError("loadavg", kNames[i], tokens[i], status);
  }
  // Not exported, but checking them tells a loadavg file from some other text.
  std::string_view tasks = tokens[3];
  size_t slash = tasks.find('/');
  uint64_t unused = 0;
  if (slash == std::string_view::npos || ParseNumber(tasks.substr(0, slash), unused) != Num::kOk ||
      ParseNumber(tasks.substr(slash + 1), unused) != Num::kOk) {
    return Fail("loadavg: malformed runnable/total tasks: ", Quote(tasks, kMaxQuoted));
  }
  Num status = ParseNumber(tokens[4], unused);
  if (status != Num::kOk) return NumberError("loadavg", "last pid", tokens[4], status);
  return load;
}

Result<Uptime> ParseUptime(std::string_view text) {
  std::string_view rest = text;
  std::string_view up = NextToken(rest);
  std::string_view idle = NextToken(rest);
  if (idle.empty())
    return Fail("uptime: expected 2 fields (uptime idle): ", Quote(text, kMaxQuoted));
  if (!NextToken(rest).empty())
    return Fail("uptime: more than 2 fields: ", Quote(text, kMaxQuoted));
  Uptime uptime;
  Num status = ParseNonNegativeDouble(up, uptime.uptime_seconds);
  if (status != Num::kOk) return NumberError("uptime", "uptime", up, status);
  status = ParseNonNegativeDouble(idle, uptime.idle_seconds);
  if (status != Num::kOk) return NumberError("uptime", "idle time", idle, status);
  return uptime;
}

}  // namespace upkeep
