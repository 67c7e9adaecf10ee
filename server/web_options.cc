#include "server/web_options.h"

#include <algorithm>
#include <cctype>

#include "auth/ip_address.h"
#include "common/text.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kMaxThreads = 4096;
// CivetWeb takes its timeouts as an int of milliseconds; a day is far beyond any sane use.
constexpr milliseconds kMaxTimeout{24 * 60 * 60 * 1000};
constexpr uint64_t kMaxBodyLimit = uint64_t{1} << 30;

Problem SetListenAddress(WebOptions& o, std::string_view value) {
  if (const Result<HostPort> parsed = ParseListenAddress(value); !parsed) return parsed.error();
  o.listen_address = value;
  return std::nullopt;
}

Problem SetTelemetryPath(WebOptions& o, std::string_view value) {
  if (!value.starts_with('/')) return "must start with \"/\", got " + Quote(value);
  for (const char ch : value) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '?' || ch == '#' || ch == 0x7f) {
      return "must not contain spaces, control characters, \"?\" or \"#\", got " + Quote(value);
    }
  }
  // These are served by upkeep itself; a clash would silently hide one of them.
  if (value == "/" || value.starts_with("/-/") || value == "/api" || value.starts_with("/api/")) {
    return Quote(value) + " is reserved (upkeep serves \"/\", \"/-/...\" and \"/api/...\")";
  }
  o.telemetry_path = value;
  return std::nullopt;
}

Problem AddTrustedProxy(WebOptions& o, std::string_view value) {
  if (const Result<Cidr> cidr = Cidr::Parse(value); !cidr) return cidr.error();
  o.trusted_proxies.emplace_back(value);
  return std::nullopt;
}

std::optional<KeyedProblem> Validate(const WebOptions& o, const GivenKeys&) {
  if (o.tls.cert_file.empty() != o.tls.key_file.empty()) {
    return KeyedProblem{"web.tls", "web.tls: set both cert_file and key_file, or neither"};
  }
  return std::nullopt;
}

constexpr Setting<WebOptions> kSettings[] = {
    {.key = "web.listen_address", .default_text = "0.0.0.0:10420", .set = SetListenAddress},
    {.key = "web.telemetry_path", .default_text = "/metrics", .set = SetTelemetryPath},
    {.key = "web.threads",
     .set =
         [](WebOptions& o, std::string_view v) {
           return SetInteger(o.threads, v, 1, kMaxThreads, " (leave it out for the default)");
         }},
    {.key = "web.request_timeout",
     .default_text = "10s",
     .set =
         [](WebOptions& o, std::string_view v) {
           return SetDuration(o.request_timeout, v, milliseconds(1), kMaxTimeout);
         }},
    {.key = "web.keep_alive_timeout",
     .default_text = "10s",
     .set =
         [](WebOptions& o, std::string_view v) {
           return SetDuration(o.keep_alive_timeout, v, milliseconds(1), kMaxTimeout);
         }},
    {.key = "web.max_body_bytes",
     .default_text = "65536",
     .set =
         [](WebOptions& o, std::string_view v) {
           return SetInteger(o.max_body_bytes, v, 0, kMaxBodyLimit, " (bytes)");
         }},
    {.key = "web.tls.cert_file",
     .set = [](WebOptions& o, std::string_view v) { return SetText(o.tls.cert_file, v); }},
    {.key = "web.tls.key_file",
     .set = [](WebOptions& o, std::string_view v) { return SetText(o.tls.key_file, v); }},
    {.key = "web.trusted_proxies",
     .default_text = "[]",
     .kind = SettingKind::kList,
     .clear = [](WebOptions& o) { o.trusted_proxies.clear(); },
     .add = AddTrustedProxy,
     .expected = "a list of CIDRs (e.g. [\"10.0.0.0/8\"])",
     .item = "a CIDR",
     .null_is_empty = true},
};

}  // namespace

SettingsTable<WebOptions> WebSettings() { return {kSettings, Validate}; }

Result<HostPort> ParseListenAddress(std::string_view text) {
  const auto fail = [text](std::string_view why) {
    return MakeError("invalid listen address " + Quote(text) + ": " + std::string(why) +
                     " (expected HOST:PORT, e.g. 0.0.0.0:10420, [::1]:9000 or :10420)");
  };
  HostPort result;
  std::string_view port;
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return fail("missing \"]\"");
    const std::string_view host = text.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos) return fail("not an IPv6 address in brackets");
    for (const char ch : host) {
      // Hex digits, colons, dots (IPv4-mapped) and a %zone suffix.
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != ':' && ch != '.' && ch != '%') {
        return fail("invalid character in the IPv6 address");
      }
    }
    const std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) return fail("missing \":PORT\" after \"]\"");
    result.host = host;
    port = rest.substr(1);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("missing \":PORT\"");
    const std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return fail("an IPv6 address needs brackets, as in [::1]:9000");
    }
    for (const char ch : host) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_') {
        return fail("invalid character in the host");
      }
    }
    result.host = host;
    port = text.substr(colon + 1);
  }
  if (port.empty()) return fail("missing port");
  unsigned value = 0;
  for (const char ch : port) {
    if (ch < '0' || ch > '9' || value > 65535) return fail("port must be a number from 0 to 65535");
    value = value * 10 + static_cast<unsigned>(ch - '0');
  }
  if (value > 65535) return fail("port must be a number from 0 to 65535");
  result.port = static_cast<uint16_t>(value);
  return result;
}

}  // namespace upkeep
