#include "controller/git_facts_json.h"

#include "common/text.h"

namespace upkeep {

nlohmann::json GitFactsToJson(const GitFacts& facts) {
  return {
      {"branch", facts.branch},
      {"detached", facts.detached},
      {"currentRevision", facts.current_revision},
      {"currentVersion", facts.current_version},
      {"dirty", facts.dirty},
      {"remote", facts.remote},
      {"remoteUrl", facts.remote_url},
      {"insecureTransport", facts.insecure_transport},
      {"remoteBranch", facts.remote_branch},
      {"latestRevision", facts.latest_revision},
      {"latestVersion", facts.latest_version},
      {"commitsAhead", facts.commits_ahead},
      {"commitsBehind", facts.commits_behind},
      {"changelog", facts.changelog},
      {"fetched", facts.fetched},
  };
}

nlohmann::json GitErrorAnswerToJson(const CheckError& error) {
  return {{"error",
           {{"kind", std::string(CheckErrorCodeOf(error.kind).code)}, {"message", error.message}}}};
}

CheckResult<GitFacts> ParseGitHelperAnswer(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return MakeCheckError(CheckErrorKind::kInternal, "the git helper gave no valid answer (" + why +
                                                         "): " + Printable(text, 200));
  };
  const nlohmann::json answer = nlohmann::json::parse(text, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) return bad("not a JSON object");
  try {
    if (answer.contains("error")) {
      const nlohmann::json& error = answer.at("error");
      const std::string kind = error.at("kind").get<std::string>();
      std::optional<CheckErrorKind> known = CheckErrorKindNamed(kind);
      return MakeCheckError(known.value_or(CheckErrorKind::kInternal),
                            error.at("message").get<std::string>());
    }
    GitFacts facts;
    answer.at("branch").get_to(facts.branch);
    answer.at("detached").get_to(facts.detached);
    answer.at("currentRevision").get_to(facts.current_revision);
    answer.at("currentVersion").get_to(facts.current_version);
    answer.at("dirty").get_to(facts.dirty);
    answer.at("remote").get_to(facts.remote);
    answer.at("remoteUrl").get_to(facts.remote_url);
    answer.at("insecureTransport").get_to(facts.insecure_transport);
    answer.at("remoteBranch").get_to(facts.remote_branch);
    answer.at("latestRevision").get_to(facts.latest_revision);
    answer.at("latestVersion").get_to(facts.latest_version);
    answer.at("commitsAhead").get_to(facts.commits_ahead);
    answer.at("commitsBehind").get_to(facts.commits_behind);
    answer.at("changelog").get_to(facts.changelog);
    answer.at("fetched").get_to(facts.fetched);
    return facts;
  } catch (const nlohmann::json::exception& error) {
    return bad(error.what());
  }
}

}  // namespace upkeep
