#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "controller/check_error.h"
#include "controller/git_facts.h"

namespace upkeep {

// The git helper's answer on stdout: the facts as one JSON object...
nlohmann::json GitFactsToJson(const GitFacts& facts);
// ...or {"error": {"kind": "repo_unavailable", "message": "..."}}.
nlohmann::json GitErrorAnswerToJson(const CheckError& error);

// Reads the helper's answer back in the daemon: the facts, or the error it reported (with its
// kind), or kInternal when the text is not an answer (cut off, not JSON, keys missing).
CheckResult<GitFacts> ParseGitHelperAnswer(std::string_view text);

}  // namespace upkeep
