#include "controller/git_move.h"

#include <git2.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iterator>
#include <optional>
#include <vector>

#include "controller/git_changes.h"
#include "controller/git_checkout.h"
#include "controller/git_handles.h"
#include "controller/git_library.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;

GitUpdateError Fail(std::string_view code, std::string message,
                    GitTreeState tree = GitTreeState::kUnchanged) {
  return GitUpdateError{std::string(code), std::move(message), tree};
}

GitUpdateError Internal(std::string_view operation, int code) {
  return Fail(git_update_code::kInternal, GitError(operation, code).message);
}

std::string Short(const git_oid& oid) { return OidHex(oid).substr(0, 7); }

// The commit `oid` and its tree, both needed: the commit to check out, the tree as a baseline.
struct Revision {
  GitObjectPtr commit;
  GitTreePtr tree;
};

GitUpdateResult<Revision> LookUp(git_repository* repo, const git_oid& oid) {
  git_object* commit_raw = nullptr;
  int rc = git_object_lookup(&commit_raw, repo, &oid, GIT_OBJECT_COMMIT);
  Revision revision{GitObjectPtr(commit_raw), nullptr};
  if (rc == GIT_ENOTFOUND) {
    return Fail(git_update_code::kInternal,
                "commit " + OidHex(oid) + " is not in the repository (was it fetched?)");
  }
  if (rc < 0) return Internal("look up commit " + OidHex(oid), rc);
  git_tree* tree_raw = nullptr;
  rc = git_commit_tree(&tree_raw, reinterpret_cast<git_commit*>(revision.commit.get()));
  revision.tree.reset(tree_raw);
  if (rc < 0) return Internal("read the tree of commit " + OidHex(oid), rc);
  return revision;
}

// Where refs/heads/<branch> points, HEAD being that branch (a symbolic ref to it).
GitUpdateResult<git_oid> BranchTip(const GitCheckout& checkout, const std::string& branch) {
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, checkout.repo(), "HEAD");
  GitReferencePtr head(raw);
  if (rc < 0) return Internal("read HEAD of " + checkout.path(), rc);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) {
    return Fail(git_update_code::kDetachedHead, "HEAD of " + checkout.path() +
                                                    " is detached: check out branch " + branch +
                                                    " before updating");
  }
  const std::string target = git_reference_symbolic_target(head.get());
  if (target != "refs/heads/" + branch) {
    return Fail(git_update_code::kWrongBranch, "HEAD of " + checkout.path() + " is on " + target +
                                                   ", not on refs/heads/" + branch);
  }
  git_oid at{};
  rc = git_reference_name_to_id(&at, checkout.repo(), target.c_str());
  if (rc == GIT_ENOTFOUND) {
    return Fail(git_update_code::kRepoUnavailable,
                "branch " + branch + " of " + checkout.path() + " has no commit");
  }
  if (rc < 0) return Internal("read " + target + " of " + checkout.path(), rc);
  return at;
}

GitUpdateError HeadMoved(const GitCheckout& checkout, const git_oid& at,
                         const std::string& not_at) {
  return Fail(git_update_code::kHeadMoved, "HEAD of " + checkout.path() + " is at " + OidHex(at) +
                                               ", not at " + not_at +
                                               ": someone moved it since; nothing was changed");
}

std::optional<GitUpdateError> CheckRelation(const GitCheckout& checkout, const git_oid& from,
                                            const git_oid& to, GitMoveMode mode) {
  if (mode != GitMoveMode::kForward || git_oid_equal(&from, &to)) return std::nullopt;
  const int rc = git_graph_descendant_of(checkout.repo(), &to, &from);
  if (rc < 0) return Internal("compare " + OidHex(from) + " with " + OidHex(to), rc);
  if (rc == 0) {
    return Fail(git_update_code::kNotFastForward,
                OidHex(to) + " does not descend from " + OidHex(from) +
                    ": an update moves the checkout forward only; nothing was changed");
  }
  return std::nullopt;
}

// A checkout of `target`'s tree over what `baseline` put in the working tree.
int CheckOut(git_repository* repo, const Revision& target, const Revision& baseline,
             unsigned int strategy) {
  git_checkout_options options{};
  git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
  options.checkout_strategy = strategy;
  // Explicit, not HEAD's tree, which is not what is on disk while a move is put back.
  options.baseline = baseline.tree.get();
  return git_checkout_tree(repo, target.commit.get(), &options);
}

