// The factory of host collectors: which ones, in which order, and that the options reach them
// (checked by letting each collect from the fixture /proc tree).

#include "exporter/host_collectors.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

const std::string kFixtureProcfs = std::string(UPKEEP_FIXTURES_DIR) + "/procfs";

std::vector<std::string> Names(const std::vector<std::unique_ptr<Collector>>& collectors) {
  std::vector<std::string> names;
  for (const auto& collector : collectors) names.emplace_back(collector->Name());
  return names;
}

// One tick as the sampler runs it: every Begin() first, then every Collect(). Returns each
// collector's error ("" on success), by name.
std::map<std::string, std::string> Tick(std::vector<std::unique_ptr<Collector>>& collectors,
                                        Sample& sample) {
  for (auto& collector : collectors) collector->Begin();
  std::map<std::string, std::string> errors;
  for (auto& collector : collectors) {
    const Status status = collector->Collect(sample);
    errors[std::string(collector->Name())] = status ? "" : status.error();
  }
  return errors;
}

TEST(HostCollectorsTest, EveryCollectorOnceFilesystemLast) {
  // The filesystem collector comes last so that its statvfs calls, started in Begin(), run
  // while the others read their files.
  EXPECT_EQ(
      Names(MakeHostCollectors(HostCollectorOptions{})),
      (std::vector<std::string>{"cpu", "meminfo", "loadavg", "uptime", "process", "filesystem"}));
}

TEST(HostCollectorsTest, AllCollectFromTheFixtureTree) {
  HostCollectorOptions options;
  options.procfs = kFixtureProcfs;
  options.stat_timeout = 5s;  // the real "/": never stuck, but this machine is busy
  auto collectors = MakeHostCollectors(options);
  Sample sample;
  const auto errors = Tick(collectors, sample);
  for (const auto& [name, error] : errors) EXPECT_EQ(error, "") << name;
  EXPECT_EQ(errors.size(), 6u);

  ASSERT_TRUE(sample.cpu.has_value());
  EXPECT_EQ(sample.cpu->cores, 4);
  EXPECT_EQ(sample.cpu->ticks.user, 4756100u);
  EXPECT_EQ(sample.cpu->ticks_per_second, static_cast<double>(sysconf(_SC_CLK_TCK)));
  ASSERT_TRUE(sample.memory.has_value());
  EXPECT_EQ(sample.memory->total_bytes, 16369420ull * 1024);
  ASSERT_TRUE(sample.load.has_value());
  EXPECT_DOUBLE_EQ(sample.load->load1, 1.27);
  EXPECT_DOUBLE_EQ(sample.load->load15, 0.81);
  ASSERT_TRUE(sample.uptime.has_value());
  EXPECT_DOUBLE_EQ(sample.uptime->uptime_seconds, 305412.87);
  // The process collector reads this process, not the fixture: real values.
  ASSERT_TRUE(sample.process.has_value());
  EXPECT_GT(sample.process->resident_bytes, 0u);
  EXPECT_GT(sample.process->open_fds, 0u);
  // The default selection is "/", found in the fixture's mount table and stat'ed for real.
  ASSERT_EQ(sample.filesystems.size(), 1u);
  EXPECT_EQ(sample.filesystems[0].mount_point, "/");
  EXPECT_EQ(sample.filesystems[0].device, "/dev/vda1");
  EXPECT_EQ(sample.filesystems[0].fstype, "ext4");
  EXPECT_FALSE(sample.filesystems[0].error);
  EXPECT_GT(sample.filesystems[0].size_bytes, 0u);
}

TEST(HostCollectorsTest, RootfsAndMountPointsReachTheFilesystemCollector) {
  const testing::TempDir rootfs;
  ASSERT_EQ(::mkdir((rootfs.path() + "/boot").c_str(), 0755), 0);
  HostCollectorOptions options;
  options.procfs = kFixtureProcfs;
  options.rootfs = rootfs.path();
  options.filesystems = {"/boot", "/home"};  // /home is not under the rootfs: statvfs fails
  options.stat_timeout = 5s;
  auto collectors = MakeHostCollectors(options);
  Sample sample;
  const auto errors = Tick(collectors, sample);
  ASSERT_EQ(sample.filesystems.size(), 2u);
  EXPECT_EQ(sample.filesystems[0].mount_point, "/boot");
  EXPECT_EQ(sample.filesystems[0].device, "/dev/vda2");
  EXPECT_FALSE(sample.filesystems[0].error);
  EXPECT_GT(sample.filesystems[0].size_bytes, 0u);
  EXPECT_EQ(sample.filesystems[1].mount_point, "/home");
  EXPECT_EQ(sample.filesystems[1].fstype, "xfs");
  EXPECT_TRUE(sample.filesystems[1].error);
  EXPECT_NE(errors.at("filesystem").find("/home"), std::string::npos) << errors.at("filesystem");
  EXPECT_EQ(errors.at("filesystem").find("/boot"), std::string::npos) << errors.at("filesystem");
}

TEST(HostCollectorsTest, TheProcfsOptionReachesTheProcfsReaders) {
  const testing::TempDir empty;
  HostCollectorOptions options;
  options.procfs = empty.path() + "/missing";
  auto collectors = MakeHostCollectors(options);
  Sample sample;
  const auto errors = Tick(collectors, sample);
  // Each reader of the host's /proc names the path it was given.
  for (const char* name : {"cpu", "meminfo", "loadavg", "uptime", "filesystem"}) {
    EXPECT_NE(errors.at(name).find(options.procfs), std::string::npos)
        << name << ": " << errors.at(name);
  }
  EXPECT_FALSE(sample.cpu.has_value());
  EXPECT_FALSE(sample.memory.has_value());
  EXPECT_FALSE(sample.load.has_value());
  EXPECT_FALSE(sample.uptime.has_value());
  // The daemon's own figures come from its own /proc whatever the host's is.
  EXPECT_EQ(errors.at("process"), "");
  EXPECT_TRUE(sample.process.has_value());
}

}  // namespace
}  // namespace upkeep
