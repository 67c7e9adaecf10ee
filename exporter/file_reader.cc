#include "exporter/file_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace upkeep {

Status ReadFileInto(const std::string& path, std::string& out) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return MakeError("open " + path + ": " + std::strerror(errno));
  }
  Status read = ReadFdInto(fd, path, out);
  ::close(fd);
  return read;
}

Status ReadFdInto(int fd, const std::string& path, std::string& out) {
  out.clear();
  if (::lseek(fd, 0, SEEK_SET) < 0) {
    return MakeError("seek " + path + ": " + std::strerror(errno));
  }
  constexpr size_t kChunk = 4096;
  size_t used = 0;
  for (;;) {
    if (out.size() < used + kChunk) out.resize(used + kChunk);
    const ssize_t n = ::read(fd, out.data() + used, kChunk);
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

}  // namespace upkeep
