#include "common/bounded_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace upkeep {
namespace {

using Clock = std::chrono::steady_clock;

// Without a pidfd (an old kernel, or a seccomp filter), how often to look for the exit.
constexpr std::chrono::milliseconds kExitCheckPeriod{10};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Reset(int fd) {
    Close();
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return MakeError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  Pipe pipe;
  pipe.read.Reset(fds[0]);
  pipe.write.Reset(fds[1]);
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return pipe;
}

// Reads what is there without blocking; closes `fd` at end of file.
// `keep_tail`: keep only the last `max` bytes; else stop reading past `max` (the caller
// notices out->size() > max).
void Drain(Fd& fd, std::string& out, size_t max, bool keep_tail) {
  char buffer[16 * 1024];
  while (fd.open()) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      if (keep_tail && out.size() > max) out.erase(0, out.size() - max);
      if (!keep_tail && out.size() > max) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.Close();  // end of file, or an error that will not go away
  }
}

// True once the child has exited. WNOWAIT leaves it a zombie, so its pid (which is also its
// process group's id) cannot be reused before the group has been killed and the child reaped.
bool HasExited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// Spawns argv with stdout and stderr on the pipes' write ends.
Result<pid_t> Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  // Sockets and files of the daemon that lack O_CLOEXEC must not leak into the command.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);    // main() blocks SIGTERM/SIGINT in every thread
  posix_spawnattr_setsigdefault(&attr, &all);  // and ignores SIGPIPE; exec keeps ignored ones
  posix_spawnattr_setpgroup(&attr, 0);         // its own group, so a timeout kills all of it
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return MakeError("cannot run " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

Result<BoundedCommandOutcome> RunBoundedCommand(const std::vector<std::string>& argv,
                                                const BoundedCommandOptions& options) {
  if (argv.empty() || argv[0].empty()) return MakeError("empty command");
  const Clock::time_point deadline = Clock::now() + options.timeout;
  Result<Pipe> out_pipe = MakePipe();
  if (!out_pipe) return Error{out_pipe.error()};
  Result<Pipe> err_pipe = MakePipe();
  if (!err_pipe) return Error{err_pipe.error()};
  Result<pid_t> spawned = Spawn(argv, out_pipe.value().write.get(), err_pipe.value().write.get());
  // Our copies of the write ends must go, or the pipes never reach end of file.
  out_pipe.value().write.Close();
  err_pipe.value().write.Close();
  if (!spawned) return Error{spawned.error()};
  const pid_t pid = *spawned;
  Fd& out_fd = out_pipe.value().read;
  Fd& err_fd = err_pipe.value().read;
  // Readable when the child exits. Called through syscall(): glibc 2.36's <sys/pidfd.h> lacks
  // extern "C", so its pidfd_open() does not link from C++.
  Fd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  BoundedCommandOutcome outcome;
  bool timed_out = false;
  bool too_large = false;
  bool exited = false;
  for (;;) {
    Drain(out_fd, outcome.out, options.max_stdout, false);
    Drain(err_fd, outcome.err, options.max_stderr, true);
    if (outcome.out.size() > options.max_stdout) {
      too_large = true;
      break;
    }
    exited = exited || HasExited(pid);
    // Once the child is gone, what it wrote is in the pipes: stop there, even if something it
    // left behind still holds a write end.
    if (exited) {
      Drain(out_fd, outcome.out, options.max_stdout, false);
      Drain(err_fd, outcome.err, options.max_stderr, true);
      too_large = outcome.out.size() > options.max_stdout;
      break;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t count = 0;
    for (const Fd* fd : {&out_fd, &err_fd, &exit_fd}) {
      if (fd->open()) fds[count++] = pollfd{fd->get(), POLLIN, 0};
    }
    const auto wait = exit_fd.open() ? left : std::min(left, kExitCheckPeriod);
    ::poll(fds, count, static_cast<int>(wait.count()));
  }

  // The command's whole group goes: on a timeout all of it, after a normal exit whatever it
  // left running. The child is still unreaped, so the group id is still ours to signal.
  ::kill(-pid, SIGKILL);
  if (!exited) ::kill(pid, SIGKILL);  // in case it moved itself to another group
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return MakeError("did not finish within the timeout of " +
                     std::to_string(options.timeout.count()) + " ms (killed)");
  }
  if (too_large) {
    return MakeError("wrote more than " + std::to_string(options.max_stdout) +
                     " bytes to stdout (killed)");
  }
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

}  // namespace upkeep
