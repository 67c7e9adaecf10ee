#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "controller/git_changes.h"
#include "controller/git_facts.h"
#include "controller/git_move.h"

namespace upkeep {

// The git helper: what the daemon runs as `upkeep git check --repo R ...` in a child process as
// the repository's owner, so that git work never runs as root in the daemon and a fetch stuck
// on a silent remote can be killed. `args` are the words after "git":
//
//   check --repo R [--remote O] [--branch B] [--fetch] [--allow-insecure-transport]
//         [--changelog-limit N] [--ssh-key-file F] [--ssh-known-hosts F]
//   move --repo R --branch B --from SHA --to SHA [--back | --repair]
//   changed --repo R --from SHA --to SHA
//
// An https token, when there is one, arrives on stdin (a pipe; read to its end), never in argv
// or the environment, where other users could read it; only `check` reads it. Writes one JSON
// object and a newline to stdout and returns 0 then: for `check` the facts (GitFactsToJson) or
// {"error": {"kind", "message"}}; for `move` and `changed` what git_move_json.h describes, or
// {"error": {"code", "message", "tree"}}. Bad arguments: an error answer of kind/code
// "internal" and 2; stdout not writable: 1.
int RunGitHelper(const std::vector<std::string>& args, int stdin_fd, int stdout_fd);

// The arguments of `check` (after the word "check"), parsed.
Result<GitCheckRequest> ParseGitCheckArgs(const std::vector<std::string>& args);

// The argv words after the binary that ask for `request` (the daemon's side of the above; the
// token is not among them).
std::vector<std::string> GitCheckArgs(const GitCheckRequest& request);

// The same pair for `move` (SHA: 40 hex digits; --back: GitMoveMode::kBack, --repair:
// GitMoveMode::kRepair, not both)...
Result<GitMoveRequest> ParseGitMoveArgs(const std::vector<std::string>& args);
std::vector<std::string> GitMoveArgs(const GitMoveRequest& request);

// ...and for `changed`.
Result<GitChangedRequest> ParseGitChangedArgs(const std::vector<std::string>& args);
std::vector<std::string> GitChangedArgs(const GitChangedRequest& request);

}  // namespace upkeep
