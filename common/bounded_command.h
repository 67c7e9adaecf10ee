#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"

namespace upkeep {

struct BoundedCommandOptions {
  std::chrono::milliseconds timeout{1000};
  size_t max_stdout = 1 << 20;  // more is an error (the child is killed)
  size_t max_stderr = 4096;     // only the last this many bytes are kept
};

struct BoundedCommandOutcome {
  int exit_code = -1;  // -1 when a signal ended it
  int signal = 0;      // the signal that ended it, or 0
  std::string out;     // all of stdout
  std::string err;     // the end of stderr
};

// Runs argv[0] (looked up in PATH unless it has a "/") with argv, no shell, stdin from
// /dev/null, in a process group of its own, with default signal dispositions and an empty
// signal mask (the daemon blocks and ignores some), and no file descriptor but 0-2 inherited.
// Returns when it has exited and been reaped. At the timeout, or when stdout outgrows
// max_stdout, the whole process group is killed (SIGKILL) and the child reaped: no zombie and
// no process of the command's group is left behind. Anything the command leaves running in its
// group after it exits is killed too. Errors: the command could not start, it timed out, or its
// output was too large; any exit status is an outcome.
Result<BoundedCommandOutcome> RunBoundedCommand(const std::vector<std::string>& argv,
                                                const BoundedCommandOptions& options);

}  // namespace upkeep
