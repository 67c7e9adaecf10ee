#include "controller/git_history.h"

#include "controller/git_library.h"

namespace upkeep {
namespace {

CheckError Internal(std::string_view operation, int code) {
  return MakeCheckError(CheckErrorKind::kInternal, GitError(operation, code).message);
}

}  // namespace

CheckResult<AheadBehind> CountAheadBehind(const GitCheckout& checkout, const git_oid& local,
                                          const git_oid& upstream) {
  size_t ahead = 0;
  size_t behind = 0;
  const int rc = git_graph_ahead_behind(&ahead, &behind, checkout.repo(), &local, &upstream);
  if (rc < 0) return Internal("count commits between HEAD and " + OidHex(upstream), rc);
  return AheadBehind{ahead, behind};
}

CheckResult<std::vector<std::string>> CommitSubjects(const GitCheckout& checkout,
                                                     const git_oid& tip, const git_oid& base,
                                                     size_t limit) {
  std::vector<std::string> subjects;
  if (limit == 0) return subjects;
  git_revwalk* raw = nullptr;
  int rc = git_revwalk_new(&raw, checkout.repo());
  GitRevwalkPtr walk(raw);
  if (rc < 0) return Internal("start a revision walk", rc);
  rc = git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  if (rc >= 0) rc = git_revwalk_push(walk.get(), &tip);
  if (rc >= 0) rc = git_revwalk_hide(walk.get(), &base);
  if (rc < 0) return Internal("walk " + OidHex(base) + ".." + OidHex(tip), rc);

  git_oid oid{};
  while (subjects.size() < limit && (rc = git_revwalk_next(&oid, walk.get())) == 0) {
    git_commit* commit_raw = nullptr;
    const int lookup = git_commit_lookup(&commit_raw, checkout.repo(), &oid);
    GitCommitPtr commit(commit_raw);
    if (lookup < 0) return Internal("look up commit " + OidHex(oid), lookup);
    const char* summary = git_commit_summary(commit.get());
    subjects.emplace_back(summary == nullptr ? "" : summary);
  }
  if (rc < 0 && rc != GIT_ITEROVER) return Internal("walk to " + OidHex(tip), rc);
  return subjects;
}

}  // namespace upkeep
