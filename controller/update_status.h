#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/update_checker.h"

namespace upkeep {

// What the background check and /metrics say about the managed service's updates: the latest
// helper run, and the latest good facts (a failed run does not erase what was known).
struct UpdateCheckStatus {
  bool checked = false;         // a helper run finished since start
  bool success = false;         // the latest run answered (no error)
  SystemTime last_check_at{};   // when the latest run finished
  double duration_seconds = 0;  // how long the latest run took
  bool available = false;       // latest good facts: commits_behind > 0
  // Since when an update has been available without the admin updating: set when available
  // first becomes true, kept while it stays true (a newer release meanwhile does not reset
  // it), none when not available. Kept across restarts in the state file.
  std::optional<SystemTime> available_since;
  uint64_t commits_behind = 0;
  std::string current_version;  // latest good facts
  std::string current_revision;
};

// Something an admin wants in the log: the outcome of the check changed (an update became
// available, the checkout became up to date), a check failed (each distinct error once until
// a check succeeds), checks work again, or the state file could not be used.
struct UpdateStatusNotice {
  bool warning = false;  // else info
  std::string text;
};

// Keeps the status of the update check from every helper run (plug Record into
// UpdateCheckerOptions::on_run: the background loop's runs and the API's alike). The one fact
// that must outlive a restart, available_since, is kept in `state_file` (a small JSON file,
// mode 0600, replaced atomically, written only when it changes); an unreadable or corrupt file
// is ignored with a warning notice, as if there were none.
class UpdateStatusTracker {
 public:
  using NoticeSink = std::function<void(const UpdateStatusNotice&)>;

  explicit UpdateStatusTracker(std::string state_file);  // "" = memory only
  UpdateStatusTracker(const UpdateStatusTracker&) = delete;
  UpdateStatusTracker& operator=(const UpdateStatusTracker&) = delete;

  void Record(const UpdateCheckRun& run);  // thread-safe
  UpdateCheckStatus Status() const;        // thread-safe

  // Where notices go (controller/ does no logging of its own: app/ passes one that logs).
  // Notices raised before a sink was set (reading the state file) are handed to it at once.
  // Called without the tracker's lock held, on the thread that recorded the run.
  void SetNoticeSink(NoticeSink sink);

 private:
  // Each distinct error is noticed once per outage, up to this many (then one says so).
  static constexpr size_t kMaxErrorsNoticedPerOutage = 4;
  static constexpr size_t kMaxPendingNotices = 16;

  // What Record decided under the lock, acted on after it.
  struct Effects {
    std::vector<UpdateStatusNotice> notices;
    std::optional<uint64_t> write_generation;  // the state file needs writing
    std::optional<SystemTime> since;           // what to write
  };

  void LoadStateFile();
  void ApplySuccess(const UpdateCheckRun& run, SystemTime finished, Effects& effects);
  void ApplyFailure(const CheckError& error, Effects& effects);
  void WriteStateFile(uint64_t generation, std::optional<SystemTime> since);
  void Deliver(std::vector<UpdateStatusNotice> notices);

  const std::string state_file_;

  mutable std::mutex mutex_;
  UpdateCheckStatus status_;
  std::optional<GitFacts> last_facts_;      // the latest good run's
  std::optional<SystemTime> since_;         // available_since, also while not yet checked
  uint64_t outage_runs_ = 0;                // failed runs since the last good one
  std::vector<std::string> outage_errors_;  // noticed in this outage
  uint64_t since_generation_ = 0;           // bumped at each change of since_
  NoticeSink sink_;
  std::vector<UpdateStatusNotice> pending_;  // raised while there was no sink

  std::mutex write_mutex_;           // one writer at a time, outside mutex_ (fsync is slow)
  uint64_t written_generation_ = 0;  // the newest generation on disk
};

}  // namespace upkeep
