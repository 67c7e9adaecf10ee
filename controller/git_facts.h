#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "controller/check_error.h"
#include "controller/git_credentials.h"

namespace upkeep {

// What the update check needs to know about a checkout and its remote branch, gathered in one
// go by the git helper (a child process running as the repository's owner).
struct GitFacts {
  std::string branch;  // the checked-out branch; empty when HEAD is detached
  bool detached = false;
  std::string current_revision;  // HEAD, 40 hex digits
  std::string current_version;   // describe of HEAD, "-dirty" appended when dirty
  bool dirty = false;
  std::string remote;               // its name: "origin"
  std::string remote_url;           // userinfo stripped
  bool insecure_transport = false;  // the URL is git:// or http://
  std::string remote_branch;        // the configured branch compared with: "main"
  std::string latest_revision;      // refs/remotes/<remote>/<remote_branch>
  std::string latest_version;
  uint64_t commits_ahead = 0;          // on HEAD, not on the remote branch
  uint64_t commits_behind = 0;         // on the remote branch, not on HEAD
  std::vector<std::string> changelog;  // capped, see CapChangelog
  bool fetched = false;  // this run fetched; false: the facts rest on an earlier fetch

  bool operator==(const GitFacts&) const = default;
};

struct GitCheckRequest {
  std::string repo;
  std::string remote = "origin";
  std::string branch = "main";
  bool fetch = false;
  bool allow_insecure_transport = false;
  size_t changelog_limit = 100;
  GitCredentialConfig credentials;
};

// Opens the checkout, fetches the branch when asked, and gathers the facts. A git:// or http://
// remote without allow_insecure_transport is not fetched: the facts then rest on the last
// fetch (insecure_transport says why), and when there never was one the answer is the
// kInsecureTransport error. Errors as in GitCheckout::Open and FetchBranch; a remote-tracking
// branch that does not exist (never fetched) is kRemoteUnavailable.
CheckResult<GitFacts> CheckGitCheckout(const GitCheckRequest& request);

}  // namespace upkeep
