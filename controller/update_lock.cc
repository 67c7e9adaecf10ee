#include "controller/update_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "controller/state_files.h"

namespace upkeep {
namespace {

// flock with EINTR retried; LOCK_NB never waits, so the retry cannot spin long.
int FlockNoWait(int fd, int operation) {
  int result = -1;
  do {
    result = ::flock(fd, operation | LOCK_NB);
  } while (result != 0 && errno == EINTR);
  return result;
}

}  // namespace

UpdateLockGuard::UpdateLockGuard(UpdateLock* lock, Fd fd) : lock_(lock), fd_(std::move(fd)) {}

UpdateLockGuard::UpdateLockGuard(UpdateLockGuard&& other) noexcept
    : lock_(std::exchange(other.lock_, nullptr)), fd_(std::move(other.fd_)) {}

UpdateLockGuard& UpdateLockGuard::operator=(UpdateLockGuard&& other) noexcept {
  if (this != &other) {
    Release();
    lock_ = std::exchange(other.lock_, nullptr);
    fd_ = std::move(other.fd_);
  }
  return *this;
}

UpdateLockGuard::~UpdateLockGuard() { Release(); }

void UpdateLockGuard::Release() {
  if (lock_ == nullptr) return;
  std::exchange(lock_, nullptr)->ReleaseHeld(fd_);
}

UpdateLock::UpdateLock(std::string state_dir) : path_(std::move(state_dir) + "/update.lock") {}

Result<std::optional<UpdateLockGuard>> UpdateLock::TryAcquire() {
  std::lock_guard<std::mutex> hold(mutex_);
  if (held_here_) return std::optional<UpdateLockGuard>();
  // O_NOFOLLOW: a symlink planted under the name is refused rather than followed.
  Fd fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return FileError(path_, "open", errno);
  if (FlockNoWait(fd.get(), LOCK_EX) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<UpdateLockGuard>();
    return FileError(path_, "flock", errno);
  }
  // A file made by an older build or by hand may have a wider mode; ours is 0600.
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && (info.st_mode & 07777) != 0600 &&
      ::fchmod(fd.get(), 0600) != 0) {
    return FileError(path_, "chmod 0600", errno);
  }
  held_here_ = true;
  return std::optional<UpdateLockGuard>(UpdateLockGuard(this, std::move(fd)));
}

Result<bool> UpdateLock::IsHeldElsewhere() {
  std::lock_guard<std::mutex> hold(mutex_);
  // An exclusive flock here excludes every other holder.
  if (held_here_) return false;
  Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return false;
    return FileError(path_, "open", errno);
  }
  // A shared lock conflicts only with an exclusive one, which is what a run holds.
  if (FlockNoWait(fd.get(), LOCK_SH) != 0) {
    if (errno == EWOULDBLOCK) return true;
    return FileError(path_, "flock", errno);
  }
  return false;  // closing fd drops the probe's lock
}

void UpdateLock::ReleaseHeld(Fd& fd) {
  std::lock_guard<std::mutex> hold(mutex_);
  // Closing drops the flock; unlocking first drops it even if a forked child (which
  // O_CLOEXEC keeps out of exec'd programs, not out of a fork without exec) shares the file.
  ::flock(fd.get(), LOCK_UN);
  fd.Close();
  held_here_ = false;
}

}  // namespace upkeep
