#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "controller/check_error.h"

namespace upkeep {

// The error codes of the update's git operations (moving the checkout, listing its changes),
// as they appear in the git helper's answer and in the execute API's refusals.
namespace git_update_code {
inline constexpr std::string_view kDirtyWorktree = "dirty_worktree";
inline constexpr std::string_view kDetachedHead = "detached_head";
inline constexpr std::string_view kWrongBranch = "wrong_branch";
inline constexpr std::string_view kHeadMoved = "head_moved";
inline constexpr std::string_view kNotFastForward = "not_fast_forward";
inline constexpr std::string_view kRepoUnavailable = "repo_unavailable";
inline constexpr std::string_view kRepoPermission = "repo_permission";
inline constexpr std::string_view kCheckoutFailed = "checkout_failed";
inline constexpr std::string_view kInternal = "internal";
}  // namespace git_update_code

// Where a failed move left the checkout.
enum class GitTreeState {
  kUnchanged,     // refused or failed before anything was written
  kReverted,      // files were written, then put back: tree, index and ref at the from-revision
  kRevertFailed,  // even putting it back failed: neither revision; a human must look
  kUnknown,       // the daemon got no valid answer from the helper: look at HEAD and the tree
};

struct GitUpdateError {
  std::string code;  // one of git_update_code
  std::string message;
  GitTreeState tree = GitTreeState::kUnchanged;

  bool operator==(const GitUpdateError&) const = default;
};

template <typename T>
using GitUpdateResult = Result<T, GitUpdateError>;

enum class GitMoveMode {
  kForward,  // an update: `to` must descend from `expected_from` (fast-forward only)
  kBack,     // a rollback: `to` is the from-revision of the run that moved the checkout
  kRepair,   // after a crash during the move `expected_from` -> `to`: back to `expected_from`
};

struct GitMoveRequest {
  std::string repo;
  std::string branch;         // HEAD must be refs/heads/<branch>
  std::string expected_from;  // 40 hex digits: where HEAD must be now (kRepair: the run's from)
  std::string to;             // 40 hex digits (kRepair: the run's to)
  GitMoveMode mode = GitMoveMode::kForward;
};

struct GitMoveOutcome {
  std::string from;    // kRepair: where the branch was found (the run's from or to)
  std::string to;      // kRepair: the run's from, where the checkout is now
  bool moved = false;  // false when `to` was `expected_from` already (kRepair: nothing to mend)

  bool operator==(const GitMoveOutcome&) const = default;
};

// Moves the checkout of `request.branch` from `expected_from` to `to` in one step: the working
// tree and index by a safe checkout of the target tree (files the target lacks are removed;
// untracked and ignored files are left alone, and one in the way of a target file refuses the
// move), then the branch ref (compare-and-swap from `expected_from`, reflog "upkeep: update
// <from7> -> <to7>" or "upkeep: rollback ..."); HEAD stays on the branch. libgit2 fsyncs what it
// writes under .git (GIT_OPT_ENABLE_FSYNC_GITDIR, a process-wide switch).
//
// Refused with nothing changed: HEAD detached (detached_head) or on another branch
// (wrong_branch), not at expected_from (head_moved), tracked changes or untracked files that are
// not ignored (dirty_worktree), kForward and not a fast-forward (not_fast_forward), and the
// errors of opening the repository (repo_unavailable, repo_permission, internal).
//
// Never half-way: when the checkout or the ref update fails after files were written, the tree
// and index are forced back to the from-tree (the tree was clean, so nothing of anyone's is
// lost) and the ref stays at expected_from: checkout_failed with tree kReverted, or kRevertFailed
// when even that failed.
//
// kRepair mends a move that was killed half-way (the daemon or the helper died): libgit2 writes
// the tree, then the ref, so the branch is at expected_from (F) or at to (T) and the tree and
// index anywhere between F's and T's. HEAD must be on the branch at F or T (else head_moved),
// and every path where the index or working tree differs from F's tree (modified, deleted,
// untracked and not ignored) must be a path of the diff F..T, which the move may have written;
// any other path is someone's local change: dirty_worktree, nothing changed. Otherwise the
// paths T added are removed, F's tree is forced out, the index is reset to F and the branch is
// set back to F (compare-and-swap from where it was, reflog "upkeep: repair <to7> -> <from7>").
// A repair that fails half-way is checkout_failed with tree kRevertFailed; running it again is
// safe. A change at a path of the diff cannot be told apart from the move's own writes and is
// replaced by F's version.
GitUpdateResult<GitMoveOutcome> MoveCheckout(const GitMoveRequest& request);

// True for 40 lower- or upper-case hex digits: a full object id.
bool IsFullObjectId(std::string_view text);

// An error of GitCheckout::Open (or another check-side step) as an update error: the same
// code for repo_unavailable and repo_permission, internal for the rest.
GitUpdateError UpdateErrorOf(const CheckError& error);

}  // namespace upkeep
