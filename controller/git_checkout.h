#pragma once

#include <git2.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/check_error.h"
#include "controller/git_handles.h"

namespace upkeep {

struct CheckoutHead {
  std::string branch;  // the checked-out branch ("main"); empty when detached
  bool detached = false;
  git_oid oid{};
};

// One git working tree, opened with libgit2. A handle is used by one thread at a time (libgit2's
// rule for a git_repository). Reads only: fetching is git_fetch.h's job.
class GitCheckout {
 public:
  // Opens the working tree at `path` itself (no search upwards). Errors: the path is missing or
  // is not a git working tree (kRepoUnavailable); it cannot be read, or libgit2 refuses it as
  // owned by another user (kRepoPermission).
  static CheckResult<GitCheckout> Open(const std::string& path);

  const std::string& path() const { return path_; }
  git_repository* repo() const { return repo_.get(); }

  // The branch HEAD is on, or detached, and the commit HEAD points at.
  CheckResult<CheckoutHead> Head() const;

  // Tracked changes (staged or not) or untracked files that are not ignored, like a non-empty
  // `git status --porcelain`.
  CheckResult<bool> Dirty() const;

  // `git describe --tags --always` of a commit: "v1.4.2", "v1.4.2-3-gabc1234", or its id
  // abbreviated to 7 characters (more if that is ambiguous) when no tag is reachable from it.
  CheckResult<std::string> Describe(const git_oid& commit) const;

  // The commit refs/remotes/<remote>/<branch> points at, or none when that ref does not exist.
  CheckResult<std::optional<git_oid>> RemoteTrackingTip(const std::string& remote,
                                                        const std::string& branch) const;

  // The fetch URL of a remote; kRemoteUnavailable when the repository has no such remote.
  CheckResult<std::string> RemoteUrl(const std::string& remote) const;

 private:
  GitCheckout(std::string path, GitRepositoryPtr repo)
      : path_(std::move(path)), repo_(std::move(repo)) {}

  std::string path_;
  GitRepositoryPtr repo_;
};

// The name of the user this process runs as, for messages ("uid 1000" without a passwd entry).
std::string CurrentUserName();

}  // namespace upkeep
