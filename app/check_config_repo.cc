#include "app/check_config_repo.h"

#include <unistd.h>

#include <exception>
#include <optional>

#include "app/update_checker_options.h"
#include "controller/git_user.h"
#include "controller/update_checker.h"

namespace upkeep {
namespace {

constexpr const char* kCheck = "repo";

std::string Short(const std::string& revision) { return revision.substr(0, 7); }

// "as app (uid 1000)"; without a switch (nullopt), this process's own user.
std::string AsWhom(const std::optional<RunAs>& user) {
  if (user) return "as " + user->name + " (uid " + std::to_string(user->uid) + ")";
  const std::string uid = std::to_string(::geteuid());
  Result<RunAs> self = ResolveUser(uid);
  return "as " + (self ? self->name + " (uid " + uid + ")" : "uid " + uid) +
         ", this process's user";
}

std::string Describe(const UpdateOptions& update, const GitFacts& facts,
                     const std::optional<RunAs>& user) {
  std::string text = update.repo + " " + AsWhom(user) + ": HEAD ";
  text += facts.detached ? "detached" : facts.branch;
  text += " at " + Short(facts.current_revision) + " (" + facts.current_version + "), " +
          facts.remote + "/" + facts.remote_branch + " at " + Short(facts.latest_revision) + " (" +
          facts.latest_version + "), " + std::to_string(facts.commits_behind) + " behind";
  // Not failures (the daemon starts), but an update would refuse or warn about them.
  if (facts.dirty) text += "; note: the working tree has local changes";
  if (facts.insecure_transport && !update.allow_insecure_transport) {
    text += "; note: the remote is git:// or http:// and update.allow_insecure_transport is off";
  }
  return text;
}

}  // namespace

CheckLine CheckUpdateRepo(const UpdateOptions& update, const std::string& helper_binary) {
  if (!update.configured) return CheckSkipped(kCheck, "no update: section");
  try {
    // Who the helper runs as; the checker resolves it again (the same answer) before each run.
    CheckResult<std::optional<RunAs>> user = ResolveGitUser(update.repo, update.user);
    if (!user) {
      return CheckFailed(kCheck, std::string(CheckErrorCodeOf(user.error().kind).code) + ": " +
                                     user.error().message);
    }
    if (helper_binary.empty()) {
      return CheckFailed(kCheck, "cannot find this program to run as the git helper");
    }
    UpdateChecker checker(
        UpdateCheckerOptionsOf(update, helper_binary),
        [] { return QueueState{}; },  // not asked: FetchForUpdate decides nothing on the queue
        [] { return UpdateLockFlags{}; });
    // No fetch: the helper only reads the checkout and its refs, as after a failed fetch.
    CheckResult<GitFacts> facts = checker.FetchForUpdate(/*fetch=*/false);
    if (!facts) {
      return CheckFailed(kCheck, std::string(CheckErrorCodeOf(facts.error().kind).code) + ": " +
                                     facts.error().message);
    }
    return CheckOk(kCheck, Describe(update, *facts, *user));
  } catch (const std::exception& error) {
    return CheckFailed(kCheck, update.repo + ": " + error.what());
  }
}

}  // namespace upkeep
