#include "exporter/filesystem_collector.h"

#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace upkeep {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A fake procfs root: a temp dir holding self/mountinfo.
class FakeProcfs {
 public:
  FakeProcfs() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "upkeep-fs-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(root_.empty()) << "mkdtemp failed";
  }
  ~FakeProcfs() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  const std::string& root() const { return root_; }

  // `pid` "self" (our own mount namespace) or "1" (init's, preferred when readable).
  void WriteMountinfo(const std::string& text, const std::string& pid = "self") const {
    std::filesystem::create_directories(root_ + "/" + pid);
    // Write then rename, like the kernel's table changes: never half a file.
    std::string tmp = root_ + "/" + pid + "/mountinfo.tmp";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, root_ + "/" + pid + "/mountinfo");
  }

 private:
  std::string root_;
};

std::string MountLine(int id, const std::string& device_id, const std::string& mount_point,
                      const std::string& fstype, const std::string& source) {
  return std::to_string(id) + " 1 " + device_id + " / " + mount_point + " rw,relatime shared:1 - " +
         fstype + " " + source + " rw\n";
}

// "/" and "/tmp" exist everywhere; as separate devices so auto selection keeps both.
std::string RootAndTmp() {
  return MountLine(27, "254:0", "/", "ext4", "/dev/vda") +
         MountLine(40, "0:90", "/tmp", "tmpfs", "tmpfs");
}

const FilesystemSample* Find(const Sample& sample, const std::string& mount_point) {
  for (const FilesystemSample& fs : sample.filesystems) {
    if (fs.mount_point == mount_point) return &fs;
  }
  return nullptr;
}

double SecondsSince(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

// A stat function that blocks calls for the paths in `blocked` until Release() (like
// statvfs on a hung NFS mount); other paths go to ::statvfs. Held by shared_ptr and
// captured by value, so a worker that outlives the test body still finds it alive.
class StatGate {
 public:
  explicit StatGate(std::vector<std::string> blocked)
      : blocked_(std::move(blocked)), released_(release_.get_future().share()) {}

  void Release() {
    if (!release_called_.exchange(true)) release_.set_value();
  }
  int blocked_calls() const { return blocked_calls_.load(); }

  static StatFsFunction Function(const std::shared_ptr<StatGate>& gate) {
    return [gate](const char* path, struct statvfs* out) {
      for (const std::string& blocked : gate->blocked_) {
        if (blocked == path) {
          gate->blocked_calls_.fetch_add(1);
          gate->released_.wait();
        }
      }
      return ::statvfs(path, out);
    };
  }

 private:
  const std::vector<std::string> blocked_;
  std::promise<void> release_;
  const std::shared_future<void> released_;
  std::atomic<bool> release_called_{false};
  std::atomic<int> blocked_calls_{0};
};

// Releases the gate when a test ends, even on a failed assertion, so no worker stays
// blocked until the process exits.
struct ReleaseOnExit {
  std::shared_ptr<StatGate> gate;
  ~ReleaseOnExit() {
    if (gate) gate->Release();
  }
};

FilesystemCollectorOptions Options(const FakeProcfs& procfs) {
  FilesystemCollectorOptions options;
  options.procfs = procfs.root();
  options.rootfs = "/";
  options.stat_timeout = milliseconds(2000);
  return options;
}

// Options whose statvfs calls go through `gate`, with `timeout` as the tick's deadline.
FilesystemCollectorOptions GatedOptions(const FakeProcfs& procfs,
                                        const std::shared_ptr<StatGate>& gate,
                                        milliseconds timeout) {
  FilesystemCollectorOptions options = Options(procfs);
  options.stat_timeout = timeout;
  options.stat_fn_for_test = StatGate::Function(gate);
  return options;
}

TEST(FilesystemCollectorTest, ReportsRealStatvfsOfTheSelectedMounts) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(RootAndTmp());
  FilesystemCollector collector(Options(procfs));
  EXPECT_EQ(collector.Name(), "filesystem");

  Sample sample;
  Status status = collector.Collect(sample);
  ASSERT_TRUE(status.ok()) << status.error();
  ASSERT_EQ(sample.filesystems.size(), 2u);

  struct statvfs expected {};
  ASSERT_EQ(::statvfs("/", &expected), 0);
  const uint64_t unit = expected.f_frsize;
  const FilesystemSample& root = sample.filesystems[0];
  EXPECT_EQ(root.mount_point, "/");
  EXPECT_EQ(root.device, "/dev/vda");
  EXPECT_EQ(root.fstype, "ext4");
  EXPECT_FALSE(root.error);
  EXPECT_FALSE(root.stuck);
  EXPECT_EQ(root.size_bytes, expected.f_blocks * unit);
  // Other processes write to the disk meanwhile: free space within 1 GiB.
  constexpr double kTolerance = 1024.0 * 1024 * 1024;
  EXPECT_NEAR(static_cast<double>(root.free_bytes), static_cast<double>(expected.f_bfree * unit),
              kTolerance);
  EXPECT_NEAR(static_cast<double>(root.avail_bytes), static_cast<double>(expected.f_bavail * unit),
              kTolerance);
  EXPECT_LE(root.avail_bytes, root.free_bytes);
  EXPECT_LE(root.free_bytes, root.size_bytes);

  const FilesystemSample& tmp = sample.filesystems[1];
  EXPECT_EQ(tmp.mount_point, "/tmp");
  EXPECT_EQ(tmp.fstype, "tmpfs");
  EXPECT_FALSE(tmp.error);
  EXPECT_GT(tmp.size_bytes, 0u);

  // A second tick (same table, persistent workers) gives the same sizes.
  Sample again;
  ASSERT_TRUE(collector.Collect(again).ok());
  ASSERT_EQ(again.filesystems.size(), 2u);
  EXPECT_EQ(again.filesystems[0].size_bytes, root.size_bytes);
}

