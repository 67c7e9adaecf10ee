#pragma once

#include <chrono>
#include <string>

namespace upkeep {

// `time` as RFC 3339 in UTC, whole seconds: "2024-05-01T12:00:00Z" (the health JSON's
// timestamp, the update check's checkedAt/fetchedAt).
std::string FormatRfc3339(std::chrono::system_clock::time_point time);

}  // namespace upkeep
