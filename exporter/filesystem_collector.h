#pragma once

#include <sys/statvfs.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "exporter/collector.h"
#include "exporter/mount_table_reader.h"
#include "exporter/procfs_parsers.h"

namespace upkeep {

// statvfs(3)'s shape: returns 0, or -1 with errno set.
using StatFsFunction = std::function<int(const char* path, struct statvfs* out)>;

struct FilesystemCollectorOptions {
  // The mount table is <procfs>/1/mountinfo, or <procfs>/self/mountinfo where that
  // cannot be read.
  std::string procfs = "/proc";
  // statvfs runs on <rootfs><mount point>: a daemon in a container with the host's / at
  // /host reports the host's filesystems under their host paths.
  std::string rootfs = "/";
  // true: `filesystems: auto` (SelectAutoFilesystems), mount_points is ignored.
  // false: exactly mount_points, in order (SelectConfiguredFilesystems).
  bool select_auto = true;
  std::vector<std::string> mount_points;
  // One deadline for all mounts of a tick: N hung mounts cost one timeout, not N.
  std::chrono::milliseconds stat_timeout{200};
  // Tests only: replaces ::statvfs (to block like a hung NFS mount, or to fail).
  StatFsFunction stat_fn_for_test;
};

// Size, free and available bytes of each selected filesystem.
//
// statvfs on a hung NFS mount blocks uninterruptibly, so it never runs on the sampler
// thread: each mount has its own persistent worker thread, and Collect() waits for the
// answers until one common deadline. A mount that misses it is reported stuck (error), and
// while its worker is still blocked it is not asked again, so later ticks do not wait for
// it at all; once the blocked call returns, the mount is asked normally at the next tick.
// The mount table is re-read only when the kernel signals a change (MountTableReader), and
// re-parsed only when its text changed.
//
// Collect() is called from one thread. Destruction does not wait for blocked workers: they
// are detached, and everything they touch is shared with them, so they finish safely.
class FilesystemCollector : public Collector {
 public:
  explicit FilesystemCollector(FilesystemCollectorOptions options);
  ~FilesystemCollector() override;
  FilesystemCollector(const FilesystemCollector&) = delete;
  FilesystemCollector& operator=(const FilesystemCollector&) = delete;

  std::string_view Name() const override { return "filesystem"; }
  // Reads the mount table (when it changed) and hands this tick's statvfs calls to the
  // workers; the deadline starts here.
  void Begin() override;
  // Waits for the answers until the deadline and reports them. Calls Begin() first if the
  // sampler did not.
  Status Collect(Sample& sample) override;

 private:
  struct Hub;     // shared with the workers: the mutex and the "answered" signal
  struct Worker;  // shared with one worker thread: its request/answer slots

  struct Mount {
    MountInfo info;                  // mount_point as on the host
    std::string stat_path;           // rootfs + mount point
    std::shared_ptr<Worker> worker;  // null if its thread could not be started
    std::thread thread;
    // This tick's outcome, copied out of the worker under the lock.
    bool posted = false;
    bool answered = false;
    int rc = 0;
    int error_number = 0;
    struct statvfs result {};
  };

  Status Reselect();
  // Stops the workers of `mounts`: joins the idle ones, detaches the blocked ones.
  void Retire(std::vector<Mount>& mounts);
  void StartWorker(Mount& mount);
  std::string StatPath(const std::string& mount_point) const;

  MountTableReader mount_table_;  // <procfs>/1/mountinfo, else <procfs>/self/mountinfo
  std::string rootfs_;            // without a trailing '/': "" for "/"
  const bool select_auto_;
  const std::vector<std::string> configured_;
  const std::chrono::milliseconds stat_timeout_;
  const StatFsFunction stat_fn_;
  const std::shared_ptr<Hub> hub_;

  std::string text_;           // the last mountinfo read
  std::string previous_text_;  // the text mounts_ was selected from
  bool have_table_ = false;
  Status table_status_ = OkStatus();  // the last Reselect()'s outcome
  bool begun_ = false;                // Begin() ran for the coming Collect()
  Status begin_status_ = OkStatus();
  std::chrono::steady_clock::time_point deadline_;
  std::vector<Mount> mounts_;
};

}  // namespace upkeep
