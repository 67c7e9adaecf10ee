#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/check_error.h"
#include "controller/git_facts.h"
#include "queue/queue_monitor.h"

namespace upkeep {

// What would stop an update now, in the order the answer lists them.
enum class UpdateBlocker {
  kDirtyWorktree,      // tracked changes, or untracked files that are not ignored
  kDiverged,           // local commits the remote branch does not have
  kDetachedHead,       // HEAD is on no branch
  kJobsActive,         // the queue says jobs are running
  kQueueUnknown,       // the queue cannot say (its source failed or is stale)
  kUpdateInProgress,   // an update holds the lock
  kRecoveryPending,    // an interrupted update must be recovered first
  kInsecureTransport,  // git:// or http:// remote without allow_insecure_transport
};

// "dirty_worktree", "diverged", ...
std::string_view UpdateBlockerName(UpdateBlocker blocker);

using SystemTime = std::chrono::system_clock::time_point;

struct UpdateCheckInput {
  GitFacts facts;
  QueueState queue;
  bool update_in_progress = false;
  bool recovery_pending = false;
  bool allow_insecure_transport = false;
  SystemTime checked_at;
  std::optional<SystemTime> fetched_at;  // when the facts' fetch ran; none: never
};

struct UpdateCheckAnswer {
  std::string current_version;
  std::string latest_version;
  bool update_available = false;
  std::vector<std::string> changelog;
  std::string current_revision;
  std::string latest_revision;
  uint64_t commits_behind = 0;
  uint64_t commits_ahead = 0;
  bool dirty = false;
  std::string branch;  // the checked-out branch; empty (null in JSON) when detached
  std::string remote;
  SystemTime checked_at;
  std::optional<SystemTime> fetched_at;
  bool can_update = false;
  std::vector<UpdateBlocker> blockers;
};

// The answer to "is there a newer version, and can I update now?" from the git facts and the
// live state. updateAvailable: the remote branch has commits HEAD lacks; canUpdate: that, and
// no blockers. Pure: the same input gives the same answer.
UpdateCheckAnswer BuildUpdateCheck(const UpdateCheckInput& input);

// The JSON body of GET /api/system/update/check.
nlohmann::json UpdateCheckToJson(const UpdateCheckAnswer& answer);

// The JSON body of a failed check: {"error": {"code": ..., "message": ...}}, with the last good
// answer beside it under "last" when there is one (a failed fetch still shows what was known).
nlohmann::json UpdateCheckErrorToJson(const CheckError& error,
                                      const UpdateCheckAnswer* last = nullptr);

}  // namespace upkeep
