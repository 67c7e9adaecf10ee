#pragma once

#include <string>

#include "controller/update_history.h"
#include "controller/update_run_context.h"

namespace upkeep {

// Recovery attempts after which a run is left to an admin.
inline constexpr int kMaxRecoveryAttempts = 2;

struct RecoveryOutcome {
  // interrupted (rolled back, or reported), success (its health check had passed),
  // rollback_failed (the rollback failed, or was not attempted: on_interrupted: report, too
  // many attempts, an earlier rollback_failed).
  UpdateResult result = UpdateResult::kInterrupted;
  bool pending = false;  // the journal stays: execute answers recovery_pending until resolved
  std::string message;
};

// Stops what an interrupted run left running: the journal's running group, killed (SIGKILL to
// the group) only when its leader is still the process the run started (same pid and start
// time); a pid now used by another process is never signalled. Returns what it did, for the
// log.
std::string StopOrphanedGroup(const RunningStep& running);

// Finishes a run that a crash or a kill interrupted (its journal, the update lock held by the
// caller), as update.on_interrupted says: `rollback` restores the from-revision the way a
// failed run would be rolled back (the rollback commands, the checkout repaired from wherever
// the crash left it, the preserve paths, reruns, a restart and health check if a restart had
// been attempted); a run whose health check had passed is finished as a success instead;
// `report` leaves everything as it is. Counts the attempt in the journal; after
// kMaxRecoveryAttempts it only reports.
RecoveryOutcome RecoverInterruptedRun(const UpdateRunContext& context, UpdateJournal& journal);

}  // namespace upkeep
