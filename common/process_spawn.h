#pragma once

// The fork/exec half of the process runner (process_runner.h is the interface to use).

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/process_runner.h"
#include "common/result.h"

namespace upkeep {

struct SpawnedChild {
  pid_t pid = -1;  // also its process group id
  Fd exec_report;  // read end of the pipe on which the child reports a failed setup or exec
};

// Forks a child that sets itself up as `options` ask (own process group, signals reset, stdin,
// stdout and stderr from the given descriptors, every other descriptor closed, user, cwd,
// umask) and execs argv. The descriptors must be >= 3. Only async-signal-safe calls run in the
// child; everything it needs is prepared here first. An error means no child exists.
Result<SpawnedChild> SpawnChild(const std::vector<std::string>& argv, const ProcessOptions& options,
                                int stdin_fd, int stdout_fd, int stderr_fd);

enum class ExecState { kRunning, kFailed, kUndecided };

// Waits until the child has exec'd (kRunning) or reported a failure (kFailed, with `error` set
// to "cannot run X: chdir /nope: No such file or directory"), or until `deadline`
// (kUndecided). After kFailed the child has exited or is about to: reap it.
ExecState AwaitExec(SpawnedChild& child, const std::vector<std::string>& argv,
                    const ProcessOptions& options, std::chrono::steady_clock::time_point deadline,
                    std::string& error);

}  // namespace upkeep
