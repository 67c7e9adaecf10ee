#include "controller/update_flow.h"

#include <thread>

#include "common/duration.h"
#include "controller/health_check.h"
#include "controller/preserve_paths.h"
#include "controller/test_pause.h"
#include "controller/update_rollback.h"

namespace upkeep {
namespace {

using Level = UpdateLogLine::Level;
constexpr std::chrono::milliseconds kDrainProbeInterval{2000};

bool Cancelled(const UpdateRunContext& context) {
  return context.cancel != nullptr && context.cancel->load();
}

UpdateFlowOutcome RollBackAfter(const UpdateRunContext& context, UpdateJournal& journal,
                                const std::string& failure, RollbackRequest request) {
  journal.failure = failure;
  LogRun(context, journal, Level::kWarning, failure);
  const RollbackOutcome rolled = RollBack(context, journal, request);
  if (rolled.abandoned) return {UpdateResult::kInterrupted, failure + "; " + rolled.message, true};
  if (rolled.result == UpdateResult::kRollbackFailed) {
    return {UpdateResult::kRollbackFailed,
            failure + "; then the rollback failed: " + rolled.message};
  }
  return {UpdateResult::kRolledBack, failure + "; rolled back to " + journal.from_version};
}

bool PlannedToRun(const std::vector<PlannedStep>& planned, const std::string& name) {
  for (const PlannedStep& step : planned) {
    if (step.name == name) return step.runs;
  }
  return true;
}

// Checks the queue right before the restart; a job that started during the steps may finish
// within drain_timeout. True when it is idle.
bool Drained(const UpdateRunContext& context, UpdateJournal& journal) {
  const auto deadline = std::chrono::steady_clock::now() + context.update->drain_timeout;
  bool said = false;
  for (;;) {
    const QueueState queue = context.probe_queue ? context.probe_queue() : QueueState{};
    if (queue.status == QueueStatus::kIdle) {
      if (said) LogRun(context, journal, Level::kInfo, "the queue is idle again");
      return true;
    }
    if (!said) {
      LogRun(context, journal, Level::kWarning,
             queue.status == QueueStatus::kBusy
                 ? std::to_string(queue.active_jobs) +
                       " job(s) started during the update; waiting up to " +
                       FormatDuration(context.update->drain_timeout) + " before restarting"
                 : "the queue's state is unknown (" + queue.reason + "); waiting up to " +
                       FormatDuration(context.update->drain_timeout));
      said = true;
    }
    if (std::chrono::steady_clock::now() >= deadline || Cancelled(context)) return false;
    const auto left = deadline - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left,
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(kDrainProbeInterval)));
  }
}

}  // namespace

