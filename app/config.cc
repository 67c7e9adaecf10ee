#include "app/config.h"

#include "app/config_loader.h"
#include "common/file_reader.h"

namespace upkeep {

Config DefaultConfig() { return Config{}; }

std::vector<BoundSettings> BindSettings(Config& config) {
  std::vector<BoundSettings> sections;
  sections.push_back(Bind(WebSettings(), config.web));
  sections.push_back(Bind(SampleSettings(), config.sample));
  sections.push_back(Bind(LogSettings(), config.log));
  sections.push_back(Bind(QueueSettings(), config.queue));
  sections.push_back(Bind(AuthSettings(), config.auth));
  return sections;
}

Config ParseConfigYaml(std::string_view yaml_text, std::string_view source_name) {
  Config config = DefaultConfig();
  ReadConfigYaml(yaml_text, source_name, BindSettings(config));
  return config;
}

Config LoadConfigFile(const std::string& path) {
  std::string text;
  if (const Status read = ReadFileInto(path, text); !read) {
    // ReadFileInto names the path itself ("open PATH: reason"); say it once.
    std::string reason = read.error();
    if (const size_t at = reason.find(path + ": "); at != std::string::npos) {
      reason.erase(0, at + path.size() + 2);
    }
    throw ConfigError("cannot read config file " + path + ": " + reason);
  }
  Config config = ParseConfigYaml(text, path);
  config.config_file = path;
  return config;
}

}  // namespace upkeep
