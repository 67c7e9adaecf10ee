#include "controller/git_user.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace upkeep {

CheckResult<std::optional<RunAs>> ResolveGitUser(const std::string& repo, const std::string& user) {
  std::string name = user;
  if (name.empty()) {
    struct stat info {};
    if (::stat(repo.c_str(), &info) != 0) {
      const int error = errno;
      const CheckErrorKind kind =
          error == EACCES ? CheckErrorKind::kRepoPermission : CheckErrorKind::kRepoUnavailable;
      return MakeCheckError(
          kind, "cannot find the owner of the repository " + repo + ": " + std::strerror(error));
    }
    if (info.st_uid == 0) {
      // A fetch as root would leave root-owned objects that break the service's own git.
      return MakeCheckError(
          CheckErrorKind::kRepoPermission,
          "the repository " + repo +
              " is owned by root, and git work runs as root only when update.user: root is "
              "set; give the checkout to the service's user, or set update.user");
    }
    name = std::to_string(info.st_uid);
  }
  Result<RunAs> resolved = ResolveUser(name);
  if (!resolved) {
    return MakeCheckError(
        CheckErrorKind::kRepoPermission,
        "cannot run git for " + repo + " as user " + name + ": " + resolved.error());
  }
  if (::geteuid() == 0) return std::optional<RunAs>(std::move(resolved).value());
  if (resolved->uid == ::geteuid()) return std::optional<RunAs>();  // already that user
  return MakeCheckError(CheckErrorKind::kRepoPermission,
                        "upkeep runs as uid " + std::to_string(::geteuid()) +
                            " and cannot run git as user " + resolved->name + " (uid " +
                            std::to_string(resolved->uid) + ") for " + repo +
                            ": run upkeep as that user, or as root");
}

}  // namespace upkeep
