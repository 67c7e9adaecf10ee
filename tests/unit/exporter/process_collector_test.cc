// ProcessCollector on the real /proc/self of the test process, and on a tree without it.

#include "exporter/process_collector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

double StatusKiB(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1));
  }
  return -1;
}

double ProcessCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Burns `how_long` of this process's own CPU time (not wall time: on a busy machine the
// scheduler may give us a fraction of a core).
void BurnCpu(std::chrono::milliseconds how_long) {
  const double end = ProcessCpuSeconds() + static_cast<double>(how_long.count()) / 1000.0;
  volatile uint64_t sink = 0;
  while (ProcessCpuSeconds() < end) sink = sink + 1;
}

TEST(ProcessCollectorTest, ReportsThisProcess) {
  ProcessCollector collector(static_cast<double>(sysconf(_SC_CLK_TCK)), sysconf(_SC_PAGESIZE));
  Sample first;
  ASSERT_TRUE(collector.Collect(first).ok());
  ASSERT_TRUE(first.process);

  // Started after boot and not in the future.
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_GT(first.process->start_time_seconds, now - 24 * 3600 * 365.0);
  EXPECT_LE(first.process->start_time_seconds, now + 1);
  // Resident memory as the kernel states it in VmRSS (pages vs KiB, read a moment apart).
  const double rss_bytes = StatusKiB("VmRSS") * 1024;
  EXPECT_GT(first.process->resident_bytes, rss_bytes * 0.5);
  EXPECT_LT(first.process->resident_bytes, rss_bytes * 2);
  EXPECT_GE(first.process->open_fds, 3u);  // stdin, stdout, stderr at least

  // CPU time is the process's own, at better than clock-tick resolution.
  BurnCpu(std::chrono::milliseconds(60));
  Sample second;
  ASSERT_TRUE(collector.Collect(second).ok());
  EXPECT_GE(second.process->cpu_seconds - first.process->cpu_seconds, 0.04);
  EXPECT_EQ(second.process->start_time_seconds, first.process->start_time_seconds);
}

TEST(ProcessCollectorTest, AnOpenedFileIsCounted) {
  ProcessCollector collector(100, 4096);
  Sample before;
  ASSERT_TRUE(collector.Collect(before).ok());
  std::ifstream held("/proc/self/status");
  ASSERT_TRUE(held.is_open());
  Sample after;
  ASSERT_TRUE(collector.Collect(after).ok());
  EXPECT_EQ(after.process->open_fds, before.process->open_fds + 1);
}

TEST(ProcessCollectorTest, AMissingProcTreeIsAnErrorNamingTheFile) {
  testing::TempDir dir;
  ProcessCollector collector(100, 4096, dir.path());
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "open " + dir.path() + "/stat: No such file or directory");
  EXPECT_FALSE(sample.process);
}

}  // namespace
}  // namespace upkeep
