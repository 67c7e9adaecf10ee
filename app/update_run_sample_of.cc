#include "app/update_run_sample_of.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "controller/update_history.h"

namespace upkeep {

UpdateRunSample UpdateRunSampleOf(const UpdateRunCounters& counters) {
  UpdateRunSample sample;
  sample.in_progress = counters.in_progress;
  // By name, so that the order of either list does not matter; a name the exporter does not
  // know has no series to go to (the test keeps the two lists the same).
  for (const auto& [result, count] : counters.runs_total) {
    const std::string_view name = UpdateResultName(result);
    for (size_t i = 0; i < kUpdateRunResultNames.size(); ++i) {
      if (kUpdateRunResultNames[i] == name) sample.runs_total[i] = count;
    }
  }
  sample.has_last = counters.has_last;
  if (counters.has_last) {
    sample.last_run_timestamp_seconds = counters.last_run_timestamp_seconds;
    sample.last_duration_seconds = counters.last_duration_seconds;
    sample.last_result = std::string(UpdateResultName(counters.last_result));
  }
  sample.interrupted = counters.interrupted;
  sample.recovery_pending = counters.recovery_pending;
  return sample;
}

}  // namespace upkeep
