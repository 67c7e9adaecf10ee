#pragma once

#include <optional>
#include <string>

#include "controller/git_move.h"
#include "controller/git_move_client.h"
#include "controller/update_history.h"
#include "controller/update_run_context.h"

namespace upkeep {

struct RollbackRequest {
  // The step whose failure started the rollback (its rollback command runs too), or empty.
  std::string failed_step{};
  // How to move the checkout back: kBack when the run moved it and knows HEAD is at the
  // to-revision; kRepair when that is not known (a move that died half-way, a recovery after
  // a crash). Unset: the checkout never moved.
  std::optional<GitMoveMode> move{};
};

struct RollbackOutcome {
  UpdateResult result = UpdateResult::kRolledBack;  // or kRollbackFailed
  std::string message;                              // why it failed, for a rollback_failed
  // A shutdown past its timeout stopped it: the journal still says kRollback, for the recovery
  // at the next start (result is then kInterrupted).
  bool abandoned = false;
};

// Undoes a run, in this order: the `rollback` command of the failed step and of each step
// that had completed, in reverse; the checkout back to the from-revision; the preserve paths
// back; the rerun_on_rollback steps that had run, only when nothing was preserved or putting
// it back failed; then, if a restart had been attempted, the restart and the health check
// against the from-revision. The journal says kRollback throughout; at the first failure it
// says kRollbackFailed (kept for an admin) and the rest is not attempted: the checkout is then
// at the old or the new revision, never between. Steps that had completed are marked
// rolled_back when it succeeds. Commands are stopped by context.abandon only.
RollbackOutcome RollBack(const UpdateRunContext& context, UpdateJournal& journal,
                         const RollbackRequest& request);

// The git helper call of this run (the user, the timeout, the journal naming the helper as
// running while it works).
GitHelperCall GitCallOf(const UpdateRunContext& context, UpdateJournal& journal,
                        const std::string& name);

}  // namespace upkeep