// Removes what the move wrote at the paths `to` added: files and symlinks, never a directory
// (those are the tree's, or an ignored one's), then the parent directories it emptied. A path
// that is not there, or that no file system could create, was not written.
Status RemoveAdded(const fs::path& workdir, const std::vector<std::string>& added) {
  for (const std::string& relative : added) {
    const fs::path path = workdir / relative;
    std::error_code error;
    const fs::file_status status = fs::symlink_status(path, error);
    if (error || !fs::exists(status) || fs::is_directory(status)) continue;
    if (!fs::remove(path, error) && error) {
      return MakeError("remove " + path.string() + ": " + error.message());
    }
    for (fs::path dir = fs::path(relative).parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (!fs::is_empty(workdir / dir, error) || error || !fs::remove(workdir / dir, error)) break;
    }
  }
  return OkStatus();
}

// The index exactly `tree`; entries that did not change keep their cached file stats.
Status ResetIndex(git_repository* repo, const git_tree* tree) {
  git_index* raw = nullptr;
  int rc = git_repository_index(&raw, repo);
  GitIndexPtr index(raw);
  if (rc >= 0) rc = git_index_read_tree(index.get(), tree);
  if (rc >= 0) rc = git_index_write(index.get());
  if (rc < 0) return GitError("reset the index", rc);
  return OkStatus();
}

// The working tree and index forced back to `from` after a move towards `to` wrote some or all
// of `to`'s files: what `to` added removed, then a forced checkout of `from`, then its index.
// Untracked and ignored files elsewhere are not touched (a forced checkout without
// REMOVE_UNTRACKED/REMOVE_IGNORED). Callers make sure that whatever this overwrites or removes
// is what the move wrote.
Status RestoreTree(const GitCheckout& checkout, const Revision& from, const Revision& to) {
  GitUpdateResult<std::vector<std::string>> added =
      AddedPaths(checkout.repo(), from.tree.get(), to.tree.get());
  if (!added) return MakeError(added.error().message);
  if (Status removed = RemoveAdded(git_repository_workdir(checkout.repo()), *added); !removed) {
    return removed;
  }
  if (const int rc =
          CheckOut(checkout.repo(), from, from, GIT_CHECKOUT_FORCE | GIT_CHECKOUT_RECREATE_MISSING);
      rc < 0) {
    return MakeError("checkout: " + GitErrorText(rc));
  }
  return ResetIndex(checkout.repo(), from.tree.get());
}

std::string NeitherRevision(const GitCheckout& checkout) {
  return ". THE CHECKOUT IS AT NEITHER REVISION: a human must look (git status in " +
         checkout.path() + ")";
}

// After a failed move: the tree was clean before it and an ignored file in the way of `to`
// refuses it before anything is written, so what RestoreTree replaces is the move's own.
GitUpdateError PutBack(const GitCheckout& checkout, const Revision& from, const Revision& to,
                       const std::string& what_failed) {
  const std::string from_hex = OidHex(*git_object_id(from.commit.get()));
  if (Status restored = RestoreTree(checkout, from, to); !restored) {
    return Fail(git_update_code::kCheckoutFailed,
                what_failed + "; putting the working tree back at " + from_hex +
                    " failed too: " + restored.error() + NeitherRevision(checkout),
                GitTreeState::kRevertFailed);
  }
  return Fail(
      git_update_code::kCheckoutFailed,
      what_failed + "; the working tree was put back at " + from_hex + " and the branch left there",
      GitTreeState::kReverted);
}

// Compare-and-swap: `ref_name` becomes `to` only if it is still at `from`.
Status SetBranch(const GitCheckout& checkout, const std::string& ref_name, const git_oid& from,
                 const git_oid& to, const std::string& message) {
  git_reference* raw = nullptr;
  const int rc = git_reference_create_matching(&raw, checkout.repo(), ref_name.c_str(), &to, 1,
                                               &from, message.c_str());
  GitReferencePtr moved(raw);
  if (rc < 0) return MakeError(GitErrorText(rc));
  return OkStatus();
}

