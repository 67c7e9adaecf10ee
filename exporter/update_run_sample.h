#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace upkeep {

// How an update run can end, by the names its metrics' `result` label takes. The exporter's
// own list (exporter/ never sees the controller); app/update_run_sample_of.h maps the
// controller's results onto it, and its test checks the two lists agree.
inline constexpr std::array<std::string_view, 6> kUpdateRunResultNames{
    "success", "up_to_date", "rolled_back", "rollback_failed", "refused", "interrupted"};

// What /metrics shows about update runs (as opposed to the update check: update_sample.h),
// handed to the sampler each tick. See exporter/update_metrics.h for the series it gives.
struct UpdateRunSample {
  bool in_progress = false;
  // Runs ended since start (or as the history counted them), by result, in the order of
  // kUpdateRunResultNames. Every result is shown, 0 included.
  std::array<uint64_t, kUpdateRunResultNames.size()> runs_total{};
  bool has_last = false;  // a run has finished: the last_* fields below mean something
  double last_run_timestamp_seconds = 0;
  double last_duration_seconds = 0;
  std::string last_result;        // one of kUpdateRunResultNames
  bool interrupted = false;       // the last start found a run that a crash or kill had interrupted
  bool recovery_pending = false;  // runs are refused until `upkeep update resolve`
};

}  // namespace upkeep
