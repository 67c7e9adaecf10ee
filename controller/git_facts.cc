#include "controller/git_facts.h"

#include "controller/git_checkout.h"
#include "controller/git_fetch.h"
#include "controller/git_handles.h"
#include "controller/git_history.h"
#include "controller/remote_url.h"
#include "controller/version_text.h"

namespace upkeep {
namespace {

CheckResult<std::string> VersionOf(const GitCheckout& checkout, const git_oid& oid, bool dirty) {
  CheckResult<std::string> described = checkout.Describe(oid);
  if (!described) return described.error();
  return FormatVersion(*described, OidHex(oid), dirty);
}

}  // namespace

CheckResult<GitFacts> CheckGitCheckout(const GitCheckRequest& request) {
  CheckResult<GitCheckout> opened = GitCheckout::Open(request.repo);
  if (!opened) return opened.error();
  const GitCheckout& checkout = *opened;

  GitFacts facts;
  facts.remote = request.remote;
  facts.remote_branch = request.branch;
  CheckResult<std::string> url = checkout.RemoteUrl(request.remote);
  if (!url) return url.error();
  facts.remote_url = StripUserinfo(*url);
  facts.insecure_transport = IsInsecureTransport(*url);

  std::optional<CheckError> not_fetched;
  if (request.fetch) {
    GitFetchRequest fetch{request.remote, request.branch, request.allow_insecure_transport,
                          request.credentials};
    CheckResult<Ok> fetched = FetchBranch(checkout, fetch);
    if (fetched) {
      facts.fetched = true;
    } else if (fetched.error().kind == CheckErrorKind::kInsecureTransport) {
      not_fetched = fetched.error();
    } else {
      return fetched.error();
    }
  }

  CheckResult<CheckoutHead> head = checkout.Head();
  if (!head) return head.error();
  facts.branch = head->branch;
  facts.detached = head->detached;
  facts.current_revision = OidHex(head->oid);
  CheckResult<bool> dirty = checkout.Dirty();
  if (!dirty) return dirty.error();
  facts.dirty = *dirty;
  CheckResult<std::string> current = VersionOf(checkout, head->oid, facts.dirty);
  if (!current) return current.error();
  facts.current_version = *current;

  CheckResult<std::optional<git_oid>> tip =
      checkout.RemoteTrackingTip(request.remote, request.branch);
  if (!tip) return tip.error();
  if (!tip->has_value()) {
    if (not_fetched) return *not_fetched;
    return MakeCheckError(CheckErrorKind::kRemoteUnavailable,
                          "repository " + request.repo + " has no refs/remotes/" + request.remote +
                              "/" + request.branch + " (branch not fetched yet)");
  }
  const git_oid& latest = **tip;
  facts.latest_revision = OidHex(latest);
  CheckResult<std::string> latest_version = VersionOf(checkout, latest, false);
  if (!latest_version) return latest_version.error();
  facts.latest_version = *latest_version;

  CheckResult<AheadBehind> counts = CountAheadBehind(checkout, head->oid, latest);
  if (!counts) return counts.error();
  facts.commits_ahead = counts->ahead;
  facts.commits_behind = counts->behind;
  CheckResult<std::vector<std::string>> subjects =
      CommitSubjects(checkout, latest, head->oid, request.changelog_limit);
  if (!subjects) return subjects.error();
  facts.changelog =
      CapChangelog(std::move(*subjects), facts.commits_behind, request.changelog_limit);
  return facts;
}

}  // namespace upkeep
