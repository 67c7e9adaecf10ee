#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "controller/git_changes.h"
#include "controller/git_move.h"

namespace upkeep {

// The git helper's answers to `move` and `changed`, one JSON object each:
//   move:    {"from": "<40 hex>", "to": "<40 hex>", "moved": true}
//   changed: {"paths": ["a.txt", ...], "truncated": false}
//   either:  {"error": {"code": "dirty_worktree", "message": "...", "tree": "unchanged"}}
nlohmann::json GitMoveOutcomeToJson(const GitMoveOutcome& outcome);
nlohmann::json GitChangedPathsToJson(const GitChangedPaths& changed);
nlohmann::json GitUpdateErrorToJson(const GitUpdateError& error);

// "unchanged", "reverted", "revert_failed", "unknown", and back.
std::string_view GitTreeStateName(GitTreeState state);
std::optional<GitTreeState> GitTreeStateNamed(std::string_view name);

// Read the answers back in the daemon: the value, or the error the helper reported. Text that
// is not an answer (cut off by a killed helper, not JSON, keys missing) is an internal error
// whose tree is kUnknown: the helper may have died half-way, so the daemon must look itself.
// An error object with "kind" instead of "code" (the helper's answer to a command it does not
// know, from an older binary) is read too.
GitUpdateResult<GitMoveOutcome> ParseGitMoveAnswer(std::string_view text);
GitUpdateResult<GitChangedPaths> ParseGitChangedAnswer(std::string_view text);

}  // namespace upkeep
