#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/settings.h"

namespace upkeep {

struct UpdateOptions;

// One of update.steps: a /bin/sh -c command run in the repo as update.user, in its own process
// group, killed with the group at `timeout`.
struct UpdateStep {
  std::string name{};  // [a-z0-9_-]+, unique: how the answer, status, history and log name it
  std::string run{};   // required
  std::chrono::milliseconds timeout{10 * 60'000};
  // Run again on rollback for what the preserve paths could not restore (dependencies, a build).
  bool rerun_on_rollback = false;
  // Globs over the paths the update's diff touches (controller/path_glob.h); the step runs only
  // when one matches. Empty: it always runs (an empty list in the file is refused).
  std::vector<std::string> when_changed{};
  std::string rollback{};  // run on rollback when this step failed or had completed; "": none
  std::string backup{};    // run right before the step (a data backup); "": none
  bool operator==(const UpdateStep&) const = default;
};

// Whether `step` runs for an update that touches `changed_paths` (repo-relative, as git names
// them).
bool StepRuns(const UpdateStep& step, std::span<const std::string> changed_paths);

// update.restart: restarts the managed service after the steps (and again after a rollback when
// a restart had been attempted). No run: no restart.
struct UpdateRestart {
  std::string run{};
  std::chrono::milliseconds timeout{60'000};
  bool operator==(const UpdateRestart&) const = default;
};

// update.health_check: after the restart, an HTTP GET of `url` that must answer 2xx, or a
// command `run` that must exit 0; exactly one of them, or neither (no health check).
struct UpdateHealthCheck {
  std::string url{};
  std::string run{};
  // url only: the body must contain the revision the service should now run, so an old process
  // still answering on the port cannot pass.
  bool expect_revision = false;
  std::chrono::milliseconds timeout{5000};   // one attempt
  uint32_t retries = 10;                     // further attempts after a failed one
  std::chrono::milliseconds interval{3000};  // between attempts
  bool configured() const { return !url.empty() || !run.empty(); }
  bool operator==(const UpdateHealthCheck&) const = default;
};

// What to do at start with a run that a crash or kill interrupted.
enum class OnInterrupted {
  kRollback,  // restore the from-revision (and the service) automatically
  kReport,    // leave everything as it is for an admin (execute answers recovery_pending)
};

// The update.* settings of update execution (env, preserve, steps, restart, health_check,
// drain_timeout, shutdown_timeout, on_interrupted, keep_logs); UpdateSettings() (update_options.h)
// serves them with the others.
std::span<const Setting<UpdateOptions>> UpdateExecutionSettings();

// Their cross-field rules (each step names itself and its command; restart has a command;
// health_check has url or run; no empty when_changed; state_dir outside repo), for a section
// that is there.
std::optional<KeyedProblem> ValidateUpdateExecution(const UpdateOptions& options,
                                                    const GivenKeys& given);

}  // namespace upkeep
