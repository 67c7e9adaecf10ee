#include "common/file_reader.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "common/fd.h"

namespace upkeep {
namespace {

Status OpenError(const std::string& path) {
  return MakeError("open " + path + ": " + std::strerror(errno));
}

}  // namespace

Status ReadFileInto(const std::string& path, std::string& out) {
  return ReadFileInto(path, out, kDefaultMaxFileBytes);
}

Status ReadFileInto(const std::string& path, std::string& out, size_t max_bytes) {
  out.clear();
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return OpenError(path);
  return ReadFdInto(fd.get(), path, out, max_bytes);
}

Status ReadFdInto(int fd, const std::string& path, std::string& out, size_t max_bytes) {
  // pread from offset 0 up: no lseek, and the buffer's whole capacity is offered at once,
  // so a file that fits takes one call for its bytes and one for the EOF.
  constexpr size_t kChunk = 4096;
  out.clear();
  size_t used = 0;
  for (;;) {
    if (out.size() == used) out.resize(std::max(out.capacity(), used + kChunk));
    // Up to one byte past the cap, which is enough to tell that the file is too large.
    const size_t left = max_bytes - used;  // used <= max_bytes: checked after each read
    const size_t room = std::min(out.size() - used, left < SIZE_MAX ? left + 1 : left);
    const ssize_t n = ::pread(fd, out.data() + used, room, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out.clear();
      return MakeError("read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (used > max_bytes) {
      out.clear();
      return MakeError(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
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
