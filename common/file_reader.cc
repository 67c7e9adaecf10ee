#include "common/file_reader.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace upkeep {
namespace {

Status OpenError(const std::string& path) {
  return MakeError("open " + path + ": " + std::strerror(errno));
}

}  // namespace

Status ReadFileInto(const std::string& path, std::string& out) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path);
  Status read = ReadFdInto(fd, path, out);
  ::close(fd);
  return read;
}

Status ReadFdInto(int fd, const std::string& path, std::string& out) {
  // pread from offset 0 up: no lseek, and the buffer's whole capacity is offered at once,
  // so a file that fits takes one call for its bytes and one for the EOF.
  constexpr size_t kChunk = 4096;
  out.clear();
  size_t used = 0;
  for (;;) {
    if (out.size() == used) out.resize(std::max(out.capacity(), used + kChunk));
    const ssize_t n = ::pread(fd, out.data() + used, out.size() - used, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out.clear();
      return MakeError("read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  return OkStatus();
}

bool IsOnProcfs(int fd) {
  struct statfs fs {};
  return ::fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

ProcFile::ProcFile(std::string path) : path_(std::move(path)) {}

ProcFile::~ProcFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status ProcFile::ReadInto(std::string& out) {
  if (fd_ >= 0) {
    Status read = ReadFdInto(fd_, path_, out);
    if (!read) {
      ::close(fd_);
      fd_ = -1;
    }
    return read;
  }
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.clear();
    return OpenError(path_);
  }
  Status read = ReadFdInto(fd, path_, out);
  if (read && IsOnProcfs(fd)) {
    fd_ = fd;
  } else {
    ::close(fd);
  }
  return read;
}

}  // namespace upkeep
