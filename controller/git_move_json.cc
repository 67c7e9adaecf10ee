#include "controller/git_move_json.h"

#include <array>
#include <utility>

#include "common/text.h"

namespace upkeep {
namespace {

constexpr std::array<std::pair<GitTreeState, std::string_view>, 4> kTreeStates{{
    {GitTreeState::kUnchanged, "unchanged"},
    {GitTreeState::kReverted, "reverted"},
    {GitTreeState::kRevertFailed, "revert_failed"},
    {GitTreeState::kUnknown, "unknown"},
}};

GitUpdateError NoAnswer(std::string_view text, const std::string& why) {
  return GitUpdateError{std::string(git_update_code::kInternal),
                        "the git helper gave no valid answer (" + why +
                            "); the checkout may have been left anywhere: " + Printable(text, 200),
                        GitTreeState::kUnknown};
}

// Parses `text` as an answer: the helper's error, or `read(answer)` for a value.
template <typename T, typename Read>
GitUpdateResult<T> ParseAnswer(std::string_view text, Read read) {
  const nlohmann::json answer = nlohmann::json::parse(text, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) return NoAnswer(text, "not a JSON object");
  try {
    if (!answer.contains("error")) return read(answer);
    const nlohmann::json& error = answer.at("error");
    GitUpdateError parsed;
    parsed.code = error.contains("code") ? error.at("code").get<std::string>()
                                         : error.at("kind").get<std::string>();
    parsed.message = error.at("message").get<std::string>();
    if (error.contains("tree")) {
      std::optional<GitTreeState> state = GitTreeStateNamed(error.at("tree").get<std::string>());
      if (!state) return NoAnswer(text, "unknown tree state");
      parsed.tree = *state;
    }
    return parsed;
  } catch (const nlohmann::json::exception& error) {
    return NoAnswer(text, error.what());
  }
}

}  // namespace

nlohmann::json GitMoveOutcomeToJson(const GitMoveOutcome& outcome) {
  return {{"from", outcome.from}, {"to", outcome.to}, {"moved", outcome.moved}};
}

nlohmann::json GitChangedPathsToJson(const GitChangedPaths& changed) {
  return {{"paths", changed.paths}, {"truncated", changed.truncated}};
}

nlohmann::json GitUpdateErrorToJson(const GitUpdateError& error) {
  return {{"error",
           {{"code", error.code},
            {"message", error.message},
            {"tree", std::string(GitTreeStateName(error.tree))}}}};
}

std::string_view GitTreeStateName(GitTreeState state) {
  for (const auto& [known, name] : kTreeStates) {
    if (known == state) return name;
  }
  return "unknown";
}

std::optional<GitTreeState> GitTreeStateNamed(std::string_view name) {
  for (const auto& [state, known] : kTreeStates) {
    if (known == name) return state;
  }
  return std::nullopt;
}

GitUpdateResult<GitMoveOutcome> ParseGitMoveAnswer(std::string_view text) {
  return ParseAnswer<GitMoveOutcome>(text, [](const nlohmann::json& answer) {
    GitMoveOutcome outcome;
    answer.at("from").get_to(outcome.from);
    answer.at("to").get_to(outcome.to);
    answer.at("moved").get_to(outcome.moved);
    return GitUpdateResult<GitMoveOutcome>(outcome);
  });
}

GitUpdateResult<GitChangedPaths> ParseGitChangedAnswer(std::string_view text) {
  return ParseAnswer<GitChangedPaths>(text, [](const nlohmann::json& answer) {
    GitChangedPaths changed;
    answer.at("paths").get_to(changed.paths);
    answer.at("truncated").get_to(changed.truncated);
    return GitUpdateResult<GitChangedPaths>(changed);
  });
}

}  // namespace upkeep
