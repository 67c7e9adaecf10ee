#include "exporter/health_renderer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/version.h"
#include "exporter/sample.h"

namespace upkeep {
namespace {

using nlohmann::json;

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

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

// A sample with every collector answering.
Sample FullSample() {
  Sample sample;
  sample.timestamp_seconds = 1700000000;

  CpuSample cpu;
  cpu.ticks.user = 1000;
  cpu.ticks.idle = 3000;
  cpu.cores = 8;
  cpu.usage_ratio = 0.25;
  sample.cpu = cpu;

  MemInfo mem;
  mem.total_bytes = 3000;
  mem.free_bytes = 500;
  mem.available_bytes = 2000;
  mem.buffers_bytes = 100;
  mem.cached_bytes = 900;
  sample.memory = mem;

  sample.filesystems.push_back(Filesystem("/", "/dev/sda1", "ext4", 1000, 300, 200));
  sample.filesystems.push_back(Filesystem("/data", "/dev/sdb1", "xfs", 4000, 1000, 1000));

  sample.load = LoadAvg{0.5, 0.75, 1.25};
  sample.boot_time_seconds = 1699987655;
  sample.uptime = Uptime{12345, 40000};
  sample.process = ProcessSample{1.5, 4096, 12, 1699999000};

  sample.queue.source = "sqlite";
  sample.queue.probe_success = true;
  sample.queue.stale = false;
  sample.queue.depth = 3;
  sample.queue.active_jobs = 1;
  sample.queue.active_job = {{"id", "job-7"}, {"name", "render shot 12"}};

  sample.collectors.push_back({"cpu", true, 0.001, ""});
  sample.collectors.push_back({"filesystem", false, 2.0, "statvfs /mnt/nfs: timed out"});
  return sample;
}

json Render(const Sample& sample) {
  std::string out;
  RenderHealthJson(sample, out);
  return json::parse(out);  // throws (failing the test) when the body is not JSON
}

TEST(HealthRendererTest, TopLevelShape) {
  const json body = Render(FullSample());
  ASSERT_TRUE(body.is_object());
  for (const char* key : {"cpu", "memory", "disk", "disks", "queue", "uptime", "load", "collectors",
                          "version", "timestamp"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
}

TEST(HealthRendererTest, CpuUsageIsPercent) {
  const json body = Render(FullSample());
  EXPECT_EQ(Keys(body["cpu"]), (std::set<std::string>{"usage", "cores"}));
  ASSERT_TRUE(body["cpu"]["usage"].is_number());
  EXPECT_DOUBLE_EQ(body["cpu"]["usage"].get<double>(), 25.0);
  EXPECT_EQ(body["cpu"]["cores"], 8);
}

TEST(HealthRendererTest, CpuUsageRoundedToTwoDecimals) {
  Sample sample = FullSample();
  sample.cpu->usage_ratio = 0.123456;
  const json body = Render(sample);
  EXPECT_DOUBLE_EQ(body["cpu"]["usage"].get<double>(), 12.35);
}

TEST(HealthRendererTest, CpuUsageNullOnFirstTick) {
  Sample sample = FullSample();
  sample.cpu->usage_ratio.reset();
  const json body = Render(sample);
  EXPECT_TRUE(body["cpu"]["usage"].is_null());
  EXPECT_EQ(body["cpu"]["cores"], 8);
}

TEST(HealthRendererTest, MemoryUsedIsTotalMinusAvailable) {
  const json body = Render(FullSample());
  const json& memory = body["memory"];
  EXPECT_EQ(Keys(memory), (std::set<std::string>{"used", "total", "percentage"}));
  EXPECT_EQ(memory["used"], 1000);  // 3000 - 2000, not total - free
  EXPECT_EQ(memory["total"], 3000);
  EXPECT_DOUBLE_EQ(memory["percentage"].get<double>(), 33.33);
}

TEST(HealthRendererTest, MemoryPercentageRoundsHalfUp) {
  Sample sample = FullSample();
  sample.memory->available_bytes = 1000;  // used 2000 of 3000 = 66.666...%
  const json body = Render(sample);
  EXPECT_EQ(body["memory"]["used"], 2000);
  EXPECT_DOUBLE_EQ(body["memory"]["percentage"].get<double>(), 66.67);
}

TEST(HealthRendererTest, DiskIsFirstFilesystemUsingAvail) {
  const json body = Render(FullSample());
  const json& disk = body["disk"];
  EXPECT_EQ(Keys(disk), (std::set<std::string>{"used", "total", "percentage"}));
  EXPECT_EQ(disk["used"], 800);  // size - avail (1000 - 200), not size - free (700)
  EXPECT_EQ(disk["total"], 1000);
  EXPECT_DOUBLE_EQ(disk["percentage"].get<double>(), 80.0);
}

TEST(HealthRendererTest, DisksListsEveryFilesystem) {
  const json body = Render(FullSample());
  const json& disks = body["disks"];
  ASSERT_TRUE(disks.is_array());
  ASSERT_EQ(disks.size(), 2u);

  const json& root = disks[0];
  for (const char* key : {"used", "total", "percentage", "available", "mountpoint", "device",
                          "fstype", "stuck", "error"}) {
    EXPECT_TRUE(root.contains(key)) << key;
  }
  EXPECT_EQ(root["mountpoint"], "/");
  EXPECT_EQ(root["device"], "/dev/sda1");
  EXPECT_EQ(root["fstype"], "ext4");
  EXPECT_EQ(root["used"], 800);
  EXPECT_EQ(root["total"], 1000);
  EXPECT_DOUBLE_EQ(root["percentage"].get<double>(), 80.0);
  EXPECT_EQ(root["available"], 200);
  EXPECT_EQ(root["stuck"], false);
  EXPECT_EQ(root["error"], false);

  const json& data = disks[1];
  EXPECT_EQ(data["mountpoint"], "/data");
  EXPECT_EQ(data["device"], "/dev/sdb1");
  EXPECT_EQ(data["fstype"], "xfs");
  EXPECT_EQ(data["used"], 3000);
  EXPECT_EQ(data["total"], 4000);
  EXPECT_DOUBLE_EQ(data["percentage"].get<double>(), 75.0);
  EXPECT_EQ(data["available"], 1000);
}

TEST(HealthRendererTest, StuckFilesystemHasNullSizes) {
  Sample sample = FullSample();
  FilesystemSample& nfs =
      sample.filesystems.emplace_back(Filesystem("/mnt/nfs", "server:/export", "nfs4", 0, 0, 0));
  nfs.error = true;
  nfs.stuck = true;
  const json body = Render(sample);
  ASSERT_EQ(body["disks"].size(), 3u);
  const json& disk = body["disks"][2];
  EXPECT_EQ(disk["mountpoint"], "/mnt/nfs");
  EXPECT_EQ(disk["device"], "server:/export");
  EXPECT_EQ(disk["fstype"], "nfs4");
  EXPECT_TRUE(disk["used"].is_null());
  EXPECT_TRUE(disk["total"].is_null());
  EXPECT_TRUE(disk["percentage"].is_null());
  EXPECT_TRUE(disk["available"].is_null());
  EXPECT_EQ(disk["stuck"], true);
  EXPECT_EQ(disk["error"], true);
  // The first filesystem is still fine.
  EXPECT_EQ(body["disk"]["used"], 800);
}

TEST(HealthRendererTest, ErrorFilesystemHasNullSizesEvenIfValuesWereLeftOver) {
  Sample sample = FullSample();
  sample.filesystems[1].error = true;  // statvfs failed; stale numbers must not leak
  const json body = Render(sample);
  const json& disk = body["disks"][1];
  EXPECT_TRUE(disk["used"].is_null());
  EXPECT_TRUE(disk["total"].is_null());
  EXPECT_TRUE(disk["percentage"].is_null());
  EXPECT_TRUE(disk["available"].is_null());
  EXPECT_EQ(disk["stuck"], false);
  EXPECT_EQ(disk["error"], true);
}

TEST(HealthRendererTest, FirstFilesystemFailingNullsDisk) {
  Sample sample = FullSample();
  sample.filesystems[0].error = true;
  sample.filesystems[0].stuck = true;
  const json body = Render(sample);
  EXPECT_TRUE(body["disk"]["used"].is_null());
  EXPECT_TRUE(body["disk"]["total"].is_null());
  EXPECT_TRUE(body["disk"]["percentage"].is_null());
  // Not taken from the next filesystem.
  EXPECT_EQ(body["disks"][1]["used"], 3000);
}

TEST(HealthRendererTest, NoFilesystemsNullsDisk) {
  Sample sample = FullSample();
  sample.filesystems.clear();
  const json body = Render(sample);
  EXPECT_TRUE(body["disk"]["used"].is_null());
  EXPECT_TRUE(body["disk"]["total"].is_null());
  EXPECT_TRUE(body["disk"]["percentage"].is_null());
  ASSERT_TRUE(body["disks"].is_array());
  EXPECT_TRUE(body["disks"].empty());
}

TEST(HealthRendererTest, QueueWithActiveJob) {
  const json body = Render(FullSample());
  const json& queue = body["queue"];
  for (const char* key : {"depth", "activeJob", "source", "stale"}) {
    EXPECT_TRUE(queue.contains(key)) << key;
  }
  EXPECT_EQ(queue["depth"], 3);
  ASSERT_TRUE(queue["activeJob"].is_object());
  EXPECT_EQ(queue["activeJob"]["id"], "job-7");
  EXPECT_EQ(queue["activeJob"]["name"], "render shot 12");
  EXPECT_EQ(queue["source"], "sqlite");
  EXPECT_EQ(queue["stale"], false);
}

TEST(HealthRendererTest, QueueWithoutActiveJob) {
  Sample sample = FullSample();
  sample.queue.active_job = nullptr;
  sample.queue.active_jobs = 0;
  sample.queue.depth = 0;
  const json body = Render(sample);
  EXPECT_EQ(body["queue"]["depth"], 0);
  ASSERT_TRUE(body["queue"].contains("activeJob"));
  EXPECT_TRUE(body["queue"]["activeJob"].is_null());
}

TEST(HealthRendererTest, StaleQueueHasNullDepthAndJob) {
  Sample sample = FullSample();
  sample.queue.stale = true;
  sample.queue.probe_success = false;
  sample.queue.error = "database is locked";
  const json body = Render(sample);
  const json& queue = body["queue"];
  ASSERT_TRUE(queue.contains("depth"));
  ASSERT_TRUE(queue.contains("activeJob"));
  EXPECT_TRUE(queue["depth"].is_null());
  EXPECT_TRUE(queue["activeJob"].is_null());
  EXPECT_EQ(queue["stale"], true);
  EXPECT_EQ(queue["source"], "sqlite");
}

TEST(HealthRendererTest, UptimeLoadVersion) {
  const json body = Render(FullSample());
  ASSERT_TRUE(body["uptime"].is_number());
  EXPECT_DOUBLE_EQ(body["uptime"].get<double>(), 12345.0);
  EXPECT_EQ(Keys(body["load"]), (std::set<std::string>{"load1", "load5", "load15"}));
  EXPECT_DOUBLE_EQ(body["load"]["load1"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(body["load"]["load5"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(body["load"]["load15"].get<double>(), 1.25);
  EXPECT_EQ(body["version"], kVersion);
}

TEST(HealthRendererTest, CollectorsBySuccess) {
  const json body = Render(FullSample());
  const json& collectors = body["collectors"];
  ASSERT_TRUE(collectors.is_object());
  EXPECT_EQ(collectors["cpu"]["success"], true);
  EXPECT_EQ(collectors["filesystem"]["success"], false);
  EXPECT_EQ(collectors["filesystem"]["error"], "statvfs /mnt/nfs: timed out");
}

TEST(HealthRendererTest, TimestampIsRfc3339Utc) {
  Sample sample = FullSample();
  sample.timestamp_seconds = 0;
  EXPECT_EQ(Render(sample)["timestamp"], "1970-01-01T00:00:00Z");
  sample.timestamp_seconds = 1700000000;
  EXPECT_EQ(Render(sample)["timestamp"], "2023-11-14T22:13:20Z");
  sample.timestamp_seconds = 951782400;  // a leap day
  EXPECT_EQ(Render(sample)["timestamp"], "2000-02-29T00:00:00Z");
  sample.timestamp_seconds = 1700000000.75;  // fractions are cut, not rounded up
  EXPECT_EQ(Render(sample)["timestamp"], "2023-11-14T22:13:20Z");
}

TEST(HealthRendererTest, MissingValuesAreNullNotMadeUp) {
  Sample sample = FullSample();
  sample.cpu.reset();
  sample.memory.reset();
  sample.uptime.reset();
  sample.load.reset();
  const json body = Render(sample);

  EXPECT_TRUE(body["cpu"]["usage"].is_null());
  EXPECT_TRUE(body["cpu"]["cores"].is_null());
  EXPECT_EQ(Keys(body["memory"]), (std::set<std::string>{"used", "total", "percentage"}));
  EXPECT_TRUE(body["memory"]["used"].is_null());
  EXPECT_TRUE(body["memory"]["total"].is_null());
  EXPECT_TRUE(body["memory"]["percentage"].is_null());
  ASSERT_TRUE(body.contains("uptime"));
  EXPECT_TRUE(body["uptime"].is_null());
  ASSERT_TRUE(body.contains("load"));
  EXPECT_TRUE(body["load"].is_null());
  // What did answer is still there.
  EXPECT_EQ(body["disk"]["used"], 800);
  EXPECT_EQ(body["queue"]["depth"], 3);
}

TEST(HealthRendererTest, EmptySampleRendersValidJson) {
  const json body = Render(Sample{});
  EXPECT_TRUE(body["cpu"]["usage"].is_null());
  EXPECT_TRUE(body["memory"]["total"].is_null());
  EXPECT_TRUE(body["disk"]["total"].is_null());
  EXPECT_TRUE(body["disks"].empty());
  EXPECT_EQ(body["timestamp"], "1970-01-01T00:00:00Z");
}

TEST(HealthRendererTest, InvalidUtf8MountPointDoesNotThrow) {
  Sample sample = FullSample();
  sample.filesystems[1].mount_point = "/mnt/bad\xff\xfe-name";
  sample.filesystems[1].device = "/dev/\xc3";  // truncated two-byte sequence
  std::string out;
  ASSERT_NO_THROW(RenderHealthJson(sample, out));
  json body;
  ASSERT_NO_THROW(body = json::parse(out));
  const std::string mount = body["disks"][1]["mountpoint"].get<std::string>();
  EXPECT_EQ(mount.rfind("/mnt/bad", 0), 0u) << mount;
  EXPECT_NE(mount.find("\xEF\xBF\xBD"), std::string::npos) << "expected U+FFFD in " << mount;
  EXPECT_NE(mount.find("-name"), std::string::npos) << mount;
  // The rest of the body is intact.
  EXPECT_EQ(body["disks"][1]["used"], 3000);
  EXPECT_EQ(body["disk"]["used"], 800);
}

TEST(HealthRendererTest, InvalidUtf8InActiveJobDoesNotThrow) {
  Sample sample = FullSample();
  sample.queue.active_job = {{"name", "shot\xff"}};
  std::string out;
  ASSERT_NO_THROW(RenderHealthJson(sample, out));
  const json body = json::parse(out);
  EXPECT_TRUE(body["queue"]["activeJob"].is_object());
}

TEST(HealthRendererTest, ReplacesPreviousOutput) {
  std::string out(100000, 'x');
  RenderHealthJson(FullSample(), out);
  EXPECT_EQ(out.front(), '{');
  EXPECT_EQ(out.back(), '}');
  EXPECT_TRUE(json::accept(out));
}

}  // namespace
}  // namespace upkeep
