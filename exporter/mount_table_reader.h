#pragma once

#include <string>

#include "common/result.h"

namespace upkeep {

// Reads the mount table (<procfs>/1/mountinfo, else <procfs>/self/mountinfo) only when it
// can have changed.
//
// Formatting mountinfo costs the kernel ~30 µs a read (it walks every mount and resolves its
// path), the largest single cost of a sample tick, and the table almost never changes. The
// kernel signals changes itself: poll() on an open mountinfo file reports POLLPRI|POLLERR
// once after each mount or unmount in that namespace. So the file stays open and is re-read
// only on that signal. A table that is not on procfs (a fixture tree in tests) gives no such
// signal and is re-read by path every time.
//
// Not thread-safe: one sampler thread calls it.
class MountTableReader {
 public:
  enum class Outcome { kRead, kUnchanged };

  MountTableReader(std::string primary_path, std::string fallback_path);
  ~MountTableReader();
  MountTableReader(const MountTableReader&) = delete;
  MountTableReader& operator=(const MountTableReader&) = delete;

  // kRead: `out` now holds the current table (the first call, a change, or a table with no
  // change signal). kUnchanged: the kernel reports no change since the last read; `out` is
  // left as it was. An error (neither file readable) leaves nothing open, so the next call
  // starts over.
  Result<Outcome> ReadIfChanged(std::string& out);

  // The path being read (for error messages): the primary until it fails to open.
  const std::string& path() const { return *current_path_; }

 private:
  Result<Outcome> OpenAndRead(std::string& out);
  void Close();

  const std::string primary_path_;
  const std::string fallback_path_;
  const std::string* current_path_;
  int fd_ = -1;  // open only while the table is on procfs
};

}  // namespace upkeep
