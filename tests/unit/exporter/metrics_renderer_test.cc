#include "exporter/metrics_renderer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/version.h"
#include "exporter/sample.h"

namespace upkeep {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

bool HasLine(const std::string& text, const std::string& wanted) {
  for (const std::string& line : Lines(text)) {
    if (line == wanted) return true;
  }
  return false;
}

// True when the exposition has a sample line (not HELP/TYPE) for `name`, with any labels.
bool HasSeries(const std::string& text, const std::string& name) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(name + " ", 0) == 0 || line.rfind(name + "{", 0) == 0) return true;
  }
  return false;
}

// True when some sample line of `name` carries `label` (e.g. mountpoint="/data").
bool HasSeriesWithLabel(const std::string& text, const std::string& name,
                        const std::string& label) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(name + "{", 0) == 0 && line.find(label) != std::string::npos) return true;
  }
  return false;
}

#define EXPECT_LINE(text, line) \
  EXPECT_TRUE(HasLine(text, line)) << "missing: " << (line) << "\n--- in ---\n" << (text)

FilesystemSample Filesystem(std::string mount_point, std::string device, std::string fstype,
                            uint64_t size, uint64_t free, uint64_t avail) {
  FilesystemSample fs;
  fs.mount_point = std::move(mount_point);
  fs.device = std::move(device);
  fs.fstype = std::move(fstype);
  fs.size_bytes = size;
  fs.free_bytes = free;
  fs.avail_bytes = avail;
  return fs;
}

Sample FullSample() {
  Sample sample;
  sample.timestamp_seconds = 1700000000;

  CpuSample cpu;
  cpu.ticks.user = 1250;
  cpu.ticks.nice = 10;
  cpu.ticks.system = 300;
  cpu.ticks.idle = 5000;
  cpu.ticks.iowait = 25;
  cpu.ticks.irq = 1;
  cpu.ticks.softirq = 2;
  cpu.ticks.steal = 0;
  cpu.ticks_per_second = 100;
  cpu.cores = 4;
  cpu.usage_ratio = 0.25;
  sample.cpu = cpu;

  MemInfo mem;
  mem.total_bytes = 8000000;
  mem.free_bytes = 1000000;
  mem.available_bytes = 6000000;
  sample.memory = mem;

  sample.filesystems.push_back(Filesystem("/", "/dev/sda1", "ext4", 1000000, 300000, 200000));
  sample.filesystems.push_back(Filesystem("/data", "/dev/sdb1", "xfs", 4000000, 1000000, 900000));

  sample.load = LoadAvg{0.5, 0.75, 1.25};
  sample.boot_time_seconds = 1699987655;
  sample.uptime = Uptime{12345, 40000};
  sample.process = ProcessSample{1.5, 4096, 12, 1699999000};

  sample.queue.source = "sqlite";
  sample.queue.probe_success = true;
  sample.queue.probe_duration_seconds = 0.5;
  sample.queue.last_success_timestamp_seconds = 1699999999;
  sample.queue.depth = 3;
  sample.queue.active_jobs = 1;

  sample.collectors.push_back({"cpu", true, 0.25, ""});
  sample.collectors.push_back({"memory", true, 0.5, ""});
  sample.collectors.push_back({"filesystem", false, 2, "statvfs /mnt/nfs: timed out"});
  return sample;
}

std::string Render(MetricsRenderer& renderer, const Sample& sample) {
  std::string out;
  renderer.Render(sample, out);
  return out;
}

struct CommandResult {
  int exit_status = -1;
  std::string output;
};

// Runs `promtool check metrics` on `text`; its stdout and stderr together.
CommandResult PromtoolCheck(const std::string& text) {
  char path[] = "/tmp/upkeep_metrics_renderer_test_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  if (fd < 0) return {};
  close(fd);
  {
    std::ofstream file(path, std::ios::binary);
    file << text;
  }
  const std::string command = "/usr/bin/promtool check metrics < " + std::string(path) + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe != nullptr) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    const int status = pclose(pipe);
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  unlink(path);
  return result;
}

