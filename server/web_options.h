#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/settings.h"

namespace upkeep {

struct TlsOptions {
  std::string cert_file;  // PEM certificate (chain); set with key_file, or neither
  std::string key_file;   // PEM private key
  bool enabled() const { return !cert_file.empty(); }
  bool operator==(const TlsOptions&) const = default;
};

// web.*: where and how upkeep serves HTTP.
struct WebOptions {
  std::string listen_address = "0.0.0.0:10420";
  std::string telemetry_path = "/metrics";
  int threads = 0;  // 0: the server picks its default; a file may set 1..4096.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds keep_alive_timeout{10'000};
  TlsOptions tls;
  uint64_t max_body_bytes = 64 * 1024;       // a larger request body gets 413
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is believed
  bool operator==(const WebOptions&) const = default;
};

// The web.* settings (no YAML here: see common/settings.h) and their cross-field rule: TLS needs
// both files or neither.
SettingsTable<WebOptions> WebSettings();

struct HostPort {
  std::string host;  // "" for ":PORT" (all addresses); IPv6 without its brackets.
  uint16_t port = 0;
};

// Parses "HOST:PORT", "[IPv6]:PORT" or ":PORT"; the port is 0..65535.
Result<HostPort> ParseListenAddress(std::string_view text);

}  // namespace upkeep
