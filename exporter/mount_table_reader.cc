#include "exporter/mount_table_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/file_reader.h"

namespace upkeep {

MountTableReader::MountTableReader(std::string primary_path, std::string fallback_path)
    : primary_path_(std::move(primary_path)),
      fallback_path_(std::move(fallback_path)),
      current_path_(&primary_path_) {}

MountTableReader::~MountTableReader() { Close(); }

void MountTableReader::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<MountTableReader::Outcome> MountTableReader::ReadIfChanged(std::string& out) {
  if (fd_ < 0) return OpenAndRead(out);
  pollfd watch{.fd = fd_, .events = POLLPRI, .revents = 0};
  int ready = 0;
  do {
    ready = ::poll(&watch, 1, 0);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0 || (ready > 0 && (watch.revents & (POLLPRI | POLLERR)) == 0))
    return Outcome::kUnchanged;
  // Changed (or poll failed, which never happens for a valid fd): read it again.
  if (Status read = ReadFdInto(fd_, *current_path_, out); !read) {
    Close();
    return MakeError(read.error());
  }
  return Outcome::kRead;
}

Result<MountTableReader::Outcome> MountTableReader::OpenAndRead(std::string& out) {
  // PID 1's table first, as node_exporter does: a daemon in a container that sees the
  // host's PIDs (--pid=host, the host's / at rootfs) reports the host's mounts, not its own
  // namespace's. Without access to it (another user's PID 1, a fixture tree), our own.
  current_path_ = &primary_path_;
  int fd = ::open(primary_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    current_path_ = &fallback_path_;
    fd = ::open(fallback_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return MakeError("open " + fallback_path_ + ": " + std::strerror(errno));
  }
  if (Status read = ReadFdInto(fd, *current_path_, out); !read) {
    ::close(fd);
    return MakeError(read.error());
  }
  if (IsOnProcfs(fd)) {
    fd_ = fd;  // keep it: the kernel signals changes on it
  } else {
    ::close(fd);  // no signal: the next call reads by path again
  }
  return Outcome::kRead;
}

}  // namespace upkeep
