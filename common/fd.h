#pragma once

#include <unistd.h>

#include <utility>

namespace upkeep {

// Owns one file descriptor and closes it once. Every descriptor we open is O_CLOEXEC (or
// SOCK_CLOEXEC, or pipe2(O_CLOEXEC)), so none leaks into a spawned child; this class only
// owns, it does not open.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Reset(int fd = -1) {
    Close();
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace upkeep
