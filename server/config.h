#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/result.h"

namespace upkeep {

// A start-up configuration error: bad YAML, a bad value, an unknown key or flag, an unreadable
// file. The message names the file and line, or the flag, and the offending key and value.
// main prints it and exits with status 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WebConfig {
  std::string listen_address = "0.0.0.0:10420";
  std::string telemetry_path = "/metrics";
  int threads = 0;  // 0: the server picks its default; YAML accepts 1..4096.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds keep_alive_timeout{10'000};
};

struct SampleConfig {
  std::chrono::milliseconds interval{1000};
  // True for `filesystems: auto`: discover real filesystems; `filesystems` is then empty.
  bool filesystems_auto = false;
  std::vector<std::string> filesystems{"/"};
  std::string procfs = "/proc";
  std::string rootfs = "/";
  std::chrono::milliseconds stat_timeout{500};
};

struct LogConfig {
  std::string level = "info";   // debug | info | warn | error
  std::string format = "text";  // text | json
};

struct Config {
  WebConfig web;
  SampleConfig sample;
  LogConfig log;
  std::string config_file;  // The file the values came from; empty if none.
};

Config DefaultConfig();

// Parses a YAML config over the defaults. `source_name` (usually the path) prefixes error
// messages as "<source_name>:<line>: ...". Empty text or an empty document gives the defaults.
// Leaves `config_file` empty. Throws ConfigError.
Config ParseConfigYaml(std::string_view yaml_text, std::string_view source_name);

// Reads and parses `path`; sets `config_file` to it. Throws ConfigError.
Config LoadConfigFile(const std::string& path);

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

struct HostPort {
  std::string host;  // "" for ":PORT" (all addresses); IPv6 without its brackets.
  uint16_t port = 0;
};

// Parses "HOST:PORT", "[IPv6]:PORT" or ":PORT"; the port is 0..65535.
Result<HostPort> ParseListenAddress(std::string_view text);

}  // namespace upkeep
