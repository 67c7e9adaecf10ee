#pragma once

#include <string>

namespace upkeep {

// Sets up the default spdlog logger on stderr: "text" lines for people, or "json" lines
// ({"ts","level","msg"}) for log shippers. Level: debug, info, warn, error.
void ConfigureLogging(const std::string& level, const std::string& format);

}  // namespace upkeep
