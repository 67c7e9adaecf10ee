#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/process_runner.h"
#include "controller/step_runner.h"
#include "controller/update_journal.h"
#include "controller/update_options.h"
#include "queue/queue_monitor.h"

namespace upkeep {

// One line for the log: controller/ does no logging of its own (app/ passes spdlog).
struct UpdateLogLine {
  enum class Level { kInfo, kWarning, kError } level = Level::kInfo;
  std::string text;  // begins with "update <id>: " when about a run
};

// What one run (forward, rollback or a recovery) works with. The journal is written through
// Save() before every phase, so that a crash leaves it naming the phase under way.
struct UpdateRunContext {
  const UpdateOptions* update = nullptr;
  std::string helper_binary;    // answers `git move|changed`
  std::optional<RunAs> run_as;  // update.user; unset: upkeep's own user
  std::chrono::milliseconds kill_grace{5000};
  std::chrono::milliseconds git_timeout{5 * 60'000};
  std::function<QueueState()> probe_queue;
  const std::atomic<bool>* cancel = nullptr;   // a shutdown: stop the forward run, roll back
  const std::atomic<bool>* abandon = nullptr;  // past shutdown_timeout: stop even the rollback
  std::function<void(const UpdateLogLine&)> log;
  std::function<void(const UpdateJournal&)> on_journal;  // after each write: the status view
  int log_fd = -1;                                       // the run's log
};

// Writes the journal (durably) and shows it to on_journal. A failed write is logged and
// returned: before the checkout moves it stops the run; later it is only logged (the rollback
// must go on).
Status SaveJournal(const UpdateRunContext& context, const UpdateJournal& journal);

// Logs `text` as "update <id>: text" through context.log and into the run's log file.
void LogRun(const UpdateRunContext& context, const UpdateJournal& journal,
            UpdateLogLine::Level level, const std::string& text);

// The StepContext of a command of this run: repo, user, env, the UPKEEP_* variables, the log,
// and on_started recording the command as the journal's running step (written at once).
StepContext StepContextOf(const UpdateRunContext& context, UpdateJournal& journal,
                          const std::atomic<bool>* cancel);

// Runs one command of the run as a step (its own group, killed at its timeout or on `cancel`),
// with the journal naming it as running meanwhile; logs its outcome.
StepOutcome RunRunCommand(const UpdateRunContext& context, UpdateJournal& journal,
                          const StepCommand& command, const std::atomic<bool>* cancel);

// The state_dir of the run's options.
inline const std::string& StateDirOf(const UpdateRunContext& context) {
  return context.update->state_dir;
}

}  // namespace upkeep
