#include "exporter/process_parsers.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "common/text.h"
#include "exporter/procfs_text.h"

namespace upkeep {

using namespace procfs_text;  // NOLINT(google-build-using-namespace): the parsers' own toolkit

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
    return Fail("process stat: malformed pid before comm: ",
                Quote(text.substr(0, open), kMaxQuoted));
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

}  // namespace upkeep
