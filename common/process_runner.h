#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace upkeep {

// A user to run a child as, resolved before the fork (the child cannot look anything up).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, as getgrouplist() gives them
  std::string name;           // for messages and for a caller building HOME/USER
  std::string home;
};

// Looks up a user by name, or by number when all digits ("1000"), with getpwnam_r/getpwuid_r
// and getgrouplist. An unknown user is an error: without its passwd entry its group is unknown.
Result<RunAs> ResolveUser(std::string_view name_or_uid);

// argv for a shell script: {"/bin/sh", "-c", script}.
std::vector<std::string> ShellCommand(std::string script);

// The daemon's own environment as "K=V" strings, for a caller that means to pass it on.
std::vector<std::string> InheritedEnvironment();

inline constexpr size_t kMaxStdinBytes = 4096;  // PIPE_BUF: a pipe always holds this much

struct ProcessOptions {
  // From the start of the run; then SIGTERM to the whole process group, and SIGKILL to it
  // kill_grace later if the child has not exited (0: SIGKILL at once).
  std::chrono::milliseconds timeout{10000};
  std::chrono::milliseconds kill_grace{2000};

  // The child's whole environment: nothing of the daemon's is inherited unless it is here.
  // A program name without a "/" is looked up in the PATH given here (empty entries skipped),
  // or in /bin:/usr/bin when there is none.
  std::vector<std::string> env;
  std::string cwd;              // empty: the daemon's working directory
  std::optional<mode_t> umask;  // unset: the daemon's
  std::optional<RunAs> run_as;  // unset: the daemon's user; a no-op when it is already us

  // What the child reads on stdin, then end of file (a secret it must not get in argv or the
  // environment, where other users can read it). Empty: stdin is /dev/null. At most
  // kMaxStdinBytes, so that it fits a pipe's buffer whole and is written before the spawn.
  std::string stdin_data;

  // Both streams are written here as they arrive (e.g. a run's log file); -1: nowhere. Writing
  // is best effort: a failed write stops the copying (see ProcessOutcome::output_error) but
  // never the child.
  int output_fd = -1;
  // In memory, the last this many bytes of each stream are kept.
  size_t max_stdout_tail = 64 * 1024;
  size_t max_stderr_tail = 64 * 1024;
  // For small machine-readable output: keep all of stdout instead of a tail; more than
  // max_stdout bytes is an error, and the group is stopped as at the timeout.
  bool stdout_limit_is_error = false;
  size_t max_stdout = 1 << 20;

  // Called on the calling thread right after the spawn, while the child is unreaped (so its
  // pid is not recycled): its process group id (= its pid) and its start time (field 22 of
  // /proc/PID/stat, in clock ticks since boot; 0 if unreadable). A journal that records both
  // can later find an orphaned group without killing a recycled pid.
  std::function<void(pid_t pgid, uint64_t start_time_ticks)> on_started;

  // When it becomes true (another thread's shutdown), the group is stopped as at the timeout,
  // within kCancelCheckPeriod. Null: never. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

// How often a running child's cancel flag is looked at.
inline constexpr std::chrono::milliseconds kCancelCheckPeriod{50};

struct ProcessOutcome {
  int exit_code = -1;         // -1 when a signal ended it
  int signal = 0;             // the signal that ended it, or 0
  bool timed_out = false;     // stopped at the timeout (exit_code/signal say how it ended)
  bool cancelled = false;     // stopped because options.cancel became true
  std::string out;            // the tail of stdout (all of it with stdout_limit_is_error)
  std::string err;            // the tail of stderr
  uint64_t stdout_bytes = 0;  // how much each stream carried in all
  uint64_t stderr_bytes = 0;
  std::string output_error;  // why copying to output_fd stopped, or empty
  pid_t pid = -1;            // also the process group id
  std::chrono::milliseconds duration{0};
};

// Field 22 of /proc/PID/stat: when `pid` started, in clock ticks since boot; 0 when it is gone
// or unreadable. A pid and this together name a process for good (a recycled pid starts later).
uint64_t StartTimeTicks(pid_t pid);

// The one place that spawns processes. Runs argv in a child made with fork + execve: its own
// process group, stdin from /dev/null, stdout and stderr on pipes, default signal dispositions
// and an empty signal mask, no descriptor but 0-2, then cwd, umask and the user switch as
// asked. Returns once the child has exited and been reaped; whatever it left running in its
// group is killed (SIGKILL) then. Errors: the child could not be set up or exec'd ("cannot run
// X: chdir /nope: No such file or directory"), or stdout outgrew max_stdout with
// stdout_limit_is_error. Any exit status, a signal or the timeout is an outcome.
Result<ProcessOutcome> RunProcess(const std::vector<std::string>& argv,
                                  const ProcessOptions& options);

}  // namespace upkeep
