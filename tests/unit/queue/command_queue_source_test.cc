// The command queue source: argv splitting with literal input, and real commands, including
// one that hangs (killed with its process group at the timeout, reaped: no zombie).

#include "queue/command_queue_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/process_runner.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using Words = std::vector<std::string>;

Words Split(std::string_view text) {
  Result<Words> words = SplitCommandLine(text);
  EXPECT_TRUE(words.ok()) << words.error();
  return words.ok() ? words.value() : Words{};
}

std::string SplitError(std::string_view text) {
  Result<Words> words = SplitCommandLine(text);
  return words.ok() ? "<split>" : words.error();
}

TEST(SplitCommandLineTest, WordsAndQuotes) {
  EXPECT_EQ(Split("/usr/local/bin/queue-summary"), Words{"/usr/local/bin/queue-summary"});
  EXPECT_EQ(Split("  a \t b\n c  "), (Words{"a", "b", "c"}));
  EXPECT_EQ(Split("sh -c 'curl -fsS http://x | jq .'"),
            (Words{"sh", "-c", "curl -fsS http://x | jq ."}));
  EXPECT_EQ(Split(R"(printf "say \"hi\" \\ \$HOME \` \n")"),
            (Words{"printf", R"(say "hi" \ $HOME ` \n)"}));
  EXPECT_EQ(Split(R"(a'b'"c"\ d)"), Words{"abc d"});
  EXPECT_EQ(Split(R"(x '' "")"), (Words{"x", "", ""}));
  EXPECT_EQ(Split(R"(x \| \$y '$z' "*" ~ *.json)"),
            (Words{"x", "|", "$y", "$z", "*", "~", "*.json"}));
  EXPECT_EQ(Split("tool --flag='a b'"), (Words{"tool", "--flag=a b"}));
}

TEST(SplitCommandLineTest, ShellSyntaxIsRefused) {
  for (const char* text : {"summary | jq .", "summary > out", "summary; rm x", "summary &",
                           "echo $HOME", "echo `id`", "(summary)", "summary < in"}) {
    const std::string error = SplitError(text);
    EXPECT_NE(error.find("without a shell"), std::string::npos) << text << ": " << error;
    EXPECT_NE(error.find("sh -c"), std::string::npos) << text << ": " << error;
  }
  EXPECT_EQ(SplitError(R"(echo "$HOME")").rfind("\"$\" inside double quotes", 0), 0u);
  EXPECT_EQ(SplitError("echo 'unterminated"), "unterminated ' quote");
  EXPECT_EQ(SplitError("echo \"unterminated"), "unterminated \" quote");
  EXPECT_EQ(SplitError("echo \\"), "a backslash at the end escapes nothing");
  EXPECT_EQ(SplitError(""), "empty command");
  EXPECT_EQ(SplitError("   "), "empty command");
  EXPECT_EQ(SplitError("'' x"), "the program name is empty");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// True when `pid` no longer exists, or is a zombie that is not ours (its parent, init or a
// subreaper, reaps it).
bool ProcessIsGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text;
  std::getline(stat, text);
  const size_t close = text.rfind(')');
  return close != std::string::npos && text.size() > close + 2 && text[close + 2] == 'Z' &&
         ::getppid() != pid;
}

// True when this process has no child left, running or zombie.
bool NoChildren() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

class CommandQueueSourceTest : public ::testing::Test {
 protected:
  Result<QueueProbe> Probe(std::string_view run, std::chrono::milliseconds timeout = 5000ms) {
    CommandQueueSourceOptions options;
    options.argv = SplitCommandLine(run).value();
    options.timeout = timeout;
    CommandQueueSource source(options);
    return source.Probe();
  }
  std::string ErrorOf(std::string_view run, std::chrono::milliseconds timeout = 5000ms) {
    const Result<QueueProbe> probe = Probe(run, timeout);
    return probe.ok() ? "<succeeded>" : probe.error();
  }
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_.Write(name, "#!/bin/sh\n" + body);
    ::chmod(path.c_str(), 0755);
    return path;
  }
  TempDir dir_;
};

TEST_F(CommandQueueSourceTest, GoodSummaryFromAScriptWithArguments) {
  const std::string script = Script(
      "summary", R"(printf '{"depth": %s, "activeJob": {"id": 5, "name": "%s"}}\n' "$1" "$2")");
  const Result<QueueProbe> probe = Probe(script + " 3 'shot 040'");
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 3);
  EXPECT_EQ(probe->active_jobs, 1);
  EXPECT_EQ(probe->active_job["name"], "shot 040");
  EXPECT_TRUE(NoChildren());
}

