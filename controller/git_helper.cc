#include "controller/git_helper.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string_view>

#include "controller/git_facts_json.h"

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

}  // namespace

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
  if (args.empty() || args[0] != "check") {
    return usage(
        "usage: upkeep git check --repo PATH [--remote NAME] [--branch NAME] [--fetch] "
        "[--allow-insecure-transport] [--changelog-limit N] [--ssh-key-file FILE] "
        "[--ssh-known-hosts FILE]");
  }
  Result<GitCheckRequest> request =
      ParseGitCheckArgs(std::vector<std::string>(args.begin() + 1, args.end()));
  if (!request) return usage(request.error());
  request.value().credentials.https_token = ReadToken(stdin_fd);
  CheckResult<GitFacts> facts = CheckGitCheckout(*request);
  if (!facts) return Answer(stdout_fd, GitErrorAnswerToJson(facts.error()), 0);
  return Answer(stdout_fd, GitFactsToJson(*facts), 0);
}

}  // namespace upkeep
