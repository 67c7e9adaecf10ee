#pragma once

#include "controller/update_runner.h"
#include "exporter/update_run_sample.h"

namespace upkeep {

// The exporter's view of the update runner's counters (exporter/ never sees the controller):
// each result's count under its name (UpdateResultName), the last run's result by name.
UpdateRunSample UpdateRunSampleOf(const UpdateRunCounters& counters);

}  // namespace upkeep
