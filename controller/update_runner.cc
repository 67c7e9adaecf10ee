#include "controller/update_runner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/fd.h"
#include "common/time_text.h"
#include "controller/git_move_client.h"
#include "controller/git_user.h"
#include "controller/state_files.h"
#include "controller/test_pause.h"
#include "controller/update_flow.h"
#include "controller/update_id.h"
#include "controller/update_preconditions.h"

namespace upkeep {
namespace {

using Level = UpdateLogLine::Level;

UpdateReport Refused(UpdateReport report, UpdateRefusal refusal) {
  report.result = UpdateResult::kRefused;
  report.message = refusal.message;
  report.refusal = std::move(refusal);
  return report;
}

UpdateReport Refused(UpdateReport report, std::string_view code, std::string message) {
  return Refused(std::move(report),
                 UpdateRefusal{.code = std::string(code), .message = std::move(message)});
}

// The run's log: state_dir/updates/<id>.log, 0600, appended to (the steps' output arrives
// through our pipes, so no child ever holds it).
Result<Fd> OpenRunLog(const std::string& state_dir, const std::string& id) {
  const std::string dir = RunLogsDir(state_dir);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return MakeError(FileError(dir, "mkdir", errno).message);
  }
  const std::string path = RunLogPath(state_dir, id);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return MakeError(FileError(path, "open", errno).message);
  return fd;
}

}  // namespace

UpdateRunner::UpdateRunner(UpdateRunnerOptions options, UpdateChecker& checker,
                           QueueProbe probe_queue)
    : options_(std::move(options)),
      checker_(checker),
      probe_queue_(std::move(probe_queue)),
      lock_(options_.update.state_dir) {
  for (UpdateResult result : AllUpdateResults()) counters_.runs_total[result] = 0;
  // The last run before this start, so that the metrics say how it ended from the first scrape.
  if (Result<HistoryPage> page = ReadLastHistory(options_.update.state_dir, 1);
      page.ok() && !page->entries.empty()) {
    const HistoryEntry& last = page->entries.front();
    last_report_ = ReportOfHistory(last, options_.update.state_dir);
    counters_.has_last = true;
    counters_.last_result = last.result;
    if (std::optional<SystemTime> finished = ParseRfc3339(last.finished_at)) {
      counters_.last_run_timestamp_seconds =
          std::chrono::duration<double>(finished->time_since_epoch()).count();
      if (std::optional<SystemTime> started = ParseRfc3339(last.started_at)) {
        counters_.last_duration_seconds =
            std::chrono::duration<double>(*finished - *started).count();
      }
    }
  }
}

UpdateRunner::~UpdateRunner() {
  if (thread_.joinable()) thread_.join();
}

void UpdateRunner::Log(Level level, const std::string& text) const {
  if (options_.log) options_.log(UpdateLogLine{level, text});
}

UpdateRunContext UpdateRunner::ContextFor(int log_fd, std::optional<RunAs> run_as) {
  UpdateRunContext context;
  context.update = &options_.update;
  context.helper_binary = options_.helper_binary;
  context.run_as = std::move(run_as);
  context.kill_grace = options_.kill_grace;
  context.git_timeout = options_.git_timeout;
  context.probe_queue = probe_queue_;
  context.cancel = &cancel_;
  context.abandon = &abandon_;
  context.log = options_.log;
  context.log_fd = log_fd;
  context.on_journal = [this](const UpdateJournal& journal) {
    std::lock_guard lock(mutex_);
    if (active_ && active_->journal.id == journal.id) active_->journal = journal;
  };
  return context;
}

std::string UpdateRunner::PendingMessage() const {
  if (!pending_) {
    return "an earlier update needs an admin (its journal in " + options_.update.state_dir +
           " could not be read); look at the log, then run `upkeep update resolve --config "
           "FILE`";
  }
  return "update " + pending_->id + " (from " + pending_->from_revision.substr(0, 12) + " to " +
         pending_->to_revision.substr(0, 12) + ") ended in phase " +
         std::string(PhaseName(pending_->phase)) +
         (pending_->failure.empty() ? "" : ": " + pending_->failure) +
         "; HEAD was left where it ended. Look at its log (" +
         RunLogPath(options_.update.state_dir, pending_->id) +
         "), then run `upkeep update resolve --config FILE`";
}

bool UpdateRunner::StillPending() const {
  if (!recovery_pending_ || active_) return recovery_pending_;
  struct stat info {};
  if (::lstat(JournalPath(options_.update.state_dir).c_str(), &info) != 0 && errno == ENOENT) {
    recovery_pending_ = false;
    pending_.reset();
    Log(Level::kInfo, "update: the pending recovery was resolved (its journal is gone)");
  }
  return recovery_pending_;
}

