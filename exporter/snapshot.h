#pragma once

#include <cstdint>
#include <string>

#include "exporter/sample.h"

namespace upkeep {

// Everything one tick produced, rendered once so that HTTP handlers only copy bytes.
// Immutable while published: the sampler rewrites a Snapshot only after it has claimed
// its slot with no readers on it (see SnapshotRing).
struct Snapshot {
  uint64_t sequence = 0;     // 1 for the first published tick
  Sample sample;             // the values the bodies were rendered from
  std::string metrics_text;  // Prometheus text format 0.0.4
  std::string metrics_gzip;  // metrics_text, gzip-compressed
  std::string health_json;   // the /api/system/health body
};

}  // namespace upkeep
