#include "exporter/filesystem_collector.h"

#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <utility>

#include "common/file_reader.h"
#include "exporter/filesystem_selection.h"

namespace upkeep {

// One mutex for the collector and all its workers: each holds it only to post or to
// record an answer, never across a statvfs.
struct FilesystemCollector::Hub {
  std::mutex mu;
  std::condition_variable answered;  // a worker recorded an answer
};

// A request is pending (or being served) while asked != answered: the collector bumps
// `asked`, the worker copies it, calls statvfs and stores it into `answered` with the result.
// Shared by the collector and the thread, so a thread blocked past the collector's
// lifetime still finds its state (and the Hub) alive when its statvfs finally returns.
struct FilesystemCollector::Worker {
  Worker(std::shared_ptr<Hub> hub_in, std::string path_in, StatFsFunction stat_fn_in)
      : hub(std::move(hub_in)), path(std::move(path_in)), stat_fn(std::move(stat_fn_in)) {}

  const std::shared_ptr<Hub> hub;
  const std::string path;
  const StatFsFunction stat_fn;
  std::condition_variable wake;  // waits on hub->mu

  // Guarded by hub->mu.
  uint64_t asked = 0;
  uint64_t answered = 0;
  bool stop = false;
  int rc = 0;
  int error_number = 0;
  struct statvfs result {};

  bool Busy() const { return asked != answered; }

