#include "exporter/memory_collector.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

TEST(MemoryCollectorTest, ReadsTheFixtureTreeInBytes) {
  MemoryCollector collector(std::string(UPKEEP_FIXTURES_DIR) + "/procfs");
  EXPECT_EQ(collector.Name(), "meminfo");
  Sample sample;
  ASSERT_TRUE(collector.Collect(sample));
  ASSERT_TRUE(sample.memory.has_value());
  EXPECT_EQ(sample.memory->total_bytes, uint64_t{16369420} * 1024);
  EXPECT_EQ(sample.memory->free_bytes, uint64_t{1938204} * 1024);
  EXPECT_EQ(sample.memory->available_bytes, uint64_t{11703552} * 1024);
  EXPECT_EQ(sample.memory->buffers_bytes, uint64_t{402188} * 1024);
  EXPECT_EQ(sample.memory->cached_bytes, uint64_t{8912344} * 1024);
  EXPECT_EQ(sample.memory->UsedBytes(), (16369420u - 11703552u) * uint64_t{1024});
}

TEST(MemoryCollectorTest, ReadsTheFileAfreshEachTime) {
  testing::TempDir dir;
  dir.Write("meminfo", "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 400 kB\n");
  MemoryCollector collector(dir.path());
  Sample first;
  ASSERT_TRUE(collector.Collect(first));
  EXPECT_EQ(first.memory->UsedBytes(), 600u * 1024);
  EXPECT_EQ(first.memory->buffers_bytes, 0u);  // absent lines stay 0
  dir.Write("meminfo", "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 900 kB\n");
  Sample second;
  ASSERT_TRUE(collector.Collect(second));
  EXPECT_EQ(second.memory->UsedBytes(), 100u * 1024);
}

TEST(MemoryCollectorTest, MissingFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  MemoryCollector collector(dir.path());
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), "open " + dir.path() + "/meminfo: No such file or directory");
  EXPECT_FALSE(sample.memory.has_value());
}

TEST(MemoryCollectorTest, MalformedFileIsAnErrorNamingTheFileAndTheFault) {
  testing::TempDir dir;
  MemoryCollector collector(dir.path());
  const std::string path = dir.path() + "/meminfo";
  struct Case {
    const char* text;
    std::string error;
  };
  const Case cases[] = {
      {"", path + ": meminfo: MemTotal missing"},
      {"MemTotal: 1000 kB\n", path + ": meminfo: MemAvailable missing (needs Linux >= 3.14)"},
      {"MemTotal: 1000\nMemAvailable: 10 kB\n",
       path + ": meminfo: MemTotal has no kB unit: \"MemTotal: 1000\""},
  };
  for (const Case& c : cases) {
    dir.Write("meminfo", c.text);
    Sample sample;
    const Status status = collector.Collect(sample);
    ASSERT_FALSE(status) << c.text;
    EXPECT_EQ(status.error(), c.error);
    EXPECT_FALSE(sample.memory.has_value());
  }
  dir.Write("meminfo", "MemTotal: 1x00 kB\nMemAvailable: 10 kB\n");
  Sample sample;
  const Status status = collector.Collect(sample);
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().starts_with(path + ": meminfo: ")) << status.error();
}

}  // namespace
}  // namespace upkeep
