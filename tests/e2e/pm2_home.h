#pragma once

// The real pm2 for the end-to-end suite, with its own PM2_HOME in a temp dir: its daemon and the
// apps it runs are stopped at destruction (`pm2 kill`, then SIGKILL for whatever still runs), so
// that a failing test leaves nothing behind.

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e_commands.h"

namespace upkeep::testing {

// pm2's executable: $UPKEEP_PM2, else where scripts/install-deps.sh installs it
// (var/tools/pm2/bin/pm2 in the source tree); "" when it is not there.
std::string FindPm2();

// One app of `pm2 jlist`.
struct Pm2App {
  std::string name;
  pid_t pid = 0;       // 0 while it is not running
  std::string status;  // "online", "stopped", "errored", ...
  int restarts = -1;   // pm2_env.restart_time
};

class Pm2Home {
 public:
  // `binary`: FindPm2()'s answer; `home`: the PM2_HOME to use (created).
  Pm2Home(std::string binary, std::string home);
  ~Pm2Home();
  Pm2Home(const Pm2Home&) = delete;
  Pm2Home& operator=(const Pm2Home&) = delete;

  const std::string& binary() const { return binary_; }
  const std::string& home() const { return home_; }
  // What pm2 and the commands that call it need in their environment.
  Environment Env() const;

  // `pm2 ARGS` in `dir` with Env() and `env`.
  CommandResult Run(const std::string& dir, const std::vector<std::string>& args,
                    const Environment& env = {});
  // The app named `name` in `pm2 jlist`, none when pm2 does not list it (or did not answer).
  std::optional<Pm2App> App(const std::string& name);

 private:
  std::string binary_;
  std::string home_;
  std::set<pid_t> seen_pids_;  // every app pid jlist showed: killed at the end if still there
};

}  // namespace upkeep::testing