TEST(MetricsRendererTest, CpuSecondsFromTicks) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  EXPECT_LINE(text, "# TYPE upkeep_cpu_seconds_total counter");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"user\"} 12.5");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"nice\"} 0.1");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"system\"} 3");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"idle\"} 50");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"iowait\"} 0.25");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"irq\"} 0.01");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"softirq\"} 0.02");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"steal\"} 0");
  EXPECT_LINE(text, "upkeep_cpu_usage_ratio 0.25");
  EXPECT_LINE(text, "upkeep_cpu_cores 4");
}

TEST(MetricsRendererTest, CpuSecondsHonourTicksPerSecond) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.cpu->ticks_per_second = 250;
  sample.cpu->ticks.user = 1000;
  const std::string text = Render(renderer, sample);
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"user\"} 4");
}

TEST(MetricsRendererTest, MemoryLines) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  EXPECT_LINE(text, "# TYPE upkeep_memory_total_bytes gauge");
  EXPECT_LINE(text, "upkeep_memory_total_bytes 8000000");
  EXPECT_LINE(text, "upkeep_memory_available_bytes 6000000");
  EXPECT_LINE(text, "upkeep_memory_used_bytes 2000000");  // total - available
}

TEST(MetricsRendererTest, FilesystemLinesWithSortedLabels) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  const std::string root = R"({device="/dev/sda1",fstype="ext4",mountpoint="/"})";
  const std::string data = R"({device="/dev/sdb1",fstype="xfs",mountpoint="/data"})";
  EXPECT_LINE(text, "# TYPE upkeep_filesystem_size_bytes gauge");
  EXPECT_LINE(text, "upkeep_filesystem_size_bytes" + root + " 1000000");
  EXPECT_LINE(text, "upkeep_filesystem_free_bytes" + root + " 300000");
  EXPECT_LINE(text, "upkeep_filesystem_avail_bytes" + root + " 200000");
  EXPECT_LINE(text, "upkeep_filesystem_device_error" + root + " 0");
  EXPECT_LINE(text, "upkeep_filesystem_stuck" + root + " 0");
  EXPECT_LINE(text, "upkeep_filesystem_size_bytes" + data + " 4000000");
  EXPECT_LINE(text, "upkeep_filesystem_free_bytes" + data + " 1000000");
  EXPECT_LINE(text, "upkeep_filesystem_avail_bytes" + data + " 900000");
}

TEST(MetricsRendererTest, LoadUptimeProcessQueueLines) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  EXPECT_LINE(text, "upkeep_load1 0.5");
  EXPECT_LINE(text, "upkeep_load5 0.75");
  EXPECT_LINE(text, "upkeep_load15 1.25");
  EXPECT_LINE(text, "upkeep_boot_time_seconds 1699987655");
  EXPECT_LINE(text, "upkeep_uptime_seconds 12345");
  EXPECT_LINE(text, "# TYPE process_cpu_seconds_total counter");
  EXPECT_LINE(text, "process_cpu_seconds_total 1.5");
  EXPECT_LINE(text, "process_resident_memory_bytes 4096");
  EXPECT_LINE(text, "process_open_fds 12");
  EXPECT_LINE(text, "process_start_time_seconds 1699999000");
  EXPECT_LINE(text, "upkeep_queue_depth 3");
  EXPECT_LINE(text, "upkeep_queue_active_jobs 1");
  EXPECT_LINE(text, "upkeep_queue_probe_success 1");
  EXPECT_LINE(text, "upkeep_queue_probe_duration_seconds 0.5");
  EXPECT_LINE(text, "upkeep_queue_last_success_timestamp_seconds 1699999999");
}

TEST(MetricsRendererTest, CollectorLines) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  EXPECT_LINE(text, "# TYPE upkeep_collector_success gauge");
  EXPECT_LINE(text, "upkeep_collector_success{collector=\"cpu\"} 1");
  EXPECT_LINE(text, "upkeep_collector_success{collector=\"memory\"} 1");
  EXPECT_LINE(text, "upkeep_collector_success{collector=\"filesystem\"} 0");
  EXPECT_LINE(text, "upkeep_collector_duration_seconds{collector=\"cpu\"} 0.25");
  EXPECT_LINE(text, "upkeep_collector_duration_seconds{collector=\"memory\"} 0.5");
  EXPECT_LINE(text, "upkeep_collector_duration_seconds{collector=\"filesystem\"} 2");
}