UpdateReport UpdateRunner::Execute(const ExecuteRequest& request) {
  std::optional<UpdateLockGuard> guard;
  UpdateJournal journal;
  std::vector<PlannedStep> plan;
  std::optional<RunAs> run_as;
  UpdateReport report = Prepare(request, guard, journal, plan, run_as);
  if (!guard) {
    if (!report.dry_run) {
      // Refusals and up-to-date answers are executes too: an alert on increase() of refused
      // sees an admin's updates being turned away.
      std::lock_guard lock(mutex_);
      ++counters_.runs_total[report.result];
    }
    if (report.result == UpdateResult::kRefused) {
      Log(Level::kWarning, "update refused (" + report.refusal->code + ") for " + request.who +
                               ": " + report.message);
    } else {
      Log(Level::kInfo, "update asked by " + request.who + ": " + report.message);
    }
    return report;
  }
  Result<Fd> log = OpenRunLog(options_.update.state_dir, journal.id);
  if (!log) {
    std::lock_guard lock(mutex_);
    preparing_ = false;
    return Refused(report, refusal_code::kInternal, "cannot open the run's log: " + log.error());
  }
  if (upkeep::Status written = WriteJournal(options_.update.state_dir, journal); !written.ok()) {
    std::lock_guard lock(mutex_);
    preparing_ = false;
    return Refused(report, refusal_code::kInternal,
                   "cannot write the update journal: " + written.error());
  }
  WriteLogLine(log->get(), "update " + journal.id + " asked by " + journal.who + ": from " +
                               journal.from_version + " (" + journal.from_revision + ") to " +
                               journal.to_version + " (" + journal.to_revision + ")");
  Log(Level::kInfo, "update " + journal.id + ": asked by " + journal.who + ", from " +
                        journal.from_version + " to " + journal.to_version);
  TestPausePoint("started");

  std::thread previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::move(thread_);
  }
  if (previous.joinable()) previous.join();  // it had concluded: only its return was left
  const std::string id = journal.id;
  {
    std::lock_guard lock(mutex_);
    active_ = Active{journal, RunLogPath(options_.update.state_dir, id)};
    preparing_ = false;
    thread_ = std::thread(&UpdateRunner::RunThread, this, std::move(*guard), journal,
                          std::move(plan), log->Release(), std::move(run_as));
  }
  report.update_id = id;
  report.log_path = RunLogPath(options_.update.state_dir, id);
  report.started_at = journal.started_at;
  if (request.async) {
    report.accepted = true;
    report.message = "update " + id + " started";
    return report;
  }
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [&] { return !active_ || active_->journal.id != id; });
  if (last_report_ && last_report_->update_id == id) return *last_report_;
  report.result = UpdateResult::kInterrupted;
  report.message = "the run ended without a report (see its log)";
  return report;
}

