#include "auth/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/fd.h"
#include "common/file_reader.h"

namespace upkeep {
namespace {

std::string Why(int error) { return std::strerror(error); }

Status WriteAll(int fd, std::string_view bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(Why(errno));
    }
    written += static_cast<size_t>(n);
  }
  return OkStatus();
}

}  // namespace

Result<SmallFile> ReadSmallFile(const std::string& path, size_t max_bytes, bool* missing) {
  if (missing != nullptr) *missing = false;
  // O_NONBLOCK: a FIFO put at the path must not hang the open until a writer comes; reads of
  // a regular file ignore it.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    const int error = errno;
    if (missing != nullptr) *missing = error == ENOENT;
    return MakeError("cannot read " + path + ": " + Why(error));
  }
  // Checked on the descriptor we read, so a file swapped in between cannot slip past.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return MakeError("cannot stat " + path + ": " + Why(errno));
  if (!S_ISREG(st.st_mode)) return MakeError(path + " is not a regular file");
  SmallFile file;
  file.mode = st.st_mode & 07777;
  file.owner = st.st_uid;
  file.group = st.st_gid;
  if (const Status read = ReadFdInto(fd.get(), path, file.bytes, max_bytes); !read) {
    return MakeError(read.error());
  }
  return file;
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes, mode_t mode,
                           std::optional<std::pair<uid_t, gid_t>> owner) {
  const std::filesystem::path target(path);
  const std::string directory =
      target.has_parent_path() ? target.parent_path().string() : std::string(".");
  std::string temp = path + ".tmp-XXXXXX";
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return MakeError("cannot create a file next to " + path + ": " + Why(errno));
  const auto fail = [&](const std::string& what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return MakeError(what + " " + temp + ": " + Why(error));
  };
  if (::fchmod(fd, mode) != 0) return fail("cannot chmod");
  if (owner && ::geteuid() == 0 && ::fchown(fd, owner->first, owner->second) != 0) {
    return fail("cannot chown");
  }
  if (const Status written = WriteAll(fd, bytes); !written) {
    ::close(fd);
    ::unlink(temp.c_str());
    return MakeError("cannot write " + temp + ": " + written.error());
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return MakeError("cannot close " + temp + ": " + Why(error));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return MakeError("cannot rename " + temp + " to " + path + ": " + Why(error));
  }
  // The rename itself is durable only once the directory is synced.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return OkStatus();
}

}  // namespace upkeep