TEST(MetricsRendererTest, BuildInfo) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  EXPECT_LINE(text, "# TYPE upkeep_build_info gauge");
  EXPECT_LINE(text, std::string("upkeep_build_info{revision=\"") + kRevision + "\",version=\"" +
                        kVersion + "\"} 1");
}

TEST(MetricsRendererTest, BuildInfoPresentEvenForEmptySample) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, Sample{});
  EXPECT_TRUE(HasSeries(text, "upkeep_build_info")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_cpu_seconds_total")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_memory_total_bytes")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_filesystem_size_bytes")) << text;
}

TEST(MetricsRendererTest, FailedCollectorSeriesDisappearOthersRemain) {
  MetricsRenderer renderer;
  const std::string first = Render(renderer, FullSample());
  ASSERT_TRUE(HasSeries(first, "upkeep_memory_total_bytes"));

  Sample second = FullSample();
  second.memory = std::nullopt;
  second.collectors[1] = {"memory", false, 0.1, "read /proc/meminfo: EIO"};
  const std::string text = Render(renderer, second);
  EXPECT_FALSE(HasSeries(text, "upkeep_memory_total_bytes")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_memory_used_bytes")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_memory_available_bytes")) << text;
  EXPECT_LINE(text, "upkeep_collector_success{collector=\"memory\"} 0");
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"user\"} 12.5");
  EXPECT_LINE(text, "upkeep_load1 0.5");
  EXPECT_LINE(
      text,
      R"(upkeep_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1000000)");

  // It comes back when the collector recovers.
  const std::string third = Render(renderer, FullSample());
  EXPECT_LINE(third, "upkeep_memory_total_bytes 8000000");
}

TEST(MetricsRendererTest, FailedCpuCollectorRemovesEveryMode) {
  MetricsRenderer renderer;
  Render(renderer, FullSample());
  Sample second = FullSample();
  second.cpu = std::nullopt;
  const std::string text = Render(renderer, second);
  EXPECT_FALSE(HasSeries(text, "upkeep_cpu_seconds_total")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_cpu_usage_ratio")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_cpu_cores")) << text;
  EXPECT_LINE(text, "upkeep_memory_total_bytes 8000000");
}

TEST(MetricsRendererTest, FirstTickHasNoUsageRatioButHasCounters) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.cpu->usage_ratio.reset();
  const std::string text = Render(renderer, sample);
  EXPECT_FALSE(HasSeries(text, "upkeep_cpu_usage_ratio")) << text;
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"user\"} 12.5");
}

TEST(MetricsRendererTest, UnmountedFilesystemLosesItsSeries) {
  MetricsRenderer renderer;
  const std::string first = Render(renderer, FullSample());
  ASSERT_TRUE(HasSeriesWithLabel(first, "upkeep_filesystem_size_bytes", "mountpoint=\"/data\""));

  Sample second = FullSample();
  second.filesystems.pop_back();  // /data unmounted
  const std::string text = Render(renderer, second);
  for (const char* name : {"upkeep_filesystem_size_bytes", "upkeep_filesystem_free_bytes",
                           "upkeep_filesystem_avail_bytes", "upkeep_filesystem_device_error",
                           "upkeep_filesystem_stuck"}) {
    EXPECT_FALSE(HasSeriesWithLabel(text, name, "mountpoint=\"/data\"")) << name << "\n" << text;
    EXPECT_TRUE(HasSeriesWithLabel(text, name, "mountpoint=\"/\"")) << name << "\n" << text;
  }

  // Mounted again: back with its current values.
  Sample third = FullSample();
  third.filesystems[1].avail_bytes = 800000;
  const std::string again = Render(renderer, third);
  EXPECT_LINE(again,
              "upkeep_filesystem_avail_bytes"
              R"({device="/dev/sdb1",fstype="xfs",mountpoint="/data"} 800000)");
}

