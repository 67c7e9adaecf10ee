#include "app/flags.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "common/text.h"

namespace upkeep {
namespace {

// A flag sets one setting of a module's table, with that setting's check and default.
struct Flag {
  std::string_view name;
  std::string_view metavar;  // for the usage text
  std::string_view help;
  std::string_view key;
};

constexpr Flag kFlags[] = {
    {"--web.listen-address", "HOST:PORT",
     "Address to serve HTTP on; \":PORT\" means all addresses.", "web.listen_address"},
    {"--web.telemetry-path", "PATH", "Path under which to serve metrics.", "web.telemetry_path"},
    {"--sample.interval", "DURATION", "How often to sample the host.", "sample.interval"},
    {"--path.procfs", "DIR", "procfs mount point.", "sample.procfs"},
    {"--path.rootfs", "DIR", "Root filesystem mount point (for containers).", "sample.rootfs"},
    {"--log.level", "LEVEL", "Only log messages with this severity or above.", "log.level"},
    {"--log.format", "FORMAT", "Log line format: text or json.", "log.format"},
    {"--update.user", "USER",
     "User for git work in update.repo (default: its owner; root only if named).", "update.user"},
};

const Flag* FindFlag(std::string_view name) {
  for (const Flag& flag : kFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const BoundSetting& SettingOf(const std::vector<BoundSettings>& sections, const Flag& flag) {
  for (const BoundSettings& section : sections) {
    if (const BoundSetting* setting = section.Find(flag.key)) return *setting;
  }
  throw std::logic_error("flag " + std::string(flag.name) + " names no setting");
}

}  // namespace

FlagArguments ParseFlagArguments(int argc, const char* const* argv) {
  FlagArguments result;
  std::set<std::string> seen;

  std::vector<std::string_view> flag_names = {"--config", "--help", "--version"};
  for (const Flag& flag : kFlags) flag_names.push_back(flag.name);

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
    const Flag* flag = FindFlag(name);
    if (name == "--help" || name == "--version") throw ConfigError(name + ": takes no value");
    if (flag == nullptr && name != "--config") {
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
    if (flag == nullptr) {
      if (value.empty()) throw ConfigError(name + ": missing value");
      result.config_path = std::move(value);
    } else {
      result.overrides.emplace_back(name, std::move(value));
    }
  }
  return result;
}

Config ConfigOfFlags(const FlagArguments& flags) {
  // The file first, then the flags over it, whatever their order on the command line.
  Config config = flags.config_path ? LoadConfigFile(*flags.config_path) : DefaultConfig();
  const std::vector<BoundSettings> sections = BindSettings(config);
  for (const auto& [name, value] : flags.overrides) {
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) throw ConfigError("unknown flag " + name + " (see --help)");
    if (const Problem problem = SettingOf(sections, *flag).set(value)) {
      throw ConfigError(name + ": " + *problem);
    }
  }
  return config;
}

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  const FlagArguments flags = ParseFlagArguments(argc, argv);
  CommandLine result;
  result.show_help = flags.show_help;
  result.show_version = flags.show_version;
  if (result.show_help || result.show_version) return result;
  result.config = ConfigOfFlags(flags);
  return result;
}

std::string UsageText() {
  Config defaults = DefaultConfig();
  const std::vector<BoundSettings> sections = BindSettings(defaults);
  struct Line {
    std::string left;
    std::string right;
  };
  std::vector<Line> lines = {
      {"-h, --help", "Show this help and exit."},
      {"    --version", "Show the version and exit."},
      {"    --config=FILE", "YAML config file; the flags below override its values."},
  };
  for (const Flag& flag : kFlags) {
    // A setting whose default is "not set" says what that means in its help.
    const std::string_view default_text = SettingOf(sections, flag).default_text;
    std::string right(flag.help);
    if (!default_text.empty()) right += " (default: " + std::string(default_text) + ")";
    lines.push_back({"    " + std::string(flag.name) + "=" + std::string(flag.metavar), right});
  }
  size_t width = 0;
  for (const Line& line : lines) width = std::max(width, line.left.size());
  std::string text =
      "Usage: upkeep [flags]\n"
      "       upkeep token create|list|revoke ...   (API tokens; see upkeep token --help)\n"
      "       upkeep update resolve --config FILE   (close an interrupted update run)\n"
      "       upkeep check-config [--config FILE] [flags]   (check the config, files and repo)\n\n"
      "Serves this host's metrics for Prometheus (/metrics) and an HTTP API (/api/...).\n"
      "Settings without a flag (threads, timeouts, filesystems) are set in the config file.\n\n"
      "Flags:\n";
  for (const Line& line : lines) {
    text += "  " + line.left + std::string(width - line.left.size() + 2, ' ') + line.right + "\n";
  }
  return text;
}

}  // namespace upkeep
