#include "controller/update_run_context.h"

#include "common/duration.h"

namespace upkeep {

Status SaveJournal(const UpdateRunContext& context, const UpdateJournal& journal) {
  Status written = WriteJournal(StateDirOf(context), journal);
  if (!written.ok()) {
    LogRun(context, journal, UpdateLogLine::Level::kError,
           "cannot write the journal (phase " + std::string(PhaseName(journal.phase)) +
               "): " + written.error());
  }
  if (context.on_journal) context.on_journal(journal);
  return written;
}

void LogRun(const UpdateRunContext& context, const UpdateJournal& journal,
            UpdateLogLine::Level level, const std::string& text) {
  WriteLogLine(context.log_fd, text);
  if (context.log) context.log(UpdateLogLine{level, "update " + journal.id + ": " + text});
}

StepContext StepContextOf(const UpdateRunContext& context, UpdateJournal& journal,
                          const std::atomic<bool>* cancel) {
  StepContext step;
  step.repo = context.update->repo;
  step.run_as = context.run_as;
  step.env = context.update->env;
  step.update_id = journal.id;
  step.from_rev = journal.from_revision;
  step.to_rev = journal.to_revision;
  step.log_fd = context.log_fd;
  step.kill_grace = context.kill_grace;
  step.cancel = cancel;
  return step;
}

StepOutcome RunRunCommand(const UpdateRunContext& context, UpdateJournal& journal,
                          const StepCommand& command, const std::atomic<bool>* cancel) {
  StepContext step = StepContextOf(context, journal, cancel);
  step.on_started = [&context, &journal, &command](pid_t pgid, uint64_t start_ticks) {
    // Before the command can do anything that matters: a crash from here on leaves a journal
    // that names its group, so that recovery can stop it.
    journal.running = RunningStep{command.name, pgid, start_ticks};
    (void)SaveJournal(context, journal);
  };
  LogRun(context, journal, UpdateLogLine::Level::kInfo,
         "running " + command.name + ": " + command.run);
  StepOutcome outcome = RunStep(command, step);
  journal.running.reset();
  const std::string summary =
      outcome.Summary(command.timeout) + " in " + FormatDuration(outcome.duration);
  if (outcome.state == StepState::kOk) {
    LogRun(context, journal, UpdateLogLine::Level::kInfo, command.name + ": " + summary);
  } else {
    std::string text = command.name + ": " + summary;
    if (!outcome.tail.empty()) text += "; last output: " + outcome.tail;
    LogRun(context, journal, UpdateLogLine::Level::kWarning, text);
  }
  return outcome;
}

}  // namespace upkeep
