#include "exporter/procfs_parsers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <system_error>
#include <utility>

#include "common/text.h"

namespace upkeep {
namespace {

// Longest piece of input quoted in an error message: a garbage file must not make a huge log
// line.
constexpr size_t kMaxQuoted = 60;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// Error from pieces; only error paths build strings.
template <typename... Parts>
Error Fail(const Parts&... parts) {
  std::string message;
  (message.append(std::string_view(parts)), ...);
  return MakeError(std::move(message));
}

// Yields the lines of a text without their '\n'. The kernel ends every line with '\n', so
// `terminated` false means the line was cut off (or the text was written by hand).
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}

  bool Next(std::string_view& line, bool& terminated) {
    if (rest_.empty()) return false;
    size_t newline = rest_.find('\n');
    if (newline == std::string_view::npos) {
      line = rest_;
      terminated = false;
      rest_ = {};
    } else {
      line = rest_.substr(0, newline);
      terminated = true;
      rest_.remove_prefix(newline + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
};

// Returns the next whitespace-separated token of `s` and drops it from `s`, which then starts
// at the character after the token (empty if the token ran to the end). Empty when no token
// is left.
std::string_view NextToken(std::string_view& s) {
  size_t start = 0;
  while (start < s.size() && IsSpace(s[start])) ++start;
  size_t end = start;
  while (end < s.size() && !IsSpace(s[end])) ++end;
  std::string_view token = s.substr(start, end - start);
  s.remove_prefix(end);
  return token;
}

enum class Num { kOk, kMalformed, kOutOfRange };

// The whole token must be the number: "12x" and "" are malformed. Unsigned types reject '-'.
template <typename T>
Num ParseNumber(std::string_view token, T& out) {
  if (token.empty()) return Num::kMalformed;
  T value{};
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec == std::errc::result_out_of_range) return Num::kOutOfRange;
  if (ec != std::errc() || ptr != end) return Num::kMalformed;
  out = value;
  return Num::kOk;
}

// The kernel prints loads and uptimes as non-negative decimals; "nan", "inf" and "-1" are not
// values it writes.
Num ParseNonNegativeDouble(std::string_view token, double& out) {
  if (!token.empty() && token.front() == '-') return Num::kMalformed;
  double value = 0;
  Num status = ParseNumber(token, value);
  if (status != Num::kOk) return status;
  if (!std::isfinite(value)) return Num::kMalformed;
  out = value;
  return Num::kOk;
}

Error NumberError(std::string_view file, std::string_view what, std::string_view token,
                  Num status) {
  if (status == Num::kOutOfRange)
    return Fail(file, ": ", what, " out of range: ", Quote(token, kMaxQuoted));
  return Fail(file, ": malformed ", what, ": ", Quote(token, kMaxQuoted));
}

// Decodes the kernel's \NNN octal escapes (it writes space, tab, newline and backslash as
// \040, \011, \012, \134). A backslash not followed by three octal digits naming a byte is
// kept as is.
std::string DecodeOctalEscapes(std::string_view s) {
  if (s.find('\\') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' &&
        IsOctal(s[i + 2]) && IsOctal(s[i + 3])) {
      out.push_back(
          static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
      i += 4;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

bool IsBlankLine(std::string_view line) { return std::all_of(line.begin(), line.end(), IsSpace); }

}  // namespace

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

Result<ProcessStatm> ParseProcessStatm(std::string_view text) {
  constexpr size_t kFields = 7;
  static constexpr std::string_view kNames[kFields] = {"size", "resident", "shared", "text",
                                                       "lib",  "data",     "dt"};
  uint64_t values[kFields] = {};
  std::string_view rest = text;
  size_t count = 0;
  for (std::string_view token = NextToken(rest); !token.empty(); token = NextToken(rest)) {
    if (count == kFields) return Fail("statm: more than 7 fields: ", Quote(text, kMaxQuoted));
    const Num status = ParseNumber(token, values[count]);
    if (status != Num::kOk) return NumberError("statm", kNames[count], token, status);
    ++count;
  }
  if (count != kFields) {
    return Fail("statm: expected 7 fields, got ", std::to_string(count), ": ",
                Quote(text, kMaxQuoted));
  }
  return ProcessStatm{.size_pages = values[0], .resident_pages = values[1]};
}

Result<ProcessStat> ParseProcessStat(std::string_view text) {
  // comm may hold anything, even ')' and '\n', but the fields after it cannot hold ')'.
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Fail("process stat: missing (comm): ", Quote(text, kMaxQuoted));
  }
  std::string_view head = text.substr(0, open);
  std::string_view pid = NextToken(head);
  uint64_t unused = 0;
  if (ParseNumber(pid, unused) != Num::kOk || !NextToken(head).empty()) {
    return Fail("process stat: malformed pid before comm: ", Quote(text.substr(0, open)));
  }

  ProcessStat stat;
  std::string_view rest = text.substr(close + 1);
  // Field 2 is comm; walk fields 3..24 (numbered as in proc(5)).
  for (int field = 3; field <= 24; ++field) {
    std::string_view token = NextToken(rest);
    if (token.empty()) {
      return Fail("process stat: truncated: ", std::to_string(field - 1),
                  " fields, needs at least 24");
    }
    Num status = Num::kOk;
    const char* what = "";
    switch (field) {
      case 14:
        what = "utime";
        status = ParseNumber(token, stat.utime_ticks);
        break;
      case 15:
        what = "stime";
        status = ParseNumber(token, stat.stime_ticks);
        break;
      case 22:
        what = "starttime";
        status = ParseNumber(token, stat.start_time_ticks);
        break;
      case 24:
        what = "rss";
        status = ParseNumber(token, stat.rss_pages);
        break;
      default:
        continue;
    }
    if (status != Num::kOk) return NumberError("process stat", what, token, status);
  }
  // The kernel always writes ~52 fields and a '\n'; a text ending right after rss was cut
  // inside it.
  if (rest.empty()) return Fail("process stat: truncated after rss (field 24)");
  return stat;
}

Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text) {
  std::vector<MountInfo> mounts;
  mounts.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  LineCursor lines(text);
  std::string_view line;
  bool terminated = false;
  size_t line_number = 0;
  while (lines.Next(line, terminated)) {
    ++line_number;
    if (IsBlankLine(line)) continue;
    auto line_error = [&](std::string_view what) {
      return Fail("mountinfo line ", std::to_string(line_number), ": ", what, ": ",
                  Quote(line, kMaxQuoted));
    };

    // Fields are separated by exactly one space; an empty field (an empty source) stays one.
    std::string_view rest = line;
    bool at_end = false;
    auto next_field = [&](std::string_view& field) {
      if (at_end) return false;
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) {
        field = rest;
        at_end = true;
      } else {
        field = rest.substr(0, space);
        rest.remove_prefix(space + 1);
      }
      return true;
    };

    // mount ID, parent ID, major:minor, root, mount point, mount options.
    std::string_view fields[6];
    for (std::string_view& field : fields) {
      if (!next_field(field)) return line_error("too few fields");
    }
    uint64_t unused = 0;
    if (ParseNumber(fields[0], unused) != Num::kOk) return line_error("malformed mount id");
    if (ParseNumber(fields[1], unused) != Num::kOk) return line_error("malformed parent id");
    size_t colon = fields[2].find(':');
    if (colon == std::string_view::npos ||
        ParseNumber(fields[2].substr(0, colon), unused) != Num::kOk ||
        ParseNumber(fields[2].substr(colon + 1), unused) != Num::kOk) {
      return line_error("malformed major:minor");
    }
    if (fields[3].empty() || fields[4].empty()) return line_error("empty root or mount point");

    // Zero or more optional fields ("shared:1 master:2"), ended by a lone "-".
    std::string_view field;
    bool separator = false;
    while (next_field(field)) {
      if (field == "-") {
        separator = true;
        break;
      }
    }
    if (!separator) return line_error("missing '-' separator");
    std::string_view fstype, source, super_options;
    if (!next_field(fstype) || !next_field(source) || !next_field(super_options)) {
      return line_error("needs fstype, source and super options after '-'");
    }
    if (fstype.empty()) return line_error("empty fstype");

    MountInfo& mount = mounts.emplace_back();
    mount.device_id = std::string(fields[2]);
    mount.root = DecodeOctalEscapes(fields[3]);
    mount.mount_point = DecodeOctalEscapes(fields[4]);
    mount.fstype = DecodeOctalEscapes(fstype);
    mount.source = DecodeOctalEscapes(source);
  }
  if (mounts.empty()) return Fail("mountinfo: no mounts (empty input)");
  return mounts;
}

}  // namespace upkeep
