#include "app/config.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "app/yaml_documents.h"
#include "auth/ip_address.h"
#include "common/duration.h"
#include "common/http_client.h"
#include "common/text.h"
#include "queue/command_queue_source.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxThreads = 4096;
constexpr milliseconds kMinInterval{10};
// CivetWeb takes its timeouts as an int of milliseconds; a day is far beyond any sane use.
constexpr milliseconds kMaxWebTimeout{24 * 60 * 60 * 1000};
constexpr milliseconds kNoMax = milliseconds::max();

// A value check: nullopt if `value` was accepted and stored, else the problem in words. The
// caller adds the key or flag name (and the file and line), so YAML and flags share the checks
// and their messages.
using Problem = std::optional<std::string>;

Problem SetDuration(milliseconds& out, std::string_view value, milliseconds min, milliseconds max) {
  const Result<milliseconds> parsed = ParseDuration(value);
  if (!parsed) return parsed.error();
  if (*parsed < min) return "must be at least " + FormatDuration(min) + ", got " + Quote(value);
  if (*parsed > max) return "must be at most " + FormatDuration(max) + ", got " + Quote(value);
  out = *parsed;
  return std::nullopt;
}

Problem SetOneOf(std::string& out, std::string_view value,
                 std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return "must be one of " + list + ", got " + Quote(value);
  }
  out = value;
  return std::nullopt;
}

Problem SetDirectory(std::string& out, std::string_view value) {
  if (value.empty()) return std::string("must not be empty");
  out = value;
  return std::nullopt;
}

Problem SetListenAddress(Config& c, std::string_view value) {
  const Result<HostPort> parsed = ParseListenAddress(value);
  if (!parsed) return parsed.error();
  c.web.listen_address = value;
  return std::nullopt;
}

Problem SetTelemetryPath(Config& c, std::string_view value) {
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
  c.web.telemetry_path = value;
  return std::nullopt;
}

Problem SetThreads(Config& c, std::string_view value) {
  const std::string range = "must be an integer from 1 to " + std::to_string(kMaxThreads) +
                            " (leave it out for the default), got " + Quote(value);
  if (value.empty() || value.size() > 4) return range;
  int n = 0;
  for (const char ch : value) {
    if (ch < '0' || ch > '9') return range;
    n = n * 10 + (ch - '0');
  }
  if (n < 1 || n > kMaxThreads) return range;
  c.web.threads = n;
  return std::nullopt;
}

using Setter = Problem (*)(Config&, std::string_view);
using Getter = std::string (*)(const Config&);

// One scalar setting, as a YAML key and (optionally) a flag.
struct Setting {
  std::string_view key;      // Full YAML key path.
  std::string_view flag;     // "" when the setting has no flag.
  std::string_view metavar;  // For the usage text.
  std::string_view help;
  Setter set;
  Getter get;  // The default shown in the usage text.
};

