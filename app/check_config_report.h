#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace upkeep {

// What one check of `upkeep check-config` found.
enum class CheckStatus { kOk, kFailed, kSkipped };

struct CheckLine {
  CheckStatus status = CheckStatus::kOk;
  std::string check;   // "config", "tokens", "jwt", "tls", "queue", "state_dir", "repo"
  std::string detail;  // what was checked, or why it failed or does not apply
};

inline CheckLine CheckOk(std::string check, std::string detail) {
  return {CheckStatus::kOk, std::move(check), std::move(detail)};
}
inline CheckLine CheckFailed(std::string check, std::string detail) {
  return {CheckStatus::kFailed, std::move(check), std::move(detail)};
}
inline CheckLine CheckSkipped(std::string check, std::string detail) {
  return {CheckStatus::kSkipped, std::move(check), std::move(detail)};
}

// "ok", "FAILED" (in capitals: it must stand out) or "skipped".
std::string_view CheckStatusName(CheckStatus status);

// One line, newline included, in columns that scripts can split on whitespace and people can
// read: the status padded to 8, the check to 10, then the detail on the same line (line breaks
// and control characters in it become spaces and '?', so one check is always one line):
//   "ok      config    /etc/upkeep/upkeep.yaml\n"
//   "FAILED  tokens    auth.tokens_file: cannot read /etc/upkeep/tokens: Permission denied\n"
std::string FormatCheckLine(const CheckLine& line);

inline constexpr int kCheckConfigPassed = 0;
inline constexpr int kCheckConfigFailed = 2;

// 0 when nothing failed (skipped checks do not fail), 2 when anything did.
int CheckConfigExitStatus(const std::vector<CheckLine>& lines);

// The closing sentence for stderr: "upkeep check-config: OK (5 ok, 2 skipped)" or
// "upkeep check-config: 2 of 7 checks FAILED".
std::string CheckConfigSummary(const std::vector<CheckLine>& lines);

}  // namespace upkeep
