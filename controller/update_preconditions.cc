#include "controller/update_preconditions.h"

#include "common/text.h"

namespace upkeep {

std::optional<UpdateRefusal> RefusalOfQueue(const QueueState& queue) {
  switch (queue.status) {
    case QueueStatus::kIdle:
      return std::nullopt;
    case QueueStatus::kBusy: {
      UpdateRefusal refusal{.code = std::string(refusal_code::kJobsActive),
                            .message = std::to_string(queue.active_jobs) +
                                       (queue.active_jobs == 1 ? " job is" : " jobs are") +
                                       " running; update when the queue is idle"};
      refusal.active_job = queue.active_job;
      refusal.active_jobs = queue.active_jobs;
      return refusal;
    }
    case QueueStatus::kUnknown:
      break;
  }
  return UpdateRefusal{
      .code = std::string(refusal_code::kQueueUnknown),
      .message = "the job queue's state is unknown (" +
                 (queue.reason.empty() ? std::string("no probe answered") : queue.reason) +
                 "); an update is refused until it is known to be idle"};
}

std::optional<UpdateRefusal> RefusalOfFacts(const GitFacts& facts, const std::string& branch,
                                            bool allow_insecure_transport) {
  if (facts.dirty) {
    return UpdateRefusal{
        .code = std::string(refusal_code::kDirtyWorktree),
        .message =
            "the checkout has local changes (tracked files changed, or untracked files "
            "that are not ignored); commit, stash or remove them: an update never "
            "touches them"};
  }
  if (facts.detached) {
    return UpdateRefusal{.code = std::string(refusal_code::kDetachedHead),
                         .message = "HEAD is detached at " + facts.current_revision.substr(0, 12) +
                                    "; check out branch " + branch + " to update it"};
  }
  if (facts.branch != branch) {
    return UpdateRefusal{.code = std::string(refusal_code::kWrongBranch),
                         .message = "the checkout is on branch " + Quote(facts.branch, 100) +
                                    ", not update.branch " + Quote(branch, 100)};
  }
  if (facts.insecure_transport && !allow_insecure_transport) {
    return UpdateRefusal{
        .code = std::string(refusal_code::kInsecureTransport),
        .message = "the remote " + facts.remote_url +
                   " is not authenticated (git:// or http://), and an update runs code from it; "
                   "use ssh or https, or set update.allow_insecure_transport: true"};
  }
  if (facts.commits_ahead > 0) {
    return UpdateRefusal{
        .code = std::string(refusal_code::kDiverged),
        .message = "the checkout has " + std::to_string(facts.commits_ahead) + " commit(s) that " +
                   facts.remote + "/" + facts.remote_branch +
                   " lacks; an update only fast-forwards: push or reset them first"};
  }
  return std::nullopt;
}

UpdateRefusal RefusalOfCheckError(const CheckError& error) {
  const CheckErrorCode code = CheckErrorCodeOf(error.kind);
  UpdateRefusal refusal{.code = std::string(code.code), .message = error.message};
  if (error.kind == CheckErrorKind::kInternal) refusal.code = std::string(refusal_code::kInternal);
  if (error.kind == CheckErrorKind::kUpdateInProgress) {
    refusal.code = std::string(refusal_code::kUpdateInProgress);
  }
  return refusal;
}

std::vector<PlannedStep> PlanSteps(std::span<const UpdateStep> steps,
                                   std::span<const std::string> changed, bool truncated) {
  std::vector<PlannedStep> planned;
  planned.reserve(steps.size());
  for (const UpdateStep& step : steps) {
    planned.push_back({.name = step.name, .runs = truncated || StepRuns(step, changed)});
  }
  return planned;
}

}  // namespace upkeep
