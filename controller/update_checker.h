#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/process_runner.h"
#include "controller/check_error.h"
#include "controller/git_facts.h"
#include "controller/update_check.h"
#include "queue/queue_monitor.h"

namespace upkeep {

// One finished helper run (a real check: answers reused from memory are not runs).
struct UpdateCheckRun {
  SystemTime started;
  std::chrono::milliseconds duration{0};
  std::optional<GitFacts> facts;  // set when the run answered
  std::optional<CheckError> error;
};

struct UpdateCheckerOptions {
  // The binary that answers `BINARY git check ...` (the upkeep binary itself).
  std::string helper_binary;
  // repo, remote, branch, changelog_limit, allow_insecure_transport, ssh credentials; `fetch`
  // is ignored (a check always fetches, or reuses a fetch) and so is credentials.https_token.
  GitCheckRequest request;
  // Read at every run (so a rotated token counts at once); its content reaches the helper on
  // a pipe, never in argv or the environment. Empty: no token.
  std::string https_token_file;
  // Who git runs as: a user name or uid. Empty: the owner of request.repo, except root (git
  // work runs as root only when "root" is written out). A daemon that is not root can only
  // run git as itself; any other user is a repo_permission error.
  std::string user;
  std::chrono::milliseconds min_fetch_interval{30000};
  std::chrono::milliseconds fetch_timeout{30000};
  std::chrono::milliseconds kill_grace{1000};
  // Called after every helper run, on the thread that ran it, without the checker's lock held
  // (it may call Check's const accessors, but must not start a check).
  std::function<void(const UpdateCheckRun&)> on_run;
};

// The update lock's state, asked at every check.
struct UpdateLockFlags {
  bool update_in_progress = false;
  bool recovery_pending = false;
};

// A check's result: an answer, or an error with the last good answer when there is one.
struct UpdateCheckOutcome {
  std::optional<UpdateCheckAnswer> answer;
  std::optional<CheckError> error;
  std::optional<UpdateCheckAnswer> last;
};

// The update check service. Git work runs in the helper (a child process as the repository's
// owner, with a clean environment and umask 022, killed at fetch_timeout); its facts are kept
// in memory. A check within min_fetch_interval of the last helper run reuses that run's result
// (refresh forces a new one); concurrent checks share one run (single flight). The queue and
// lock blockers are always live. While an update runs, a check never starts the helper: it
// answers from memory.
class UpdateChecker {
 public:
  using QueueStateSource = std::function<QueueState()>;
  using LockFlagsSource = std::function<UpdateLockFlags()>;

  UpdateChecker(UpdateCheckerOptions options, QueueStateSource queue, LockFlagsSource lock);

  // Safe to call from any number of threads.
  UpdateCheckOutcome Check(bool refresh = false);

  // A helper run for the update runner, which holds the update lock (so the lock flags say an
  // update is in progress, and Check would answer from memory): it ignores the flags and
  // min_fetch_interval, waits for a run in flight to finish, then runs its own, which is
  // recorded as Check's are (on_run, helper_runs, the facts later checks answer from). With
  // `fetch` false the helper only reads the checkout (HEAD, dirty, detached): for a look after
  // a fetch failed.
  CheckResult<GitFacts> FetchForUpdate(bool fetch = true);

  // Helper runs so far (Check's, each a fetch, and FetchForUpdate's), for tests and metrics.
  uint64_t helper_runs() const;

 private:
  using Clock = std::chrono::steady_clock;

  // One finished helper run.
  struct Run {
    std::optional<GitFacts> facts;
    std::optional<CheckError> error;
    Clock::time_point finished;
  };

  // One helper run, recorded; the caller has set running_ (under mutex_, not held now).
  Run RunAndRecord(bool fetch);
  Run RunHelper(bool fetch) const;
  UpdateCheckOutcome Answer(const Run& run, const QueueState& queue,
                            const UpdateLockFlags& flags) const;
  std::optional<UpdateCheckAnswer> LastAnswer(const QueueState& queue,
                                              const UpdateLockFlags& flags) const;

  const UpdateCheckerOptions options_;
  const QueueStateSource queue_;
  const LockFlagsSource lock_;

  mutable std::mutex mutex_;
  std::condition_variable finished_;
  bool running_ = false;                  // a helper run is in flight
  uint64_t runs_ = 0;                     // helper runs finished
  std::optional<Run> last_run_;           // the latest run, good or not
  std::optional<GitFacts> last_facts_;    // from the latest good run
  std::optional<SystemTime> fetched_at_;  // when the latest fetch that succeeded ran
};

}  // namespace upkeep