TEST(MetricsRendererTest, StuckFilesystemKeepsFlagsButNoSizes) {
  MetricsRenderer renderer;
  Render(renderer, FullSample());  // /data was fine on the previous tick

  Sample second = FullSample();
  second.filesystems[1].error = true;
  second.filesystems[1].stuck = true;
  second.filesystems[1].size_bytes = 0;
  second.filesystems[1].free_bytes = 0;
  second.filesystems[1].avail_bytes = 0;
  const std::string text = Render(renderer, second);
  const std::string data = R"({device="/dev/sdb1",fstype="xfs",mountpoint="/data"})";
  EXPECT_LINE(text, "upkeep_filesystem_stuck" + data + " 1");
  EXPECT_LINE(text, "upkeep_filesystem_device_error" + data + " 1");
  for (const char* name : {"upkeep_filesystem_size_bytes", "upkeep_filesystem_free_bytes",
                           "upkeep_filesystem_avail_bytes"}) {
    EXPECT_FALSE(HasSeriesWithLabel(text, name, "mountpoint=\"/data\"")) << name << "\n" << text;
    EXPECT_TRUE(HasSeriesWithLabel(text, name, "mountpoint=\"/\"")) << name << "\n" << text;
  }

  // It answers again: sizes are back and the flags drop to 0.
  const std::string third = Render(renderer, FullSample());
  EXPECT_LINE(third, "upkeep_filesystem_stuck" + data + " 0");
  EXPECT_LINE(third, "upkeep_filesystem_device_error" + data + " 0");
  EXPECT_LINE(third, "upkeep_filesystem_size_bytes" + data + " 4000000");
}

TEST(MetricsRendererTest, StuckFilesystemOnFirstTick) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.filesystems[0].error = true;
  sample.filesystems[0].stuck = true;
  const std::string text = Render(renderer, sample);
  const std::string root = R"({device="/dev/sda1",fstype="ext4",mountpoint="/"})";
  EXPECT_LINE(text, "upkeep_filesystem_stuck" + root + " 1");
  EXPECT_LINE(text, "upkeep_filesystem_device_error" + root + " 1");
  EXPECT_FALSE(HasLine(text, "upkeep_filesystem_size_bytes" + root + " 1000000")) << text;
  EXPECT_FALSE(HasSeriesWithLabel(text, "upkeep_filesystem_size_bytes", "mountpoint=\"/\""))
      << text;
}

TEST(MetricsRendererTest, FilesystemErrorWithoutStuck) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.filesystems[1].error = true;
  const std::string text = Render(renderer, sample);
  const std::string data = R"({device="/dev/sdb1",fstype="xfs",mountpoint="/data"})";
  EXPECT_LINE(text, "upkeep_filesystem_stuck" + data + " 0");
  EXPECT_LINE(text, "upkeep_filesystem_device_error" + data + " 1");
  EXPECT_FALSE(HasSeriesWithLabel(text, "upkeep_filesystem_avail_bytes", "mountpoint=\"/data\""))
      << text;
}

TEST(MetricsRendererTest, CpuCountersIncreaseAcrossRenders) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.cpu->ticks.user = 100;
  EXPECT_LINE(Render(renderer, sample), "upkeep_cpu_seconds_total{mode=\"user\"} 1");
  sample.cpu->ticks.user = 150;
  EXPECT_LINE(Render(renderer, sample), "upkeep_cpu_seconds_total{mode=\"user\"} 1.5");
  sample.cpu->ticks.user = 150;  // unchanged stays put
  EXPECT_LINE(Render(renderer, sample), "upkeep_cpu_seconds_total{mode=\"user\"} 1.5");
}

TEST(MetricsRendererTest, CounterGoingBackwardsResetsToNewValue) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.cpu->ticks.user = 150;
  EXPECT_LINE(Render(renderer, sample), "upkeep_cpu_seconds_total{mode=\"user\"} 1.5");
  sample.cpu->ticks.user = 100;
  const std::string text = Render(renderer, sample);
  EXPECT_LINE(text, "upkeep_cpu_seconds_total{mode=\"user\"} 1");
  EXPECT_FALSE(HasLine(text, "upkeep_cpu_seconds_total{mode=\"user\"} 1.5")) << text;
  sample.cpu->ticks.user = 120;
  EXPECT_LINE(Render(renderer, sample), "upkeep_cpu_seconds_total{mode=\"user\"} 1.2");
}

TEST(MetricsRendererTest, ProcessCpuCounterFollowsValue) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.process->cpu_seconds = 2;
  EXPECT_LINE(Render(renderer, sample), "process_cpu_seconds_total 2");
  sample.process->cpu_seconds = 3.5;
  EXPECT_LINE(Render(renderer, sample), "process_cpu_seconds_total 3.5");
}