constexpr std::array<Setting, 12> kSettings = {{
    {"web.listen_address", "--web.listen-address", "HOST:PORT",
     "Address to serve HTTP on; \":PORT\" means all addresses.", SetListenAddress,
     [](const Config& c) { return c.web.listen_address; }},
    {"web.telemetry_path", "--web.telemetry-path", "PATH", "Path under which to serve metrics.",
     SetTelemetryPath, [](const Config& c) { return c.web.telemetry_path; }},
    {"web.threads", "", "", "", SetThreads,
     [](const Config& c) { return std::to_string(c.web.threads); }},
    {"web.request_timeout", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.web.request_timeout, v, milliseconds(1), kMaxWebTimeout);
     },
     [](const Config& c) { return FormatDuration(c.web.request_timeout); }},
    {"web.keep_alive_timeout", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.web.keep_alive_timeout, v, milliseconds(1), kMaxWebTimeout);
     },
     [](const Config& c) { return FormatDuration(c.web.keep_alive_timeout); }},
    {"sample.interval", "--sample.interval", "DURATION", "How often to sample the host.",
     [](Config& c, std::string_view v) {
       return SetDuration(c.sample.interval, v, kMinInterval, kNoMax);
     },
     [](const Config& c) { return FormatDuration(c.sample.interval); }},
    {"sample.procfs", "--path.procfs", "DIR", "procfs mount point.",
     [](Config& c, std::string_view v) { return SetDirectory(c.sample.procfs, v); },
     [](const Config& c) { return c.sample.procfs; }},
    {"sample.rootfs", "--path.rootfs", "DIR", "Root filesystem mount point (for containers).",
     [](Config& c, std::string_view v) { return SetDirectory(c.sample.rootfs, v); },
     [](const Config& c) { return c.sample.rootfs; }},
    {"sample.stat_timeout", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.sample.stat_timeout, v, milliseconds(1), kNoMax);
     },
     [](const Config& c) { return FormatDuration(c.sample.stat_timeout); }},
    {"log.level", "--log.level", "LEVEL", "Only log messages with this severity or above.",
     [](Config& c, std::string_view v) {
       return SetOneOf(c.log.level, v, {"debug", "info", "warn", "error"});
     },
     [](const Config& c) { return c.log.level; }},
    {"log.format", "--log.format", "FORMAT", "Log line format: text or json.",
     [](Config& c, std::string_view v) {
       return SetOneOf(c.log.format, v, {"text", "json"});
     },
     [](const Config& c) { return c.log.format; }},
    // Not a single value: handled by ReadFilesystems. Listed so that it counts as a known key.
    {"sample.filesystems", "", "", "", nullptr, nullptr},
}};

constexpr std::array<std::string_view, 5> kSections = {"web", "sample", "log", "queue", "auth"};

// --- queue: section ---------------------------------------------------------------------------
// Nested (queue.sqlite.path), so read by YamlReader::ReadQueue rather than ReadSection; the
// values go through the same Setting/Problem checks. No flags.
constexpr milliseconds kMaxQueueDuration{24 * 60 * 60 * 1000};  // poll() takes an int of ms

Problem SetOptionalText(std::string& out, std::string_view value) {
  out = value;
  return std::nullopt;
}

Problem SetQuery(std::string& out, std::string_view value) {
  if (value.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::string("must not be empty");
  }
  out = value;
  return std::nullopt;
}

constexpr std::array<Setting, 10> kQueueSettings = {{
    {"queue.type", "", "", "",
     [](Config& c, std::string_view v) {
       return SetOneOf(c.queue.type, v, {"sqlite", "http", "command", "none"});
     },
     [](const Config& c) { return c.queue.type; }},
    {"queue.interval", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.queue.interval, v, kMinInterval, kMaxQueueDuration);
     },
     [](const Config& c) { return FormatDuration(c.queue.interval); }},
    {"queue.timeout", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.queue.timeout, v, milliseconds(1), kMaxQueueDuration);
     },
     [](const Config& c) { return FormatDuration(c.queue.timeout); }},
    {"queue.stale_after", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.queue.stale_after, v, milliseconds(1), kMaxQueueDuration);
     },
     [](const Config& c) { return FormatDuration(c.queue.stale_after); }},
    {"queue.sqlite.path", "", "", "",
     [](Config& c, std::string_view v) { return SetOptionalText(c.queue.sqlite.path, v); },
     [](const Config& c) { return c.queue.sqlite.path; }},
    {"queue.sqlite.depth_query", "", "", "",
     [](Config& c, std::string_view v) { return SetQuery(c.queue.sqlite.depth_query, v); },
     [](const Config& c) { return c.queue.sqlite.depth_query; }},
    {"queue.sqlite.active_query", "", "", "",
     [](Config& c, std::string_view v) { return SetQuery(c.queue.sqlite.active_query, v); },
     [](const Config& c) { return c.queue.sqlite.active_query; }},
    {"queue.http.url", "", "", "",
     [](Config& c, std::string_view v) -> Problem {
       // Checked even when another type is chosen: an https:// URL is refused at load time.
       if (!v.empty()) {
         if (const Result<HttpUrl> url = ParseHttpUrl(v); !url) return url.error();
       }
       c.queue.http.url = v;
       return std::nullopt;
     },
     [](const Config& c) { return c.queue.http.url; }},
    {"queue.http.bearer_token_file", "", "", "",
     [](Config& c, std::string_view v) {
       return SetOptionalText(c.queue.http.bearer_token_file, v);
     },
     [](const Config& c) { return c.queue.http.bearer_token_file; }},
    {"queue.command.run", "", "", "",
     [](Config& c, std::string_view v) -> Problem {
       if (!v.empty()) {
         const Result<std::vector<std::string>> argv = SplitCommandLine(v);
         if (!argv) return argv.error() + ", got " + Quote(v);
       }
       c.queue.command.run = v;
       return std::nullopt;
     },
     [](const Config& c) { return c.queue.command.run; }},
}};
// --- end queue --------------------------------------------------------------------------------