TEST_F(CommandQueueSourceTest, ShellOnlyWhenAskedAndPathLookup) {
  // "sh" is found in PATH; the pipe works because the command itself is sh -c.
  const Result<QueueProbe> probe =
      Probe(R"(sh -c 'echo "{\"depth\": 7, \"activeJobs\": []}" | cat')");
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 7);
  EXPECT_EQ(probe->active_jobs, 0);
}

TEST_F(CommandQueueSourceTest, TimeoutKillsTheWholeGroupAndLeavesNoZombie) {
  const std::string pid_file = dir_.path() + "/pid";
  const std::string sleeper_file = dir_.path() + "/sleeper";
  const auto start = std::chrono::steady_clock::now();
  const std::string error = ErrorOf(
      "sh -c 'echo $$ > " + pid_file + "; sleep 30 & echo $! > " + sleeper_file + "; wait'", 300ms);
  EXPECT_EQ(error, "command sh: did not finish within the timeout of 300 ms (killed)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // not the 30 s of the sleep
  const pid_t child = std::stoi(ReadFile(pid_file));
  const pid_t sleeper = std::stoi(ReadFile(sleeper_file));
  // The child was reaped by the probe: no /proc entry, and we have no child at all.
  EXPECT_FALSE(std::ifstream("/proc/" + std::to_string(child) + "/stat").good());
  EXPECT_TRUE(NoChildren());
  // The grandchild was killed with the group (it may linger as init's zombie for a moment).
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!ProcessIsGone(sleeper) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(ProcessIsGone(sleeper));
}

TEST_F(CommandQueueSourceTest, WhatTheCommandLeavesRunningIsKilledAfterItExits) {
  const std::string sleeper_file = dir_.path() + "/sleeper";
  // The background sleep keeps stdout open; the probe must not wait for it.
  const auto start = std::chrono::steady_clock::now();
  const Result<QueueProbe> probe =
      Probe("sh -c 'sleep 30 & echo $! > " + sleeper_file +
                "; echo \"{\\\"depth\\\": 1, \\\"activeJob\\\": null}\"'",
            10000ms);
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
  const pid_t sleeper = std::stoi(ReadFile(sleeper_file));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!ProcessIsGone(sleeper) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(ProcessIsGone(sleeper));
  EXPECT_TRUE(NoChildren());
}

TEST_F(CommandQueueSourceTest, NonZeroExitQuotesTheEndOfStderr) {
  EXPECT_EQ(ErrorOf(R"(sh -c 'echo starting >&2; echo "database is locked" >&2; exit 3')"),
            "command sh: exited with status 3: database is locked");
  EXPECT_EQ(ErrorOf("sh -c 'exit 1'"), "command sh: exited with status 1");
  EXPECT_TRUE(NoChildren());
}

TEST_F(CommandQueueSourceTest, KilledBySignalEvenWhenTheDaemonBlocksIt) {
  // main() blocks SIGTERM in every thread; the command must still get default dispositions.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &term, &old);
  const std::string error = ErrorOf("sh -c 'kill -TERM $$; sleep 5'");
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  EXPECT_EQ(error, "command sh: killed by signal 15 (SIGTERM)");
}

TEST_F(CommandQueueSourceTest, Garbage) {
  std::string error = ErrorOf("echo hello world");
  EXPECT_EQ(error.rfind("command echo: stdout: not JSON (", 0), 0u) << error;
  EXPECT_NE(error.find("output starts with \"hello world?\""), std::string::npos) << error;
  EXPECT_EQ(ErrorOf("true"), "command true: stdout: empty output where queue JSON was expected");
  EXPECT_EQ(ErrorOf(R"(echo '{"depth": -2, "activeJob": null}')"),
            "command echo: stdout: \"depth\" must not be negative, got -2");
}

TEST_F(CommandQueueSourceTest, OutputTooLargeIsKilled) {
  EXPECT_EQ(ErrorOf("yes"), "command yes: wrote more than 1048576 bytes to stdout (killed)");
  EXPECT_TRUE(NoChildren());
}

TEST_F(CommandQueueSourceTest, MissingProgram) {
  EXPECT_EQ(ErrorOf("/nonexistent/queue-summary --json"),
            "command /nonexistent/queue-summary: cannot run /nonexistent/queue-summary: No such "
            "file or directory");
  EXPECT_EQ(ErrorOf("no-such-program-upkeep-test"),
            "command no-such-program-upkeep-test: cannot run no-such-program-upkeep-test: No "
            "such file or directory");
  const std::string not_executable = dir_.Write("plain", "echo hi\n");
  EXPECT_EQ(ErrorOf(not_executable),
            "command " + not_executable + ": cannot run " + not_executable + ": Permission denied");
}

TEST_F(CommandQueueSourceTest, NoDescriptorOfTheDaemonLeaksIntoTheCommand) {
  const int leaky = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);
  const Result<QueueProbe> probe =
      Probe("sh -c 'if [ -e /proc/self/fd/" + std::to_string(leaky) +
            " ]; then d=1; else d=0; fi; echo \"{\\\"depth\\\": $d, \\\"activeJob\\\": null}\"'");
  ::close(leaky);
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 0);
}

TEST(CommandRunnerTest, StdinIsEmptyAndStderrIsKeptApart) {
  ProcessOptions options;
  options.timeout = 5000ms;
  options.env = InheritedEnvironment();
  options.stdout_limit_is_error = true;
  const Result<ProcessOutcome> outcome =
      RunProcess({"sh", "-c", "cat; echo out; echo err >&2; exit 4"}, options);
  ASSERT_TRUE(outcome.ok()) << outcome.error();
  EXPECT_EQ(outcome->exit_code, 4);
  EXPECT_EQ(outcome->signal, 0);
  EXPECT_EQ(outcome->out, "out\n");
  EXPECT_EQ(outcome->err, "err\n");
}

}  // namespace
}  // namespace upkeep