  static void Run(const std::shared_ptr<Worker>& self) {
    Worker& w = *self;
    std::unique_lock lock(w.hub->mu);
    for (;;) {
      w.wake.wait(lock, [&w] { return w.stop || w.Busy(); });
      if (w.stop) return;
      const uint64_t ticket = w.asked;
      lock.unlock();
      struct statvfs out {};
      const int rc = w.stat_fn(w.path.c_str(), &out);
      const int error_number = rc == 0 ? 0 : errno;
      lock.lock();
      w.rc = rc;
      w.error_number = error_number;
      w.result = out;
      w.answered = ticket;
      w.hub->answered.notify_all();
    }
  }
};

namespace {

bool SameMount(const MountInfo& a, const MountInfo& b) {
  return a.mount_point == b.mount_point && a.device_id == b.device_id && a.source == b.source &&
         a.fstype == b.fstype;
}

void AppendError(std::string& errors, const std::string& mount_point, const char* what) {
  if (!errors.empty()) errors += "; ";
  errors += "statvfs ";
  errors += mount_point;
  errors += ": ";
  errors += what;
}

}  // namespace

FilesystemCollector::FilesystemCollector(FilesystemCollectorOptions options)
    : mount_table_(options.procfs + "/1/mountinfo", options.procfs + "/self/mountinfo"),
      rootfs_(options.rootfs),
      select_auto_(options.select_auto),
      configured_(std::move(options.mount_points)),
      stat_timeout_(options.stat_timeout),
      stat_fn_(options.stat_fn_for_test ? std::move(options.stat_fn_for_test)
                                        : StatFsFunction(&::statvfs)),
      hub_(std::make_shared<Hub>()) {
  while (!rootfs_.empty() && rootfs_.back() == '/') rootfs_.pop_back();
}

FilesystemCollector::~FilesystemCollector() { Retire(mounts_); }

void FilesystemCollector::Retire(std::vector<Mount>& mounts) {
  // Stop every worker first, so idle ones exit in parallel, then join the idle ones and
  // detach the blocked ones: they exit on their own once their statvfs returns.
  std::vector<char> busy(mounts.size(), 0);
  {
    std::lock_guard lock(hub_->mu);
    for (size_t i = 0; i < mounts.size(); ++i) {
      if (!mounts[i].worker) continue;
      mounts[i].worker->stop = true;
      busy[i] = mounts[i].worker->Busy() ? 1 : 0;
    }
  }
  for (size_t i = 0; i < mounts.size(); ++i) {
    Mount& m = mounts[i];
    if (!m.worker) continue;
    m.worker->wake.notify_one();
    if (busy[i]) {
      m.thread.detach();
    } else {
      m.thread.join();
    }
    m.worker.reset();
  }
}

std::string FilesystemCollector::StatPath(const std::string& mount_point) const {
  if (rootfs_.empty()) return mount_point;
  if (mount_point == "/") return rootfs_;
  return rootfs_ + mount_point;
}

void FilesystemCollector::StartWorker(Mount& mount) {
  auto worker = std::make_shared<Worker>(hub_, mount.stat_path, stat_fn_);
  try {
    mount.thread = std::thread([worker] {
      pthread_setname_np(pthread_self(), "upkeep-statvfs");
      Worker::Run(worker);
    });
  } catch (const std::system_error&) {
    return;  // reported as an error for this mount; retried next tick
  }
  mount.worker = std::move(worker);
}

Status FilesystemCollector::Reselect() {
  Result<std::vector<MountInfo>> table = ParseMountInfo(text_);
  if (!table) return MakeError(mount_table_.path() + ": " + table.error());
  std::vector<MountInfo> selected = select_auto_ ? SelectAutoFilesystems(*table)
                                                 : SelectConfiguredFilesystems(*table, configured_);

  // Keep the worker (and its busy state) of every mount that is still there.
  std::vector<Mount> next(selected.size());
  for (size_t i = 0; i < selected.size(); ++i) {
    Mount& m = next[i];
    m.info = std::move(selected[i]);
    m.stat_path = StatPath(m.info.mount_point);
    for (Mount& old : mounts_) {
      if (old.worker && SameMount(old.info, m.info)) {
        m.worker = std::move(old.worker);
        m.thread = std::move(old.thread);
        break;
      }
    }
    if (!m.worker) StartWorker(m);
  }

  Retire(mounts_);  // what is left: the workers of vanished mounts
  mounts_ = std::move(next);
  return OkStatus();
}

void FilesystemCollector::Begin() {
  begun_ = true;
  begin_status_ = OkStatus();
  const Result<MountTableReader::Outcome> read = mount_table_.ReadIfChanged(text_);
  if (!read) {
    begin_status_ = MakeError(read.error());
    return;
  }
  // The mount table rarely changes: parse and select only when its text did.
  // A table that failed to parse stays failed until the kernel reports a change.
  if (*read == MountTableReader::Outcome::kRead &&
      (!have_table_ || !table_status_ || text_ != previous_text_)) {
    table_status_ = Reselect();
    if (table_status_) {
      std::swap(text_, previous_text_);
      have_table_ = true;
    }
  }
  if (!table_status_) {
    begin_status_ = table_status_;
    return;
  }

  deadline_ = std::chrono::steady_clock::now() + stat_timeout_;
  {
    std::lock_guard lock(hub_->mu);
    for (Mount& m : mounts_) {
      m.answered = false;
      // A worker still blocked in an earlier statvfs is stuck: it gets no new request and
      // this tick does not wait for it.
      m.posted = m.worker && !m.worker->Busy();
      if (m.posted) ++m.worker->asked;
    }
  }
  for (Mount& m : mounts_) {
    if (m.posted) m.worker->wake.notify_one();
  }
}

Status FilesystemCollector::Collect(Sample& sample) {
  sample.filesystems.clear();
  if (!begun_) Begin();  // called alone (tests), not through the sampler
  begun_ = false;
  if (!begin_status_) return begin_status_;

  const bool any_posted =
      std::any_of(mounts_.begin(), mounts_.end(), [](const Mount& m) { return m.posted; });
  if (any_posted) {
    std::unique_lock lock(hub_->mu);
    hub_->answered.wait_until(lock, deadline_, [this] {
      for (const Mount& m : mounts_) {
        if (m.posted && m.worker->Busy()) return false;
      }
      return true;
    });
    for (Mount& m : mounts_) {
      if (!m.posted || m.worker->Busy()) continue;
      m.answered = true;
      m.rc = m.worker->rc;
      m.error_number = m.worker->error_number;
      m.result = m.worker->result;
    }
  }

  std::string errors;
  sample.filesystems.reserve(mounts_.size());
  for (Mount& m : mounts_) {
    FilesystemSample& fs = sample.filesystems.emplace_back();
    fs.mount_point = m.info.mount_point;
    fs.device = m.info.source;
    fs.fstype = m.info.fstype;
    if (!m.worker) {
      fs.error = true;
      AppendError(errors, m.info.mount_point, "cannot start a worker thread");
      StartWorker(m);
    } else if (!m.answered) {
      fs.error = true;
      fs.stuck = true;
      AppendError(errors, m.info.mount_point, "timed out (stuck)");
    } else if (m.rc != 0) {
      fs.error = true;
      AppendError(errors, m.info.mount_point,
                  m.error_number != 0 ? std::strerror(m.error_number) : "failed");
    } else {
      // f_frsize is the unit of the block counts; a few filesystems leave it 0.
      const uint64_t unit = m.result.f_frsize != 0 ? m.result.f_frsize : m.result.f_bsize;
      fs.size_bytes = static_cast<uint64_t>(m.result.f_blocks) * unit;
      fs.free_bytes = static_cast<uint64_t>(m.result.f_bfree) * unit;
      fs.avail_bytes = static_cast<uint64_t>(m.result.f_bavail) * unit;
    }
  }
  if (!errors.empty()) return MakeError(std::move(errors));
  return OkStatus();
}

}  // namespace upkeep
