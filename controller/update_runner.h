#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "controller/update_checker.h"
#include "controller/update_history.h"
#include "controller/update_lock.h"
#include "controller/update_options.h"
#include "controller/update_report.h"
#include "controller/update_run_context.h"
#include "queue/queue_monitor.h"

namespace upkeep {

// What the runner's metrics show (app/ turns it into the exporter's sample).
struct UpdateRunCounters {
  bool in_progress = false;
  std::map<UpdateResult, uint64_t> runs_total;  // every result present, from 0
  bool has_last = false;                        // a run finished since start (or in history)
  double last_run_timestamp_seconds = 0;        // when the last run finished
  double last_duration_seconds = 0;
  UpdateResult last_result = UpdateResult::kSuccess;
  bool interrupted = false;       // the last start found a run a crash or kill had interrupted
  bool recovery_pending = false;  // execute answers recovery_pending until `update resolve`
};

struct UpdateRunnerOptions {
  UpdateOptions update;
  // The binary that answers `BINARY git move|changed ...` (the upkeep binary itself).
  std::string helper_binary;
  std::chrono::milliseconds kill_grace{5000};         // SIGTERM to SIGKILL for a step's group
  std::chrono::milliseconds git_timeout{5 * 60'000};  // a move or a diff
  // Where log lines go (app/ passes spdlog); may be empty.
  std::function<void(const UpdateLogLine&)> log;
};

struct ExecuteRequest {
  std::string who;  // "token:NAME from ADDR", already escaped
  bool dry_run = false;
  bool async = false;
};

// Runs updates of the managed service, one at a time (UpdateLock), each as a journaled state
// machine (update_journal.h) on a thread of its own, so a client that disconnects never
// cancels one. The preconditions (in the order the API documents) run on the caller's thread
// and change nothing when one fails.
class UpdateRunner {
 public:
  using QueueProbe = std::function<QueueState()>;  // a fresh probe: QueueMonitor::ProbeNow

  // `checker` and `probe_queue` must outlive the runner. The checker does the fetch (its
  // helper run, forced; a background check during a run fetches nothing: LockFlags()).
  UpdateRunner(UpdateRunnerOptions options, UpdateChecker& checker, QueueProbe probe_queue);
  ~UpdateRunner();  // waits for a run under way (call Shutdown first to bound it)
  UpdateRunner(const UpdateRunner&) = delete;
  UpdateRunner& operator=(const UpdateRunner&) = delete;

  // At start, before serving: an unfinished journal with a free lock is an interrupted run;
  // recovers it as update.on_interrupted says (see the README). Never throws.
  void Recover();

  // POST /api/system/update/execute. Synchronous: returns the finished run's report.
  // request.async: returns once the run has started (report.accepted, report.update_id).
  UpdateReport Execute(const ExecuteRequest& request);

  // GET /api/system/update/status: the run under way, else the last one (std::nullopt: none
  // yet); with an id, that run (std::nullopt: no such run; an invalid id touches no file).
  Result<std::optional<UpdateRunStatus>> Status(std::optional<std::string_view> id) const;

  // GET /api/system/update/history?limit=N: newest first.
  Result<HistoryPage> History(size_t limit) const;

  // For the update check: an update under way, recovery pending.
  UpdateLockFlags LockFlags() const;

  UpdateRunCounters Counters() const;

  // SIGTERM: a run under way has its running step's group killed and rolls back, for at most
  // update.shutdown_timeout; past it this returns and the journal is left for recovery at the
  // next start. New executes are refused (shutting_down) from now on. False when a run is
  // still under way after all (the caller must then exit without destroying the runner).
  bool Shutdown();

 private:
  // The run under way, as its journal was last written.
  struct Active {
    UpdateJournal journal;
    std::string log_path;
  };

  UpdateReport Prepare(const ExecuteRequest& request, std::optional<UpdateLockGuard>& guard,
                       UpdateJournal& journal, std::vector<PlannedStep>& plan,
                       std::optional<RunAs>& run_as);
  void RunThread(UpdateLockGuard guard, UpdateJournal journal, std::vector<PlannedStep> plan,
                 int log_fd, std::optional<RunAs> run_as);
  UpdateRunContext ContextFor(int log_fd, std::optional<RunAs> run_as);
  // Records how a run ended: the journal's last word, the history line, the journal removed
  // (kept for a rollback_failed), old logs pruned, counters and the last report.
  enum class Ending {
    kDone,         // the journal is removed
    kKeepJournal,  // recorded, but the journal stays for an admin (recovery_pending)
    kAbandoned,    // not recorded: the journal stays for the recovery at the next start
  };
  void Conclude(const UpdateRunContext& context, UpdateJournal& journal, UpdateResult result,
                const std::string& message, Ending ending);
  void Log(UpdateLogLine::Level level, const std::string& text) const;
  std::string PendingMessage() const;  // mutex_ held
  // Clears recovery_pending_ once the journal is gone (`upkeep update resolve` removed it while
  // we ran); mutex_ held. One stat(2).
  bool StillPending() const;
  UpdateRunStatus StatusOf(const UpdateReport& report, bool running, std::string phase,
                           std::optional<RunningStep> step) const;

  const UpdateRunnerOptions options_;
  UpdateChecker& checker_;
  const QueueProbe probe_queue_;
  UpdateLock lock_;

  mutable std::mutex mutex_;
  std::condition_variable finished_;  // a run concluded (last_report_ changed)
  std::optional<Active> active_;
  bool preparing_ = false;  // an execute is past the lock, checking the preconditions
  std::optional<UpdateReport> last_report_;
  mutable std::optional<UpdateJournal> pending_;  // the journal awaiting `update resolve`
  mutable bool recovery_pending_ = false;
  UpdateRunCounters counters_;
  bool shutting_down_ = false;
  std::thread thread_;               // the latest run's thread (joined by the next run or Shutdown)
  std::atomic<bool> cancel_{false};  // shutdown: stop the forward run
  std::atomic<bool> abandon_{false};  // past shutdown_timeout: stop the rollback too
};

}  // namespace upkeep
