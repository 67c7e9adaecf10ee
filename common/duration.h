#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// Parses a Prometheus-style duration: one or more <integer><unit> terms, units from largest to
// smallest, each at most once: y (365d), w, d, h, m, s, ms. Examples: "500ms", "1m30s", "0s".
// Like Prometheus, a bare "0" is accepted; any other number needs a unit. Signs, fractions,
// spaces and values beyond the range of std::chrono::milliseconds are errors. Whether zero is
// allowed is left to the caller.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Formats a duration so that ParseDuration reads it back: "0s", "250ms", "1m30s", "1h".
// Years and weeks are used only when they divide the value exactly ("90d", not "12w6d").
std::string FormatDuration(std::chrono::milliseconds duration);

}  // namespace upkeep