TEST(FilesystemCollectorTest, ConfiguredListKeepsItsOrderAndLabels) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(RootAndTmp());
  FilesystemCollectorOptions options = Options(procfs);
  options.select_auto = false;
  options.mount_points = {"/tmp", "/", "/usr"};  // /usr is not a mount point: it is on "/"
  FilesystemCollector collector(std::move(options));

  Sample sample;
  Status status = collector.Collect(sample);
  ASSERT_TRUE(status.ok()) << status.error();
  ASSERT_EQ(sample.filesystems.size(), 3u);
  EXPECT_EQ(sample.filesystems[0].mount_point, "/tmp");
  EXPECT_EQ(sample.filesystems[1].mount_point, "/");
  EXPECT_EQ(sample.filesystems[2].mount_point, "/usr");
  EXPECT_EQ(sample.filesystems[2].device, "/dev/vda");
  // Its sizes are those of the filesystem /usr really lives on.
  struct statvfs usr {};
  ASSERT_EQ(::statvfs("/usr", &usr), 0);
  EXPECT_EQ(sample.filesystems[2].size_bytes, usr.f_blocks * usr.f_frsize);
}

TEST(FilesystemCollectorTest, StatsMountPointsUnderRootfsAndComputesBytes) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(MountLine(27, "254:0", "/", "ext4", "/dev/vda") +
                        MountLine(41, "254:16", "/data", "xfs", "/dev/vdb"));
  auto mu = std::make_shared<std::mutex>();
  auto paths = std::make_shared<std::vector<std::string>>();
  FilesystemCollectorOptions options = Options(procfs);
  options.rootfs = "/host/";
  options.stat_fn_for_test = [mu, paths](const char* path, struct statvfs* out) {
    {
      std::lock_guard lock(*mu);
      paths->push_back(path);
    }
    *out = {};
    if (std::string(path) == "/host") {
      out->f_frsize = 4096;
      out->f_blocks = 1000;
      out->f_bfree = 300;
      out->f_bavail = 200;
    } else {
      out->f_bsize = 512;  // f_frsize left 0: f_bsize is the unit
      out->f_blocks = 10;
      out->f_bfree = 5;
      out->f_bavail = 4;
    }
    return 0;
  };
  FilesystemCollector collector(std::move(options));

  Sample sample;
  ASSERT_TRUE(collector.Collect(sample).ok());
  {
    std::lock_guard lock(*mu);
    std::vector<std::string> sorted = *paths;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<std::string>{"/host", "/host/data"}));
  }
  ASSERT_EQ(sample.filesystems.size(), 2u);
  // Reported under the host's paths, not the rootfs ones.
  EXPECT_EQ(sample.filesystems[0].mount_point, "/");
  EXPECT_EQ(sample.filesystems[0].size_bytes, 1000u * 4096);
  EXPECT_EQ(sample.filesystems[0].free_bytes, 300u * 4096);
  EXPECT_EQ(sample.filesystems[0].avail_bytes, 200u * 4096);
  EXPECT_EQ(sample.filesystems[1].mount_point, "/data");
  EXPECT_EQ(sample.filesystems[1].size_bytes, 10u * 512);
  EXPECT_EQ(sample.filesystems[1].free_bytes, 5u * 512);
  EXPECT_EQ(sample.filesystems[1].avail_bytes, 4u * 512);
}

