#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/process_runner.h"
#include "controller/git_changes.h"
#include "controller/git_move.h"

namespace upkeep {

// How the daemon runs the git helper for an update's `move` and `changed`.
struct GitHelperCall {
  std::string helper_binary;    // the upkeep binary: `BINARY git move ...`
  std::optional<RunAs> run_as;  // ResolveGitUser's answer; unset: this process's user
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds kill_grace{1000};
  // ProcessOptions::on_started: the helper's process group and start time, for a journal that
  // must find it after a crash.
  std::function<void(pid_t, uint64_t)> on_started;
};

// The largest answer read from the helper: `changed` lists up to kChangedPathsCap paths.
inline constexpr size_t kMaxGitUpdateAnswerBytes = 32 << 20;

// Runs `BINARY git move ...` (MoveCheckout in the helper) in a clean environment (run_as's,
// CleanEnvironment), cwd "/", umask 022, and reads its answer. The helper's own errors come
// back as it gave them. When it gives no valid answer (it could not be started, timed out and
// was stopped, died, wrote garbage or too much), the error is internal with tree kUnknown: the
// helper may have stopped half-way, so the caller must look at HEAD and the tree (kRepair).
GitUpdateResult<GitMoveOutcome> RunGitMove(const GitHelperCall& call,
                                           const GitMoveRequest& request);

// The same for `BINARY git changed ...` (ChangedPaths in the helper).
GitUpdateResult<GitChangedPaths> RunGitChanged(const GitHelperCall& call,
                                               const GitChangedRequest& request);

}  // namespace upkeep
