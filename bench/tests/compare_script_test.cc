// bench/compare.sh end to end in its shortest form (1 round of 1 s, 16 connections, 2 s
// idle): the real upkeep, node_exporter, nginx and wrk on loopback. Checks the report's
// shape, that RESULTS_FILE gets exactly one refreshed block, and that nothing it started is
// left running. Also replace_block from bench/lib.sh on its own.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep::bench {
namespace {

const std::string kLib = std::string(UPKEEP_BENCH_DIR) + "/lib.sh";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

bool Listening(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return connected;
}

TEST(ReplaceBlockTest, ReplacesOnlyItsOwnBlockAndAppendsItOnce) {
  testing::TempDir dir;
  const std::string results =
      dir.Write("RESULTS.md", "# Results\n\nHand-written analysis stays.\n");
  const std::string first = dir.Write("first.md", "table one\n");
  const std::string second = dir.Write("second.md", "table two\nline two\n");
  auto replace = [&](const std::string& name, const std::string& content) {
    return testing::RunCommand({"bash", "-c", "source \"$0\" && replace_block \"$1\" \"$2\" \"$3\"",
                                kLib, results, name, content});
  };
  ASSERT_EQ(replace("compare.sh", first).exit_status, 0);
  ASSERT_EQ(replace("worker_pool.sh", first).exit_status, 0);
  ASSERT_EQ(replace("compare.sh", second).exit_status, 0);

  const std::string text = ReadFile(results);
  EXPECT_EQ(text.find("# Results\n\nHand-written analysis stays.\n"), 0u) << text;
  EXPECT_EQ(Count(text, "<!-- BEGIN compare.sh"), 1u) << text;
  EXPECT_EQ(Count(text, "<!-- END compare.sh -->"), 1u) << text;
  EXPECT_EQ(Count(text, "<!-- BEGIN worker_pool.sh"), 1u) << text;
  EXPECT_NE(text.find("table two\nline two\n<!-- END compare.sh -->"), std::string::npos) << text;
  EXPECT_NE(text.find("table one\n<!-- END worker_pool.sh -->"), std::string::npos) << text;
  EXPECT_EQ(Count(text, "table one"), 1u) << text;
}

TEST(CompareScriptTest, QuickRunReportsEveryFigureAndLeavesNothingRunning) {
  for (const char* tool :
       {"/usr/bin/wrk", "/usr/sbin/nginx", "/usr/bin/prometheus-node-exporter"}) {
    if (access(tool, X_OK) != 0) GTEST_SKIP() << tool << " is not installed";
  }
  testing::TempDir dir;
  const std::string results = dir.Write("RESULTS.md", "# kept\n");
  const testing::CommandResult run = testing::RunCommand(
      {"env", "QUICK=1", "DURATION=1s", "CONNECTIONS=16", "IDLE_SECONDS=2", "TICKS=20",
       "SKIP_BUILD=1", "BUILD_DIR=" + std::string(UPKEEP_BENCH_BUILD_DIR),
       "RESULTS_FILE=" + results, std::string(UPKEEP_BENCH_DIR) + "/compare.sh"});
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const std::string& out = run.output;

  // One row per endpoint, every target measured, ratios computed.
  EXPECT_NE(out.find("| /metrics | 16 |"), std::string::npos) << out;
  EXPECT_NE(out.find("| /metrics gzip | 16 |"), std::string::npos) << out;
  EXPECT_NE(out.find("| /api/system/health | 16 |"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex(R"(\| /metrics \| 16 \| \d+ \| \d+ \| \d+ \| [0-9.]+ \| [0-9.]+ \|)")))
      << out;
  EXPECT_NE(out.find("- Machine: "), std::string::npos);
  EXPECT_NE(out.find("- Auth: "), std::string::npos);
  EXPECT_NE(out.find("Idle CPU over 2 s"), std::string::npos);
  // The seven targets, each with a verdict.
  EXPECT_EQ(Count(out, "| pass |") + Count(out, "| **miss** |") + Count(out, "| n/a |"), 7u) << out;

  const std::string written = ReadFile(results);
  EXPECT_EQ(written.find("# kept\n"), 0u);
  EXPECT_EQ(Count(written, "<!-- BEGIN compare.sh"), 1u);
  EXPECT_NE(written.find("| figure | target | measured | verdict |"), std::string::npos);

  // Everything it started is gone: the processes and their ports.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      out, m, std::regex(R"(upkeep :(\d+) \(pid (\d+)\), node_exporter :(\d+), nginx :(\d+))")))
      << out;
  const pid_t upkeep_pid = std::stoi(m[2]);
  EXPECT_EQ(kill(upkeep_pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  for (int group : {1, 3, 4}) EXPECT_FALSE(Listening(std::stoi(m[group]))) << m[group];
}

}  // namespace
}  // namespace upkeep::bench