// --- access control: auth: and web.tls, web.max_body_bytes, web.trusted_proxies ----------------
// Nested keys (auth.jwt.leeway, web.tls.cert_file) are read by YamlReader::ReadNested; the
// list web.trusted_proxies by ReadTrustedProxies. No flags.
constexpr uint64_t kMaxBodyLimit = uint64_t{1} << 30;
constexpr int kMaxFailuresLimit = 1'000'000;
constexpr milliseconds kMaxLeeway{60 * 60 * 1000};

Problem SetText(std::string& out, std::string_view value) {
  out = value;
  return std::nullopt;
}

Problem SetNonEmpty(std::string& out, std::string_view value) {
  if (value.empty()) return std::string("must not be empty");
  out = value;
  return std::nullopt;
}

template <typename Int>
Problem SetInteger(Int& out, std::string_view value, uint64_t max, std::string_view extra = {}) {
  const std::string range = "must be an integer from 0 to " + std::to_string(max) +
                            std::string(extra) + ", got " + Quote(value);
  if (value.empty() || value.size() > 19) return range;
  uint64_t n = 0;
  for (const char ch : value) {
    if (ch < '0' || ch > '9') return range;
    n = n * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (n > max) return range;
  out = static_cast<Int>(n);
  return std::nullopt;
}

constexpr std::array<Setting, 13> kAccessSettings = {{
    {"web.max_body_bytes", "", "", "",
     [](Config& c, std::string_view v) {
       return SetInteger(c.web.max_body_bytes, v, kMaxBodyLimit, " (bytes)");
     },
     [](const Config& c) { return std::to_string(c.web.max_body_bytes); }},
    {"web.tls.cert_file", "", "", "",
     [](Config& c, std::string_view v) { return SetText(c.web.tls.cert_file, v); },
     [](const Config& c) { return c.web.tls.cert_file; }},
    {"web.tls.key_file", "", "", "",
     [](Config& c, std::string_view v) { return SetText(c.web.tls.key_file, v); },
     [](const Config& c) { return c.web.tls.key_file; }},
    {"auth.tokens_file", "", "", "",
     [](Config& c, std::string_view v) { return SetText(c.auth.tokens_file, v); },
     [](const Config& c) { return c.auth.tokens_file; }},
    {"auth.metrics", "", "", "",
     [](Config& c, std::string_view v) {
       return SetOneOf(c.auth.metrics, v, {"open", "token"});
     },
     [](const Config& c) { return c.auth.metrics; }},
    {"auth.jwt.secret_file", "", "", "",
     [](Config& c, std::string_view v) { return SetText(c.auth.jwt.secret_file, v); },
     [](const Config& c) { return c.auth.jwt.secret_file; }},
    {"auth.jwt.issuer", "", "", "",
     [](Config& c, std::string_view v) { return SetText(c.auth.jwt.issuer, v); },
     [](const Config& c) { return c.auth.jwt.issuer; }},
    {"auth.jwt.audience", "", "", "",
     [](Config& c, std::string_view v) { return SetText(c.auth.jwt.audience, v); },
     [](const Config& c) { return c.auth.jwt.audience; }},
    {"auth.jwt.role_claim", "", "", "",
     [](Config& c, std::string_view v) { return SetNonEmpty(c.auth.jwt.role_claim, v); },
     [](const Config& c) { return c.auth.jwt.role_claim; }},
    {"auth.jwt.leeway", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.auth.jwt.leeway, v, milliseconds(0), kMaxLeeway);
     },
     [](const Config& c) { return FormatDuration(c.auth.jwt.leeway); }},
    {"auth.max_failures", "", "", "",
     [](Config& c, std::string_view v) {
       return SetInteger(c.auth.max_failures, v, kMaxFailuresLimit, " (0 turns the lockout off)");
     },
     [](const Config& c) { return std::to_string(c.auth.max_failures); }},
    {"auth.lockout_window", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.auth.lockout_window, v, milliseconds(1000), kMaxWebTimeout);
     },
     [](const Config& c) { return FormatDuration(c.auth.lockout_window); }},
    {"auth.watch_interval", "", "", "",
     [](Config& c, std::string_view v) {
       return SetDuration(c.auth.watch_interval, v, milliseconds(100), kMaxWebTimeout);
     },
     [](const Config& c) { return FormatDuration(c.auth.watch_interval); }},
}};

