#include "common/process_spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace upkeep {
namespace {

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// What the child was doing when it failed; it writes {step, errno} to the report pipe.
enum Step : int {
  kStepSetpgid = 1,
  kStepDup,
  kStepCloseFds,
  kStepSetgroups,
  kStepSetgid,
  kStepSetuid,
  kStepRegainRoot,
  kStepChdir,
  kStepExec,
};

// Everything the child reads, built before the fork: after it only async-signal-safe calls
// may run (another thread may have held the allocator's or any other lock at the fork).
struct ChildPlan {
  std::vector<std::string> paths;  // execve candidates, in PATH order
  std::vector<const char*> path_ptrs;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* cwd = nullptr;
  bool set_umask = false;
  mode_t umask = 0;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  size_t group_count = 0;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int report_fd = -1;
  struct sigaction default_action {};
  sigset_t empty_mask{};
};

std::string_view PathOf(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.rfind("PATH=", 0) == 0) return std::string_view(entry).substr(5);
  }
  return "/bin:/usr/bin";  // what execvp() uses without a PATH
}

// Where to look for argv[0]: itself when it has a "/", else each non-empty PATH entry (an
// empty one would mean the working directory, which a daemon should not search).
std::vector<std::string> Candidates(const std::string& program,
                                    const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  std::string_view path = PathOf(env);
  while (!path.empty()) {
    const size_t colon = path.find(':');
    const std::string_view dir = path.substr(0, colon);
    if (!dir.empty()) {
      std::string candidate(dir);
      if (candidate.back() != '/') candidate += '/';
      out.push_back(candidate + program);
    }
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return out;
}

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];
};

[[noreturn]] void Fail(const ChildPlan& plan, Step step, int error) {
  const int report[2] = {step, error};
  [[maybe_unused]] const ssize_t n = ::write(plan.report_fd, report, sizeof report);
  ::_exit(127);
}

// Leaves only 0-2 (and `keep`, which is O_CLOEXEC and goes at exec) open across the exec,
// also descriptors that some library opened without O_CLOEXEC.
bool CloseDescriptors(int keep) {
  // Linux 5.11+: mark them all close-on-exec in one call.
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return true;
  // Linux 5.9+: close all but `keep`.
  if ((keep == 3 || ::syscall(SYS_close_range, 3U, static_cast<unsigned>(keep - 1), 0U) == 0) &&
      ::syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0U, 0U) == 0) {
    return true;
  }
  // Older: the open ones, read with raw getdents64 (opendir() allocates).
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    alignas(8) char buffer[4096];
    for (;;) {
      const long n = ::syscall(SYS_getdents64, dir, buffer, sizeof buffer);
      if (n <= 0) break;
      for (long offset = 0; offset < n;) {
        const auto* entry = reinterpret_cast<const LinuxDirent64*>(buffer + offset);
        offset += entry->d_reclen;
        int fd = 0;
        bool number = entry->d_name[0] != '\0';
        for (const char* c = entry->d_name; *c != '\0'; ++c) {
          if (*c < '0' || *c > '9') number = false;
          if (number) fd = fd * 10 + (*c - '0');
        }
        if (number && fd >= 3 && fd != dir && fd != keep) ::close(fd);
      }
    }
    ::close(dir);
    return true;
  }
  // No /proc: every number up to the limit.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  const rlim_t top = limit.rlim_cur == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_cur;
  for (rlim_t fd = 3; fd < top; ++fd) {
    if (static_cast<int>(fd) != keep) ::close(static_cast<int>(fd));
  }
  return true;
}

// The child, between fork and exec: async-signal-safe calls only, no allocation, no C++.
[[noreturn]] void RunChild(const ChildPlan& plan) {
  if (::setpgid(0, 0) != 0) Fail(plan, kStepSetpgid, errno);
  // All signals are blocked (the parent blocked them for the fork). Dispositions go back to
  // the default before they are unblocked, so no handler of the daemon ever runs here, and an
  // ignored SIGPIPE is not inherited through exec.
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &plan.default_action, nullptr);
  }
  ::sigprocmask(SIG_SETMASK, &plan.empty_mask, nullptr);

  if (::dup2(plan.stdin_fd, STDIN_FILENO) < 0 || ::dup2(plan.stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(plan.stderr_fd, STDERR_FILENO) < 0) {
    Fail(plan, kStepDup, errno);
  }
  if (!CloseDescriptors(plan.report_fd)) Fail(plan, kStepCloseFds, errno);

  if (plan.switch_user) {
    // Raw syscalls: they change this (the only) thread's credentials, without glibc's
    // broadcast to threads that do not exist in a forked child.
    if (::syscall(SYS_setgroups, plan.group_count, plan.groups) != 0) {
      Fail(plan, kStepSetgroups, errno);
    }
    if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) {
      Fail(plan, kStepSetgid, errno);
    }
    if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) {
      Fail(plan, kStepSetuid, errno);
    }
    if (plan.uid != 0 && ::syscall(SYS_setuid, 0) == 0) Fail(plan, kStepRegainRoot, 0);
  }
  // After the switch, so the directory is one the user can enter.
  if (plan.cwd != nullptr && ::chdir(plan.cwd) != 0) Fail(plan, kStepChdir, errno);
  if (plan.set_umask) ::umask(plan.umask);

  // As execvp(): go on past a missing candidate, remember a denied one.
  int error = ENOENT;
  bool denied = false;
  for (const char* path : plan.path_ptrs) {
    ::execve(path, plan.argv.data(), plan.envp.data());
    error = errno;
    if (error == EACCES) {
      denied = true;
    } else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV &&
               error != ETIMEDOUT) {
      Fail(plan, kStepExec, error);
    }
  }
  Fail(plan, kStepExec, denied ? EACCES : error);
}

