#include "controller/state_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/fd.h"

namespace upkeep {

Error FileError(const std::string& path, std::string_view what, int error_number) {
  return MakeError(path + ": " + std::string(what) + ": " + std::strerror(error_number));
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return FileError(path, "write", errno);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return OkStatus();
}

Status SyncDirectory(const std::string& directory) {
  Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return FileError(directory, "open directory", errno);
  if (::fsync(fd.get()) != 0) return FileError(directory, "fsync directory", errno);
  return OkStatus();
}

Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  const std::string directory = DirectoryOf(path);
  const size_t slash = path.find_last_of('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // A dot name that no reader looks for; mkostemp creates it 0600 and exclusively, so a
  // leftover from a crash or a file planted under that name is never written through.
  std::string temporary = directory + "/." + name + ".tmp-XXXXXX";
  std::vector<char> buffer(temporary.begin(), temporary.end());
  buffer.push_back('\0');
  Fd fd(::mkostemp(buffer.data(), O_CLOEXEC));
  if (!fd.valid()) return FileError(path, "create a temporary file", errno);
  temporary.assign(buffer.data());

  auto fail = [&](Error error) -> Status {
    ::unlink(temporary.c_str());
    return error;
  };
  if (::fchmod(fd.get(), mode) != 0) return fail(FileError(temporary, "chmod", errno));
  if (Status written = WriteAll(fd.get(), content, temporary); !written.ok()) {
    return fail(MakeError(written.error()));
  }
  if (::fsync(fd.get()) != 0) return fail(FileError(temporary, "fsync", errno));
  if (::close(fd.Release()) != 0) return fail(FileError(temporary, "close", errno));
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return fail(FileError(path, "rename into place", errno));
  }
  return SyncDirectory(directory);
}

Status RemoveFileDurably(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return OkStatus();
    return FileError(path, "remove", errno);
  }
  return SyncDirectory(DirectoryOf(path));
}

Status ForEachLineBackwards(int fd, const std::string& path, size_t max_line,
                            const LineVisitor& visit) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return FileError(path, "stat", errno);
  constexpr size_t kBlock = 64 * 1024;
  off_t position = info.st_size;
  // The start of the line being assembled: what follows the block read next.
  std::string carry;
  bool overlong = false;
  std::string block;
  while (position > 0) {
    const size_t size = static_cast<size_t>(std::min<off_t>(position, kBlock));
    position -= static_cast<off_t>(size);
    block.resize(size);
    size_t done = 0;
    while (done < size) {
      const ssize_t got =
          ::pread(fd, block.data() + done, size - done, position + static_cast<off_t>(done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return FileError(path, "read", errno);
      if (got == 0) return MakeError(path + ": read: the file shrank while being read");
      done += static_cast<size_t>(got);
    }
    block += carry;
    size_t end = block.size();
    for (size_t at = size; at-- > 0;) {
      if (block[at] != '\n') continue;
      const bool too_long = overlong || end - at - 1 > max_line;
      const std::string_view line =
          too_long ? std::string_view() : std::string_view(block).substr(at + 1, end - at - 1);
      if (!visit(line, too_long)) return OkStatus();
      overlong = false;
      end = at;
    }
    if (overlong || end > max_line) {
      overlong = true;
      carry.clear();
    } else {
      carry.assign(block, 0, end);
    }
  }
  if (overlong || carry.size() > max_line) {
    visit(std::string_view(), true);
  } else if (info.st_size > 0) {
    visit(carry, false);
  }
  return OkStatus();
}

}  // namespace upkeep
