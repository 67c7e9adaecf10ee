#pragma once

#include <cstdio>

namespace upkeep {

// `upkeep update resolve --config FILE`: closes the update run that a crash, a kill or a failed
// rollback left unfinished, after which the daemon refuses updates (recovery_pending). argv[0]
// is "update".
//
// Under the update lock (a run holding it: refused, exit 1), reads update.state_dir's journal;
// none: "nothing to resolve", exit 0. Else appends the run's closing line to the history:
// the line the daemon wrote when it left the run to an admin, or, when there is none, one from
// the journal's fields, as `interrupted` (`rollback_failed` when the journal's phase says so),
// each with who ran the command (resolvedBy "user:NAME (uid N)") and when (resolvedAt); then
// removes the journal and says what it resolved on `out`. It never rolls anything back and
// never touches the checkout: the admin has looked at the service and put it right first. A
// run whose closing line is there already (a crash between the two writes) only loses its
// journal. A journal that is not one (cut off, edited) is renamed aside
// (update.journal.corrupt-TIME): there is no run to record.
//
// Run as root, it does its file work as the state directory's owner (the daemon's user), so
// that it leaves no root-owned file there that the daemon could not write later.
//
// Returns the exit status: 0 resolved (a corrupt journal set aside too) or nothing to resolve,
// 1 refused or failed (a run holds the lock, a journal that cannot be opened, I/O), 2 usage (bad
// arguments, an unreadable config, no update: section).
int RunUpdateCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err);

}  // namespace upkeep
