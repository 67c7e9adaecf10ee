#include "common/process_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <span>
#include <utility>
#include <vector>

#include "common/fd.h"
#include "common/process_spawn.h"

extern char** environ;

namespace upkeep {
namespace {

using Clock = std::chrono::steady_clock;

// Without a pidfd (an old kernel, or a seccomp filter), how often to look for the exit.
constexpr std::chrono::milliseconds kExitCheckPeriod{10};
// At most this much is read from one pipe before the loop looks at the clock again: a child
// that writes faster than we read must not keep us past its deadline.
constexpr size_t kReadBudget = 1 << 20;
// After the child has exited, what is still in the pipes is read up to this much: something
// it left outside its group may still be writing.
constexpr size_t kFinalReadBudget = 4 << 20;

// A descriptor that is not 0, 1 or 2 (when the daemon runs with one of those closed, a new
// descriptor can be one), so the child's dup2s onto 0-2 cannot clobber each other.
Result<Fd> AboveStdio(Fd fd) {
  if (fd.get() > STDERR_FILENO) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return MakeError(std::string("cannot move a descriptor: ") + std::strerror(errno));
  return Fd(moved);
}

struct Pipe {
  Fd read;
  Fd write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return MakeError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  Result<Fd> read = AboveStdio(Fd(fds[0]));
  Result<Fd> write = AboveStdio(Fd(fds[1]));
  if (!read) return Error{read.error()};
  if (!write) return Error{write.error()};
  ::fcntl(read->get(), F_SETFL, ::fcntl(read->get(), F_GETFL) | O_NONBLOCK);
  return Pipe{std::move(read).value(), std::move(write).value()};
}

// The read end the child gets as stdin: /dev/null, or a pipe that already holds all of `data`
// and is closed at our end, so the child reads it and then end of file, and we never wait for
// the child to read. Blocking, unlike the output pipes: the child may not expect EAGAIN.
Result<Fd> ChildStdin(const std::string& data) {
  if (data.empty()) {
    Fd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null_fd.valid()) {
      return MakeError(std::string("cannot open /dev/null: ") + std::strerror(errno));
    }
    return null_fd;
  }
  if (data.size() > kMaxStdinBytes) {
    return MakeError("stdin data of " + std::to_string(data.size()) + " bytes is over the " +
                     std::to_string(kMaxStdinBytes) + "-byte limit");
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return MakeError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  Fd read(fds[0]);
  Fd write(fds[1]);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t wrote = ::write(write.get(), data.data() + done, data.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      return MakeError(std::string("cannot write the child's stdin: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(wrote);
  }
  return read;
}

// One of the child's output streams, read without blocking.
struct Stream {
  Fd fd;
  std::string* text = nullptr;
  uint64_t* total = nullptr;
  size_t max = 0;
  bool tail = true;  // keep the last `max` bytes; else the first max + 1 (more is an error)
};

// Copies output to the caller's descriptor; the first failure stops the copying, not the run.
struct Sink {
  int fd = -1;
  std::string* error = nullptr;

  void Write(const char* data, size_t size) {
    while (fd >= 0 && size > 0) {
      const ssize_t n = ::write(fd, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd pfd{fd, POLLOUT, 0};
        ::poll(&pfd, 1, 1000);
        continue;
      }
      if (n <= 0) {
        *error =
            std::string("writing the output: ") + (n < 0 ? std::strerror(errno) : "no progress");
        fd = -1;
        return;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
  }
};

constexpr size_t kPumpBufferBytes = 64 * 1024;

// Reads what is there, up to `budget` bytes; closes the stream at end of file.
// `buffer` is the caller's (on the heap): RunProcess runs on threads with small stacks, such as
// the HTTP server's workers, where 64 KiB of stack more would overflow under a sanitizer.
void Pump(Stream& stream, Sink& sink, size_t budget, std::span<char> buffer) {
  size_t taken = 0;
  while (stream.fd.valid() && taken < budget) {
    const ssize_t n = ::read(stream.fd.get(), buffer.data(), buffer.size());
    if (n > 0) {
      const auto size = static_cast<size_t>(n);
      taken += size;
      *stream.total += size;
      sink.Write(buffer.data(), size);
      std::string& text = *stream.text;
      if (stream.tail) {
        text.append(buffer.data(), size);
        // Trimmed in batches, so a long run of small reads does not move the tail each time.
        if (text.size() > 2 * stream.max + buffer.size()) text.erase(0, text.size() - stream.max);
      } else if (text.size() <= stream.max) {
        text.append(buffer.data(), std::min(size, stream.max + 1 - text.size()));
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    stream.fd.Close();  // end of file, or an error that will not go away
  }
}

// True once the child has exited. WNOWAIT leaves it a zombie, so its pid (which is also its
// process group's id) cannot be reused before the group has been killed and the child reaped.
bool HasExited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

void SignalGroup(pid_t pid, int sig) {
  ::kill(-pid, sig);
  ::kill(pid, sig);  // in case it moved itself to another group
}

void Reap(pid_t pid, int& status) {
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

// The command name may hold spaces and parentheses: fields are counted after the last ')'.
uint64_t StartTimeTicks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  size_t pos = close + 1;
  // After ")" come field 3 (state) onwards; field 22 is the 20th of them.
  for (int field = 3; field < 22; ++field) {
    pos = text.find(' ', pos + 1);
    if (pos == std::string::npos) return 0;
  }
  uint64_t ticks = 0;
  const char* begin = text.data() + pos + 1;
  std::from_chars(begin, text.data() + text.size(), ticks);
  return ticks;
}

std::vector<std::string> ShellCommand(std::string script) {
  return {"/bin/sh", "-c", std::move(script)};
}

std::vector<std::string> InheritedEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    env.emplace_back(*entry);
  }
  return env;
}

Result<RunAs> ResolveUser(std::string_view name_or_uid) {
  const std::string key(name_or_uid);
  if (key.empty()) return MakeError("empty user name");
  const bool numeric =
      std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::vector<char> buffer(16 * 1024);
  passwd entry{};
  passwd* found = nullptr;
  int rc = 0;
  for (;;) {
    if (numeric) {
      uid_t uid = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), uid);
      if (ec != std::errc() || end != key.data() + key.size()) {
        return MakeError("user id out of range: " + key);
      }
      rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
    } else {
      rc = ::getpwnam_r(key.c_str(), &entry, buffer.data(), buffer.size(), &found);
    }
    if (rc != ERANGE || buffer.size() > (1 << 22)) break;
    buffer.resize(buffer.size() * 2);
  }
  if (rc != 0) return MakeError("cannot look up user " + key + ": " + std::strerror(rc));
  if (found == nullptr) return MakeError("no such user: " + key);

  RunAs as;
  as.uid = entry.pw_uid;
  as.gid = entry.pw_gid;
  as.name = entry.pw_name;
  as.home = entry.pw_dir != nullptr ? entry.pw_dir : "";
  int count = 32;
  for (;;) {
    as.groups.resize(static_cast<size_t>(count));
    int asked = count;
    if (::getgrouplist(entry.pw_name, entry.pw_gid, as.groups.data(), &asked) >= 0) {
      as.groups.resize(static_cast<size_t>(asked));
      break;
    }
    // -1 with the needed count in `asked`; guard against a count that does not grow.
    if (asked <= count) asked = count * 2;
    if (asked > 65536) return MakeError("too many groups for user " + key);
    count = asked;
  }
  return as;
}

Result<ProcessOutcome> RunProcess(const std::vector<std::string>& argv,
                                  const ProcessOptions& options) {
  if (argv.empty() || argv.front().empty()) return MakeError("empty command");
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.timeout;

  Result<Fd> stdin_fd = ChildStdin(options.stdin_data);
  if (!stdin_fd) return Error{stdin_fd.error()};
  Result<Fd> child_stdin = AboveStdio(std::move(stdin_fd).value());
  if (!child_stdin) return Error{child_stdin.error()};
  Result<Pipe> out_pipe = MakePipe();
  if (!out_pipe) return Error{out_pipe.error()};
  Result<Pipe> err_pipe = MakePipe();
  if (!err_pipe) return Error{err_pipe.error()};

  Result<SpawnedChild> spawned =
      SpawnChild(argv, options, child_stdin->get(), out_pipe->write.get(), err_pipe->write.get());
  // Our copies of the write ends must go, or the pipes never reach end of file.
  out_pipe.value().write.Close();
  err_pipe.value().write.Close();
  child_stdin.value().Close();
  if (!spawned) return Error{spawned.error()};
  SpawnedChild& child = spawned.value();
  const pid_t pid = child.pid;
  if (options.on_started) options.on_started(pid, StartTimeTicks(pid));

  int status = 0;
  std::string exec_error;
  if (AwaitExec(child, argv, options, deadline, exec_error) == ExecState::kFailed) {
    Reap(pid, status);
    return MakeError(exec_error);
  }

  ProcessOutcome outcome;
  outcome.pid = pid;
  Sink sink{options.output_fd, &outcome.output_error};
  std::vector<char> buffer(kPumpBufferBytes);
  Stream out{std::move(out_pipe.value().read), &outcome.out, &outcome.stdout_bytes,
             options.stdout_limit_is_error ? options.max_stdout : options.max_stdout_tail,
             !options.stdout_limit_is_error};
  Stream err{std::move(err_pipe.value().read), &outcome.err, &outcome.stderr_bytes,
             options.max_stderr_tail, true};
  // Readable when the child exits. Called through syscall(): glibc 2.36's <sys/pidfd.h> lacks
  // extern "C", so its pidfd_open() does not link from C++. A pidfd is always O_CLOEXEC.
  Fd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  bool too_large = false;
  bool stopping = false;  // SIGTERM sent (or SIGKILL with no grace)
  bool killed = false;    // SIGKILL sent
  Clock::time_point kill_at{};
  const auto stop = [&] {
    stopping = true;
    if (options.kill_grace.count() <= 0) {
      SignalGroup(pid, SIGKILL);
      killed = true;
    } else {
      SignalGroup(pid, SIGTERM);
      kill_at = Clock::now() + options.kill_grace;
    }
  };
  for (;;) {
    Pump(out, sink, kReadBudget, buffer);
    Pump(err, sink, kReadBudget, buffer);
    if (!out.tail && out.text->size() > out.max && !too_large) {
      too_large = true;
      if (!stopping) stop();
    }
    // Once the child is gone, what it wrote is in the pipes: stop there, even if something it
    // left behind still holds a write end.
    if (HasExited(pid)) break;
    const Clock::time_point now = Clock::now();
    if (!stopping && now >= deadline) {
      outcome.timed_out = true;
      stop();
    }
    if (!stopping && options.cancel != nullptr && options.cancel->load()) {
      outcome.cancelled = true;
      stop();
    }
    if (stopping && !killed && now >= kill_at) {
      SignalGroup(pid, SIGKILL);
      killed = true;
    }
    Clock::time_point wake = stopping ? kill_at : deadline;
    if (killed) wake = now + std::chrono::hours(1);  // only the exit is left to wait for
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now);
    wait = std::clamp(wait, std::chrono::milliseconds(0), std::chrono::milliseconds(60000));
    if (!exit_fd.valid()) wait = std::min(wait, kExitCheckPeriod);
    if (options.cancel != nullptr && !stopping) wait = std::min(wait, kCancelCheckPeriod);
    pollfd fds[3];
    nfds_t count = 0;
    for (const Fd* fd : {&out.fd, &err.fd, &exit_fd}) {
      if (fd->valid()) fds[count++] = pollfd{fd->get(), POLLIN, 0};
    }
    ::poll(fds, count, static_cast<int>(wait.count()));
  }

  // Whatever it left running in its group goes now. The leader is an unreaped zombie, so the
  // group id is still ours to signal; a leader that exited on SIGTERM is not signalled again.
  ::kill(-pid, SIGKILL);
  Pump(out, sink, kFinalReadBudget, buffer);
  Pump(err, sink, kFinalReadBudget, buffer);
  Reap(pid, status);
  outcome.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (out.tail && outcome.out.size() > out.max) outcome.out.erase(0, outcome.out.size() - out.max);
  if (err.tail && outcome.err.size() > err.max) outcome.err.erase(0, outcome.err.size() - err.max);
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
