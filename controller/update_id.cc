#include "controller/update_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace upkeep {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

// The number in `text` (all digits, checked by the caller) between `low` and `high`.
bool InRange(std::string_view text, int low, int high) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value >= low && value <= high;
}

}  // namespace

std::string FormatUpdateId(std::chrono::system_clock::time_point when, uint32_t random) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  const size_t length = std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  char hex[16];
  std::snprintf(hex, sizeof hex, "-%08x", random);
  return std::string(stamp, length) + hex;
}

Result<std::string> NewUpdateId(std::chrono::system_clock::time_point now) {
  uint32_t random = 0;
  ssize_t got = -1;
  // Up to 256 bytes never come back short once the pool is initialised; EINTR can only
  // happen while it is not yet.
  do {
    got = ::getrandom(&random, sizeof random, 0);
  } while (got < 0 && errno == EINTR);
  if (got != static_cast<ssize_t>(sizeof random)) {
    return MakeError(std::string("cannot make an update id: getrandom: ") +
                     (got < 0 ? std::strerror(errno) : "short read"));
  }
  return FormatUpdateId(now, random);
}

bool IsValidUpdateId(std::string_view text) {
  // 20261130T031500Z-1a2b3c4d
  // 0       8      15 17
  if (text.size() != kUpdateIdLength) return false;
  for (size_t at = 0; at < 15; ++at) {
    if (at == 8) continue;
    if (!IsDigit(text[at])) return false;
  }
  if (text[8] != 'T' || text[15] != 'Z' || text[16] != '-') return false;
  for (size_t at = 17; at < kUpdateIdLength; ++at) {
    if (!IsLowerHex(text[at])) return false;
  }
  return InRange(text.substr(4, 2), 1, 12) && InRange(text.substr(6, 2), 1, 31) &&
         InRange(text.substr(9, 2), 0, 23) && InRange(text.substr(11, 2), 0, 59) &&
         InRange(text.substr(13, 2), 0, 60);  // 60: a leap second
}

}  // namespace upkeep