TEST(FilesystemCollectorTest, PrefersInitsMountTableOverItsOwn) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(MountLine(27, "254:0", "/", "ext4", "/dev/vda"), "self");
  procfs.WriteMountinfo(MountLine(40, "0:90", "/tmp", "tmpfs", "tmpfs"), "1");
  FilesystemCollectorOptions options;
  options.procfs = procfs.root();
  options.select_auto = true;
  FilesystemCollector collector(options);
  Sample sample;
  ASSERT_TRUE(collector.Collect(sample).ok());
  ASSERT_EQ(sample.filesystems.size(), 1u);
  EXPECT_EQ(sample.filesystems[0].mount_point, "/tmp");
}

TEST(FilesystemCollectorTest, MissingMountinfoIsAnErrorWithNoFilesystems) {
  FakeProcfs procfs;  // no self/mountinfo
  FilesystemCollector collector(Options(procfs));
  Sample sample;
  sample.filesystems.push_back({});  // stale values from an earlier tick are cleared
  Status status = collector.Collect(sample);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.error().find("mountinfo"), std::string::npos) << status.error();
  EXPECT_TRUE(sample.filesystems.empty());
}

TEST(FilesystemCollectorTest, MalformedMountinfoIsAnError) {
  FakeProcfs procfs;
  procfs.WriteMountinfo("this is not a mount table\n");
  FilesystemCollector collector(Options(procfs));
  Sample sample;
  EXPECT_FALSE(collector.Collect(sample).ok());
  EXPECT_TRUE(sample.filesystems.empty());

  // Once the table is readable again, the mounts are reported.
  procfs.WriteMountinfo(RootAndTmp());
  Status status = collector.Collect(sample);
  EXPECT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(sample.filesystems.size(), 2u);
}

