// The process runner with real processes (/bin/sh, coreutils): exit statuses and signals, the
// timeout's TERM-then-KILL on the whole group, output tails and streaming, the child's
// environment, directory, umask and user, and no descriptor leaking into it.

#include "common/process_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/fd.h"
#include "tests/support/daemon_process.h"
#include "tests/support/process_checks.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

ProcessOptions Options(std::chrono::milliseconds timeout = 10s) {
  ProcessOptions options;
  options.timeout = timeout;
  options.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
  return options;
}

Result<ProcessOutcome> Sh(const std::string& script, const ProcessOptions& options = Options()) {
  return RunProcess(ShellCommand(script), options);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProcessRunnerTest, ExitCodesAndSignals) {
  Result<ProcessOutcome> outcome = Sh("echo out; echo err >&2; exit 7");
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->exit_code, 7);
  EXPECT_EQ(outcome->signal, 0);
  EXPECT_FALSE(outcome->timed_out);
  EXPECT_EQ(outcome->out, "out\n");
  EXPECT_EQ(outcome->err, "err\n");
  EXPECT_GT(outcome->pid, 0);

  outcome = Sh("kill -KILL $$");
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->exit_code, -1);
  EXPECT_EQ(outcome->signal, SIGKILL);

  // PATH lookup in the given environment; stdin is /dev/null.
  outcome = RunProcess({"cat"}, Options());
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->out, "");
  EXPECT_TRUE(NoChildren());
}

TEST(ProcessRunnerTest, SignalsBlockedOrIgnoredByUsAreResetInTheChild) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &term, &old_mask);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_pipe {};
  ::sigaction(SIGPIPE, &ignore, &old_pipe);
  const Result<ProcessOutcome> outcome = Sh("kill -PIPE $$; kill -TERM $$; sleep 5");
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->signal, SIGPIPE);
}

TEST(ProcessRunnerTest, TimeoutKillsTheWholeGroupIncludingAGrandchild) {
  ProcessOptions options = Options(300ms);
  options.kill_grace = 200ms;
  pid_t group = -1;
  options.on_started = [&group](pid_t pgid, uint64_t) { group = pgid; };
  const auto start = std::chrono::steady_clock::now();
  const Result<ProcessOutcome> outcome = Sh("sleep 100 & echo $!; sleep 100", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_EQ(outcome->signal, SIGTERM);
  EXPECT_EQ(group, outcome->pid);
  const pid_t grandchild = std::stoi(outcome->out);
  EXPECT_TRUE(Eventually([&] { return ProcessIsGone(grandchild); }));
  EXPECT_TRUE(Eventually([&] { return LiveMembers(group) == 0; }));
  EXPECT_TRUE(ProcessIsGone(outcome->pid));
  EXPECT_TRUE(NoChildren());
}

TEST(ProcessRunnerTest, AChildThatIgnoresTermIsKilledAfterTheGrace) {
  ProcessOptions options = Options(1s);  // time enough for the trap to be set first
  options.kill_grace = 500ms;
  const auto start = std::chrono::steady_clock::now();
  const Result<ProcessOutcome> outcome = Sh("trap '' TERM; sleep 100", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_EQ(outcome->signal, SIGKILL);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1500ms);  // the timeout plus the grace
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_TRUE(NoChildren());
}

TEST(ProcessRunnerTest, AChildThatExitsOnTermIsNotKilled) {
  ProcessOptions options = Options(300ms);
  options.kill_grace = 60s;
  const auto start = std::chrono::steady_clock::now();
  const Result<ProcessOutcome> outcome =
      Sh("trap 'echo cleaning up; exit 3' TERM; sleep 100 & wait", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);  // not the grace of 60 s
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_EQ(outcome->exit_code, 3);
  EXPECT_EQ(outcome->signal, 0);
  EXPECT_EQ(outcome->out, "cleaning up\n");

  options.kill_grace = 0ms;  // no grace: SIGKILL at once, no trap runs
  const Result<ProcessOutcome> killed = Sh("trap 'exit 3' TERM; sleep 100 & wait", options);
  ASSERT_TRUE(killed.ok()) << killed.error();
  EXPECT_TRUE(killed->timed_out);
  EXPECT_EQ(killed->signal, SIGKILL);
}

TEST(ProcessRunnerTest, ManyMegabytesOfOutputKeepOnlyTheTail) {
  ProcessOptions options = Options(60s);
  options.max_stdout_tail = 1024;
  options.max_stderr_tail = 16;
  const Result<ProcessOutcome> outcome = Sh(
      "head -c 5242880 /dev/zero | tr '\\0' x; echo END; echo 0123456789abcdefghij >&2", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->stdout_bytes, 5242880u + 4);
  ASSERT_EQ(outcome->out.size(), 1024u);
  EXPECT_EQ(outcome->out.substr(1015), "xxxxxEND\n");
  EXPECT_EQ(outcome->err, "56789abcdefghij\n");
}

TEST(ProcessRunnerTest, WholeStdoutWithALimitThatIsAnError) {
  ProcessOptions options = Options();
  options.stdout_limit_is_error = true;
  options.max_stdout = 100;
  Result<ProcessOutcome> outcome = Sh("head -c 100 /dev/zero | tr '\\0' y", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->out, std::string(100, 'y'));
  outcome = Sh("exec yes", options);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error(), "wrote more than 100 bytes to stdout (killed)");
  EXPECT_TRUE(NoChildren());
}