UpdateFlowOutcome RunUpdateFlow(const UpdateRunContext& context, UpdateJournal& journal,
                                const std::vector<PlannedStep>& planned) {
  const UpdateOptions& update = *context.update;

  journal.phase = UpdatePhase::kCheckout;
  if (!SaveJournal(context, journal).ok()) {
    return {UpdateResult::kRolledBack, "the journal could not be written; nothing was changed"};
  }
  TestPausePoint("checkout");
  LogRun(context, journal, Level::kInfo,
         "moving the checkout from " + journal.from_revision.substr(0, 12) + " to " +
             journal.to_revision.substr(0, 12));
  const GitUpdateResult<GitMoveOutcome> moved =
      RunGitMove(GitCallOf(context, journal, "checkout"),
                 GitMoveRequest{.repo = update.repo,
                                .branch = update.branch,
                                .expected_from = journal.from_revision,
                                .to = journal.to_revision,
                                .mode = GitMoveMode::kForward});
  journal.running.reset();
  if (!moved) {
    const GitUpdateError& error = moved.error();
    const std::string failure =
        "the checkout could not be moved (" + error.code + "): " + error.message;
    if (error.tree == GitTreeState::kUnchanged || error.tree == GitTreeState::kReverted) {
      journal.failure = failure;
      LogRun(context, journal, Level::kWarning, failure + "; the checkout is unchanged");
      return {UpdateResult::kRolledBack, failure + "; the checkout is unchanged"};
    }
    return RollBackAfter(context, journal, failure, {.move = GitMoveMode::kRepair});
  }

  journal.phase = UpdatePhase::kPreserve;
  if (!update.preserve.empty()) {
    Result<std::string> aside = ChooseAsideDir(update.repo, update.state_dir, journal.id);
    Result<PreserveRecord> record = aside ? PlanPreserve(update.repo, update.preserve, *aside)
                                          : Result<PreserveRecord>(MakeError(aside.error()));
    if (!record) {
      return RollBackAfter(context, journal, "the preserve paths: " + record.error(),
                           {.move = GitMoveMode::kBack});
    }
    journal.preserve = *record;
    (void)SaveJournal(context, journal);
    if (Status set = SetAside(*journal.preserve); !set.ok()) {
      journal.preserve.reset();  // SetAside put back what it had moved
      (void)SaveJournal(context, journal);
      return RollBackAfter(context, journal, "setting the preserve paths aside: " + set.error(),
                           {.move = GitMoveMode::kBack});
    }
  } else {
    (void)SaveJournal(context, journal);
  }

  journal.phase = UpdatePhase::kSteps;
  (void)SaveJournal(context, journal);
  for (const UpdateStep& step : update.steps) {
    if (Cancelled(context)) {
      return RollBackAfter(context, journal, "stopped by a shutdown before step " + step.name,
                           {.move = GitMoveMode::kBack});
    }
    if (!PlannedToRun(planned, step.name)) {
      journal.steps.push_back({step.name, StepState::kSkipped, std::nullopt, 0});
      (void)SaveJournal(context, journal);
      LogRun(context, journal, Level::kInfo,
             step.name + ": skipped (the update touches none of its when_changed paths)");
      continue;
    }
    if (!step.backup.empty()) {
      const StepCommand backup{
          .name = step.name + ":backup", .run = step.backup, .timeout = step.timeout};
      const StepOutcome outcome = RunRunCommand(context, journal, backup, context.cancel);
      if (outcome.state != StepState::kOk) {
        journal.steps.push_back(
            {step.name, StepState::kFailed, std::nullopt, outcome.duration.count()});
        return RollBackAfter(
            context, journal,
            "the backup before step " + step.name + " " + outcome.Summary(backup.timeout),
            {.move = GitMoveMode::kBack});
      }
    }
    const StepCommand command{.name = step.name, .run = step.run, .timeout = step.timeout};
    const StepOutcome outcome = RunRunCommand(context, journal, command, context.cancel);
    journal.steps.push_back(
        {step.name, outcome.state, outcome.exit_code, outcome.duration.count()});
    (void)SaveJournal(context, journal);
    if (outcome.state != StepState::kOk) {
      const std::string why = outcome.cancelled
                                  ? "step " + step.name + " was stopped by a shutdown"
                                  : "step " + step.name + " " + outcome.Summary(command.timeout);
      return RollBackAfter(context, journal, why,
                           {.failed_step = step.name, .move = GitMoveMode::kBack});
    }
  }

  journal.phase = UpdatePhase::kDrain;
  (void)SaveJournal(context, journal);
  if (!Drained(context, journal)) {
    return RollBackAfter(context, journal,
                         Cancelled(context)
                             ? std::string("stopped by a shutdown before the restart")
                             : "the queue did not become idle within " +
                                   FormatDuration(update.drain_timeout) +
                                   " (drain_timeout); not restarting",
                         {.move = GitMoveMode::kBack});
  }

  journal.phase = UpdatePhase::kRestart;
  journal.restart_attempted = !update.restart.run.empty();
  (void)SaveJournal(context, journal);
  if (!update.restart.run.empty()) {
    const StepCommand restart{
        .name = "restart", .run = update.restart.run, .timeout = update.restart.timeout};
    const StepOutcome outcome = RunRunCommand(context, journal, restart, context.cancel);
    (void)SaveJournal(context, journal);
    if (outcome.state != StepState::kOk) {
      return RollBackAfter(context, journal, "the restart " + outcome.Summary(restart.timeout),
                           {.move = GitMoveMode::kBack});
    }
  }

  journal.phase = UpdatePhase::kHealthCheck;
  (void)SaveJournal(context, journal);
  TestPausePoint("health_check");
  const HealthCheckOutcome health = RunHealthCheck(update.health_check, journal.to_revision,
                                                   StepContextOf(context, journal, context.cancel));
  if (!health.passed) {
    return RollBackAfter(context, journal,
                         "the health check failed after " + std::to_string(health.attempts) +
                             " attempt(s): " + health.last_error,
                         {.move = GitMoveMode::kBack});
  }
  journal.health_passed = true;
  (void)SaveJournal(context, journal);
  TestPausePoint("health_passed");
  if (journal.preserve) {
    if (Status discarded = Discard(*journal.preserve); !discarded.ok()) {
      LogRun(context, journal, Level::kWarning,
             "the previous preserve paths could not be removed: " + discarded.error());
    }
  }
  return {UpdateResult::kSuccess,
          "updated from " + journal.from_version + " to " + journal.to_version};
}

}  // namespace upkeep
