#include "controller/git_checkout.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "controller/git_library.h"

namespace upkeep {
namespace {

CheckError Internal(std::string_view operation, int code) {
  return MakeCheckError(CheckErrorKind::kInternal, GitError(operation, code).message);
}

// A path we cannot stat or enter: missing is the admin's config, denied is who we run as.
std::optional<CheckError> CheckPathAccess(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == EACCES) {
      return MakeCheckError(CheckErrorKind::kRepoPermission,
                            "user " + CurrentUserName() + " cannot access repository path " + path +
                                ": " + std::strerror(error));
    }
    return MakeCheckError(CheckErrorKind::kRepoUnavailable,
                          "repository path " + path + ": " + std::strerror(error));
  }
  if (!S_ISDIR(info.st_mode)) {
    return MakeCheckError(CheckErrorKind::kRepoUnavailable,
                          "repository path " + path + " is not a directory");
  }
  if (::access(path.c_str(), R_OK | X_OK) != 0) {
    return MakeCheckError(CheckErrorKind::kRepoPermission, "user " + CurrentUserName() +
                                                               " cannot read repository path " +
                                                               path + ": " + std::strerror(errno));
  }
  return std::nullopt;
}

std::string UserName(uid_t uid) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(uid);
}

// A working tree whose .git belongs to another user than the one running git.
std::optional<CheckError> ForeignOwner(const std::string& path) {
  struct stat info {};
  if (::lstat((path + "/.git").c_str(), &info) != 0 || info.st_uid == ::geteuid()) {
    return std::nullopt;
  }
  return MakeCheckError(CheckErrorKind::kRepoPermission,
                        "repository " + path + " is owned by " + UserName(info.st_uid) +
                            ", not by user " + CurrentUserName() +
                            ", who runs git; set update.user to its owner");
}

}  // namespace

std::string CurrentUserName() { return UserName(::geteuid()); }

CheckResult<GitCheckout> GitCheckout::Open(const std::string& path) {
  if (Status init = GitLibrary::Init(); !init.ok()) {
    return MakeCheckError(CheckErrorKind::kInternal, init.error());
  }
  if (std::optional<CheckError> denied = CheckPathAccess(path)) return *denied;

  git_repository* raw = nullptr;
  const int rc =
      git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  GitRepositoryPtr repo(raw);
  if (rc == GIT_ENOTFOUND) {
    // libgit2 1.5 reports a repository owned by someone else as not found (its owner check
    // fails on a missing safe.directory before it can say GIT_EOWNER): say who owns it.
    if (std::optional<CheckError> foreign = ForeignOwner(path)) return *foreign;
    return MakeCheckError(CheckErrorKind::kRepoUnavailable,
                          "repository path " + path + " is not a git repository");
  }
  if (rc == GIT_EOWNER) {
    return MakeCheckError(CheckErrorKind::kRepoPermission,
                          "repository " + path + " is not owned by user " + CurrentUserName() +
                              ", who runs git: " + GitErrorText(rc));
  }
  if (rc < 0) {
    const std::string text = GitErrorText(rc);
    const bool denied = text.find("ermission denied") != std::string::npos;
    return MakeCheckError(
        denied ? CheckErrorKind::kRepoPermission : CheckErrorKind::kRepoUnavailable,
        "open repository " + path + " as user " + CurrentUserName() + ": " + text);
  }
  if (git_repository_is_bare(repo.get())) {
    return MakeCheckError(CheckErrorKind::kRepoUnavailable,
                          "repository " + path + " is bare: it has no working tree to update");
  }
  return GitCheckout(path, std::move(repo));
}