const Setting* FindAccessSetting(std::string_view key) {
  for (const Setting& s : kAccessSettings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// The names directly under `prefix` ("web." gives max_body_bytes and tls).
std::vector<std::string_view> AccessKeysUnder(std::string_view prefix) {
  std::vector<std::string_view> names;
  for (const Setting& s : kAccessSettings) {
    if (!s.key.starts_with(prefix)) continue;
    std::string_view rest = s.key.substr(prefix.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(names.begin(), names.end(), rest) == names.end()) names.push_back(rest);
  }
  return names;
}
// --- end access control -----------------------------------------------------------------------

// Levenshtein distance, for "did you mean" hints on typos.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string DidYouMean(std::string_view wrong, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = 3;  // Suggest only close matches.
  for (std::string_view candidate : candidates) {
    if (const size_t d = EditDistance(wrong, candidate); d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best.empty() ? "" : " (did you mean " + Quote(best) + "?)";
}

const Setting* FindSettingByKey(std::string_view key) {
  for (const Setting& s : kSettings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

const Setting* FindSettingByFlag(std::string_view flag) {
  for (const Setting& s : kSettings) {
    if (!s.flag.empty() && s.flag == flag) return &s;
  }
  return nullptr;
}

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    default:
      return "nothing";
  }
}

// Walks one YAML document over a Config; every error names the source, line and key path.
class YamlReader {
 public:
  explicit YamlReader(std::string_view source) : source_(source) {}

  void ReadDocument(const YAML::Node& root, Config& config) const {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      Fail(root, "expected a map of settings at the top level, got " + std::string(KindName(root)));
    }
    std::vector<std::string_view> sections(kSections.begin(), kSections.end());
    ForEachKey(root, "", sections,
               [&](const std::string& section, const YAML::Node& key, const YAML::Node& value) {
                 if (section == "queue") return ReadQueue(key, value, config.queue, config);
                 if (section == "auth") return ReadNested(section, key, value, config);
                 ReadSection(section, value, config);
               });
  }

 private:
  [[noreturn]] void Fail(const YAML::Node& node, const std::string& message) const {
    const YAML::Mark mark = node.Mark();
    std::string where = source_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1);
    throw ConfigError(where + ": " + message);
  }

  // Calls fn(full_key, key_node, value) for each key of `map`, rejecting non-string, duplicate and
  // unknown keys. A null `map` (a section with everything commented out) has no keys.
  template <typename Fn>
  void ForEachKey(const YAML::Node& map, const std::string& prefix,
                  const std::vector<std::string_view>& known, Fn fn) const {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
      Fail(map, prefix + ": expected a map of settings, got " + std::string(KindName(map)));
    }
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const YAML::Node& key_node = entry.first;
      if (!key_node.IsScalar()) {
        std::string message = "keys must be plain names";
        if (!prefix.empty()) message += " in " + prefix;
        Fail(key_node, message);
      }
      const std::string& name = key_node.Scalar();
      std::string full = prefix;
      if (!full.empty()) full += '.';
      full += name;
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        Fail(key_node, "unknown key " + Quote(full) + DidYouMean(name, known));
      }
      if (!seen.insert(name).second) Fail(key_node, "duplicate key " + Quote(full));
      fn(full, key_node, entry.second);
    }
  }

  void ReadSection(const std::string& section, const YAML::Node& map, Config& config) const {
    std::vector<std::string_view> known;
    const std::string prefix = section + ".";
    for (const Setting& s : kSettings) {
      if (s.key.starts_with(prefix)) known.emplace_back(s.key.substr(prefix.size()));
    }
    // Access control's web keys (kAccessSettings) and the trusted_proxies list.
    for (const std::string_view name : AccessKeysUnder(prefix)) known.push_back(name);
    if (section == "web") known.emplace_back("trusted_proxies");
    const auto read = [&](const std::string& key, const YAML::Node& key_node,
                          const YAML::Node& value) {
      // A null value's mark is where the parser stood next (often the following line), so
      // errors about it point at the key instead.
      const YAML::Node& at = value.IsNull() ? key_node : value;
      if (key == "sample.filesystems") {
        ReadFilesystems(key, at, value, config.sample);
        return;
      }
      if (key == "web.trusted_proxies") return ReadTrustedProxies(key, at, value, config.web);
      if (!AccessKeysUnder(key + ".").empty() || FindAccessSetting(key) != nullptr) {
        return ReadNested(key, key_node, value, config);
      }
      if (!value.IsScalar()) {
        Fail(at, key + ": expected a single value, got " + std::string(KindName(value)));
      }
      if (const Problem problem = FindSettingByKey(key)->set(config, value.Scalar())) {
        Fail(value, key + ": " + *problem);
      }
    };
    ForEachKey(map, section, known, read);
  }

  void ReadFilesystems(const std::string& key, const YAML::Node& at, const YAML::Node& value,
                       SampleConfig& sample) const {
    if (value.IsScalar() && value.Scalar() == "auto") {
      sample.filesystems_auto = true;
      sample.filesystems.clear();
      return;
    }
    if (!value.IsSequence()) {
      const std::string got =
          value.IsScalar() ? Quote(value.Scalar()) : std::string(KindName(value));
      Fail(at, key + ": expected a list of mount points or \"auto\", got " + got);
    }
    std::vector<std::string> mounts;
    for (size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& item = value[i];
      const std::string item_key = key + "[" + std::to_string(i) + "]";
      if (!item.IsScalar()) {
        Fail(item, item_key + ": expected a mount point, got " + std::string(KindName(item)));
      }
      const std::string& mount = item.Scalar();
      if (!mount.starts_with('/')) {
        Fail(item, item_key + ": a mount point must be an absolute path, got " + Quote(mount));
      }
      if (std::find(mounts.begin(), mounts.end(), mount) != mounts.end()) {
        Fail(item, item_key + ": duplicate mount point " + Quote(mount));
      }
      mounts.push_back(mount);
    }
    sample.filesystems_auto = false;
    sample.filesystems = std::move(mounts);
  }

  // --- queue: section (see kQueueSettings) ----------------------------------------------------
  void ReadQueue(const YAML::Node& section_key, const YAML::Node& map, QueueConfig& queue,
                 Config& config) const {
    std::map<std::string, YAML::Node> given;  // full key -> its key node, for later messages
    const auto set = [&](const std::string& key, const YAML::Node& key_node,
                         const YAML::Node& value) {
      given[key] = key_node;
      const YAML::Node& at = value.IsNull() ? key_node : value;
      if (!value.IsScalar()) {
        Fail(at, key + ": expected a single value, got " + std::string(KindName(value)));
      }
      for (const Setting& s : kQueueSettings) {
        if (s.key != key) continue;
        if (const Problem problem = s.set(config, value.Scalar())) {
          Fail(value, key + ": " + *problem);
        }
      }
    };
    const auto known_under = [](std::string_view prefix) {
      std::vector<std::string_view> known;
      for (const Setting& s : kQueueSettings) {
        if (!s.key.starts_with(prefix)) continue;
        const std::string_view rest = s.key.substr(prefix.size());
        if (rest.find('.') == std::string_view::npos) known.push_back(rest);
      }
      return known;
    };
    std::vector<std::string_view> top = known_under("queue.");
    top.insert(top.end(), {"sqlite", "http", "command"});
    ForEachKey(map, "queue", top,
               [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
                 if (key == "queue.sqlite" || key == "queue.http" || key == "queue.command") {
                   given[key] = key_node;
                   ForEachKey(value, key, known_under(key + "."), set);
                 } else {
                   set(key, key_node, value);
                 }
               });
    if (given.empty()) return;  // an empty queue: section is no section (type none)
    const auto at = [&](const std::string& key) {
      const auto it = given.find(key);
      return it != given.end() ? it->second : section_key;
    };
    // Without a type, "sqlite: {path: ...}" would silently mean none and never block updates.
    if (!given.contains("queue.type")) {
      Fail(section_key, "queue.type: missing; set it to sqlite, http, command or none");
    }
    const auto require = [&](const std::string& key, const std::string& value) {
      if (value.empty()) {
        Fail(at("queue.type"), key + ": required when queue.type is " + queue.type);
      }
    };
    if (queue.type == "sqlite") require("queue.sqlite.path", queue.sqlite.path);
    if (queue.type == "http") require("queue.http.url", queue.http.url);
    if (queue.type == "command") require("queue.command.run", queue.command.run);
    // A good probe must still count when the next one is due and has taken its whole timeout;
    // otherwise the state flickers to unknown (and blocks updates) between two good probes.
    if (queue.stale_after < queue.interval + queue.timeout) {
      Fail(at(given.contains("queue.stale_after") ? "queue.stale_after" : "queue.interval"),
           "queue.stale_after: must be at least queue.interval + queue.timeout (" +
               FormatDuration(queue.interval + queue.timeout) + "), got " +
               Quote(FormatDuration(queue.stale_after)));
    }
  }
  // --- end queue ------------------------------------------------------------------------------

  // --- access control (see kAccessSettings) ---------------------------------------------------
  // A scalar of kAccessSettings, or a map of them (auth:, auth.jwt:, web.tls:).
  void ReadNested(const std::string& key, const YAML::Node& key_node, const YAML::Node& value,
                  Config& config) const {
    const YAML::Node& at = value.IsNull() ? key_node : value;
    if (const Setting* setting = FindAccessSetting(key)) {
      if (!value.IsScalar()) {
        Fail(at, key + ": expected a single value, got " + std::string(KindName(value)));
      }
      if (const Problem problem = setting->set(config, value.Scalar())) {
        Fail(value, key + ": " + *problem);
      }
      return;
    }
    ForEachKey(value, key, AccessKeysUnder(key + "."),
               [&](const std::string& sub, const YAML::Node& sub_key, const YAML::Node& sub_value) {
                 ReadNested(sub, sub_key, sub_value, config);
               });
    if (key == "web.tls" && config.web.tls.cert_file.empty() != config.web.tls.key_file.empty()) {
      Fail(key_node, "web.tls: set both cert_file and key_file, or neither");
    }
  }

  void ReadTrustedProxies(const std::string& key, const YAML::Node& at, const YAML::Node& value,
                          WebConfig& web) const {
    if (value.IsNull()) {
      web.trusted_proxies.clear();
      return;
    }
    if (!value.IsSequence()) {
      Fail(at, key + ": expected a list of CIDRs (e.g. [\"10.0.0.0/8\"]), got " +
                   std::string(KindName(value)));
    }
    std::vector<std::string> cidrs;
    for (size_t i = 0; i < value.size(); ++i) {
      const YAML::Node& item = value[i];
      const std::string item_key = key + "[" + std::to_string(i) + "]";
      if (!item.IsScalar()) {
        Fail(item, item_key + ": expected a CIDR, got " + std::string(KindName(item)));
      }
      if (const Result<Cidr> cidr = Cidr::Parse(item.Scalar()); !cidr) {
        Fail(item, item_key + ": " + cidr.error());
      }
      cidrs.push_back(item.Scalar());
    }
    web.trusted_proxies = std::move(cidrs);
  }
  // --- end access control ---------------------------------------------------------------------

  std::string source_;
};

