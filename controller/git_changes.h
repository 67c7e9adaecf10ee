#pragma once

#include <git2.h>

#include <cstddef>
#include <string>
#include <vector>

#include "controller/git_move.h"

namespace upkeep {

// The most paths ChangedPaths lists; past it the list is cut and says so.
inline constexpr size_t kChangedPathsCap = 100000;

struct GitChangedPaths {
  std::vector<std::string> paths;  // sorted, unique, relative to the repository root
  bool truncated = false;          // more paths changed than the cap: treat as "anything"

  bool operator==(const GitChangedPaths&) const = default;
};

// What `upkeep git changed` is asked (controller/git_helper.h).
struct GitChangedRequest {
  std::string repo;
  std::string from;  // 40 hex digits
  std::string to;    // 40 hex digits
};

// Every path the diff of the trees `from`..`to` (40 hex digits each) touches: added, deleted,
// modified, type-changed, and both names of a rename. What an update's `when_changed` globs are
// matched against. Errors: the repository cannot be opened (repo_unavailable, repo_permission),
// an id is not a full id or not a commit here (internal).
GitUpdateResult<GitChangedPaths> ChangedPaths(const std::string& repo, const std::string& from,
                                              const std::string& to, size_t cap = kChangedPathsCap);

// The same for two trees of an open repository. `cap` SIZE_MAX: every path.
GitUpdateResult<GitChangedPaths> DiffPaths(git_repository* repo, git_tree* from, git_tree* to,
                                           size_t cap = kChangedPathsCap);

// The paths `to` has and `from` lacks (added, or the new name of a rename), in diff order:
// what putting a failed move back must remove besides a checkout of `from`.
GitUpdateResult<std::vector<std::string>> AddedPaths(git_repository* repo, git_tree* from,
                                                     git_tree* to);

// Every path where the index or the working tree differs from `baseline` (not from HEAD): tracked
// changes, staged or not, and untracked files that are not ignored, each untracked file by its
// own path (not its directory's). Sorted, unique. What a crash repair must account for.
GitUpdateResult<std::vector<std::string>> WorktreeChanges(git_repository* repo, git_tree* baseline);

}  // namespace upkeep
