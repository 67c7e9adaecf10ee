#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "common/fd.h"
#include "common/result.h"

namespace upkeep {

class UpdateLock;

// Proof that this process runs the one update: holds the flock on the lock file. Released
// (the flock dropped, the descriptor closed) by Release() or at destruction; a crash releases
// it too, since the kernel drops a dead process's flocks. Movable, not copyable.
class UpdateLockGuard {
 public:
  UpdateLockGuard(UpdateLockGuard&& other) noexcept;
  UpdateLockGuard& operator=(UpdateLockGuard&& other) noexcept;
  UpdateLockGuard(const UpdateLockGuard&) = delete;
  UpdateLockGuard& operator=(const UpdateLockGuard&) = delete;
  ~UpdateLockGuard();

  bool holds() const { return lock_ != nullptr; }
  // The locked descriptor (O_CLOEXEC: no spawned step or daemon keeps the lock alive).
  int fd() const { return fd_.get(); }
  void Release();

 private:
  friend class UpdateLock;
  UpdateLockGuard(UpdateLock* lock, Fd fd);

  UpdateLock* lock_ = nullptr;
  Fd fd_;
};

// Single flight for update runs, across the threads of this process and across processes
// (two daemons on one state directory, or a crashed one's successor): a flag under a mutex
// for the threads, and flock(LOCK_EX) on `state_dir/update.lock` for the processes.
//
// Liveness is the flock, never a pid: the kernel holds it exactly as long as the holder's
// descriptor is open, so a crashed daemon can never leave a stuck lock and a recycled pid can
// never look like a live holder. The file itself is never removed (a remove would let two
// processes each lock a different file under the same name); it is mode 0600 and empty.
//
// The UpdateLock must outlive the guards it hands out.
class UpdateLock {
 public:
  explicit UpdateLock(std::string state_dir);
  UpdateLock(const UpdateLock&) = delete;
  UpdateLock& operator=(const UpdateLock&) = delete;

  const std::string& path() const { return path_; }

  // The guard, or std::nullopt when a run holds the lock already (in this process or another:
  // the caller answers "update in progress" either way). Never waits. An error when the lock
  // file cannot be opened or locked for another reason.
  Result<std::optional<UpdateLockGuard>> TryAcquire();

  // Whether another process holds the lock now, without keeping it (crash recovery at start:
  // a journal with a free lock is an interrupted run). False while this process holds it,
  // and when the file does not exist. The probe takes the lock for an instant, so another
  // process's TryAcquire at that very instant reads "held".
  Result<bool> IsHeldElsewhere();

 private:
  friend class UpdateLockGuard;
  void ReleaseHeld(Fd& fd);

  std::string path_;
  std::mutex mutex_;
  bool held_here_ = false;  // guarded by mutex_
};

}  // namespace upkeep
