#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/log_options.h"
#include "auth/auth_options.h"
#include "common/config_error.h"
#include "common/settings.h"
#include "controller/update_options.h"
#include "exporter/sample_options.h"
#include "queue/queue_options.h"
#include "server/web_options.h"  // also ParseListenAddress

namespace upkeep {

// Every module's options. Each module owns its struct, its settings table and its cross-field
// rules (no YAML in them); app/config_loader.h reads a file into them.
struct Config {
  WebOptions web;
  SampleOptions sample;
  LogOptions log;
  QueueOptions queue;
  AuthOptions auth;
  UpdateOptions update;
  std::string config_file;  // The file the values came from; empty if none.
};

Config DefaultConfig();

// Each module's settings bound to its part of `config`, in the order the sections are known:
// web, sample, log, queue, auth, update. Valid while `config` lives (and stays where it is).
std::vector<BoundSettings> BindSettings(Config& config);

// Parses a YAML config over the defaults. `source_name` (usually the path) prefixes error
// messages as "<source_name>:<line>: ...". Empty text or an empty document gives the defaults.
// Then checks what spans sections (an update: section needs a real queue source unless
// update.require_queue is false) and makes the update section's relative paths absolute
// against the working directory now, as auth.tokens_file is read from it (the git helper runs
// elsewhere, as another user). Leaves `config_file` empty. Throws ConfigError.
Config ParseConfigYaml(std::string_view yaml_text, std::string_view source_name);

// Reads and parses `path`; sets `config_file` to it. Throws ConfigError.
Config LoadConfigFile(const std::string& path);

}  // namespace upkeep
