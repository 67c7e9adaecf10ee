#pragma once

#include <cstdint>
#include <string>

namespace upkeep {

// What /metrics shows about the managed service's updates, handed to the sampler each tick by
// whoever runs the update check (app/ maps the controller's status onto it: exporter/ never
// sees the controller). See exporter/update_metrics.h for which series each field becomes.
struct UpdateSample {
  bool checked = false;  // a check has finished since start; before it, no series at all
  bool check_success = false;
  double last_check_timestamp_seconds = 0;
  double check_duration_seconds = 0;
  bool available = false;
  double available_since_timestamp_seconds = 0;  // 0: not available
  uint64_t commits_behind = 0;
  // The latest good check's; empty: no upkeep_target_info series (and, as no check has
  // succeeded since start, no availability series either).
  std::string target_version, target_revision;
};

}  // namespace upkeep