TEST(ProcessRunnerTest, OutputIsStreamedToTheCallersDescriptor) {
  TempDir dir;
  const std::string log = dir.path() + "/run.log";
  Fd fd(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid());
  ProcessOptions options = Options(60s);
  options.output_fd = fd.get();
  options.max_stdout_tail = 10;
  const Result<ProcessOutcome> outcome = Sh(
      "echo one; echo two >&2; head -c 3000000 /dev/zero | tr '\\0' z; echo; echo three", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->output_error, "");
  EXPECT_EQ(outcome->out, "zzz\nthree\n");
  const std::string text = ReadAll(log);
  EXPECT_EQ(text.size(), 4u + 4 + 3000001 + 6);
  EXPECT_EQ(text.rfind("one\n", 0), 0u);
  EXPECT_NE(text.find("two\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 6), "three\n");
}

TEST(ProcessRunnerTest, WorkingDirectoryEnvironmentAndUmask) {
  TempDir dir;
  ::setenv("UPKEEP_RUNNER_TEST_SECRET", "leaked", 1);
  ProcessOptions options = Options();
  options.env.push_back("GIVEN=yes");
  options.cwd = dir.path();
  options.umask = 027;
  const Result<ProcessOutcome> outcome =
      Sh("pwd; echo \"${UPKEEP_RUNNER_TEST_SECRET-unset} $GIVEN\"; : > made", options);
  ::unsetenv("UPKEEP_RUNNER_TEST_SECRET");
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->out, dir.path() + "\nunset yes\n");
  struct stat made {};
  ASSERT_EQ(::stat((dir.path() + "/made").c_str(), &made), 0);
  EXPECT_EQ(made.st_mode & 0777, 0640u);

  // The whole environment is the caller's: nothing else at all.
  options.env = {"ONLY=1"};
  const Result<ProcessOutcome> env = RunProcess({"/usr/bin/env"}, options);
  ASSERT_TRUE(env.ok()) << env.error();
  EXPECT_EQ(env->out, "ONLY=1\n");
}

TEST(ProcessRunnerTest, StdinDataIsReadThenEndOfFile) {
  ProcessOptions options = Options();
  options.stdin_data = "s3cret token\nsecond line";
  // cat ends only at end of file: the pipe's write end is closed before the child runs.
  const Result<ProcessOutcome> outcome = RunProcess({"cat"}, options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->out, "s3cret token\nsecond line");
  EXPECT_FALSE(outcome->timed_out);

  // A child that never reads does not hold us up, and is not in the way of its output.
  const Result<ProcessOutcome> unread = Sh("echo done", options);
  ASSERT_TRUE(unread.ok()) << unread.error();
  EXPECT_EQ(unread->out, "done\n");

  // Without data, stdin is /dev/null: empty at once.
  const Result<ProcessOutcome> none = RunProcess({"cat"}, Options());
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_EQ(none->out, "");

  // The whole limit fits; one byte more is refused before anything runs.
  options.stdin_data.assign(kMaxStdinBytes, 'x');
  const Result<ProcessOutcome> full = RunProcess({"wc", "-c"}, options);
  ASSERT_TRUE(full.ok()) << full.error();
  EXPECT_EQ(full->out, std::to_string(kMaxStdinBytes) + "\n");
  options.stdin_data.push_back('x');
  const Result<ProcessOutcome> over = RunProcess({"wc", "-c"}, options);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().find("limit"), std::string::npos) << over.error();
}

