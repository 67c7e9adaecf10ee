// SpawnChild and AwaitExec directly, with real processes: how argv[0] is looked up (the PATH
// given, never the daemon's, empty entries skipped), argv and the environment passed exactly,
// the child's set-up, and the exec-failure report. The runner's own tests cover the rest.

#include "common/process_spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

struct ChildRun {
  ExecState state = ExecState::kUndecided;
  std::string error;
  int status = -1;  // waitpid's
  std::string out;
  std::string err;
};

std::string ReadAll(Fd& fd) {
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0) text.append(buffer, size_t(n));
  return text;
}

Fd Pipe(Fd& write_end) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  write_end.Reset(fds[1]);
  return Fd(fds[0]);
}

// Spawns, waits for the exec, collects stdout and stderr, reaps.
ChildRun Spawn(const std::vector<std::string>& argv, const ProcessOptions& options,
               const std::string& input = "") {
  ChildRun run;
  Fd in_write, out_write, err_write;
  Fd in_read = Pipe(in_write);
  Fd out_read = Pipe(out_write);
  Fd err_read = Pipe(err_write);
  EXPECT_EQ(::write(in_write.get(), input.data(), input.size()), ssize_t(input.size()));
  in_write.Close();
  Result<SpawnedChild> child =
      SpawnChild(argv, options, in_read.get(), out_write.get(), err_write.get());
  if (!child.ok()) {
    ADD_FAILURE() << child.error();
    return run;
  }
  out_write.Close();
  err_write.Close();
  run.state = AwaitExec(*child, argv, options, std::chrono::steady_clock::now() + 10s, run.error);
  run.out = ReadAll(out_read);
  run.err = ReadAll(err_read);
  EXPECT_EQ(::waitpid(child->pid, &run.status, 0), child->pid);
  return run;
}

int ExitCode(const ChildRun& run) { return WIFEXITED(run.status) ? WEXITSTATUS(run.status) : -1; }

// `dir`/upkeep-spawn-tool, a script that prints `text`; executable or not.
std::string Tool(const TempDir& dir, const std::string& text, bool executable = true) {
  const std::string path = dir.Write("upkeep-spawn-tool", "#!/bin/sh\necho " + text + "\n");
  EXPECT_EQ(::chmod(path.c_str(), executable ? 0755 : 0644), 0);
  return path;
}

ProcessOptions WithEnv(std::vector<std::string> env) {
  ProcessOptions options;
  options.env = std::move(env);
  return options;
}

TEST(ProcessSpawnTest, ArgvAndEnvironmentArePassedExactly) {
  const ChildRun run =
      Spawn({"/bin/sh", "-c", R"(printf '%s|' "$0" "$1" "$2" "$GREETING" "${HOME-unset}")", "zero",
             "a b", ""},
            WithEnv({"GREETING=hi there"}));
  EXPECT_EQ(run.state, ExecState::kRunning) << run.error;
  EXPECT_EQ(ExitCode(run), 0);
  // Nothing of ours is inherited: no HOME although this process has one.
  EXPECT_EQ(run.out, "zero|a b||hi there|unset|");
}

TEST(ProcessSpawnTest, ProgramIsLookedUpInTheGivenPath) {
  TempDir first, second;
  Tool(second, "second");
  // Missing directory, empty entries and no trailing slash: the entry is still found.
  ChildRun run = Spawn({"upkeep-spawn-tool"}, WithEnv({"PATH=/nonexistent::" + second.path()}));
  EXPECT_EQ(run.state, ExecState::kRunning) << run.error;
  EXPECT_EQ(run.out, "second\n");
  run = Spawn({"upkeep-spawn-tool"}, WithEnv({"PATH=" + second.path() + "/"}));
  EXPECT_EQ(run.out, "second\n");
  // As execvp(): a candidate that may not be run is passed over for a later one.
  Tool(first, "first", false);
  run = Spawn({"upkeep-spawn-tool"}, WithEnv({"PATH=" + first.path() + ":" + second.path()}));
  EXPECT_EQ(run.state, ExecState::kRunning) << run.error;
  EXPECT_EQ(run.out, "second\n");
  // ...and remembered when nothing later runs.
  run = Spawn({"upkeep-spawn-tool"}, WithEnv({"PATH=" + first.path() + ":/nonexistent"}));
  EXPECT_EQ(run.state, ExecState::kFailed);
  EXPECT_EQ(run.error, "cannot run upkeep-spawn-tool: Permission denied");
  EXPECT_EQ(ExitCode(run), 127);
}

TEST(ProcessSpawnTest, EmptyPathEntriesDoNotMeanTheWorkingDirectory) {
  TempDir dir;
  Tool(dir, "found");
  ProcessOptions options = WithEnv({"PATH=::/nonexistent:"});
  options.cwd = dir.path();
  ChildRun run = Spawn({"upkeep-spawn-tool"}, options);
  EXPECT_EQ(run.state, ExecState::kFailed);
  EXPECT_EQ(run.error, "cannot run upkeep-spawn-tool: No such file or directory");
  // A name with a '/' is not looked up: it is run as given, after the chdir.
  run = Spawn({"./upkeep-spawn-tool"}, options);
  EXPECT_EQ(run.state, ExecState::kRunning) << run.error;
  EXPECT_EQ(run.out, "found\n");
}

