#include "common/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace upkeep {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
  bool exact_only;  // FormatDuration uses it only when it divides the value exactly.
};

constexpr int64_t kDayMs = int64_t{24} * 60 * 60 * 1000;

// Largest first: ParseDuration requires this order, FormatDuration emits it.
constexpr std::array<Unit, 7> kUnits = {{
    {"y", 365 * kDayMs, true},
    {"w", 7 * kDayMs, true},
    {"d", kDayMs, false},
    {"h", int64_t{60} * 60 * 1000, false},
    {"m", int64_t{60} * 1000, false},
    {"s", 1000, false},
    {"ms", 1, false},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

Error DurationError(std::string_view text, std::string_view why) {
  return MakeError("invalid duration \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (text.empty()) return DurationError(text, "empty (expected e.g. 500ms, 10s or 1m30s)");
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.front() == '-') return DurationError(text, "must not be negative");

  int64_t total = 0;
  size_t next_unit = 0;  // Index into kUnits of the smallest unit still allowed.
  size_t pos = 0;
  while (pos < text.size()) {
    if (!IsDigit(text[pos])) {
      return DurationError(text, "expected a number at \"" + std::string(text.substr(pos)) +
                                     "\" (expected e.g. 500ms, 10s or 1m30s)");
    }
    int64_t number = 0;
    bool overflow = false;
    while (pos < text.size() && IsDigit(text[pos])) {
      const int digit = text[pos] - '0';
      if (number > (kMax - digit) / 10) overflow = true;
      if (!overflow) number = number * 10 + digit;
      ++pos;
    }
    const size_t unit_start = pos;
    while (pos < text.size() && IsLower(text[pos])) ++pos;
    const std::string_view unit_name = text.substr(unit_start, pos - unit_start);
    if (unit_name.empty()) {
      if (pos == text.size()) {
        return DurationError(text, "missing unit (one of ms, s, m, h, d, w, y)");
      }
      return DurationError(text, "unexpected \"" + std::string(1, text[pos]) +
                                     "\" (only whole numbers with a unit, e.g. 1500ms)");
    }
    size_t index = 0;
    while (index < kUnits.size() && kUnits[index].name != unit_name) ++index;
    if (index == kUnits.size()) {
      return DurationError(
          text, "unknown unit \"" + std::string(unit_name) + "\" (one of ms, s, m, h, d, w, y)");
    }
    if (index < next_unit) {
      return DurationError(text, "units must go from largest to smallest, each at most once");
    }
    next_unit = index + 1;
    const int64_t unit_ms = kUnits[index].ms;
    if (overflow || number > kMax / unit_ms || number * unit_ms > kMax - total) {
      return DurationError(text, "too large");
    }
    total += number * unit_ms;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  const int64_t count = duration.count();
  if (count == 0) return "0s";
  // Unsigned so that the most negative value can be negated.
  uint64_t rest = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  std::string out = count < 0 ? "-" : "";
  for (const Unit& unit : kUnits) {
    const auto unit_ms = static_cast<uint64_t>(unit.ms);
    if (unit.exact_only && rest % unit_ms != 0) continue;
    if (const uint64_t n = rest / unit_ms; n > 0) {
      out += std::to_string(n);
      out += unit.name;
      rest -= n * unit_ms;
    }
  }
  return out;
}

}  // namespace upkeep