std::string ReadWholeFile(const std::string& path) {
  const auto fail = [&path](int error) {
    return ConfigError("cannot read config file " + path + ": " +
                       std::generic_category().message(error));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(errno);
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int error = errno;
      ::close(fd);
      throw fail(error);
    }
  }
  ::close(fd);
  return text;
}

}  // namespace

Config DefaultConfig() { return Config{}; }

Config ParseConfigYaml(std::string_view yaml_text, std::string_view source_name) {
  const std::string source(source_name);
  Config config = DefaultConfig();
  std::vector<YAML::Node> documents;
  try {
    documents = LoadYamlDocuments(std::string(yaml_text));  // not LoadAll: see yaml_documents.h
  } catch (const YAML::Exception& e) {
    std::string where = source;
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    throw ConfigError(where + ": YAML syntax error: " + e.msg);
  }
  if (documents.size() > 1) {
    throw ConfigError(source + ":" + std::to_string(documents[1].Mark().line + 1) +
                      ": expected one YAML document, found " + std::to_string(documents.size()));
  }
  if (!documents.empty()) {
    try {
      YamlReader(source).ReadDocument(documents.front(), config);
    } catch (const YAML::Exception& e) {
      // Not expected (the reader checks node types before reading); kept as a ConfigError.
      throw ConfigError(source + ": " + e.msg);
    }
  }
  return config;
}

