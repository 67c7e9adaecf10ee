#include "controller/git_helper.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <string_view>

#include "common/text.h"
#include "controller/git_facts_json.h"
#include "controller/git_move_json.h"

namespace upkeep {
namespace {

constexpr size_t kMaxTokenBytes = 64 * 1024;

// The token from a pipe or socket on stdin; nothing from a terminal or /dev/null, so that a
// helper run by hand does not wait for input.
std::string ReadToken(int fd) {
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) {
    return "";
  }
  std::string token;
  char buffer[4096];
  while (token.size() <= kMaxTokenBytes) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    token.append(buffer, static_cast<size_t>(got));
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  return token;
}

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t wrote = ::write(fd, text.data(), text.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    text.remove_prefix(static_cast<size_t>(wrote));
  }
  return true;
}

int Answer(int fd, const nlohmann::json& body, int code) {
  return WriteAll(fd, body.dump() + "\n") ? code : 1;
}

// The `--name value` pairs and bare switches (value "") of `command`'s arguments. An unknown
// flag, one given twice, a missing value and a missing or empty required flag are errors.
Result<std::map<std::string, std::string>> ParseFlags(const std::string& command,
                                                      const std::vector<std::string>& args,
                                                      const std::vector<std::string>& required,
                                                      const std::vector<std::string>& switches) {
  std::map<std::string, std::string> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    const bool is_switch = std::find(switches.begin(), switches.end(), flag) != switches.end();
    if (!is_switch && std::find(required.begin(), required.end(), flag) == required.end()) {
      return MakeError("git " + command + ": unknown argument " + flag);
    }
    if (flags.count(flag) > 0) return MakeError("git " + command + ": " + flag + " given twice");
    if (is_switch) {
      flags[flag] = "";
      continue;
    }
    if (i + 1 >= args.size()) return MakeError("git " + command + ": " + flag + " needs a value");
    flags[flag] = args[++i];
  }
  for (const std::string& flag : required) {
    if (flags.count(flag) == 0 || flags[flag].empty()) {
      return MakeError("git " + command + ": " + flag + " is required");
    }
  }
  return flags;
}

Status CheckObjectIds(const std::string& command, std::map<std::string, std::string>& flags) {
  for (const char* flag : {"--from", "--to"}) {
    if (!IsFullObjectId(flags[flag])) {
      return MakeError("git " + command + ": " + flag + " must be a full commit id (40 hex " +
                       "digits), got " + Quote(flags[flag], 60));
    }
  }
  return OkStatus();
}

int AnswerUpdateError(int fd, const std::string& message, int code) {
  return Answer(fd,
                GitUpdateErrorToJson(GitUpdateError{std::string(git_update_code::kInternal),
                                                    message, GitTreeState::kUnchanged}),
                code);
}

int RunMove(const std::vector<std::string>& args, int stdout_fd) {
  Result<GitMoveRequest> request = ParseGitMoveArgs(args);
  if (!request) return AnswerUpdateError(stdout_fd, request.error(), 2);
  GitUpdateResult<GitMoveOutcome> moved = MoveCheckout(*request);
  if (!moved) return Answer(stdout_fd, GitUpdateErrorToJson(moved.error()), 0);
  return Answer(stdout_fd, GitMoveOutcomeToJson(*moved), 0);
}

int RunChanged(const std::vector<std::string>& args, int stdout_fd) {
  Result<GitChangedRequest> request = ParseGitChangedArgs(args);
  if (!request) return AnswerUpdateError(stdout_fd, request.error(), 2);
  GitUpdateResult<GitChangedPaths> changed =
      ChangedPaths(request->repo, request->from, request->to);
  if (!changed) return Answer(stdout_fd, GitUpdateErrorToJson(changed.error()), 0);
  return Answer(stdout_fd, GitChangedPathsToJson(*changed), 0);
}

}  // namespace

Result<GitMoveRequest> ParseGitMoveArgs(const std::vector<std::string>& args) {
  Result<std::map<std::string, std::string>> flags =
      ParseFlags("move", args, {"--repo", "--branch", "--from", "--to"}, {"--back", "--repair"});
  if (!flags) return MakeError(flags.error());
  if (flags->count("--back") > 0 && flags->count("--repair") > 0) {
    return MakeError("git move: --back and --repair exclude each other");
  }
  if (Status ids = CheckObjectIds("move", *flags); !ids) return MakeError(ids.error());
  GitMoveRequest request;
  request.repo = flags->at("--repo");
  request.branch = flags->at("--branch");
  request.expected_from = flags->at("--from");
  request.to = flags->at("--to");
  request.mode = flags->count("--back") > 0     ? GitMoveMode::kBack
                 : flags->count("--repair") > 0 ? GitMoveMode::kRepair
                                                : GitMoveMode::kForward;
  return request;
}

