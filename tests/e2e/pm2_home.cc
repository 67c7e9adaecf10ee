#include "tests/e2e/pm2_home.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/process_checks.h"
#include "tests/support/update_service_repos.h"

namespace upkeep::testing {
namespace {

using nlohmann::json;

// pm2's own answer to `jlist` is one JSON line; anything else it prints (notices) is skipped.
json JlistOf(const std::string& output) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '[') continue;
    json parsed = json::parse(line, nullptr, false);
    if (parsed.is_array()) return parsed;
  }
  return json();
}

void KillIfRunning(pid_t pid) {
  if (pid > 0 && !ProcessIsGone(pid)) ::kill(pid, SIGKILL);
}

}  // namespace

std::string FindPm2() {
  // UPKEEP_PM2 names another pm2 (a developer's own); by default, the pinned one that
  // scripts/install-deps.sh installs into the repository.
  const char* given = std::getenv("UPKEEP_PM2");
  const std::string path = given != nullptr && *given != '\0'
                               ? std::string(given)
                               : std::string(UPKEEP_SOURCE_DIR) + "/var/tools/pm2/bin/pm2";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

Pm2Home::Pm2Home(std::string binary, std::string home)
    : binary_(std::move(binary)), home_(std::move(home)) {
  std::filesystem::create_directories(home_);
}

Pm2Home::~Pm2Home() {
  if (!binary_.empty()) RunIn(home_, {binary_, "kill"}, Env(), std::chrono::seconds(30));
  // What `pm2 kill` did not stop (it failed, or timed out): its daemon and the apps seen.
  const std::string daemon_pid = ReadText(home_ + "/pm2.pid");
  if (!daemon_pid.empty()) KillIfRunning(static_cast<pid_t>(std::atol(daemon_pid.c_str())));
  for (const pid_t pid : seen_pids_) KillIfRunning(pid);
}

Environment Pm2Home::Env() const { return {{"PM2_HOME", home_}}; }

CommandResult Pm2Home::Run(const std::string& dir, const std::vector<std::string>& args,
                           const Environment& env) {
  Environment all = Env();
  all.insert(env.begin(), env.end());
  std::vector<std::string> argv = {binary_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunIn(dir, argv, all, std::chrono::seconds(60));
}

std::optional<Pm2App> Pm2Home::App(const std::string& name) {
  const json list = JlistOf(Run(home_, {"jlist"}).output);
  if (!list.is_array()) return std::nullopt;
  for (const json& entry : list) {
    if (!entry.is_object() || entry.value("name", "") != name) continue;
    Pm2App app;
    app.name = name;
    app.pid = entry.value("pid", 0);
    const json& env = entry.contains("pm2_env") ? entry["pm2_env"] : json::object();
    app.status = env.value("status", "");
    app.restarts = env.value("restart_time", -1);
    if (app.pid > 0) seen_pids_.insert(app.pid);
    return app;
  }
  return std::nullopt;
}

}  // namespace upkeep::testing
