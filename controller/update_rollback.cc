#include "controller/update_rollback.h"

#include <vector>

#include "controller/health_check.h"
#include "controller/preserve_paths.h"

namespace upkeep {
namespace {

using Level = UpdateLogLine::Level;

StepRecord* RecordOf(UpdateJournal& journal, const std::string& name) {
  for (StepRecord& record : journal.steps) {
    if (record.name == name) return &record;
  }
  return nullptr;
}

bool Ran(const StepRecord* record) {
  return record != nullptr && record->state != StepState::kSkipped;
}

RollbackOutcome Failed(const UpdateRunContext& context, UpdateJournal& journal,
                       const std::string& why) {
  if (context.abandon != nullptr && context.abandon->load()) {
    journal.running.reset();
    (void)SaveJournal(context, journal);
    LogRun(context, journal, Level::kError,
           "the rollback was stopped by the shutdown (past update.shutdown_timeout): " + why +
               "; the journal is left for the recovery at the next start");
    return RollbackOutcome{UpdateResult::kInterrupted, why, true};
  }
  journal.phase = UpdatePhase::kRollbackFailed;
  journal.running.reset();
  journal.failure =
      journal.failure.empty() ? "rollback: " + why : journal.failure + "; rollback: " + why;
  (void)SaveJournal(context, journal);
  LogRun(context, journal, Level::kError,
         "ROLLBACK FAILED: " + why +
             "; the journal is kept and updates are refused (recovery_pending) until an admin "
             "has looked and run `upkeep update resolve`");
  return RollbackOutcome{UpdateResult::kRollbackFailed, why};
}

// The rollback commands: the failed step's and those of the steps that had completed, last
// first.
std::optional<std::string> RunRollbackCommands(const UpdateRunContext& context,
                                               UpdateJournal& journal,
                                               const RollbackRequest& request) {
  const std::vector<UpdateStep>& steps = context.update->steps;
  for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
    if (step->rollback.empty()) continue;
    const StepRecord* record = RecordOf(journal, step->name);
    const bool completed = record != nullptr && record->state == StepState::kOk;
    if (!completed && step->name != request.failed_step) continue;
    const StepCommand command{
        .name = step->name + ":rollback", .run = step->rollback, .timeout = step->timeout};
    const StepOutcome outcome = RunRunCommand(context, journal, command, context.abandon);
    if (outcome.state != StepState::kOk) {
      return "the rollback command of step " + step->name + " " + outcome.Summary(command.timeout);
    }
  }
  return std::nullopt;
}

std::optional<std::string> MoveBack(const UpdateRunContext& context, UpdateJournal& journal,
                                    GitMoveMode mode) {
  GitMoveRequest request{.repo = context.update->repo,
                         .branch = context.update->branch,
                         .expected_from = journal.to_revision,
                         .to = journal.from_revision,
                         .mode = mode};
  if (mode == GitMoveMode::kRepair) {
    // Repair names the run's own from and to: HEAD may be at either.
    request.expected_from = journal.from_revision;
    request.to = journal.to_revision;
  }
  LogRun(context, journal, Level::kInfo,
         "moving the checkout back to " + journal.from_revision.substr(0, 12) +
             (mode == GitMoveMode::kRepair ? " (repair: where HEAD is was not known)" : ""));
  const GitUpdateResult<GitMoveOutcome> moved =
      RunGitMove(GitCallOf(context, journal, "checkout:back"), request);
  journal.running.reset();
  if (!moved) {
    return "moving the checkout back to " + journal.from_revision.substr(0, 12) + " failed (" +
           moved.error().code + "): " + moved.error().message;
  }
  return std::nullopt;
}

// The rerun_on_rollback steps that had run, when the preserve paths did not bring back what
// they make.
std::optional<std::string> Rerun(const UpdateRunContext& context, UpdateJournal& journal) {
  for (const UpdateStep& step : context.update->steps) {
    if (!step.rerun_on_rollback || !Ran(RecordOf(journal, step.name))) continue;
    const StepCommand command{
        .name = step.name + ":rerun", .run = step.run, .timeout = step.timeout};
    const StepOutcome outcome = RunRunCommand(context, journal, command, context.abandon);
    if (outcome.state != StepState::kOk) {
      return "re-running step " + step.name + " on the old revision " +
             outcome.Summary(command.timeout);
    }
  }
  return std::nullopt;
}

std::optional<std::string> RestartAndCheck(const UpdateRunContext& context,
                                           UpdateJournal& journal) {
  const UpdateOptions& update = *context.update;
  if (!update.restart.run.empty()) {
    const StepCommand restart{
        .name = "restart", .run = update.restart.run, .timeout = update.restart.timeout};
    const StepOutcome outcome = RunRunCommand(context, journal, restart, context.abandon);
    if (outcome.state != StepState::kOk) {
      return "restarting the old revision " + outcome.Summary(restart.timeout);
    }
  }
  const HealthCheckOutcome health = RunHealthCheck(
      update.health_check, journal.from_revision, StepContextOf(context, journal, context.abandon));
  if (!health.passed) {
    return "the old revision failed its health check after " + std::to_string(health.attempts) +
           " attempt(s): " + health.last_error;
  }
  return std::nullopt;
}

}  // namespace

GitHelperCall GitCallOf(const UpdateRunContext& context, UpdateJournal& journal,
                        const std::string& name) {
  GitHelperCall call;
  call.helper_binary = context.helper_binary;
  call.run_as = context.run_as;
  call.timeout = context.git_timeout;
  call.on_started = [&context, &journal, name](pid_t pgid, uint64_t start_ticks) {
    journal.running = RunningStep{name, pgid, start_ticks};
    (void)SaveJournal(context, journal);
  };
  return call;
}

RollbackOutcome RollBack(const UpdateRunContext& context, UpdateJournal& journal,
                         const RollbackRequest& request) {
  journal.phase = UpdatePhase::kRollback;
  (void)SaveJournal(context, journal);
  LogRun(context, journal, Level::kWarning,
         "rolling back to " + journal.from_revision.substr(0, 12) +
             (journal.failure.empty() ? "" : " after: " + journal.failure));

  if (std::optional<std::string> failed = RunRollbackCommands(context, journal, request)) {
    return Failed(context, journal, *failed);
  }
  if (request.move) {
    if (std::optional<std::string> failed = MoveBack(context, journal, *request.move)) {
      return Failed(context, journal, *failed);
    }
  }
  bool restored = false;
  if (journal.preserve) {
    const Status back = Restore(*journal.preserve);
    restored = back.ok();
    if (back.ok()) {
      LogRun(context, journal, Level::kInfo, "preserve paths put back");
    } else {
      LogRun(context, journal, Level::kWarning,
             "putting the preserve paths back failed (" + back.error() +
                 "); the rerun_on_rollback steps rebuild them");
    }
  }
  if (!restored) {
    if (std::optional<std::string> failed = Rerun(context, journal)) {
      return Failed(context, journal, *failed);
    }
  }
  for (StepRecord& record : journal.steps) {
    if (record.state == StepState::kOk) record.state = StepState::kRolledBack;
  }
  if (journal.restart_attempted) {
    if (std::optional<std::string> failed = RestartAndCheck(context, journal)) {
      return Failed(context, journal, *failed);
    }
  }
  (void)SaveJournal(context, journal);
  LogRun(context, journal, Level::kWarning,
         "rolled back: the checkout is at " + journal.from_revision.substr(0, 12) + " again");
  return RollbackOutcome{UpdateResult::kRolledBack, ""};
}

}  // namespace upkeep
