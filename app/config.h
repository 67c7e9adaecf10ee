#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/config_error.h"
#include "common/result.h"
#include "queue/sqlite_queue_source.h"

namespace upkeep {

// --- access control and request limits: web.tls, web.max_body_bytes, web.trusted_proxies, auth:
struct TlsConfig {
  std::string cert_file;  // PEM certificate (chain); set with key_file, or neither
  std::string key_file;   // PEM private key
  bool enabled() const { return !cert_file.empty(); }
};

struct JwtConfig {
  std::string secret_file;  // "" = JWTs are not accepted
  std::string issuer;       // "" = iss not checked
  std::string audience;     // "" = aud not checked
  std::string role_claim = "role";
  std::chrono::milliseconds leeway{60'000};
};

struct AuthConfig {
  std::string tokens_file;       // "" = no API tokens
  std::string metrics = "open";  // open | token
  JwtConfig jwt;
  int max_failures = 10;  // failed logins per client per window before 429; 0 = off
  std::chrono::milliseconds lockout_window{60'000};
  std::chrono::milliseconds watch_interval{1000};  // how often the credential files are stat'ed
};
// --- end access control -------------------------------------------------------------------

struct WebConfig {
  std::string listen_address = "0.0.0.0:10420";
  std::string telemetry_path = "/metrics";
  int threads = 0;  // 0: the server picks its default; YAML accepts 1..4096.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds keep_alive_timeout{10'000};
  TlsConfig tls;                             // access control (see above)
  uint64_t max_body_bytes = 64 * 1024;       // a larger request body gets 413
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is believed
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

// --- queue: the managed service's job queue (exporter/queue_monitor.h) ---------------------
struct QueueConfig {
  std::string type = "none";  // sqlite | http | command | none; no queue: section means none
  std::chrono::milliseconds interval{2000};      // between probes
  std::chrono::milliseconds timeout{1000};       // a probe that takes longer fails
  std::chrono::milliseconds stale_after{10000};  // an older good probe no longer counts
  struct Sqlite {
    std::string path;  // required for type sqlite; relative to the working directory
    std::string depth_query = std::string(kDefaultDepthQuery);
    std::string active_query = std::string(kDefaultActiveQuery);
  } sqlite;
  struct Http {
    std::string url;                // required for type http; http:// only (https:// is refused)
    std::string bearer_token_file;  // empty: no Authorization header
  } http;
  struct Command {
    std::string run;  // required for type command; split by SplitCommandLine, no shell
  } command;
};
// --- end queue ------------------------------------------------------------------------------

struct Config {
  WebConfig web;
  SampleConfig sample;
  LogConfig log;
  QueueConfig queue;
  AuthConfig auth;
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
