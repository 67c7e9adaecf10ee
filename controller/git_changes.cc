#include "controller/git_changes.h"

#include <git2.h>

#include <set>

#include "controller/git_checkout.h"
#include "controller/git_handles.h"
#include "controller/git_library.h"

namespace upkeep {
namespace {

using GitTreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree_free>>;
using GitDiffPtr = std::unique_ptr<git_diff, GitDeleter<git_diff_free>>;

GitUpdateError Internal(std::string message) {
  return GitUpdateError{std::string(git_update_code::kInternal), std::move(message),
                        GitTreeState::kUnchanged};
}

GitUpdateResult<GitTreePtr> TreeOf(git_repository* repo, const std::string& id) {
  git_oid oid{};
  if (!IsFullObjectId(id) || git_oid_fromstr(&oid, id.c_str()) < 0) {
    return Internal("not a full (40 hex digit) commit id: " + id);
  }
  git_commit* commit_raw = nullptr;
  int rc = git_commit_lookup(&commit_raw, repo, &oid);
  GitCommitPtr commit(commit_raw);
  if (rc < 0) return Internal(GitError("look up commit " + id, rc).message);
  git_tree* tree_raw = nullptr;
  rc = git_commit_tree(&tree_raw, commit.get());
  GitTreePtr tree(tree_raw);
  if (rc < 0) return Internal(GitError("read the tree of commit " + id, rc).message);
  return tree;
}

// No rename detection: without it a rename is a deletion and an addition, which names both
// paths just the same, at a fraction of the cost.
GitUpdateResult<GitDiffPtr> DiffTrees(git_repository* repo, git_tree* from, git_tree* to) {
  git_diff_options options{};
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  git_diff* raw = nullptr;
  const int rc = git_diff_tree_to_tree(&raw, repo, from, to, &options);
  GitDiffPtr diff(raw);
  if (rc < 0) {
    return Internal(
        GitError("diff " + OidHex(*git_tree_id(from)) + ".." + OidHex(*git_tree_id(to)), rc)
            .message);
  }
  return diff;
}

}  // namespace

GitUpdateResult<std::vector<std::string>> AddedPaths(git_repository* repo, git_tree* from,
                                                     git_tree* to) {
  GitUpdateResult<GitDiffPtr> diff = DiffTrees(repo, from, to);
  if (!diff) return diff.error();
  std::vector<std::string> added;
  const size_t deltas = git_diff_num_deltas(diff->get());
  for (size_t i = 0; i < deltas; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff->get(), i);
    if (delta->status == GIT_DELTA_ADDED) added.emplace_back(delta->new_file.path);
  }
  return added;
}

GitUpdateResult<GitChangedPaths> ChangedPaths(const std::string& repo, const std::string& from,
                                              const std::string& to, size_t cap) {
  CheckResult<GitCheckout> opened = GitCheckout::Open(repo);
  if (!opened) return UpdateErrorOf(opened.error());
  GitUpdateResult<GitTreePtr> old_tree = TreeOf(opened->repo(), from);
  if (!old_tree) return old_tree.error();
  GitUpdateResult<GitTreePtr> new_tree = TreeOf(opened->repo(), to);
  if (!new_tree) return new_tree.error();

  GitUpdateResult<GitDiffPtr> diff = DiffTrees(opened->repo(), old_tree->get(), new_tree->get());
  if (!diff) return diff.error();

  std::set<std::string> paths;
  GitChangedPaths changed;
  auto add = [&](const char* path) {
    if (path == nullptr || paths.count(path) > 0) return;
    if (paths.size() >= cap) {
      changed.truncated = true;
      return;
    }
    paths.insert(path);
  };
  const size_t deltas = git_diff_num_deltas(diff->get());
  for (size_t i = 0; i < deltas && !changed.truncated; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff->get(), i);
    add(delta->old_file.path);
    add(delta->new_file.path);
  }
  changed.paths.assign(paths.begin(), paths.end());
  return changed;
}

}  // namespace upkeep
