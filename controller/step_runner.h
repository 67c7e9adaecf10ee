#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/process_runner.h"
#include "controller/update_journal.h"

namespace upkeep {

// One command of an update: a step, its backup or rollback command, the restart, a command
// health check.
struct StepCommand {
  std::string name;  // as the log and the answer name it ("install", "install:rollback")
  std::string run;   // a /bin/sh -c script
  std::chrono::milliseconds timeout{10 * 60'000};
};

// What every command of one update run shares.
struct StepContext {
  std::string repo;                        // the working directory
  std::optional<RunAs> run_as;             // unset: upkeep's own user
  std::map<std::string, std::string> env;  // update.env, added to the clean environment
  std::string update_id;                   // UPKEEP_UPDATE_ID
  std::string from_rev;                    // UPKEEP_FROM_REV
  std::string to_rev;                      // UPKEEP_TO_REV
  int log_fd = -1;  // the run's log (opened by the caller, O_APPEND); -1: no log
  std::chrono::milliseconds kill_grace{5000};  // from SIGTERM to SIGKILL at the timeout
  // Right after the spawn: the step's process group and its leader's start time, for the
  // journal (see RunningStep).
  std::function<void(pid_t pgid, uint64_t start_time_ticks)> on_started;
  // Set by a shutdown: the running command's group is stopped (see ProcessOptions::cancel).
  const std::atomic<bool>* cancel = nullptr;
};

struct StepOutcome {
  StepState state = StepState::kFailed;  // kOk, kFailed or kTimedOut
  std::optional<int> exit_code;          // none when a signal ended it or it never started
  int signal = 0;                        // the signal that ended it, or 0
  bool cancelled = false;                // stopped by context.cancel (a shutdown)
  std::chrono::milliseconds duration{0};
  std::string tail;   // the last lines of its stderr (of stdout when stderr was empty)
  std::string error;  // why it could not be started, or empty

  // "ok", "failed (exit 3)", "timed out after 10m", "killed by signal 9",
  // "could not start: ...": how the log's footer and a message put it.
  std::string Summary(std::chrono::milliseconds timeout) const;
};

// The environment a command of the update gets: CleanEnvironment(run_as), then context.env,
// then UPKEEP_UPDATE_ID, UPKEEP_FROM_REV and UPKEEP_TO_REV.
std::vector<std::string> StepEnvironment(const StepContext& context);

// Runs `step` with /bin/sh -c in context.repo as context.run_as, umask 022, in its own process
// group (killed with the group at step.timeout), stdout and stderr appended to context.log_fd
// between a header line and a footer line. Never throws: a command that cannot be started is
// a kFailed outcome with `error` set.
StepOutcome RunStep(const StepCommand& step, const StepContext& context);

// Appends `line` and a newline to the run's log (best effort: the log must never stop an
// update). Control characters in `line` are escaped so that one call is one line.
void WriteLogLine(int log_fd, const std::string& line);

}  // namespace upkeep
