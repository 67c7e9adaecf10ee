#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/settings.h"

namespace upkeep {

// sample.*: what the sampler reads and how often.
struct SampleOptions {
  std::chrono::milliseconds interval{1000};
  // True for `filesystems: auto`: discover real filesystems; `filesystems` is then empty.
  bool filesystems_auto = false;
  std::vector<std::string> filesystems{"/"};
  std::string procfs = "/proc";
  std::string rootfs = "/";
  std::chrono::milliseconds stat_timeout{500};
  bool operator==(const SampleOptions&) const = default;
};

// The sample.* settings (no YAML here: see common/settings.h).
SettingsTable<SampleOptions> SampleSettings();

}  // namespace upkeep
