#pragma once

#include <string>

#include "app/config.h"

namespace upkeep {

struct CommandLine {
  Config config;
  bool show_help = false;
  bool show_version = false;
};

// node_exporter-style flags, as "--flag value" or "--flag=value". The --config file is loaded
// first and the other flags override it, whatever their order. With --help or --version set,
// the config file is neither read nor checked. Throws ConfigError naming the flag.
CommandLine ParseCommandLine(int argc, const char* const* argv);

// The --help text: every flag with its default, one line each.
std::string UsageText();

}  // namespace upkeep
