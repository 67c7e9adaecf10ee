#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/config.h"

namespace upkeep {

// The command line as written, before any file is read: what the flags ask for.
struct FlagArguments {
  std::optional<std::string> config_path;                      // --config
  std::vector<std::pair<std::string, std::string>> overrides;  // {"--log.level", "debug"}, in order
  bool show_help = false;
  bool show_version = false;
};

struct CommandLine {
  Config config;
  bool show_help = false;
  bool show_version = false;
};

// node_exporter-style flags, as "--flag value" or "--flag=value". Checks the words only
// (unknown, repeated or valueless flags) and reads no file. Throws ConfigError naming the flag.
FlagArguments ParseFlagArguments(int argc, const char* const* argv);

// The --config file (the defaults without one), then the other flags over it, whatever their
// order. Throws ConfigError: the file's own errors name the file, a flag's value the flag.
Config ConfigOfFlags(const FlagArguments& flags);

// Both of the above: with --help or --version set, the config file is neither read nor
// checked. Throws ConfigError naming the flag.
CommandLine ParseCommandLine(int argc, const char* const* argv);

// The --help text: every flag with its default, one line each.
std::string UsageText();

}  // namespace upkeep
