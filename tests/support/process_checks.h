#pragma once

// What tests ask about processes: does one still run, how many of a group are alive, are all
// our children reaped. Read from /proc, so they see processes the test did not start.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace upkeep {

// The fields after the command name in /proc/PID/stat (field 3 first), or empty.
std::vector<std::string> StatFields(pid_t pid);

// True when `pid` no longer runs: gone, or a zombie that is not ours (init reaps it).
bool ProcessIsGone(pid_t pid);

// Processes in group `pgid` that still run (zombies waiting for init do not count).
int LiveMembers(pid_t pgid);

// True when this process has no child left to reap.
bool NoChildren();

// Polls `predicate` every 10 ms until it holds (true) or `within` passed (false).
template <typename Predicate>
bool Eventually(Predicate predicate,
                std::chrono::milliseconds within = std::chrono::milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace upkeep
