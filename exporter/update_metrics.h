#pragma once

#include <string>

#include "exporter/update_run_sample.h"
#include "exporter/update_sample.h"

namespace upkeep {

// Appends the update check's families to `out` (Prometheus text format 0.0.4, HELP and TYPE
// lines, label values escaped), through AppendPrometheusText like every other family. Which
// series a sample gives:
//
// - Not `checked` (the daemon started and no check has finished yet): none. Nothing is known,
//   and a 0 would read as "the check failed" or "no update"; the first check comes within
//   seconds of the start.
// - Once checked: upkeep_update_check_success, upkeep_update_last_check_timestamp_seconds and
//   upkeep_update_check_duration_seconds, about the latest check, good or failed.
// - Once a check has succeeded since start (the target's revision or version is known): also
//   upkeep_target_info{version,revision} 1, upkeep_update_available and
//   upkeep_update_commits_behind, from the latest good check (a failed check keeps them: what
//   was known is still the best answer, and check_success says it is not fresh).
// - upkeep_update_available_since_timestamp_seconds only while an update is available (absent,
//   not 0, otherwise). So `time() - upkeep_update_available_since_timestamp_seconds > 7*86400`
//   is true exactly for an update left waiting over 7 days, with or without
//   `and upkeep_update_available == 1`; a 0 would make the bare expression fire on every
//   up-to-date host (time() - 0 is decades). The time survives a restart of upkeep.
void AppendUpdateMetrics(const UpdateSample& sample, std::string& out);

// Appends the update runs' families to `out`, the same way. Whenever an update: section is
// configured (the caller hands no sample otherwise):
//
// - upkeep_update_in_progress, upkeep_update_interrupted, upkeep_update_recovery_pending: 0/1.
// - upkeep_update_runs_total{result}: a counter with every result label present from the
//   start at 0, so that `increase(upkeep_update_runs_total{result="rolled_back"}[1h]) > 0`
//   fires on the first failure too (a series born at 1 has no increase to show).
// - Once a run has finished (`has_last`): upkeep_update_last_run_timestamp_seconds and
//   upkeep_update_last_duration_seconds, and upkeep_update_last_result{result} with 1 for the
//   last run's result and 0 for each other one. Absent, not 0, before: a timestamp of 0 would
//   read as "the last run was in 1970", a last_result of 0 everywhere as a run with no result.
void AppendUpdateRunMetrics(const UpdateRunSample& sample, std::string& out);

}  // namespace upkeep