TEST(FilesystemCollectorTest, FailingStatvfsIsAnErrorButNotStuck) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(RootAndTmp());
  FilesystemCollectorOptions options = Options(procfs);
  options.stat_fn_for_test = [](const char* path, struct statvfs* out) {
    if (std::string(path) == "/tmp") {
      errno = EACCES;
      return -1;
    }
    return ::statvfs(path, out);
  };
  FilesystemCollector collector(std::move(options));

  Sample sample;
  Status status = collector.Collect(sample);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "statvfs /tmp: Permission denied");
  const FilesystemSample* tmp = Find(sample, "/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_TRUE(tmp->error);
  EXPECT_FALSE(tmp->stuck);
  EXPECT_EQ(tmp->size_bytes, 0u);
  const FilesystemSample* root = Find(sample, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_FALSE(root->error);
  EXPECT_GT(root->size_bytes, 0u);
}

TEST(FilesystemCollectorTest, StuckMountIsReportedAndLaterTicksDoNotWaitForIt) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(RootAndTmp());
  auto gate = std::make_shared<StatGate>(std::vector<std::string>{"/tmp"});
  ReleaseOnExit release_on_exit{gate};
  // Long enough that "did not wait for the stuck mount" shows against generous bounds.
  FilesystemCollector collector(GatedOptions(procfs, gate, milliseconds(1000)));

  // Tick 1: /tmp blocks; the tick ends at the deadline with "/" filled in.
  Sample sample;
  auto start = steady_clock::now();
  Status status = collector.Collect(sample);
  EXPECT_LT(SecondsSince(start), 10.0);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "statvfs /tmp: timed out (stuck)");
  const FilesystemSample* tmp = Find(sample, "/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_TRUE(tmp->stuck);
  EXPECT_TRUE(tmp->error);
  EXPECT_EQ(tmp->size_bytes, 0u);
  const FilesystemSample* root = Find(sample, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_FALSE(root->error);
  EXPECT_GT(root->size_bytes, 0u);
  EXPECT_EQ(gate->blocked_calls(), 1);

  // Tick 2: /tmp's worker is still blocked: reported stuck at once, not asked again, and
  // the tick does not wait for it (well under the 1 s timeout).
  start = steady_clock::now();
  status = collector.Collect(sample);
  EXPECT_LT(SecondsSince(start), 0.5);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "statvfs /tmp: timed out (stuck)");
  tmp = Find(sample, "/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_TRUE(tmp->stuck);
  root = Find(sample, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_FALSE(root->error);
  EXPECT_GT(root->size_bytes, 0u);
  EXPECT_EQ(gate->blocked_calls(), 1);

  // The hung call returns: a later tick asks again and the mount is healthy.
  gate->Release();
  bool healthy = false;
  const auto give_up = steady_clock::now() + std::chrono::seconds(10);
  while (!healthy && steady_clock::now() < give_up) {
    status = collector.Collect(sample);
    tmp = Find(sample, "/tmp");
    healthy = status.ok() && tmp != nullptr && !tmp->error && !tmp->stuck;
    if (!healthy) std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_TRUE(healthy) << status.error();
  EXPECT_GT(tmp->size_bytes, 0u);
  EXPECT_EQ(gate->blocked_calls(), 2);  // asked once more after it came back
}

TEST(FilesystemCollectorTest, StuckMountsShareOneDeadline) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(MountLine(27, "254:0", "/", "ext4", "/dev/vda") +
                        MountLine(40, "0:90", "/tmp", "nfs4", "a:/tmp") +
                        MountLine(41, "0:91", "/usr", "nfs4", "a:/usr") +
                        MountLine(42, "0:92", "/var", "nfs4", "a:/var") +
                        MountLine(43, "0:93", "/etc", "nfs4", "a:/etc"));
  auto gate = std::make_shared<StatGate>(std::vector<std::string>{"/tmp", "/usr", "/var", "/etc"});
  ReleaseOnExit release_on_exit{gate};
  FilesystemCollector collector(GatedOptions(procfs, gate, milliseconds(400)));

  // Four hung mounts cost one timeout (~0.4 s), not four (1.6 s).
  Sample sample;
  auto start = steady_clock::now();
  Status status = collector.Collect(sample);
  EXPECT_LT(SecondsSince(start), 1.2);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(),
            "statvfs /tmp: timed out (stuck); statvfs /usr: timed out (stuck); "
            "statvfs /var: timed out (stuck); statvfs /etc: timed out (stuck)");
  ASSERT_EQ(sample.filesystems.size(), 5u);
  EXPECT_FALSE(sample.filesystems[0].error);
  for (size_t i = 1; i < 5; ++i) EXPECT_TRUE(sample.filesystems[i].stuck) << i;
}

// Begin() hands the statvfs calls out at once (they run while the sampler reads the other
// collectors' files), and the deadline counts from there, not from Collect().
TEST(FilesystemCollectorTest, BeginHandsTheCallsOutAndStartsTheDeadline) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(MountLine(27, "254:0", "/", "ext4", "/dev/vda") +
                        MountLine(40, "0:90", "/tmp", "nfs4", "a:/tmp"));
  auto gate = std::make_shared<StatGate>(std::vector<std::string>{"/tmp"});
  ReleaseOnExit release_on_exit{gate};
  FilesystemCollector collector(GatedOptions(procfs, gate, milliseconds(1000)));

  collector.Begin();
  const auto begun = steady_clock::now();
  while (gate->blocked_calls() == 0 && SecondsSince(begun) < 5) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_EQ(gate->blocked_calls(), 1) << "statvfs /tmp was not called before Collect()";
  std::this_thread::sleep_until(begun + milliseconds(700));

  // 300 ms of the deadline are left: Collect() waits for those, not for a whole second.
  Sample sample;
  const auto collect_start = steady_clock::now();
  const Status status = collector.Collect(sample);
  EXPECT_LT(SecondsSince(collect_start), 0.9);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "statvfs /tmp: timed out (stuck)");
  ASSERT_EQ(sample.filesystems.size(), 2u);
  EXPECT_FALSE(sample.filesystems[0].error);
  EXPECT_TRUE(sample.filesystems[1].stuck);
}

