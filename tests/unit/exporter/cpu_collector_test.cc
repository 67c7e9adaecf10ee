#include "exporter/cpu_collector.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

const std::string kFixtureProcfs = std::string(UPKEEP_FIXTURES_DIR) + "/procfs";

std::string StatText(uint64_t user, uint64_t idle) {
  return "cpu  " + std::to_string(user) + " 0 0 " + std::to_string(idle) +
         " 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\nbtime 1700000000\n";
}

TEST(CpuCollectorTest, ReadsTheFixtureTree) {
  CpuCollector collector(kFixtureProcfs, 100.0);
  EXPECT_EQ(collector.Name(), "cpu");
  Sample sample;
  ASSERT_TRUE(collector.Collect(sample));
  ASSERT_TRUE(sample.cpu.has_value());
  const CpuTicks& ticks = sample.cpu->ticks;
  EXPECT_EQ(ticks.user, 4756100u);
  EXPECT_EQ(ticks.nice, 8391u);
  EXPECT_EQ(ticks.system, 1607795u);
  EXPECT_EQ(ticks.idle, 115655731u);
  EXPECT_EQ(ticks.iowait, 73424u);
  EXPECT_EQ(ticks.irq, 0u);
  EXPECT_EQ(ticks.softirq, 20953u);
  EXPECT_EQ(ticks.steal, 7250u);
  EXPECT_EQ(sample.cpu->cores, 4);
  EXPECT_EQ(sample.cpu->ticks_per_second, 100.0);
  ASSERT_TRUE(sample.boot_time_seconds.has_value());
  EXPECT_EQ(*sample.boot_time_seconds, 1714557600.0);
  // The first reading has nothing before it: the average since boot.
  ASSERT_TRUE(sample.cpu->usage_ratio.has_value());
  const double busy = 4756100.0 + 8391 + 1607795 + 20953 + 7250;
  const double total = busy + 115655731.0 + 73424;
  EXPECT_DOUBLE_EQ(*sample.cpu->usage_ratio, busy / total);
}

TEST(CpuCollectorTest, UsageIsTheDeltaBetweenTwoReadings) {
  testing::TempDir dir;
  dir.Write("stat", StatText(1000, 9000));
  CpuCollector collector(dir.path(), 250.0);
  Sample first;
  ASSERT_TRUE(collector.Collect(first));
  EXPECT_DOUBLE_EQ(*first.cpu->usage_ratio, 0.1);
  EXPECT_EQ(first.cpu->ticks_per_second, 250.0);
  EXPECT_EQ(first.cpu->cores, 2);

  // 300 busy ticks out of 400 since the last reading.
  dir.Write("stat", StatText(1300, 9100));
  Sample second;
  ASSERT_TRUE(collector.Collect(second));
  EXPECT_DOUBLE_EQ(*second.cpu->usage_ratio, 0.75);

  // No time passed: no ratio rather than a division by zero.
  Sample same;
  ASSERT_TRUE(collector.Collect(same));
  EXPECT_FALSE(same.cpu->usage_ratio.has_value());

  // Counters that went backwards (a reset) give no ratio either, and the next reading
  // measures from the new values.
  dir.Write("stat", StatText(10, 90));
  Sample reset;
  ASSERT_TRUE(collector.Collect(reset));
  EXPECT_FALSE(reset.cpu->usage_ratio.has_value());
  dir.Write("stat", StatText(60, 140));
  Sample after;
  ASSERT_TRUE(collector.Collect(after));
  EXPECT_DOUBLE_EQ(*after.cpu->usage_ratio, 0.5);
}

TEST(CpuCollectorTest, MissingFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  CpuCollector collector(dir.path(), 100.0);
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), "open " + dir.path() + "/stat: No such file or directory");
  EXPECT_FALSE(sample.cpu.has_value());
  EXPECT_FALSE(sample.boot_time_seconds.has_value());
}

TEST(CpuCollectorTest, MalformedFileIsAnErrorNamingTheFileAndTheFault) {
  testing::TempDir dir;
  CpuCollector collector(dir.path(), 100.0);
  const std::string path = dir.path() + "/stat";
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"", path + ": stat: cpu line missing"},
      {"cpu  1 2 3 4 0 0 0 0 0 0\n", path + ": stat: btime missing"},
      {"cpu  1 2 3 4", path + ": stat: truncated cpu line (no newline)"},
  };
  for (const Case& c : cases) {
    dir.Write("stat", c.text);
    Sample sample;
    const Status status = collector.Collect(sample);
    ASSERT_FALSE(status) << c.text;
    EXPECT_EQ(status.error(), c.error) << c.text;
    EXPECT_FALSE(sample.cpu.has_value()) << c.text;
  }
  dir.Write("stat", "cpu  1 2 x 4 0 0 0 0 0 0\nbtime 1\n");
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().starts_with(path + ": stat: ")) << status.error();

  // A good file afterwards is read again: one bad tick does not stick.
  dir.Write("stat", StatText(1, 3));
  Sample good;
  EXPECT_TRUE(collector.Collect(good));
  EXPECT_TRUE(good.cpu.has_value());
}

TEST(CpuUsageRatioTest, ClampsToOne) {
  // Idle time that went backwards while the total grew: more busy ticks than ticks.
  CpuTicks before;
  before.idle = 10;
  CpuTicks after;
  after.user = 15;
  EXPECT_EQ(CpuUsageRatio(before, after), 1.0);
  EXPECT_FALSE(CpuUsageRatio(after, before).has_value());
}

}  // namespace
}  // namespace upkeep
