#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// An update run's id: its start in UTC and 8 random hex digits, "20261130T031500Z-1a2b3c4d".
// It names the run's log file and appears in URLs, so it sorts by time, needs no quoting,
// and a run started in the same second by another daemon still gets its own name.
inline constexpr size_t kUpdateIdLength = 25;

// The id for `when` with `random` as its hex part (the pure half of NewUpdateId).
std::string FormatUpdateId(std::chrono::system_clock::time_point when, uint32_t random);

// A fresh id for `now`, its random part from getrandom (the kernel's CSPRNG), so that ids are
// not guessable from one another. An error only if the kernel gives no random bytes.
Result<std::string> NewUpdateId(
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// True only for text of exactly that shape (digits where digits go, a plausible date and time,
// lower-case hex): anything else (a "../x", a "%2e", a trailing newline) is refused before it
// can reach a file name.
bool IsValidUpdateId(std::string_view text);

}  // namespace upkeep
