#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "controller/check_error.h"
#include "controller/git_facts.h"
#include "controller/update_report.h"
#include "controller/update_step_options.h"
#include "queue/queue_monitor.h"

namespace upkeep {

// The preconditions of an update that look at facts already gathered: pure, so that each
// refusal (its code and its words) is tested without a repository or a queue.

// jobs_active (with the job) on busy, queue_unknown (with the reason) on unknown, none on idle.
std::optional<UpdateRefusal> RefusalOfQueue(const QueueState& queue);

// What the checkout itself forbids, in the documented order: dirty_worktree, detached_head,
// wrong_branch (HEAD on another branch than update.branch), insecure_transport (a git:// or
// http:// remote without allow_insecure_transport: an update runs code from the remote), then
// diverged (HEAD has commits the remote lacks). None: the update may go on (or there is
// nothing to do: commits_behind == 0).
std::optional<UpdateRefusal> RefusalOfFacts(const GitFacts& facts, const std::string& branch,
                                            bool allow_insecure_transport);

// The refusal for a check that failed (fetch_failed, repo_unavailable, ...).
UpdateRefusal RefusalOfCheckError(const CheckError& error);

// Which steps would run for an update touching `changed` (truncated: treat as touching
// everything, so every step runs).
std::vector<PlannedStep> PlanSteps(std::span<const UpdateStep> steps,
                                   std::span<const std::string> changed, bool truncated);

}  // namespace upkeep
