#include "app/check_config_report.h"

#include <algorithm>

namespace upkeep {
namespace {

constexpr size_t kStatusWidth = 8;
constexpr size_t kCheckWidth = 10;

// Pads to `width`, always leaving at least one space: a long name never runs into the next
// column.
std::string Column(std::string_view text, size_t width) {
  std::string column(text);
  column.append(text.size() < width ? width - text.size() : 1, ' ');
  return column;
}

// The detail on one line: a message that spans lines (a tool's output) stays one check's line.
std::string OneLine(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n' || c == '\r' || c == '\t') {
      line += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      line += '?';
    } else {
      line += ch;  // UTF-8 in paths stays as it is
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

std::string_view CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kFailed:
      return "FAILED";
    case CheckStatus::kSkipped:
      return "skipped";
  }
  return "FAILED";
}

std::string FormatCheckLine(const CheckLine& line) {
  return Column(CheckStatusName(line.status), kStatusWidth) + Column(line.check, kCheckWidth) +
         OneLine(line.detail) + "\n";
}

int CheckConfigExitStatus(const std::vector<CheckLine>& lines) {
  const bool failed = std::any_of(lines.begin(), lines.end(), [](const CheckLine& line) {
    return line.status == CheckStatus::kFailed;
  });
  return failed ? kCheckConfigFailed : kCheckConfigPassed;
}

std::string CheckConfigSummary(const std::vector<CheckLine>& lines) {
  const auto count = [&lines](CheckStatus status) {
    return std::count_if(lines.begin(), lines.end(),
                         [status](const CheckLine& line) { return line.status == status; });
  };
  const auto failed = count(CheckStatus::kFailed);
  if (failed > 0) {
    return "upkeep check-config: " + std::to_string(failed) + " of " +
           std::to_string(lines.size()) + " checks FAILED";
  }
  return "upkeep check-config: OK (" + std::to_string(count(CheckStatus::kOk)) + " ok, " +
         std::to_string(count(CheckStatus::kSkipped)) + " skipped)";
}

}  // namespace upkeep