CheckResult<CheckoutHead> GitCheckout::Head() const {
  CheckoutHead head;
  git_reference* raw = nullptr;
  const int rc = git_repository_head(&raw, repo_.get());
  GitReferencePtr ref(raw);
  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
    return MakeCheckError(CheckErrorKind::kRepoUnavailable,
                          "repository " + path_ + " has no commit checked out");
  }
  if (rc < 0) return Internal("read HEAD of " + path_, rc);
  head.detached = git_repository_head_detached(repo_.get()) == 1;
  if (!head.detached && git_reference_is_branch(ref.get())) {
    head.branch = git_reference_shorthand(ref.get());
  }
  git_object* peeled_raw = nullptr;
  const int peel_rc = git_reference_peel(&peeled_raw, ref.get(), GIT_OBJECT_COMMIT);
  GitObjectPtr peeled(peeled_raw);
  if (peel_rc < 0) return Internal("resolve HEAD of " + path_, peel_rc);
  git_oid_cpy(&head.oid, git_object_id(peeled.get()));
  return head;
}

CheckResult<bool> GitCheckout::Dirty() const {
  // libgit2's *_init functions rather than its *_INIT macros, which leave fields to the
  // compiler's zeroing and so trip clang's -Wmissing-field-initializers.
  git_status_options options{};
  git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  // Untracked files count (an update's checkout could clobber them), ignored ones do not (they
  // are what a build leaves: node_modules, logs); no recursion: one untracked entry is enough.
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
  git_status_list* raw = nullptr;
  const int rc = git_status_list_new(&raw, repo_.get(), &options);
  GitStatusListPtr list(raw);
  if (rc < 0) return Internal("read the status of " + path_, rc);
  return git_status_list_entrycount(list.get()) > 0;
}

CheckResult<std::string> GitCheckout::Describe(const git_oid& commit) const {
  git_object* raw = nullptr;
  int rc = git_object_lookup(&raw, repo_.get(), &commit, GIT_OBJECT_COMMIT);
  GitObjectPtr object(raw);
  if (rc < 0) return Internal("look up commit " + OidHex(commit), rc);

  git_describe_options options{};
  git_describe_options_init(&options, GIT_DESCRIBE_OPTIONS_VERSION);
  options.describe_strategy = GIT_DESCRIBE_TAGS;
  // With no tag behind the commit (or no ref at all) libgit2 fails with a plain error, not
  // GIT_ENOTFOUND; its own fallback gives the abbreviated id instead, as `git describe --always`.
  options.show_commit_oid_as_fallback = 1;
  git_describe_result* described_raw = nullptr;
  rc = git_describe_commit(&described_raw, object.get(), &options);
  GitDescribeResultPtr described(described_raw);
  if (rc < 0) return Internal("describe commit " + OidHex(commit), rc);

  git_describe_format_options format{};
  git_describe_format_options_init(&format, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
  format.abbreviated_size = 7;
  GitBuf text;
  rc = git_describe_format(text.get(), described.get(), &format);
  if (rc < 0) return Internal("format the description of " + OidHex(commit), rc);
  return std::string(text.view());
}

CheckResult<std::optional<git_oid>> GitCheckout::RemoteTrackingTip(
    const std::string& remote, const std::string& branch) const {
  const std::string name = "refs/remotes/" + remote + "/" + branch;
  git_oid oid{};
  const int rc = git_reference_name_to_id(&oid, repo_.get(), name.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<git_oid>();
  if (rc < 0) return Internal("read " + name, rc);
  return std::optional<git_oid>(oid);
}

CheckResult<std::string> GitCheckout::RemoteUrl(const std::string& remote) const {
  git_remote* raw = nullptr;
  const int rc = git_remote_lookup(&raw, repo_.get(), remote.c_str());
  GitRemotePtr handle(raw);
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
    return MakeCheckError(CheckErrorKind::kRemoteUnavailable,
                          "repository " + path_ + " has no remote \"" + remote + "\"");
  }
  if (rc < 0) return Internal("look up remote " + remote, rc);
  const char* url = git_remote_url(handle.get());
  return std::string(url == nullptr ? "" : url);
}

}  // namespace upkeep
