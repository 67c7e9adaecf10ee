#include "exporter/procfs_text.h"

#include <algorithm>
#include <cmath>

#include "common/text.h"

namespace upkeep::procfs_text {

std::string_view NextToken(std::string_view& s) {
  size_t start = 0;
  while (start < s.size() && IsSpace(s[start])) ++start;
  size_t end = start;
  while (end < s.size() && !IsSpace(s[end])) ++end;
  std::string_view token = s.substr(start, end - start);
  s.remove_prefix(end);
  return token;
}

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

}  // namespace upkeep::procfs_text