TEST(ProcessRunnerTest, NoDescriptorLeaksIntoTheChild) {
  // High numbers, so the child's lowest free descriptor would differ if one leaked.
  const Fd base(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const Fd plain(::fcntl(base.get(), F_DUPFD, 50));
  const Fd cloexec(::fcntl(base.get(), F_DUPFD_CLOEXEC, 60));
  ASSERT_GE(plain.get(), 50);
  ASSERT_EQ(::fcntl(plain.get(), F_GETFD) & FD_CLOEXEC, 0);  // deliberately inheritable
  ASSERT_GE(cloexec.get(), 60);
  const Result<ProcessOutcome> outcome = RunProcess({"ls", "/proc/self/fd"}, Options());
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  // 0-2, and 3: the directory ls is reading.
  EXPECT_EQ(outcome->out, "0\n1\n2\n3\n");
}

TEST(ProcessRunnerTest, RunsAsAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const Result<RunAs> nobody = ResolveUser("nobody");
  ASSERT_TRUE(nobody.ok()) << nobody.error();
  EXPECT_EQ(nobody->name, "nobody");
  EXPECT_NE(nobody->uid, 0u);
  ProcessOptions options = Options();
  options.run_as = *nobody;
  options.cwd = "/";
  const Result<ProcessOutcome> outcome = Sh("id -u; id -g; id -G", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  std::string groups;
  for (const gid_t gid : nobody->groups)
    groups += (groups.empty() ? "" : " ") + std::to_string(gid);
  EXPECT_EQ(outcome->out, std::to_string(nobody->uid) + "\n" + std::to_string(nobody->gid) + "\n" +
                              groups + "\n");

  // By number too; a directory only root may enter is refused to the user.
  const Result<RunAs> by_number = ResolveUser(std::to_string(nobody->uid));
  ASSERT_TRUE(by_number.ok()) << by_number.error();
  EXPECT_EQ(by_number->name, "nobody");
  TempDir dir;  // mode 0700, root's
  options.cwd = dir.path();
  const Result<ProcessOutcome> refused = Sh("true", options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), "cannot run /bin/sh: chdir " + dir.path() + ": Permission denied");
}

TEST(ProcessRunnerTest, UnknownUsersAreErrors) {
  EXPECT_EQ(ResolveUser("no-such-user-upkeep-test").error(),
            "no such user: no-such-user-upkeep-test");
  EXPECT_FALSE(ResolveUser("4000000000").ok());
  EXPECT_FALSE(ResolveUser("").ok());
}

TEST(ProcessRunnerTest, SetupAndExecFailuresAreClearErrors) {
  EXPECT_EQ(RunProcess({"/nonexistent/tool", "--x"}, Options()).error(),
            "cannot run /nonexistent/tool: No such file or directory");
  EXPECT_EQ(RunProcess({"no-such-program-upkeep-test"}, Options()).error(),
            "cannot run no-such-program-upkeep-test: No such file or directory");
  TempDir dir;
  const std::string plain = dir.Write("plain", "echo hi\n");
  EXPECT_EQ(RunProcess({plain}, Options()).error(), "cannot run " + plain + ": Permission denied");
  ProcessOptions options = Options();
  options.cwd = "/nope";
  EXPECT_EQ(Sh("true", options).error(),
            "cannot run /bin/sh: chdir /nope: No such file or directory");
  EXPECT_EQ(RunProcess({}, Options()).error(), "empty command");
  EXPECT_TRUE(NoChildren());
}

TEST(ProcessRunnerTest, OnStartedReportsTheGroupAndStartTimeWhileItRuns) {
  ProcessOptions options = Options();
  pid_t reported = -1;
  uint64_t ticks = 0;
  std::string stat_start;
  pid_t group_of_child = -1;
  options.on_started = [&](pid_t pgid, uint64_t start_time_ticks) {
    reported = pgid;
    ticks = start_time_ticks;
    const std::vector<std::string> fields = StatFields(pgid);
    if (fields.size() > 19) stat_start = fields[19];  // field 22
    group_of_child = ::getpgid(pgid);
  };
  const Result<ProcessOutcome> outcome = Sh("echo $$", options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(reported, outcome->pid);
  EXPECT_EQ(outcome->out, std::to_string(reported) + "\n");
  EXPECT_EQ(group_of_child, reported);
  EXPECT_GT(ticks, 0u);
  EXPECT_EQ(std::to_string(ticks), stat_start);
  EXPECT_GE(outcome->duration.count(), 0);
}

}  // namespace
}  // namespace upkeep
