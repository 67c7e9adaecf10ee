#pragma once

// Small tools of the end-to-end suite: commands run in a directory with extra environment and a
// time limit, a free port on 127.0.0.1, a whole process group stopped at the end of a test.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"

namespace upkeep::testing {

using Environment = std::map<std::string, std::string>;

// Runs `argv` in `dir` with `env` added to this process's environment, killed after `limit`
// (through env(1) and timeout(1), so a hung tool fails the test instead of hanging it).
CommandResult RunIn(const std::string& dir, const std::vector<std::string>& argv,
                    const Environment& env = {},
                    std::chrono::seconds limit = std::chrono::seconds(120));

// A port of 127.0.0.1 that nothing listens on right now.
uint16_t FreeLoopbackPort();

// The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), 0 when it
// does not run: with the pid, it names one process even after the pid is reused.
uint64_t StartTicks(pid_t pid);

// A process group that a test must not leave behind (a step orphaned by a killed daemon):
// SIGKILLed at destruction if any member still runs (and the leader, if it runs, is still the
// process it was).
class ProcessGroupGuard {
 public:
  ProcessGroupGuard() = default;
  ~ProcessGroupGuard();
  ProcessGroupGuard(const ProcessGroupGuard&) = delete;
  ProcessGroupGuard& operator=(const ProcessGroupGuard&) = delete;

  void Watch(pid_t group, uint64_t leader_start_ticks);

 private:
  pid_t group_ = 0;
  uint64_t leader_start_ticks_ = 0;
};

}  // namespace upkeep::testing
