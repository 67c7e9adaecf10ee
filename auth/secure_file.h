#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// Small files that hold credentials (the tokens file, the JWT secret): read whole with their
// mode, written atomically.
struct SmallFile {
  std::string bytes;
  mode_t mode = 0;  // permission bits only
  uid_t owner = 0;
  gid_t group = 0;
};

// Reads a regular file of at most `max_bytes`. The error names the path and the cause;
// `missing` (if given) is set when the cause is that the file does not exist.
Result<SmallFile> ReadSmallFile(const std::string& path, size_t max_bytes, bool* missing = nullptr);

// True when `mode` lets the group or others read or write the file.
inline bool OpenToOthers(mode_t mode) { return (mode & 077) != 0; }

// Writes `bytes` to `path` so that readers see the old file or the new one, never a mix: a
// temporary file in the same directory (created with `mode`), fsync, rename over `path`,
// fsync of the directory. When running as root and `owner` is given, the new file gets that
// owner and group (so that a token created with sudo stays readable by the daemon's user).
Status WriteFileAtomically(const std::string& path, std::string_view bytes, mode_t mode,
                           std::optional<std::pair<uid_t, gid_t>> owner = std::nullopt);

}  // namespace upkeep