// A failure reported after the ref was written (an fsync, say) leaves it at `to`.
bool BranchAt(const GitCheckout& checkout, const std::string& ref_name, const git_oid& oid) {
  git_oid now{};
  return git_reference_name_to_id(&now, checkout.repo(), ref_name.c_str()) == 0 &&
         git_oid_equal(&now, &oid);
}

// Up to five paths of `paths`, for a message.
std::string SomePaths(const std::vector<std::string>& paths) {
  std::string text;
  for (size_t i = 0; i < paths.size() && i < 5; ++i) text += (i == 0 ? "" : ", ") + paths[i];
  if (paths.size() > 5) text += " and " + std::to_string(paths.size() - 5) + " more";
  return text;
}

// kRepair (git_move.h). A path the diff `from`..`to` names may hold what the interrupted move
// wrote; any other change is someone's and refuses the repair before anything is written.
GitUpdateResult<GitMoveOutcome> Repair(const GitCheckout& checkout, const std::string& branch,
                                       const git_oid& from, const git_oid& to) {
  GitUpdateResult<git_oid> at = BranchTip(checkout, branch);
  if (!at) return at.error();
  if (!git_oid_equal(&*at, &from) && !git_oid_equal(&*at, &to)) {
    return HeadMoved(checkout, *at, OidHex(from) + " nor at " + OidHex(to));
  }
  GitUpdateResult<Revision> old_revision = LookUp(checkout.repo(), from);
  if (!old_revision) return old_revision.error();
  GitUpdateResult<Revision> new_revision = LookUp(checkout.repo(), to);
  if (!new_revision) return new_revision.error();
  GitUpdateResult<GitChangedPaths> diff =
      DiffPaths(checkout.repo(), old_revision->tree.get(), new_revision->tree.get(), SIZE_MAX);
  if (!diff) return diff.error();
  GitUpdateResult<std::vector<std::string>> changes =
      WorktreeChanges(checkout.repo(), old_revision->tree.get());
  if (!changes) return changes.error();
  std::vector<std::string> foreign;
  std::set_difference(changes->begin(), changes->end(), diff->paths.begin(), diff->paths.end(),
                      std::back_inserter(foreign));
  if (!foreign.empty()) {
    return Fail(git_update_code::kDirtyWorktree,
                "the working tree of " + checkout.path() + " has changes the update from " +
                    Short(from) + " to " + Short(to) + " did not make (" + SomePaths(foreign) +
                    "): a local change is never overwritten; commit, remove or ignore it, then "
                    "repair again; nothing was changed");
  }
  GitUpdateResult<std::vector<std::string>> added =
      AddedPaths(checkout.repo(), old_revision->tree.get(), new_revision->tree.get());
  if (!added) return added.error();
  const fs::path workdir = git_repository_workdir(checkout.repo());
  // A file `to` added that is ignored is no change to git status, but the move may have written it.
  const bool added_on_disk =
      std::any_of(added->begin(), added->end(), [&](const std::string& path) {
        std::error_code error;
        const fs::file_status status = fs::symlink_status(workdir / path, error);
        return !error && fs::exists(status) && !fs::is_directory(status);
      });
  GitMoveOutcome outcome{OidHex(*at), OidHex(from), false};
  const bool ref_at_from = git_oid_equal(&*at, &from);
  if (ref_at_from && changes->empty() && !added_on_disk) return outcome;  // nothing to mend

  const std::string what = "repairing " + checkout.path() + " (back at " + OidHex(from) +
                           " after an interrupted update to " + OidHex(to) + ")";
  if (Status restored = RestoreTree(checkout, *old_revision, *new_revision); !restored) {
    return Fail(git_update_code::kCheckoutFailed,
                what + " failed: " + restored.error() + NeitherRevision(checkout),
                GitTreeState::kRevertFailed);
  }
  outcome.moved = true;
  if (ref_at_from) return outcome;
  const std::string ref_name = "refs/heads/" + branch;
  const std::string message = "upkeep: repair " + Short(to) + " -> " + Short(from);
  if (Status set = SetBranch(checkout, ref_name, to, from, message);
      !set && !BranchAt(checkout, ref_name, from)) {
    return Fail(git_update_code::kCheckoutFailed,
                what + ": the working tree is back, but moving " + ref_name + " from " +
                    OidHex(to) + " failed: " + set.error() + NeitherRevision(checkout),
                GitTreeState::kRevertFailed);
  }
  return outcome;
}

}  // namespace

