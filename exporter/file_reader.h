#pragma once

#include <string>

#include "exporter/collector.h"

namespace upkeep {

// Reads a whole (small, /proc-style) file into `out`, reusing its capacity so a steady
// sampler does not allocate. /proc files report size 0, so this reads until EOF.
Status ReadFileInto(const std::string& path, std::string& out);

// The same on an open file, from offset 0 whatever its position (a /proc file kept open is
// generated afresh by reading it from the start). `path` only names it in errors.
Status ReadFdInto(int fd, const std::string& path, std::string& out);

}  // namespace upkeep