TEST(FilesystemCollectorTest, FollowsMountTableChangesAndKeepsStuckStateOfRemainingMounts) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(RootAndTmp());
  auto gate = std::make_shared<StatGate>(std::vector<std::string>{"/tmp"});
  ReleaseOnExit release_on_exit{gate};
  FilesystemCollector collector(GatedOptions(procfs, gate, milliseconds(1000)));

  Sample sample;
  EXPECT_FALSE(collector.Collect(sample).ok());  // /tmp stuck

  // A new mount appears: it is reported, and /tmp (same mount, same blocked worker) is
  // still stuck without being asked again.
  procfs.WriteMountinfo(RootAndTmp() + MountLine(50, "254:16", "/usr", "xfs", "/dev/vdb"));
  Status status = collector.Collect(sample);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "statvfs /tmp: timed out (stuck)");
  ASSERT_EQ(sample.filesystems.size(), 3u);
  EXPECT_EQ(sample.filesystems[2].mount_point, "/usr");
  EXPECT_EQ(sample.filesystems[2].device, "/dev/vdb");
  EXPECT_FALSE(sample.filesystems[2].error);
  EXPECT_TRUE(sample.filesystems[1].stuck);
  EXPECT_EQ(gate->blocked_calls(), 1);

  // The stuck mount goes away (umount -l): no longer reported, its worker is let go.
  procfs.WriteMountinfo(MountLine(27, "254:0", "/", "ext4", "/dev/vda") +
                        MountLine(50, "254:16", "/usr", "xfs", "/dev/vdb"));
  status = collector.Collect(sample);
  EXPECT_TRUE(status.ok()) << status.error();
  ASSERT_EQ(sample.filesystems.size(), 2u);
  EXPECT_EQ(sample.filesystems[0].mount_point, "/");
  EXPECT_EQ(sample.filesystems[1].mount_point, "/usr");

  // Its hung call returns later while the collector keeps running: nothing breaks.
  gate->Release();
  status = collector.Collect(sample);
  EXPECT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(sample.filesystems.size(), 2u);
}

TEST(FilesystemCollectorTest, DestructionDoesNotWaitForABlockedWorker) {
  FakeProcfs procfs;
  procfs.WriteMountinfo(RootAndTmp());
  auto gate = std::make_shared<StatGate>(std::vector<std::string>{"/tmp"});
  ReleaseOnExit release_on_exit{gate};
  std::weak_ptr<StatGate> gate_alive = gate;
  {
    auto collector =
        std::make_unique<FilesystemCollector>(GatedOptions(procfs, gate, milliseconds(100)));
    Sample sample;
    EXPECT_FALSE(collector->Collect(sample).ok());
    ASSERT_NE(Find(sample, "/tmp"), nullptr);
    EXPECT_TRUE(Find(sample, "/tmp")->stuck);

    auto start = steady_clock::now();
    collector.reset();
    EXPECT_LT(SecondsSince(start), 2.0);
  }
  // The detached worker still holds the stat function (and so the gate). Release it: its
  // statvfs returns into state it shares, and it exits. Wait for that, so no thread is left
  // behind and anything it touched after the collector died shows up under the sanitizers.
  gate->Release();
  release_on_exit.gate.reset();
  gate.reset();
  const auto give_up = steady_clock::now() + std::chrono::seconds(10);
  while (!gate_alive.expired() && steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(gate_alive.expired()) << "the detached worker did not finish";
}

}  // namespace
}  // namespace upkeep
