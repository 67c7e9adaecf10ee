#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/settings.h"
#include "controller/update_step_options.h"

namespace upkeep {

// update.*: the managed service's git checkout, which the update check compares with its
// remote. No update: section (or an empty one) means the update API answers 503
// update_not_configured.
struct UpdateOptions {
  bool configured = false;  // the section gave at least one key (set by BindUpdateSettings)
  std::string repo;         // the service's working tree; required when configured
  std::string remote = "origin";
  std::string branch = "main";
  // Who runs git work: a user name or uid. "": the owner of repo (root only when written out).
  std::string user;
  std::chrono::milliseconds check_interval{15 * 60 * 1000};  // background check; 0 = none
  std::chrono::milliseconds min_fetch_interval{30'000};      // a check within it reuses a fetch
  std::chrono::milliseconds fetch_timeout{30'000};
  size_t changelog_limit = 100;
  bool allow_insecure_transport = false;  // git:// and http:// remotes (unauthenticated)
  struct Credentials {
    std::string ssh_key_file;     // "": ssh-agent, else none
    std::string ssh_known_hosts;  // "": the user's ~/.ssh/known_hosts
    std::string https_token_file;
    bool operator==(const Credentials&) const = default;
  } credentials;
  std::string state_dir = "/var/lib/upkeep";  // what must outlive a restart
  // Refuse to start without a real queue source: with none, every state reads idle and an
  // update would never be refused for running jobs.
  bool require_queue = true;

  // Update execution (controller/update_step_options.h has the parts).
  // Added to the steps' clean environment; names upkeep sets itself are refused.
  std::map<std::string, std::string> env;
  // Repo-relative paths (normalised: "node_modules", "web/dist") set aside before the first step
  // and put back on rollback.
  std::vector<std::string> preserve;
  std::vector<UpdateStep> steps;  // in order
  UpdateRestart restart;
  UpdateHealthCheck health_check;
  // How long a job that started during the steps may run before the restart is given up (and
  // the update rolled back without one); 0: at once.
  std::chrono::milliseconds drain_timeout{10 * 60'000};
  // On SIGTERM during an update: the time to roll back before exiting anyway.
  std::chrono::milliseconds shutdown_timeout{60'000};
  OnInterrupted on_interrupted = OnInterrupted::kRollback;
  size_t keep_logs = 50;  // run logs kept in state_dir/updates

  bool operator==(const UpdateOptions&) const = default;
};

// The update.* settings (no YAML here: see common/settings.h), the check's and the execution's
// (update_step_options.h), and their cross-field rules: a section that is there needs a repo,
// and those of ValidateUpdateExecution.
SettingsTable<UpdateOptions> UpdateSettings();

// Bind(UpdateSettings(), options), whose cross-field check also records in options.configured
// whether the section gave any key. The loader runs that check for a section in the file only,
// so options.configured stays false without one.
BoundSettings BindUpdateSettings(UpdateOptions& options);

}  // namespace upkeep