TEST(ProcessSpawnTest, WithoutAPathTheDefaultOneNotTheDaemonsIsSearched) {
  TempDir dir;
  Tool(dir, "ours");
  const char* saved = std::getenv("PATH");
  const std::string old_path = saved != nullptr ? saved : "";
  ASSERT_EQ(::setenv("PATH", dir.path().c_str(), 1), 0);
  const ChildRun ours = Spawn({"upkeep-spawn-tool"}, WithEnv({}));
  const ChildRun system = Spawn({"true"}, WithEnv({}));  // /bin/true or /usr/bin/true
  ASSERT_EQ(::setenv("PATH", old_path.c_str(), 1), 0);
  EXPECT_EQ(ours.state, ExecState::kFailed);
  EXPECT_EQ(ours.error, "cannot run upkeep-spawn-tool: No such file or directory");
  EXPECT_EQ(system.state, ExecState::kRunning) << system.error;
  EXPECT_EQ(ExitCode(system), 0);
}

TEST(ProcessSpawnTest, SetupFailuresNameTheirStep) {
  ProcessOptions options = WithEnv({});
  options.cwd = "/nope";
  ChildRun run = Spawn({"/bin/true"}, options);
  EXPECT_EQ(run.state, ExecState::kFailed);
  EXPECT_EQ(run.error, "cannot run /bin/true: chdir /nope: No such file or directory");
  EXPECT_EQ(ExitCode(run), 127);
  run = Spawn({"/nonexistent/tool", "--flag"}, WithEnv({}));
  EXPECT_EQ(run.error, "cannot run /nonexistent/tool: No such file or directory");
  run = Spawn({"/tmp"}, WithEnv({}));
  EXPECT_EQ(run.error, "cannot run /tmp: Permission denied");
}

TEST(ProcessSpawnTest, StdioComesFromTheGivenDescriptorsAndNothingElseLeaks) {
  const int stray = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: as a careless library would
  ASSERT_GE(stray, 3);
  const std::string probe = "/proc/self/fd/" + std::to_string(stray);
  const ChildRun run = Spawn({"/bin/sh", "-c",
                              "read line; echo \"got $line\"; echo oops >&2; "
                              "if [ -e " +
                                  probe + " ]; then echo leaked; else echo closed; fi"},
                             WithEnv({}), "input\n");
  ::close(stray);
  EXPECT_EQ(run.state, ExecState::kRunning) << run.error;
  EXPECT_EQ(run.out, "got input\nclosed\n");
  EXPECT_EQ(run.err, "oops\n");
}

TEST(ProcessSpawnTest, SignalsAreResetAndUmaskSet) {
  // Ignored and blocked here; neither may reach the child.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_action {};
  ::sigaction(SIGUSR1, &ignore, &old_action);
  sigset_t usr2, old_mask;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  ::pthread_sigmask(SIG_BLOCK, &usr2, &old_mask);
  ProcessOptions options = WithEnv({});
  options.umask = 027;
  const ChildRun signals =
      Spawn({"/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"}, options);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGUSR1, &old_action, nullptr);
  // Signals 32 and 33 are glibc's own (thread cancellation, setxid): no program can change
  // them with sigaction, and a sanitizer runtime may leave them ignored. The rest must be clean.
  const size_t blocked = signals.out.find("SigBlk:\t");
  const size_t ignored = signals.out.find("SigIgn:\t");
  ASSERT_NE(blocked, std::string::npos) << signals.out;
  ASSERT_NE(ignored, std::string::npos) << signals.out;
  const uint64_t kGlibcInternal = (uint64_t{1} << 31) | (uint64_t{1} << 32);
  EXPECT_EQ(std::stoull(signals.out.substr(blocked + 8, 16), nullptr, 16) & ~kGlibcInternal, 0u)
      << signals.out;
  EXPECT_EQ(std::stoull(signals.out.substr(ignored + 8, 16), nullptr, 16) & ~kGlibcInternal, 0u)
      << signals.out;
  EXPECT_EQ(Spawn({"/bin/sh", "-c", "umask"}, options).out, "0027\n");
}

TEST(ProcessSpawnTest, TheChildLeadsItsOwnGroupAndAwaitCanBeUndecided) {
  const std::vector<std::string> argv = {"/bin/sleep", "30"};
  const ProcessOptions options = WithEnv({});
  Fd in_write;
  Fd in_read = Pipe(in_write);
  Result<SpawnedChild> child =
      SpawnChild(argv, options, in_read.get(), in_read.get(), in_read.get());
  ASSERT_TRUE(child.ok()) << child.error();
  EXPECT_EQ(::getpgid(child->pid), child->pid);
  EXPECT_NE(child->pid, ::getpgrp());
  std::string error;
  // A deadline already passed decides nothing and keeps the report pipe for a later wait.
  EXPECT_EQ(AwaitExec(*child, argv, options, std::chrono::steady_clock::now() - 1s, error),
            ExecState::kUndecided);
  EXPECT_TRUE(child->exec_report.valid());
  EXPECT_EQ(AwaitExec(*child, argv, options, std::chrono::steady_clock::now() + 10s, error),
            ExecState::kRunning);
  EXPECT_FALSE(child->exec_report.valid());
  EXPECT_EQ(error, "");
  ASSERT_EQ(::kill(-child->pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child->pid, &status, 0), child->pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(ProcessSpawnTest, RunsAsAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  ProcessOptions options = WithEnv({});
  options.run_as =
      RunAs{.uid = 65534, .gid = 65534, .groups = {65534}, .name = "nobody", .home = "/"};
  const ChildRun run = Spawn({"/bin/sh", "-c", "id -u; id -g; id -G"}, options);
  EXPECT_EQ(run.state, ExecState::kRunning) << run.error;
  EXPECT_EQ(run.out, "65534\n65534\n65534\n");
}

}  // namespace
}  // namespace upkeep
