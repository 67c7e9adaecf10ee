#pragma once

#include <stdexcept>

namespace upkeep {

// A start-up configuration error: bad YAML, a bad value, an unknown key or flag, an unreadable
// file. The message names the file and line, or the flag, and the offending key and value.
// main prints it and exits with status 2. Modules throw it from their start-up checks (an
// unreadable tokens file); nothing throws it at run time.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace upkeep
