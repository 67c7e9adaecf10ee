// UpdateRunner: how a run ends (history, journal, counters), the recovery at start, what the
// status and history routes read, and the shutdown.

#include <fcntl.h>

#include "common/fd.h"
#include "common/time_text.h"
#include "controller/git_user.h"
#include "controller/update_id.h"
#include "controller/update_recovery.h"
#include "controller/update_runner.h"

namespace upkeep {
namespace {

using Level = UpdateLogLine::Level;

double SecondsSinceEpoch(SystemTime time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

HistoryEntry EntryOf(const UpdateJournal& journal, UpdateResult result,
                     const std::string& finished_at) {
  HistoryEntry entry;
  entry.id = journal.id;
  entry.who = journal.who;
  entry.from_revision = journal.from_revision;
  entry.to_revision = journal.to_revision;
  entry.from_version = journal.from_version;
  entry.to_version = journal.to_version;
  entry.result = result;
  entry.started_at = journal.started_at;
  entry.finished_at = finished_at;
  entry.steps = journal.steps;
  return entry;
}

UpdateReport ReportOfJournal(const UpdateJournal& journal, const std::string& state_dir) {
  UpdateReport report;
  report.update_id = journal.id;
  report.who = journal.who;
  report.from_revision = journal.from_revision;
  report.to_revision = journal.to_revision;
  report.from_version = journal.from_version;
  report.to_version = journal.to_version;
  report.steps = journal.steps;
  report.log_path = RunLogPath(state_dir, journal.id);
  report.started_at = journal.started_at;
  report.message = journal.failure;
  report.result = UpdateResultNamed(journal.result).value_or(UpdateResult::kInterrupted);
  return report;
}

}  // namespace

void UpdateRunner::Conclude(const UpdateRunContext& context, UpdateJournal& journal,
                            UpdateResult result, const std::string& message, Ending ending) {
  const bool keep_journal = ending != Ending::kDone;
  const bool abandoned = ending == Ending::kAbandoned;
  const std::string& state_dir = options_.update.state_dir;
  const SystemTime finished = std::chrono::system_clock::now();
  journal.result = std::string(UpdateResultName(result));
  journal.running.reset();
  if (!keep_journal) {
    journal.phase = UpdatePhase::kFinished;
    (void)SaveJournal(context, journal);
  }
  if (!abandoned) {
    // A recovered rollback_failed run may be in the history already: one line per run.
    Result<std::optional<HistoryEntry>> known = FindInHistory(state_dir, journal.id);
    if (!(known.ok() && known->has_value() && (*known)->result == result)) {
      if (upkeep::Status appended =
              AppendHistory(state_dir, EntryOf(journal, result, FormatRfc3339(finished)));
          !appended.ok()) {
        LogRun(context, journal, Level::kError, "cannot record the run: " + appended.error());
      }
    }
  }
  if (!keep_journal) {
    if (upkeep::Status removed = RemoveJournal(state_dir); !removed.ok()) {
      LogRun(context, journal, Level::kError, "cannot remove the journal: " + removed.error());
    }
  }
  if (Result<size_t> pruned = PruneRunLogs(state_dir, options_.update.keep_logs); !pruned.ok()) {
    LogRun(context, journal, Level::kWarning, "cannot prune old run logs: " + pruned.error());
  }
  const Level level = result == UpdateResult::kSuccess      ? Level::kInfo
                      : result == UpdateResult::kRolledBack ? Level::kWarning
                                                            : Level::kError;
  LogRun(context, journal, level,
         "result " + std::string(UpdateResultName(result)) + ": " + message);

  // The checkout moved (or came back): the check's facts, its metrics and the target's version
  // must say where it is now, not where the last fetch found it. No fetch: the refs are local.
  if (!abandoned) {
    if (CheckResult<GitFacts> now = checker_.FetchForUpdate(false); !now.ok()) {
      LogRun(context, journal, Level::kWarning,
             "cannot read the checkout after the run: " + now.error().message);
    }
  }
  UpdateReport report = ReportOfJournal(journal, state_dir);
  report.result = result;
  report.message = message;
  report.finished_at = FormatRfc3339(finished);
  std::lock_guard lock(mutex_);
  if (!abandoned) {
    ++counters_.runs_total[result];
    counters_.has_last = true;
    counters_.last_result = result;
    counters_.last_run_timestamp_seconds = SecondsSinceEpoch(finished);
    if (std::optional<SystemTime> started = ParseRfc3339(journal.started_at)) {
      counters_.last_duration_seconds = std::chrono::duration<double>(finished - *started).count();
    }
  }
  if (keep_journal) {
    recovery_pending_ = true;
    pending_ = journal;
  }
  last_report_ = std::move(report);
  active_.reset();
  finished_.notify_all();
}

void UpdateRunner::Recover() {
  const std::string& state_dir = options_.update.state_dir;
  Result<std::optional<UpdateJournal>> read = ReadJournal(state_dir);
  if (!read) {
    Log(Level::kError, read.error() +
                           "; updates are refused until an admin has looked and run "
                           "`upkeep update resolve`");
    std::lock_guard lock(mutex_);
    recovery_pending_ = true;
    counters_.recovery_pending = true;
    return;
  }
  if (!read->has_value()) return;
  UpdateJournal journal = std::move(**read);
  Result<std::optional<UpdateLockGuard>> acquired = lock_.TryAcquire();
  if (!acquired || !acquired->has_value()) {
    // Liveness is the lock: another upkeep on this state directory is running the update.
    Log(Level::kWarning, "update " + journal.id +
                             ": its journal is there but another process holds the update "
                             "lock: not interrupted, left alone");
    return;
  }
  UpdateLockGuard guard = std::move(**acquired);
  const std::string log_path = IsValidUpdateId(journal.id) ? RunLogPath(state_dir, journal.id) : "";
  const Fd log(
      log_path.empty()
          ? -1
          : ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  std::optional<RunAs> run_as;
  if (CheckResult<std::optional<RunAs>> user =
          ResolveGitUser(options_.update.repo, options_.update.user);
      user.ok()) {
    run_as = *user;
  } else {
    Log(Level::kError, "update " + journal.id +
                           ": recovery cannot run as the repo's user: " + user.error().message);
  }
  {
    std::lock_guard lock(mutex_);
    active_ = Active{journal, log_path};
    counters_.interrupted = true;
  }
  UpdateRunContext context = ContextFor(log.get(), run_as);
  RecoveryOutcome outcome;
  if (!run_as && ::geteuid() == 0) {
    outcome = RecoveryOutcome{UpdateResult::kInterrupted, true,
                              "recovery needs the repo's user, which cannot be resolved"};
  } else {
    outcome = RecoverInterruptedRun(context, journal);
  }
  Conclude(context, journal, outcome.result, outcome.message,
           outcome.pending ? Ending::kKeepJournal : Ending::kDone);
  std::lock_guard lock(mutex_);
  counters_.recovery_pending = recovery_pending_;
}

UpdateLockFlags UpdateRunner::LockFlags() const {
  std::lock_guard lock(mutex_);
  return UpdateLockFlags{.update_in_progress = active_.has_value() || preparing_,
                         .recovery_pending = StillPending()};
}

UpdateRunCounters UpdateRunner::Counters() const {
  std::lock_guard lock(mutex_);
  UpdateRunCounters counters = counters_;
  counters.in_progress = active_.has_value();
  counters.recovery_pending = StillPending();
  return counters;
}

UpdateRunStatus UpdateRunner::StatusOf(const UpdateReport& report, bool running, std::string phase,
                                       std::optional<RunningStep> step) const {
  UpdateRunStatus status;
  status.running = running;
  status.phase = std::move(phase);
  status.report = report;
  status.running_step = std::move(step);
  if (IsValidUpdateId(report.update_id)) {
    if (Result<std::vector<std::string>> tail =
            ReadLogTail(RunLogPath(options_.update.state_dir, report.update_id), kStatusLogLines);
        tail.ok()) {
      status.log_tail = std::move(*tail);
    }
  }
  return status;
}

Result<std::optional<UpdateRunStatus>> UpdateRunner::Status(
    std::optional<std::string_view> id) const {
  if (id && !IsValidUpdateId(*id)) return std::optional<UpdateRunStatus>();
  const std::string& state_dir = options_.update.state_dir;
  std::optional<UpdateJournal> running;
  std::optional<UpdateJournal> pending;
  std::optional<UpdateReport> last;
  {
    std::lock_guard lock(mutex_);
    if (active_) running = active_->journal;
    pending = pending_;
    last = last_report_;
  }
  if (running && (!id || *id == running->id)) {
    const std::string phase(PhaseName(running->phase));
    return std::optional(
        StatusOf(ReportOfJournal(*running, state_dir), true, phase, running->running));
  }
  if (pending && (!id || *id == pending->id)) {
    UpdateReport report = ReportOfJournal(*pending, state_dir);
    return std::optional(
        StatusOf(report, false, std::string(PhaseName(pending->phase)), std::nullopt));
  }
  if (last && (!id || *id == last->update_id) && !last->update_id.empty()) {
    return std::optional(StatusOf(*last, false, "finished", std::nullopt));
  }
  if (!id) {
    Result<HistoryPage> page = ReadLastHistory(state_dir, 1);
    if (!page) return MakeError(page.error());
    if (page->entries.empty()) return std::optional<UpdateRunStatus>();
    return std::optional(
        StatusOf(ReportOfHistory(page->entries.front(), state_dir), false, "finished", {}));
  }
  Result<std::optional<HistoryEntry>> entry = FindInHistory(state_dir, *id);
  if (!entry) return MakeError(entry.error());
  if (!entry->has_value()) return std::optional<UpdateRunStatus>();
  return std::optional(StatusOf(ReportOfHistory(**entry, state_dir), false, "finished", {}));
}

Result<HistoryPage> UpdateRunner::History(size_t limit) const {
  return ReadLastHistory(options_.update.state_dir, limit);
}

bool UpdateRunner::Shutdown() {
  std::unique_lock lock(mutex_);
  shutting_down_ = true;
  if (active_) {
    Log(Level::kWarning, "update " + active_->journal.id +
                             ": shutting down: stopping the running step and rolling back "
                             "(at most update.shutdown_timeout)");
  }
  cancel_ = true;
  const auto deadline = std::chrono::steady_clock::now() + options_.update.shutdown_timeout;
  if (!finished_.wait_until(lock, deadline, [&] { return !active_; })) {
    abandon_ = true;
    Log(Level::kError, "update " + active_->journal.id +
                           ": not rolled back within update.shutdown_timeout; stopping it and "
                           "leaving the journal for the recovery at the next start");
    const auto grace =
        std::chrono::steady_clock::now() + options_.kill_grace + std::chrono::seconds(5);
    if (!finished_.wait_until(lock, grace, [&] { return !active_; })) return false;
  }
  std::thread thread = std::move(thread_);
  lock.unlock();
  if (thread.joinable()) thread.join();
  return true;
}

}  // namespace upkeep
