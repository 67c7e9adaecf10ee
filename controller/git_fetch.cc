#include "controller/git_fetch.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#define UPKEEP_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UPKEEP_LEAK_CHECKED 1
#endif
#endif
#ifdef UPKEEP_LEAK_CHECKED
#include <sanitizer/lsan_interface.h>
#endif

#include "controller/git_library.h"
#include "controller/remote_url.h"

namespace upkeep {
namespace {

// libgit2 1.5.1's SSH transport loses a few small allocations in every connect (its
// known_hosts handle and host-key buffers; fixed in 1.6), and without frame pointers in
// libgit2 a sanitizer cannot tell those stacks from ours. What connect allocates is libgit2's
// own transport state, so leak checking skips it (a no-op without a sanitizer); every handle
// we take is made outside and freed by git_handles.h.
class LeakCheckPause {
 public:
#ifdef UPKEEP_LEAK_CHECKED
  LeakCheckPause() { __lsan_disable(); }
  ~LeakCheckPause() { __lsan_enable(); }
#else
  LeakCheckPause() = default;
#endif
  LeakCheckPause(const LeakCheckPause&) = delete;
  LeakCheckPause& operator=(const LeakCheckPause&) = delete;
};

bool AdvertisesBranch(git_remote* remote, const std::string& ref) {
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, remote) < 0) return false;
  for (size_t i = 0; i < count; ++i) {
    if (ref == heads[i]->name) return true;
  }
  return false;
}

}  // namespace

CheckResult<Ok> FetchBranch(const GitCheckout& checkout, const GitFetchRequest& request) {
  git_remote* raw = nullptr;
  int rc = git_remote_lookup(&raw, checkout.repo(), request.remote.c_str());
  GitRemotePtr remote(raw);
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC) {
    return MakeCheckError(
        CheckErrorKind::kRemoteUnavailable,
        "repository " + checkout.path() + " has no remote \"" + request.remote + "\"");
  }
  if (rc < 0) {
    return MakeCheckError(CheckErrorKind::kInternal,
                          GitError("look up remote " + request.remote, rc).message);
  }
  const char* url_raw = git_remote_url(remote.get());
  const std::string url = url_raw == nullptr ? "" : url_raw;
  const std::string shown_url = StripUserinfo(url);
  if (IsInsecureTransport(url) && !request.allow_insecure_transport) {
    return MakeCheckError(CheckErrorKind::kInsecureTransport,
                          "remote " + request.remote + " (" + shown_url +
                              ") uses an unauthenticated transport; not fetched without "
                              "allow_insecure_transport");
  }
  const char* git_dir = git_repository_path(checkout.repo());
  if (git_dir != nullptr && ::access(git_dir, W_OK) != 0) {
    return MakeCheckError(
        CheckErrorKind::kRepoPermission,
        "user " + CurrentUserName() + " cannot write " + git_dir + ": " + std::strerror(errno));
  }

  GitCredentialState state{&request.credentials, url, 0};
  // The *_init functions, not the *_INIT macros (see GitCheckout::Dirty).
  git_remote_callbacks callbacks{};
  git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
  callbacks.credentials = AcquireGitCredential;
  callbacks.certificate_check = CheckGitCertificate;
  callbacks.payload = &state;
  const std::string from = "fetch from " + request.remote + " (" + shown_url + ")";
  auto failed = [&](int code) {
    // The transport's message may quote the URL it was given, credentials included.
    std::string text = GitErrorText(code);
    if (!url.empty() && url != shown_url) {
      for (size_t at = text.find(url); at != std::string::npos; at = text.find(url, at)) {
        text.replace(at, url.size(), shown_url);
      }
    }
    return MakeCheckError(CheckErrorKind::kFetchFailed, from + ": " + text);
  };

  {
    [[maybe_unused]] const LeakCheckPause libgit2_ssh_leaks;
    rc = git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr);
  }
  if (rc < 0) return failed(rc);
  const std::string source = "refs/heads/" + request.branch;
  if (!AdvertisesBranch(remote.get(), source)) {
    return MakeCheckError(CheckErrorKind::kRemoteUnavailable, "remote " + request.remote + " (" +
                                                                  shown_url + ") has no branch \"" +
                                                                  request.branch + "\"");
  }
  std::string refspec = "+" + source + ":refs/remotes/" + request.remote + "/" + request.branch;
  char* specs[] = {refspec.data()};
  const git_strarray refspecs{specs, 1};
  git_fetch_options options{};
  git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
  options.callbacks = callbacks;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
  rc = git_remote_download(remote.get(), &refspecs, &options);
  if (rc < 0) return failed(rc);
  rc = git_remote_update_tips(remote.get(), &callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_ALL,
                              "upkeep: fetch");
  if (rc < 0) return failed(rc);
  git_remote_disconnect(remote.get());
  return Ok{};
}

}  // namespace upkeep
