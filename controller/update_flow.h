#pragma once

#include <string>
#include <vector>

#include "controller/update_history.h"
#include "controller/update_report.h"
#include "controller/update_run_context.h"

namespace upkeep {

struct UpdateFlowOutcome {
  UpdateResult result = UpdateResult::kSuccess;  // success, rolled_back or rollback_failed
  std::string message;
  bool abandoned = false;  // a shutdown stopped even the rollback: the journal stays for recovery
};

// Runs an update whose preconditions passed and whose journal (phase kStarted) is written:
// moves the checkout to journal.to_revision, sets the preserve paths aside, runs the planned
// steps (a step `planned` says does not run is recorded skipped), checks the queue again and
// drains it, restarts, health-checks; on any failure (or context.cancel) rolls back
// (update_rollback.h). The journal is written before every phase; its steps hold the outcome.
UpdateFlowOutcome RunUpdateFlow(const UpdateRunContext& context, UpdateJournal& journal,
                                const std::vector<PlannedStep>& planned);

}  // namespace upkeep