std::vector<std::string> GitMoveArgs(const GitMoveRequest& request) {
  std::vector<std::string> args = {"git",      "move",         "--repo", request.repo,
                                   "--branch", request.branch, "--from", request.expected_from,
                                   "--to",     request.to};
  if (request.mode == GitMoveMode::kBack) args.emplace_back("--back");
  if (request.mode == GitMoveMode::kRepair) args.emplace_back("--repair");
  return args;
}

Result<GitChangedRequest> ParseGitChangedArgs(const std::vector<std::string>& args) {
  Result<std::map<std::string, std::string>> flags =
      ParseFlags("changed", args, {"--repo", "--from", "--to"}, {});
  if (!flags) return MakeError(flags.error());
  if (Status ids = CheckObjectIds("changed", *flags); !ids) return MakeError(ids.error());
  return GitChangedRequest{flags->at("--repo"), flags->at("--from"), flags->at("--to")};
}

std::vector<std::string> GitChangedArgs(const GitChangedRequest& request) {
  return {"git", "changed", "--repo", request.repo, "--from", request.from, "--to", request.to};
}

Result<GitCheckRequest> ParseGitCheckArgs(const std::vector<std::string>& args) {
  GitCheckRequest request;
  request.repo.clear();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--fetch") {
      request.fetch = true;
      continue;
    }
    if (flag == "--allow-insecure-transport") {
      request.allow_insecure_transport = true;
      continue;
    }
    if (i + 1 >= args.size()) return MakeError("git check: " + flag + " needs a value");
    const std::string& value = args[++i];
    if (flag == "--repo") {
      request.repo = value;
    } else if (flag == "--remote") {
      request.remote = value;
    } else if (flag == "--branch") {
      request.branch = value;
    } else if (flag == "--ssh-key-file") {
      request.credentials.ssh_key_file = value;
    } else if (flag == "--ssh-known-hosts") {
      request.credentials.ssh_known_hosts = value;
    } else if (flag == "--changelog-limit") {
      size_t limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return MakeError("git check: --changelog-limit must be a number, got " + value);
      }
      request.changelog_limit = limit;
    } else {
      return MakeError("git check: unknown argument " + flag);
    }
  }
  if (request.repo.empty()) return MakeError("git check: --repo is required");
  if (request.remote.empty() || request.branch.empty()) {
    return MakeError("git check: --remote and --branch must not be empty");
  }
  return request;
}

std::vector<std::string> GitCheckArgs(const GitCheckRequest& request) {
  std::vector<std::string> args = {"git",
                                   "check",
                                   "--repo",
                                   request.repo,
                                   "--remote",
                                   request.remote,
                                   "--branch",
                                   request.branch,
                                   "--changelog-limit",
                                   std::to_string(request.changelog_limit)};
  if (request.fetch) args.emplace_back("--fetch");
  if (request.allow_insecure_transport) args.emplace_back("--allow-insecure-transport");
  if (!request.credentials.ssh_key_file.empty()) {
    args.insert(args.end(), {"--ssh-key-file", request.credentials.ssh_key_file});
  }
  if (!request.credentials.ssh_known_hosts.empty()) {
    args.insert(args.end(), {"--ssh-known-hosts", request.credentials.ssh_known_hosts});
  }
  return args;
}

int RunGitHelper(const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
  auto usage = [&](const std::string& message) {
    return Answer(stdout_fd,
                  GitErrorAnswerToJson(MakeCheckError(CheckErrorKind::kInternal, message)), 2);
  };
  const std::vector<std::string> rest =
      args.empty() ? args : std::vector<std::string>(args.begin() + 1, args.end());
  if (!args.empty() && args[0] == "move") return RunMove(rest, stdout_fd);
  if (!args.empty() && args[0] == "changed") return RunChanged(rest, stdout_fd);
  if (args.empty() || args[0] != "check") {
    return usage(
        "usage: upkeep git check --repo PATH [--remote NAME] [--branch NAME] [--fetch] "
        "[--allow-insecure-transport] [--changelog-limit N] [--ssh-key-file FILE] "
        "[--ssh-known-hosts FILE] | upkeep git move --repo PATH --branch NAME --from SHA "
        "--to SHA [--back | --repair] | upkeep git changed --repo PATH --from SHA --to SHA");
  }
  Result<GitCheckRequest> request = ParseGitCheckArgs(rest);
  if (!request) return usage(request.error());
  request.value().credentials.https_token = ReadToken(stdin_fd);
  CheckResult<GitFacts> facts = CheckGitCheckout(*request);
  if (!facts) return Answer(stdout_fd, GitErrorAnswerToJson(facts.error()), 0);
  return Answer(stdout_fd, GitFactsToJson(*facts), 0);
}

}  // namespace upkeep
