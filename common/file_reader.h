#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"

namespace upkeep {

// What a whole-file read refuses beyond unless told otherwise: far more than any /proc file or
// config we read, far less than memory. A small-file reader must not be pointed at a huge
// file (or at /dev/zero) and fill the memory.
inline constexpr size_t kDefaultMaxFileBytes = size_t{64} << 20;

// Reads a whole (small, /proc-style) file into `out`, reusing its capacity so a steady
// sampler does not allocate. /proc files report size 0, so this reads until EOF. A file
// longer than `max_bytes` is an error ("PATH is larger than N bytes"), `out` left empty.
Status ReadFileInto(const std::string& path, std::string& out);
Status ReadFileInto(const std::string& path, std::string& out, size_t max_bytes);

// The same on an open file, from offset 0 whatever its position (a /proc file kept open is
// generated afresh by reading it from the start). `path` only names it in errors.
Status ReadFdInto(int fd, const std::string& path, std::string& out,
                  size_t max_bytes = kDefaultMaxFileBytes);

// True when `fd` is a file on procfs (the kernel generates it on every read from offset 0).
bool IsOnProcfs(int fd);

// A file that a collector reads every tick. On procfs it stays open and is read again from
// offset 0, which saves the open() path walk and the close() each tick: 4 µs a file here,
// a fifth of the cost of reading /proc/loadavg (bench/RESULTS.md). Anything else (a fixture
// tree in tests, which may be replaced by rename between ticks) is opened by path each
// time. A read error closes it; the next read opens it again.
class ProcFile {
 public:
  explicit ProcFile(std::string path);
  ~ProcFile();
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;

  Status ReadInto(std::string& out);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;  // open only while the file is on procfs
};

}  // namespace upkeep
