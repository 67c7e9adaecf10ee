#pragma once

// Pure parsers of /proc files (see exporter/procfs_parsers.h).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace upkeep {

// One line of /proc/<pid>/mountinfo (proc(5)). Octal escapes (\040 for a space, \011, \012,
// \134) in the root, mount point, fstype and source are decoded.
struct MountInfo {
  std::string device_id;    // "major:minor" (field 3)
  std::string root;         // root of the mount within its filesystem (field 4)
  std::string mount_point;  // field 5
  std::string fstype;       // after the " - " separator
  std::string source;       // the device, e.g. /dev/sda1 or server:/export
};
// Skips blank lines; a malformed line is an error naming its line number. No mount line at
// all is an error too: every process sees at least its root mount.
Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text);

}  // namespace upkeep