std::string Describe(Step step, int error, const ProcessOptions& options) {
  const std::string why = std::strerror(error);
  const std::string uid = options.run_as ? std::to_string(options.run_as->uid) : "";
  const std::string gid = options.run_as ? std::to_string(options.run_as->gid) : "";
  switch (step) {
    case kStepSetpgid:
      return "setpgid: " + why;
    case kStepDup:
      return "dup2: " + why;
    case kStepCloseFds:
      return "closing descriptors: " + why;
    case kStepSetgroups:
      return "setgroups: " + why;
    case kStepSetgid:
      return "setgid " + gid + ": " + why;
    case kStepSetuid:
      return "setuid " + uid + ": " + why;
    case kStepRegainRoot:
      return "setuid " + uid + " could be undone (setuid 0 succeeded)";
    case kStepChdir:
      return "chdir " + options.cwd + ": " + why;
    case kStepExec:
      return why;
  }
  return "setup step " + std::to_string(static_cast<int>(step)) + ": " + why;
}

}  // namespace

Result<SpawnedChild> SpawnChild(const std::vector<std::string>& argv, const ProcessOptions& options,
                                int stdin_fd, int stdout_fd, int stderr_fd) {
  ChildPlan plan;
  plan.paths = Candidates(argv.front(), options.env);
  for (const std::string& path : plan.paths) plan.path_ptrs.push_back(path.c_str());
  for (const std::string& arg : argv) plan.argv.push_back(const_cast<char*>(arg.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& entry : options.env) {
    plan.envp.push_back(const_cast<char*>(entry.c_str()));
  }
  plan.envp.push_back(nullptr);
  if (!options.cwd.empty()) plan.cwd = options.cwd.c_str();
  plan.set_umask = options.umask.has_value();
  plan.umask = options.umask.value_or(0);
  if (options.run_as) {
    const RunAs& as = *options.run_as;
    // Already that user (a daemon not run as root): nothing to switch, and setgroups would
    // need a privilege we lack.
    plan.switch_user = ::geteuid() == 0 || as.uid != ::geteuid() || as.gid != ::getegid();
    plan.uid = as.uid;
    plan.gid = as.gid;
    plan.groups = as.groups.data();
    plan.group_count = as.groups.size();
  }
  plan.stdin_fd = stdin_fd;
  plan.stdout_fd = stdout_fd;
  plan.stderr_fd = stderr_fd;
  plan.default_action.sa_handler = SIG_DFL;
  sigemptyset(&plan.default_action.sa_mask);
  sigemptyset(&plan.empty_mask);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return MakeError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  Fd report_read(report[0]);
  Fd report_write(report[1]);
  // Not 0-2, where the child's dup2s would close it (when the daemon runs with one closed).
  if (report_write.get() <= STDERR_FILENO) {
    report_write.Reset(::fcntl(report_write.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
    if (!report_write.valid()) {
      return MakeError(std::string("cannot move a descriptor: ") + std::strerror(errno));
    }
  }
  plan.report_fd = report_write.get();

  // Blocked across the fork, so no signal handler of the daemon can run in the child before
  // the child has reset the dispositions.
  sigset_t all;
  sigfillset(&all);
  sigset_t old;
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::fork();
  if (pid == 0) RunChild(plan);
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return MakeError(std::string("cannot fork: ") + std::strerror(fork_error));
  // The child does this too; doing it here as well means the group exists before we might
  // signal it. It fails harmlessly once the child has exec'd.
  ::setpgid(pid, pid);
  report_write.Close();
  return SpawnedChild{pid, std::move(report_read)};
}

ExecState AwaitExec(SpawnedChild& child, const std::vector<std::string>& argv,
                    const ProcessOptions& options, std::chrono::steady_clock::time_point deadline,
                    std::string& error) {
  for (;;) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ExecState::kUndecided;
    pollfd pfd{child.exec_report.get(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return ExecState::kUndecided;
    if (ready <= 0) continue;
    int report[2] = {0, 0};
    const ssize_t n = ::read(child.exec_report.get(), report, sizeof report);
    if (n < 0 && errno == EINTR) continue;
    child.exec_report.Close();
    // End of file: the exec closed the child's end (O_CLOEXEC). Anything else is a report.
    if (n == 0) return ExecState::kRunning;
    if (n != static_cast<ssize_t>(sizeof report)) {
      error = "cannot run " + argv.front() + ": the child failed before exec";
      return ExecState::kFailed;
    }
    error = "cannot run " + argv.front() + ": " +
            Describe(static_cast<Step>(report[0]), report[1], options);
    return ExecState::kFailed;
  }
}

}  // namespace upkeep
