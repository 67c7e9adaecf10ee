#include "controller/update_recovery.h"

#include <signal.h>

#include <algorithm>

#include "common/process_runner.h"
#include "controller/update_rollback.h"

namespace upkeep {
namespace {

using Level = UpdateLogLine::Level;

bool IsConfiguredStep(const UpdateRunContext& context, const std::string& name) {
  return std::any_of(context.update->steps.begin(), context.update->steps.end(),
                     [&](const UpdateStep& step) { return step.name == name; });
}

RecoveryOutcome Pending(const UpdateRunContext& context, UpdateJournal& journal,
                        UpdateResult result, const std::string& why) {
  LogRun(context, journal, Level::kError,
         why +
             "; updates are refused (recovery_pending) until an admin has looked and run "
             "`upkeep update resolve`");
  return RecoveryOutcome{result, true, why};
}

}  // namespace

std::string StopOrphanedGroup(const RunningStep& running) {
  const pid_t group = running.process_group;
  if (group <= 1) return "no group to stop";
  const uint64_t now = StartTimeTicks(group);
  if (now == 0) {
    return "the group of " + running.name + " (" + std::to_string(group) +
           ") has no leader any more; nothing was signalled";
  }
  if (now != running.leader_start_ticks) {
    return "pid " + std::to_string(group) + " now belongs to another process (started at tick " +
           std::to_string(now) + ", not " + std::to_string(running.leader_start_ticks) +
           "); it was not touched";
  }
  ::kill(-group, SIGKILL);
  return "killed the orphaned process group " + std::to_string(group) + " of " + running.name;
}

RecoveryOutcome RecoverInterruptedRun(const UpdateRunContext& context, UpdateJournal& journal) {
  const std::string phase(PhaseName(journal.phase));
  LogRun(context, journal, Level::kWarning,
         "found interrupted in phase " + phase + " (from " + journal.from_revision.substr(0, 12) +
             " to " + journal.to_revision.substr(0, 12) + ", asked by " + journal.who + ")");
  std::string failed_step;
  if (journal.running) {
    if (IsConfiguredStep(context, journal.running->name)) failed_step = journal.running->name;
    LogRun(context, journal, Level::kWarning, StopOrphanedGroup(*journal.running));
    journal.running.reset();
  }
  if (journal.phase == UpdatePhase::kFinished) {
    const std::optional<UpdateResult> result = UpdateResultNamed(journal.result);
    return RecoveryOutcome{result.value_or(UpdateResult::kInterrupted), false,
                           "the run had finished; only its record was left to write"};
  }
  if (journal.phase == UpdatePhase::kRollbackFailed) {
    return Pending(context, journal, UpdateResult::kRollbackFailed,
                   "its rollback had failed: " + journal.failure);
  }
  if (journal.recovery_attempts >= kMaxRecoveryAttempts) {
    return Pending(context, journal, UpdateResult::kInterrupted,
                   "recovery was attempted " + std::to_string(journal.recovery_attempts) +
                       " times already; it is left as it is");
  }
  if (context.update->on_interrupted == OnInterrupted::kReport) {
    return Pending(context, journal, UpdateResult::kInterrupted,
                   "left as it is (update.on_interrupted: report); HEAD may be at either "
                   "revision");
  }
  ++journal.recovery_attempts;
  journal.failure = journal.failure.empty() ? "interrupted in phase " + phase
                                            : journal.failure + "; interrupted in phase " + phase;
  (void)SaveJournal(context, journal);
  if (journal.health_passed) {
    // The new revision runs and passed its check: the update happened.
    if (journal.preserve) (void)Discard(*journal.preserve);
    LogRun(context, journal, Level::kInfo,
           "its health check had passed: recorded as a success at " +
               journal.to_revision.substr(0, 12));
    return RecoveryOutcome{UpdateResult::kSuccess, false, "updated (recovered after a crash)"};
  }
  if (journal.phase == UpdatePhase::kStarted) {
    LogRun(context, journal, Level::kInfo, "nothing had been changed yet");
    return RecoveryOutcome{UpdateResult::kInterrupted, false,
                           "interrupted before anything changed"};
  }
  const RollbackOutcome rolled =
      RollBack(context, journal, {.failed_step = failed_step, .move = GitMoveMode::kRepair});
  if (rolled.abandoned) {
    return RecoveryOutcome{UpdateResult::kInterrupted, true, "recovery stopped by a shutdown"};
  }
  if (rolled.result == UpdateResult::kRollbackFailed) {
    return RecoveryOutcome{UpdateResult::kRollbackFailed, true,
                           "interrupted, and rolling back failed: " + rolled.message};
  }
  return RecoveryOutcome{
      UpdateResult::kInterrupted, false,
      "interrupted in phase " + phase + "; rolled back to " + journal.from_revision.substr(0, 12)};
}

}  // namespace upkeep
