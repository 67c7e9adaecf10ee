#include "auth/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int error = errno;
    if (missing != nullptr) *missing = error == ENOENT;
    return MakeError("cannot read " + path + ": " + Why(error));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return MakeError("cannot stat " + path + ": " + Why(error));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError(path + " is not a regular file");
  }
  SmallFile file;
  file.mode = st.st_mode & 07777;
  file.owner = st.st_uid;
  file.group = st.st_gid;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return MakeError("cannot read " + path + ": " + Why(error));
    }
    file.bytes.append(buffer, static_cast<size_t>(n));
    if (file.bytes.size() > max_bytes) {
      ::close(fd);
      return MakeError(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
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