Config LoadConfigFile(const std::string& path) {
  Config config = ParseConfigYaml(ReadWholeFile(path), path);
  config.config_file = path;
  return config;
}

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

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  CommandLine result;
  std::optional<std::string> config_path;
  struct Override {
    const Setting* setting;
    std::string value;
  };
  std::vector<Override> overrides;
  std::set<std::string> seen;

  std::vector<std::string_view> flag_names = {"--config", "--help", "--version"};
  for (const Setting& s : kSettings) {
    if (!s.flag.empty()) flag_names.push_back(s.flag);
  }

  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      result.show_help = true;
      continue;
    }
    if (arg == "--version") {
      result.show_version = true;
      continue;
    }
    if (!arg.starts_with("--") || arg == "--") {
      throw ConfigError("unexpected argument " + Quote(arg) + " (see --help)");
    }
    const size_t equals = arg.find('=');
    const std::string name(arg.substr(0, equals));
    const Setting* setting = FindSettingByFlag(name);
    if (name == "--help" || name == "--version") throw ConfigError(name + ": takes no value");
    if (setting == nullptr && name != "--config") {
      throw ConfigError("unknown flag " + name + DidYouMean(name, flag_names) + " (see --help)");
    }
    if (!seen.insert(name).second) throw ConfigError(name + ": given more than once");
    std::string value;
    if (equals != std::string_view::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
      value = argv[++i];
    } else {
      throw ConfigError(name + ": missing value");
    }
    if (setting == nullptr) {
      if (value.empty()) throw ConfigError(name + ": missing value");
      config_path = std::move(value);
    } else {
      overrides.push_back({setting, std::move(value)});
    }
  }
  if (result.show_help || result.show_version) return result;

  // The file first, then the flags over it, whatever their order on the command line.
  result.config = config_path ? LoadConfigFile(*config_path) : DefaultConfig();
  for (const Override& o : overrides) {
    if (const Problem problem = o.setting->set(result.config, o.value)) {
      throw ConfigError(std::string(o.setting->flag) + ": " + *problem);
    }
  }
  return result;
}

std::string UsageText() {
  const Config defaults = DefaultConfig();
  struct Line {
    std::string left;
    std::string right;
  };
  std::vector<Line> lines = {
      {"-h, --help", "Show this help and exit."},
      {"    --version", "Show the version and exit."},
      {"    --config=FILE", "YAML config file; the flags below override its values."},
  };
  for (const Setting& s : kSettings) {
    if (s.flag.empty()) continue;
    lines.push_back({"    " + std::string(s.flag) + "=" + std::string(s.metavar),
                     std::string(s.help) + " (default: " + s.get(defaults) + ")"});
  }
  size_t width = 0;
  for (const Line& line : lines) width = std::max(width, line.left.size());
  std::string text =
      "Usage: upkeep [flags]\n"
      "       upkeep token create|list|revoke ...   (API tokens; see upkeep token --help)\n\n"
      "Serves this host's metrics for Prometheus (/metrics) and an HTTP API (/api/...).\n"
      "Settings without a flag (threads, timeouts, filesystems) are set in the config file.\n\n"
      "Flags:\n";
  for (const Line& line : lines) {
    text += "  " + line.left + std::string(width - line.left.size() + 2, ' ') + line.right + "\n";
  }
  return text;
}

}  // namespace upkeep