TEST(MetricsRendererTest, StaleQueueHasNoDepth) {
  MetricsRenderer renderer;
  ASSERT_TRUE(HasSeries(Render(renderer, FullSample()), "upkeep_queue_depth"));

  Sample second = FullSample();
  second.queue.stale = true;
  second.queue.probe_success = false;
  second.queue.error = "database is locked";
  const std::string text = Render(renderer, second);
  EXPECT_FALSE(HasSeries(text, "upkeep_queue_depth")) << text;
  EXPECT_FALSE(HasSeries(text, "upkeep_queue_active_jobs")) << text;
  EXPECT_LINE(text, "upkeep_queue_probe_success 0");
  EXPECT_LINE(text, "upkeep_queue_last_success_timestamp_seconds 1699999999");
}

TEST(MetricsRendererTest, QueueNeverSucceededHasNoLastSuccessTimestamp) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.queue.last_success_timestamp_seconds = 0;
  const std::string text = Render(renderer, sample);
  EXPECT_FALSE(HasSeries(text, "upkeep_queue_last_success_timestamp_seconds")) << text;
}

TEST(MetricsRendererTest, ReplacesPreviousOutput) {
  MetricsRenderer renderer;
  std::string out = "garbage that must go\n";
  renderer.Render(FullSample(), out);
  EXPECT_EQ(out.find("garbage"), std::string::npos);
  EXPECT_EQ(out.rfind("# HELP ", 0), 0u) << out.substr(0, 200);
}

TEST(MetricsRendererTest, LabelValuesAreEscaped) {
  MetricsRenderer renderer;
  Sample sample = FullSample();
  sample.filesystems[1].mount_point = "/mnt/a \"quoted\" \\ path";
  const std::string text = Render(renderer, sample);
  EXPECT_LINE(text,
              "upkeep_filesystem_size_bytes"
              R"({device="/dev/sdb1",fstype="xfs",mountpoint="/mnt/a \"quoted\" \\ path"})"
              " 4000000");
  const CommandResult check = PromtoolCheck(text);
  EXPECT_EQ(check.exit_status, 0) << check.output;
}

// The check below would pass vacuously if promtool were not run: make sure it does object.
TEST(MetricsRendererTest, PromtoolHelperReportsLintFindings) {
  const CommandResult lint = PromtoolCheck("# HELP foo x\n# TYPE foo counter\nfoo 1\n");
  EXPECT_NE(lint.exit_status, 0);
  EXPECT_NE(lint.output.find("_total"), std::string::npos) << lint.output;
  const CommandResult broken = PromtoolCheck("foo{ 1\n");
  EXPECT_NE(broken.exit_status, 0);
  EXPECT_FALSE(broken.output.empty());
}

TEST(MetricsRendererTest, PromtoolAcceptsFullOutput) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, FullSample());
  const CommandResult check = PromtoolCheck(text);
  EXPECT_EQ(check.exit_status, 0) << check.output << "\n--- metrics ---\n" << text;
  EXPECT_EQ(check.output, "") << "\n--- metrics ---\n" << text;
}

TEST(MetricsRendererTest, PromtoolAcceptsOutputAfterFailuresAndRemovals) {
  MetricsRenderer renderer;
  Render(renderer, FullSample());
  Sample second = FullSample();
  second.memory = std::nullopt;
  second.cpu = std::nullopt;
  second.filesystems.pop_back();
  second.filesystems[0].error = true;
  second.filesystems[0].stuck = true;
  second.queue.stale = true;
  const std::string text = Render(renderer, second);
  const CommandResult check = PromtoolCheck(text);
  EXPECT_EQ(check.exit_status, 0) << check.output << "\n--- metrics ---\n" << text;
  EXPECT_EQ(check.output, "") << "\n--- metrics ---\n" << text;
}

TEST(MetricsRendererTest, PromtoolAcceptsEmptySample) {
  MetricsRenderer renderer;
  const std::string text = Render(renderer, Sample{});
  const CommandResult check = PromtoolCheck(text);
  EXPECT_EQ(check.exit_status, 0) << check.output << "\n--- metrics ---\n" << text;
  EXPECT_EQ(check.output, "") << "\n--- metrics ---\n" << text;
}

}  // namespace
}  // namespace upkeep
