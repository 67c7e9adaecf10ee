#include "exporter/load_collector.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

TEST(LoadCollectorTest, ReadsTheFixtureTree) {
  LoadCollector collector(std::string(UPKEEP_FIXTURES_DIR) + "/procfs");
  EXPECT_EQ(collector.Name(), "loadavg");
  Sample sample;
  ASSERT_TRUE(collector.Collect(sample));
  ASSERT_TRUE(sample.load.has_value());
  EXPECT_DOUBLE_EQ(sample.load->load1, 1.27);
  EXPECT_DOUBLE_EQ(sample.load->load5, 0.94);
  EXPECT_DOUBLE_EQ(sample.load->load15, 0.81);
}

TEST(LoadCollectorTest, ReadsTheFileAfreshEachTime) {
  testing::TempDir dir;
  dir.Write("loadavg", "0.00 0.01 0.05 1/100 42\n");
  LoadCollector collector(dir.path());
  Sample first;
  ASSERT_TRUE(collector.Collect(first));
  EXPECT_DOUBLE_EQ(first.load->load15, 0.05);
  dir.Write("loadavg", "12.50 8.25 4.00 7/900 4242\n");
  Sample second;
  ASSERT_TRUE(collector.Collect(second));
  EXPECT_DOUBLE_EQ(second.load->load1, 12.5);
  EXPECT_DOUBLE_EQ(second.load->load5, 8.25);
  EXPECT_DOUBLE_EQ(second.load->load15, 4.0);
}

TEST(LoadCollectorTest, MissingFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  LoadCollector collector(dir.path());
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), "open " + dir.path() + "/loadavg: No such file or directory");
  EXPECT_FALSE(sample.load.has_value());
}

TEST(LoadCollectorTest, MalformedFileIsAnErrorNamingTheFileAndTheFault) {
  testing::TempDir dir;
  LoadCollector collector(dir.path());
  const std::string path = dir.path() + "/loadavg";
  for (const char* text :
       {"", "1.0 2.0 3.0\n", "1.0 2.0 3.0 1/2 3 4\n", "1.0 x 3.0 1/2 3\n", "1.0 2.0 3.0 12 3\n"}) {
    dir.Write("loadavg", text);
    Sample sample;
    const Status status = collector.Collect(sample);
    ASSERT_FALSE(status) << text;
    EXPECT_TRUE(status.error().starts_with(path + ": loadavg: ")) << status.error();
    EXPECT_FALSE(sample.load.has_value()) << text;
  }
  dir.Write("loadavg", "1.0 2.0 3.0\n");
  Sample sample;
  const Status status = collector.Collect(sample);
  EXPECT_EQ(status.error(), path + ": loadavg: expected 5 fields, got 3: \"1.0 2.0 3.0\n\"");
}

}  // namespace
}  // namespace upkeep
