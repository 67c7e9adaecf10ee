#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace upkeep {

// `time` as RFC 3339 in UTC, whole seconds: "2024-05-01T12:00:00Z" (the health JSON's
// timestamp, the update check's checkedAt/fetchedAt).
std::string FormatRfc3339(std::chrono::system_clock::time_point time);

// The inverse of FormatRfc3339: exactly "YYYY-MM-DDTHH:MM:SSZ" (what upkeep writes), else
// std::nullopt.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

}  // namespace upkeep
