#include "controller/update_check.h"

#include "common/time_text.h"

namespace upkeep {

std::string_view UpdateBlockerName(UpdateBlocker blocker) {
  switch (blocker) {
    case UpdateBlocker::kDirtyWorktree:
      return "dirty_worktree";
    case UpdateBlocker::kDiverged:
      return "diverged";
    case UpdateBlocker::kDetachedHead:
      return "detached_head";
    case UpdateBlocker::kJobsActive:
      return "jobs_active";
    case UpdateBlocker::kQueueUnknown:
      return "queue_unknown";
    case UpdateBlocker::kUpdateInProgress:
      return "update_in_progress";
    case UpdateBlocker::kRecoveryPending:
      return "recovery_pending";
    case UpdateBlocker::kInsecureTransport:
      return "insecure_transport";
  }
  return "unknown";
}

UpdateCheckAnswer BuildUpdateCheck(const UpdateCheckInput& input) {
  const GitFacts& facts = input.facts;
  UpdateCheckAnswer answer;
  answer.current_version = facts.current_version;
  answer.latest_version = facts.latest_version;
  answer.update_available = facts.commits_behind > 0;
  answer.changelog = facts.changelog;
  answer.current_revision = facts.current_revision;
  answer.latest_revision = facts.latest_revision;
  answer.commits_behind = facts.commits_behind;
  answer.commits_ahead = facts.commits_ahead;
  answer.dirty = facts.dirty;
  answer.branch = facts.detached ? std::string() : facts.branch;
  answer.remote = facts.remote;
  answer.checked_at = input.checked_at;
  answer.fetched_at = input.fetched_at;

  std::vector<UpdateBlocker>& blockers = answer.blockers;
  if (facts.dirty) blockers.push_back(UpdateBlocker::kDirtyWorktree);
  if (facts.commits_ahead > 0) blockers.push_back(UpdateBlocker::kDiverged);
  if (facts.detached) blockers.push_back(UpdateBlocker::kDetachedHead);
  if (input.queue.status == QueueStatus::kBusy) blockers.push_back(UpdateBlocker::kJobsActive);
  if (input.queue.status == QueueStatus::kUnknown) {
    blockers.push_back(UpdateBlocker::kQueueUnknown);
  }
  if (input.update_in_progress) blockers.push_back(UpdateBlocker::kUpdateInProgress);
  if (input.recovery_pending) blockers.push_back(UpdateBlocker::kRecoveryPending);
  if (facts.insecure_transport && !input.allow_insecure_transport) {
    blockers.push_back(UpdateBlocker::kInsecureTransport);
  }
  answer.can_update = answer.update_available && blockers.empty();
  return answer;
}

nlohmann::json UpdateCheckToJson(const UpdateCheckAnswer& answer) {
  nlohmann::json blockers = nlohmann::json::array();
  for (UpdateBlocker blocker : answer.blockers) blockers.push_back(UpdateBlockerName(blocker));
  nlohmann::json body;
  body["currentVersion"] = answer.current_version;
  body["latestVersion"] = answer.latest_version;
  body["updateAvailable"] = answer.update_available;
  body["changelog"] = answer.changelog;
  body["currentRevision"] = answer.current_revision;
  body["latestRevision"] = answer.latest_revision;
  body["commitsBehind"] = answer.commits_behind;
  body["commitsAhead"] = answer.commits_ahead;
  body["dirty"] = answer.dirty;
  body["branch"] = answer.branch.empty() ? nlohmann::json() : nlohmann::json(answer.branch);
  body["remote"] = answer.remote;
  body["checkedAt"] = FormatRfc3339(answer.checked_at);
  body["fetchedAt"] =
      answer.fetched_at ? nlohmann::json(FormatRfc3339(*answer.fetched_at)) : nlohmann::json();
  body["canUpdate"] = answer.can_update;
  body["blockers"] = std::move(blockers);
  return body;
}

nlohmann::json UpdateCheckErrorToJson(const CheckError& error, const UpdateCheckAnswer* last) {
  nlohmann::json body = {
      {"error",
       {{"code", std::string(CheckErrorCodeOf(error.kind).code)}, {"message", error.message}}}};
  if (last != nullptr) body["last"] = UpdateCheckToJson(*last);
  return body;
}

}  // namespace upkeep
