#pragma once

#include <string>

#include "common/settings.h"

namespace upkeep {

// log.*: what the daemon logs and how (app/logging.h).
struct LogOptions {
  std::string level = "info";   // debug | info | warn | error
  std::string format = "text";  // text | json
  bool operator==(const LogOptions&) const = default;
};

// The log.* settings (no YAML here: see common/settings.h).
SettingsTable<LogOptions> LogSettings();

}  // namespace upkeep
