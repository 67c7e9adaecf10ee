#include "exporter/uptime_collector.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

TEST(UptimeCollectorTest, ReadsTheFixtureTree) {
  UptimeCollector collector(std::string(UPKEEP_FIXTURES_DIR) + "/procfs");
  EXPECT_EQ(collector.Name(), "uptime");
  Sample sample;
  ASSERT_TRUE(collector.Collect(sample));
  ASSERT_TRUE(sample.uptime.has_value());
  EXPECT_DOUBLE_EQ(sample.uptime->uptime_seconds, 305412.87);
  EXPECT_DOUBLE_EQ(sample.uptime->idle_seconds, 1156557.31);
}

TEST(UptimeCollectorTest, ReadsTheFileAfreshEachTime) {
  testing::TempDir dir;
  dir.Write("uptime", "10.00 15.50\n");
  UptimeCollector collector(dir.path());
  Sample first;
  ASSERT_TRUE(collector.Collect(first));
  EXPECT_DOUBLE_EQ(first.uptime->uptime_seconds, 10.0);
  dir.Write("uptime", "11.25 17.00\n");
  Sample second;
  ASSERT_TRUE(collector.Collect(second));
  EXPECT_DOUBLE_EQ(second.uptime->uptime_seconds, 11.25);
  EXPECT_DOUBLE_EQ(second.uptime->idle_seconds, 17.0);
}

TEST(UptimeCollectorTest, MissingFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  UptimeCollector collector(dir.path());
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), "open " + dir.path() + "/uptime: No such file or directory");
  EXPECT_FALSE(sample.uptime.has_value());
}

TEST(UptimeCollectorTest, MalformedFileIsAnErrorNamingTheFileAndTheFault) {
  testing::TempDir dir;
  UptimeCollector collector(dir.path());
  const std::string path = dir.path() + "/uptime";
  for (const char* text : {"", "12.5\n", "1 2 3\n", "abc 2\n", "1 two\n"}) {
    dir.Write("uptime", text);
    Sample sample;
    const Status status = collector.Collect(sample);
    ASSERT_FALSE(status) << text;
    EXPECT_TRUE(status.error().starts_with(path + ": uptime: ")) << status.error();
    EXPECT_FALSE(sample.uptime.has_value()) << text;
  }
  dir.Write("uptime", "12.5\n");
  Sample sample;
  EXPECT_EQ(collector.Collect(sample).error(),
            path + ": uptime: expected 2 fields (uptime idle): \"12.5\n\"");
}

}  // namespace
}  // namespace upkeep
