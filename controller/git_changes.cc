#include "controller/git_changes.h"

#include <git2.h>

#include <set>

#include "controller/git_checkout.h"
#include "controller/git_handles.h"
#include "controller/git_library.h"

namespace upkeep {
namespace {

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

GitUpdateResult<GitChangedPaths> DiffPaths(git_repository* repo, git_tree* from, git_tree* to,
                                           size_t cap) {
  GitUpdateResult<GitDiffPtr> diff = DiffTrees(repo, from, to);
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

GitUpdateResult<GitChangedPaths> ChangedPaths(const std::string& repo, const std::string& from,
                                              const std::string& to, size_t cap) {
  CheckResult<GitCheckout> opened = GitCheckout::Open(repo);
  if (!opened) return UpdateErrorOf(opened.error());
  GitUpdateResult<GitTreePtr> old_tree = TreeOf(opened->repo(), from);
  if (!old_tree) return old_tree.error();
  GitUpdateResult<GitTreePtr> new_tree = TreeOf(opened->repo(), to);
  if (!new_tree) return new_tree.error();
  return DiffPaths(opened->repo(), old_tree->get(), new_tree->get(), cap);
}

GitUpdateResult<std::vector<std::string>> WorktreeChanges(git_repository* repo,
                                                          git_tree* baseline) {
  git_status_options options{};
  git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  // Each untracked file by name: a directory the interrupted move created is matched against
  // the diff path by path, like everything else.
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  options.baseline = baseline;
  git_status_list* raw = nullptr;
  const int rc = git_status_list_new(&raw, repo, &options);
  GitStatusListPtr list(raw);
  if (rc < 0) return Internal(GitError("read the status of the working tree", rc).message);
  std::set<std::string> paths;
  const size_t count = git_status_list_entrycount(list.get());
  for (size_t i = 0; i < count; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    for (const git_diff_delta* delta : {entry->head_to_index, entry->index_to_workdir}) {
      if (delta == nullptr) continue;
      if (delta->old_file.path != nullptr) paths.insert(delta->old_file.path);
      if (delta->new_file.path != nullptr) paths.insert(delta->new_file.path);
    }
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

}  // namespace upkeep