UpdateReport UpdateRunner::Prepare(const ExecuteRequest& request,
                                   std::optional<UpdateLockGuard>& guard, UpdateJournal& journal,
                                   std::vector<PlannedStep>& plan, std::optional<RunAs>& run_as) {
  const UpdateOptions& update = options_.update;
  UpdateReport report;
  report.who = request.who;
  report.dry_run = request.dry_run;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) {
      return Refused(report, refusal_code::kShuttingDown, "upkeep is shutting down");
    }
    if (StillPending()) {
      return Refused(report, refusal_code::kRecoveryPending, PendingMessage());
    }
    if (active_ || preparing_) {
      return Refused(report, refusal_code::kUpdateInProgress,
                     active_ ? "update " + active_->journal.id + " is running (phase " +
                                   std::string(PhaseName(active_->journal.phase)) + ")"
                             : "another update is being prepared");
    }
  }
  Result<std::optional<UpdateLockGuard>> acquired = lock_.TryAcquire();
  if (!acquired) return Refused(report, refusal_code::kInternal, acquired.error());
  if (!acquired->has_value()) {
    return Refused(report, refusal_code::kUpdateInProgress,
                   "another update holds the update lock " + lock_.path());
  }
  std::optional<UpdateLockGuard> held = std::move(*acquired);
  {
    std::lock_guard lock(mutex_);
    preparing_ = true;  // from here the update check answers from memory: no fetch of its own
  }
  // Only the lock's holder sets preparing_; it clears it again unless the run goes ahead.
  struct ClearPreparing {
    UpdateRunner* runner;
    const std::optional<UpdateLockGuard>& handed_on;
    ~ClearPreparing() {
      if (handed_on) return;
      std::lock_guard lock(runner->mutex_);
      runner->preparing_ = false;
    }
  } clear_preparing{this, guard};
  // A journal nobody runs: a crash not yet recovered, another daemon's failed run.
  Result<std::optional<UpdateJournal>> left = ReadJournal(update.state_dir);
  if (!left || left->has_value()) {
    std::lock_guard lock(mutex_);
    recovery_pending_ = true;
    if (left) pending_ = **left;
    return Refused(report, refusal_code::kRecoveryPending,
                   left ? PendingMessage() : left.error() + "; run `upkeep update resolve`");
  }
  if (std::optional<UpdateRefusal> busy = RefusalOfQueue(probe_queue_())) {
    return Refused(report, std::move(*busy));
  }
  CheckResult<std::optional<RunAs>> user = ResolveGitUser(update.repo, update.user);
  if (!user) return Refused(report, RefusalOfCheckError(user.error()));
  run_as = *user;
  CheckResult<GitFacts> facts = checker_.FetchForUpdate(true);
  if (!facts) {
    // The checkout's own state comes first in the documented order: look without a fetch.
    if (CheckResult<GitFacts> local = checker_.FetchForUpdate(false); local.ok()) {
      if (std::optional<UpdateRefusal> refusal =
              RefusalOfFacts(*local, update.branch, update.allow_insecure_transport);
          refusal && refusal->code != refusal_code::kInsecureTransport &&
          refusal->code != refusal_code::kDiverged) {
        return Refused(report, std::move(*refusal));
      }
    }
    return Refused(report, RefusalOfCheckError(facts.error()));
  }
  report.from_revision = facts->current_revision;
  report.from_version = facts->current_version;
  report.to_revision = facts->latest_revision;
  report.to_version = facts->latest_version;
  if (std::optional<UpdateRefusal> refusal =
          RefusalOfFacts(*facts, update.branch, update.allow_insecure_transport)) {
    return Refused(report, std::move(*refusal));
  }
  if (facts->commits_behind == 0 || facts->current_revision == facts->latest_revision) {
    report.result = UpdateResult::kUpToDate;
    report.to_revision = report.from_revision;
    report.to_version = report.from_version;
    report.message = "already up to date at " + facts->current_version;
    return report;
  }
  GitHelperCall call;
  call.helper_binary = options_.helper_binary;
  call.run_as = run_as;
  call.timeout = options_.git_timeout;
  const GitUpdateResult<GitChangedPaths> changed = RunGitChanged(
      call, GitChangedRequest{update.repo, facts->current_revision, facts->latest_revision});
  if (!changed) {
    return Refused(report, refusal_code::kInternal,
                   "cannot list what the update changes (" + changed.error().code +
                       "): " + changed.error().message);
  }
  plan = PlanSteps(update.steps, changed->paths, changed->truncated);
  if (request.dry_run) {
    report.result = UpdateResult::kSuccess;
    report.planned = plan;
    report.message = "dry run: would update from " + report.from_version + " to " +
                     report.to_version + " (" + std::to_string(facts->commits_behind) +
                     " commit(s), " + std::to_string(changed->paths.size()) +
                     (changed->truncated ? "+" : "") + " path(s)); nothing was changed";
    return report;
  }
  Result<std::string> id = NewUpdateId();
  if (!id) return Refused(report, refusal_code::kInternal, id.error());
  journal.id = *id;
  journal.who = request.who;
  journal.started_at = FormatRfc3339(std::chrono::system_clock::now());
  journal.from_revision = report.from_revision;
  journal.to_revision = report.to_revision;
  journal.from_version = report.from_version;
  journal.to_version = report.to_version;
  journal.phase = UpdatePhase::kStarted;
  guard = std::move(held);
  return report;
}

void UpdateRunner::RunThread(UpdateLockGuard guard, UpdateJournal journal,
                             std::vector<PlannedStep> plan, int log_fd,
                             std::optional<RunAs> run_as) {
  const Fd log(log_fd);
  const UpdateRunContext context = ContextFor(log.get(), std::move(run_as));
  const UpdateFlowOutcome outcome = RunUpdateFlow(context, journal, plan);
  Conclude(context, journal, outcome.result, outcome.message,
           outcome.abandoned                                 ? Ending::kAbandoned
           : outcome.result == UpdateResult::kRollbackFailed ? Ending::kKeepJournal
                                                             : Ending::kDone);
  guard.Release();
}

}  // namespace upkeep
