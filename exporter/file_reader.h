#pragma once

#include <string>

#include "exporter/collector.h"

namespace upkeep {

// Reads a whole (small, /proc-style) file into `out`, reusing its capacity so a steady
// sampler does not allocate. /proc files report size 0, so this reads until EOF.
Status ReadFileInto(const std::string& path, std::string& out);

}  // namespace upkeep