bool IsFullObjectId(std::string_view text) {
  if (text.size() != GIT_OID_HEXSZ) return false;
  for (const char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

GitUpdateError UpdateErrorOf(const CheckError& error) {
  switch (error.kind) {
    case CheckErrorKind::kRepoUnavailable:
      return Fail(git_update_code::kRepoUnavailable, error.message);
    case CheckErrorKind::kRepoPermission:
      return Fail(git_update_code::kRepoPermission, error.message);
    default:
      return Fail(git_update_code::kInternal, error.message);
  }
}

GitUpdateResult<GitMoveOutcome> MoveCheckout(const GitMoveRequest& request) {
  git_oid from{};
  git_oid to{};
  if (!IsFullObjectId(request.expected_from) || !IsFullObjectId(request.to) ||
      git_oid_fromstr(&from, request.expected_from.c_str()) < 0 ||
      git_oid_fromstr(&to, request.to.c_str()) < 0) {
    return Fail(git_update_code::kInternal, "a move needs two full (40 hex digit) commit ids");
  }
  CheckResult<GitCheckout> opened = GitCheckout::Open(request.repo);
  if (!opened) return UpdateErrorOf(opened.error());
  const GitCheckout& checkout = *opened;
  // Objects, refs and the index reach the disk before the call that wrote them returns, so a
  // crash right after the move cannot leave a ref to a commit the disk never got.
  if (const int rc = git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1); rc < 0) {
    return Internal("enable fsync", rc);
  }

  if (request.mode == GitMoveMode::kRepair) return Repair(checkout, request.branch, from, to);

  GitUpdateResult<git_oid> at = BranchTip(checkout, request.branch);
  if (!at) return at.error();
  if (!git_oid_equal(&*at, &from)) return HeadMoved(checkout, *at, OidHex(from));
  if (auto refused = CheckRelation(checkout, from, to, request.mode)) return *refused;
  CheckResult<bool> dirty = checkout.Dirty();
  if (!dirty) return UpdateErrorOf(dirty.error());
  if (*dirty) {
    return Fail(git_update_code::kDirtyWorktree,
                "the working tree of " + checkout.path() +
                    " has local changes or untracked files (git status): commit, remove or "
                    "ignore them first; nothing was changed");
  }
  GitUpdateResult<Revision> old_revision = LookUp(checkout.repo(), from);
  if (!old_revision) return old_revision.error();
  GitUpdateResult<Revision> new_revision = LookUp(checkout.repo(), to);
  if (!new_revision) return new_revision.error();
  GitMoveOutcome outcome{OidHex(from), OidHex(to), false};
  if (git_oid_equal(&from, &to)) return outcome;

  // DONT_OVERWRITE_IGNORED: an ignored file where the target has one is a conflict, not lost.
  const int rc = CheckOut(checkout.repo(), *new_revision, *old_revision,
                          GIT_CHECKOUT_SAFE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED);
  if (rc == GIT_ECONFLICT) {
    // libgit2 finds every conflict before it writes anything.
    return Fail(git_update_code::kCheckoutFailed,
                "checkout of " + OidHex(to) + " in " + checkout.path() +
                    " refused: " + GitErrorText(rc) +
                    " (an ignored file or directory is where the new revision has a file); "
                    "nothing was changed");
  }
  if (rc < 0) {
    return PutBack(
        checkout, *old_revision, *new_revision,
        "checkout of " + OidHex(to) + " in " + checkout.path() + " failed: " + GitErrorText(rc));
  }

  const std::string ref_name = "refs/heads/" + request.branch;
  const std::string message =
      std::string(request.mode == GitMoveMode::kForward ? "upkeep: update " : "upkeep: rollback ") +
      Short(from) + " -> " + Short(to);
  if (Status set = SetBranch(checkout, ref_name, from, to, message); !set) {
    // Written after all (a failed fsync, say): the ref is where the tree is, the move is whole.
    if (BranchAt(checkout, ref_name, to)) {
      outcome.moved = true;
      return outcome;
    }
    return PutBack(checkout, *old_revision, *new_revision,
                   "moving " + ref_name + " of " + checkout.path() + " to " + OidHex(to) +
                       " failed: " + set.error());
  }
  outcome.moved = true;
  return outcome;
}

}  // namespace upkeep
