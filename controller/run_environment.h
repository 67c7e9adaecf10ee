#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/process_runner.h"

namespace upkeep {

// The PATH every child of the controller starts with: system directories only.
inline constexpr const char* kCleanPath = "PATH=/usr/local/bin:/usr/bin:/bin";

// A child's whole environment before anything is added: who it is (HOME, USER, LOGNAME, SHELL
// from the passwd entry of `run_as`, or of our own user when unset) and kCleanPath. Nothing of
// the daemon's own environment (no tokens, no GIT_* variables, no proxy settings it did not
// mean to pass).
std::vector<std::string> CleanEnvironment(const std::optional<RunAs>& run_as);

// `env` ("NAME=VALUE" strings) with each of `variables` set: an entry of the same name is
// replaced in place, a new one appended. Later calls win, so callers add the most authoritative
// variables last.
void SetVariables(std::vector<std::string>& env,
                  const std::map<std::string, std::string>& variables);

}  // namespace upkeep
