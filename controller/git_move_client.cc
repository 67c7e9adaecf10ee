#include "controller/git_move_client.h"

#include <string_view>
#include <utility>
#include <vector>

#include "common/duration.h"
#include "common/text.h"
#include "controller/git_helper.h"
#include "controller/git_move_json.h"
#include "controller/run_environment.h"

namespace upkeep {
namespace {

GitUpdateError NoAnswer(std::string message) {
  return GitUpdateError{std::string(git_update_code::kInternal),
                        std::move(message) + "; the checkout may have been left anywhere",
                        GitTreeState::kUnknown};
}

// Runs the helper with `args` (the words after the binary) and parses its stdout with `parse`.
template <typename T>
GitUpdateResult<T> RunHelper(const GitHelperCall& call, std::vector<std::string> args,
                             GitUpdateResult<T> (*parse)(std::string_view)) {
  std::vector<std::string> argv = {call.helper_binary};
  const std::string what = "git helper (" + args[0] + " " + args[1] + ")";
  for (std::string& arg : args) argv.push_back(std::move(arg));

  ProcessOptions process;
  process.timeout = call.timeout;
  process.kill_grace = call.kill_grace;
  process.env = CleanEnvironment(call.run_as);  // nothing of the daemon's own
  process.cwd = "/";
  process.umask = 022;
  process.run_as = call.run_as;
  process.stdout_limit_is_error = true;
  process.max_stdout = kMaxGitUpdateAnswerBytes;
  process.on_started = call.on_started;
  Result<ProcessOutcome> outcome = RunProcess(argv, process);
  // Some of RunProcess's errors come before the helper ran and some after (too much output):
  // without telling them apart, the tree is unknown.
  if (!outcome) return NoAnswer(what + ": " + outcome.error());
  if (outcome->timed_out) {
    return NoAnswer(what + " timed out after " + FormatDuration(call.timeout) + " and was stopped");
  }
  if (outcome->signal != 0) {
    // Even after a whole answer: a helper that crashed is not trusted to have finished.
    return NoAnswer(what + " was killed by signal " + std::to_string(outcome->signal) + ": " +
                    Printable(outcome->err, 300));
  }
  if (outcome->out.empty()) {
    return NoAnswer(what + " exited with " + std::to_string(outcome->exit_code) +
                    " without an answer: " + Printable(outcome->err, 300));
  }
  return parse(outcome->out);
}

}  // namespace

GitUpdateResult<GitMoveOutcome> RunGitMove(const GitHelperCall& call,
                                           const GitMoveRequest& request) {
  return RunHelper<GitMoveOutcome>(call, GitMoveArgs(request), &ParseGitMoveAnswer);
}

GitUpdateResult<GitChangedPaths> RunGitChanged(const GitHelperCall& call,
                                               const GitChangedRequest& request) {
  return RunHelper<GitChangedPaths>(call, GitChangedArgs(request), &ParseGitChangedAnswer);
}

}  // namespace upkeep
