// bench/tick_cost: the helper compare.sh reads the per-tick CPU split from.

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep::bench {
namespace {

std::map<std::string, double> ParseKeyValues(const std::string& text) {
  std::map<std::string, double> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t equals = line.find('=');
    if (equals == std::string::npos) continue;
    values[line.substr(0, equals)] = std::stod(line.substr(equals + 1));
  }
  return values;
}

TEST(TickCostTest, PrintsTheTickSplitAndTheSnapshotSizes) {
  const testing::CommandResult result = testing::RunCommand({TICK_COST_BINARY, "--ticks", "5"});
  ASSERT_EQ(result.exit_status, 0) << result.output;
  std::map<std::string, double> v = ParseKeyValues(result.output);
  for (const char* key : {"ticks", "collect_us", "render_us", "compress_us", "wall_us",
                          "process_cpu_us", "thread_cpu_us", "allocs_per_tick",
                          "alloc_bytes_per_tick", "metrics_bytes", "gzip_bytes", "health_bytes"}) {
    EXPECT_TRUE(v.contains(key)) << key << " missing in:\n" << result.output;
  }
  EXPECT_EQ(v["ticks"], 5);
  EXPECT_GT(v["collect_us"], 0);
  EXPECT_GT(v["render_us"], 0);
  EXPECT_GT(v["compress_us"], 0);
  EXPECT_NEAR(v["wall_us"], v["collect_us"] + v["render_us"] + v["compress_us"], 0.05);
  EXPECT_GT(v["process_cpu_us"], 0);
  // The renderers allocate (prometheus-cpp, nlohmann::json): a zero means the counting
  // operator new is not linked in.
  EXPECT_GT(v["allocs_per_tick"], 0);
  EXPECT_GT(v["gzip_bytes"], 0);
  EXPECT_LT(v["gzip_bytes"], v["metrics_bytes"]);
  EXPECT_GT(v["health_bytes"], 0);
}

TEST(TickCostTest, RejectsBadArguments) {
  EXPECT_EQ(testing::RunCommand({TICK_COST_BINARY, "--ticks"}).exit_status, 2);
  EXPECT_EQ(testing::RunCommand({TICK_COST_BINARY, "--ticks", "0"}).exit_status, 2);
  EXPECT_EQ(testing::RunCommand({TICK_COST_BINARY, "--pause-ms", "x"}).exit_status, 2);
  EXPECT_EQ(testing::RunCommand({TICK_COST_BINARY, "--bogus", "1"}).exit_status, 2);
}

}  // namespace
}  // namespace upkeep::bench
