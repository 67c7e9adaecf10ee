// End-to-end against a fixture procfs tree (node_exporter's pattern): the real binary
// reads tests/fixtures/procfs, /metrics is scraped over HTTP, and the procfs-derived
// series must equal tests/fixtures/golden/procfs_metrics.prom.
//
// After an intended change of output, regenerate the golden file with
//   UPKEEP_UPDATE_GOLDEN=1 build-test/tests/integration_tests --gtest_filter='Golden*'
// and review its diff.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;

const std::string kGoldenPath = std::string(UPKEEP_FIXTURES_DIR) + "/golden/procfs_metrics.prom";

// Series whose values come only from the procfs tree (not from statvfs, this process,
// or timing).
bool IsProcfsDerived(const std::string& line) {
  static const char* const kNames[] = {"upkeep_cpu_seconds_total",
                                       "upkeep_cpu_cores ",
                                       "upkeep_memory_total_bytes",
                                       "upkeep_memory_used_bytes",
                                       "upkeep_memory_available_bytes",
                                       "upkeep_load1 ",
                                       "upkeep_load5 ",
                                       "upkeep_load15 ",
                                       "upkeep_boot_time_seconds",
                                       "upkeep_uptime_seconds"};
  std::string name = line;
  if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) name = line.substr(7);
  for (const char* prefix : kNames) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string ProcfsDerivedLines(const std::string& exposition) {
  std::istringstream in(exposition);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (IsProcfsDerived(line)) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());  // series order within a family is not part of the format
  std::string out;
  for (const std::string& kept : lines) out += kept + "\n";
  return out;
}

std::string ScrapeWhenReady(uint16_t port) {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    const HttpResponse response = Request(port, "GET", "/metrics");
    if (response.status == 200) return response.body;
    std::this_thread::sleep_for(20ms);
  }
  return {};
}

TEST(GoldenFileTest, FixtureProcfsScrapeMatchesGoldenFile) {
  DaemonProcess daemon({"--path.procfs", std::string(UPKEEP_FIXTURES_DIR) + "/procfs"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const std::string scrape = ScrapeWhenReady(daemon.port());
  ASSERT_FALSE(scrape.empty()) << daemon.Log();
  const std::string actual = ProcfsDerivedLines(scrape);

  if (std::getenv("UPKEEP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(kGoldenPath) << actual;
    GTEST_SKIP() << "golden file rewritten: " << kGoldenPath;
  }
  std::ifstream golden_file(kGoldenPath);
  ASSERT_TRUE(golden_file.good()) << "missing " << kGoldenPath;
  std::stringstream golden;
  golden << golden_file.rdbuf();
  EXPECT_EQ(actual, golden.str());

  // The whole fixture scrape is also valid exposition with no lint findings.
  const CommandResult promtool = RunCommand({"promtool", "check", "metrics"}, scrape);
  EXPECT_EQ(promtool.exit_status, 0) << promtool.output;
  EXPECT_EQ(promtool.output, "");
}

TEST(GoldenFileTest, FixtureUsageIsAbsentWhenNoCpuTimePassed) {
  // The fixture's /proc/stat never changes, so no CPU time passes between ticks: the
  // usage ratio is unknown, and absent rather than a made-up 0.
  DaemonProcess daemon(
      {"--path.procfs", std::string(UPKEEP_FIXTURES_DIR) + "/procfs", "--sample.interval", "50ms"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  ASSERT_FALSE(ScrapeWhenReady(daemon.port()).empty());
  // The first snapshot reports the average since boot; from the second tick on there is none.
  // Waits for that tick with a generous deadline (a loaded machine may delay the sampler).
  std::string scrape;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  do {
    std::this_thread::sleep_for(100ms);
    scrape = Request(daemon.port(), "GET", "/metrics").body;
  } while (scrape.find("\nupkeep_cpu_usage_ratio ") != std::string::npos &&
           std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(scrape.find("\nupkeep_cpu_usage_ratio "), std::string::npos);
  EXPECT_NE(scrape.find("upkeep_collector_success{collector=\"cpu\"} 1"), std::string::npos);
}

TEST(GoldenFileTest, MissingProcfsFilesFailTheirCollectorsOnly) {
  TempDir procfs;
  procfs.Write("loadavg", "0.50 0.25 0.10 1/100 4242\n");  // only this one source exists
  DaemonProcess daemon({"--path.procfs", procfs.path()});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const std::string scrape = ScrapeWhenReady(daemon.port());
  EXPECT_NE(scrape.find("\nupkeep_load1 0.5\n"), std::string::npos) << scrape;
  EXPECT_NE(scrape.find("upkeep_collector_success{collector=\"loadavg\"} 1"), std::string::npos);
  EXPECT_NE(scrape.find("upkeep_collector_success{collector=\"cpu\"} 0"), std::string::npos);
  EXPECT_NE(scrape.find("upkeep_collector_success{collector=\"meminfo\"} 0"), std::string::npos);
  EXPECT_EQ(scrape.find("\nupkeep_memory_total_bytes "), std::string::npos);
  EXPECT_NE(scrape.find("\nprocess_open_fds "), std::string::npos);  // the real /proc/self
  EXPECT_NE(daemon.Log().find("collector meminfo failed"), std::string::npos) << daemon.Log();
}

}  // namespace
}  // namespace upkeep::testing
