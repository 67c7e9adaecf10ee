#include "app/config.h"

#include <filesystem>
#include <system_error>

#include "app/config_loader.h"
#include "common/file_reader.h"

namespace upkeep {
namespace {

// With no queue source every state reads idle, so an update would never be refused for
// running jobs: that has to be asked for in so many words.
void CheckUpdateHasAQueue(const Config& config, std::string_view source) {
  if (!config.update.configured || !config.update.require_queue || config.queue.type != "none") {
    return;
  }
  throw ConfigError(std::string(source) +
                    ": update: needs a job queue source, but queue.type is none (or there is no "
                    "queue: section): every queue state would read idle and an update would "
                    "never be refused for running jobs; configure queue:, or set "
                    "update.require_queue: false to update without that guard");
}

// "./var/app" -> "/srv/upkeep/var/app": read against the working directory at load time, as a
// relative auth.tokens_file is, even where the path is used later or by another process.
void MakeAbsolute(std::string& path, std::string_view key, std::string_view source) {
  if (path.empty() || path.front() == '/') return;
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) {
    throw ConfigError(std::string(source) + ": " + std::string(key) + ": cannot resolve " + path +
                      " against the working directory: " + error.message());
  }
  path = absolute.lexically_normal().string();
}

void ResolveUpdatePaths(UpdateOptions& update, std::string_view source) {
  if (!update.configured) return;
  MakeAbsolute(update.repo, "update.repo", source);
  MakeAbsolute(update.state_dir, "update.state_dir", source);
  MakeAbsolute(update.credentials.ssh_key_file, "update.credentials.ssh_key_file", source);
  MakeAbsolute(update.credentials.ssh_known_hosts, "update.credentials.ssh_known_hosts", source);
  MakeAbsolute(update.credentials.https_token_file, "update.credentials.https_token_file", source);
}

}  // namespace

Config DefaultConfig() { return Config{}; }

std::vector<BoundSettings> BindSettings(Config& config) {
  std::vector<BoundSettings> sections;
  sections.push_back(Bind(WebSettings(), config.web));
  sections.push_back(Bind(SampleSettings(), config.sample));
  sections.push_back(Bind(LogSettings(), config.log));
  sections.push_back(Bind(QueueSettings(), config.queue));
  sections.push_back(Bind(AuthSettings(), config.auth));
  sections.push_back(BindUpdateSettings(config.update));
  return sections;
}

Config ParseConfigYaml(std::string_view yaml_text, std::string_view source_name) {
  Config config = DefaultConfig();
  ReadConfigYaml(yaml_text, source_name, BindSettings(config));
  CheckUpdateHasAQueue(config, source_name);
  ResolveUpdatePaths(config.update, source_name);
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
