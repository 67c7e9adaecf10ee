#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "controller/preserve_paths.h"

namespace upkeep {

// Where a run is. Written to the journal before the phase begins, so that after a crash the
// journal names the phase that was under way.
enum class UpdatePhase {
  kStarted,         // preconditions passed, nothing changed yet
  kCheckout,        // moving the checkout to the new revision
  kPreserve,        // setting the `preserve` paths aside
  kSteps,           // running the configured steps
  kDrain,           // waiting for a job that started meanwhile
  kRestart,         // restarting the service
  kHealthCheck,     // checking the restarted service
  kRollback,        // undoing: rollback commands, checkout back, preserve back, reruns
  kRollbackFailed,  // undoing failed; an admin must look (the journal is kept)
  kFinished,        // done (`result` says how); the history line and removal follow
};
std::string_view PhaseName(UpdatePhase phase);
std::optional<UpdatePhase> PhaseNamed(std::string_view name);

// How a step ended, as the answer, the status and the history show it.
enum class StepState { kOk, kFailed, kSkipped, kTimedOut, kRolledBack };
std::string_view StepStateName(StepState state);  // ok|failed|skipped|timed_out|rolled_back
std::optional<StepState> StepStateNamed(std::string_view name);

struct StepRecord {
  std::string name;
  StepState state = StepState::kOk;
  std::optional<int> exit_code;  // none when it did not run or a signal ended it
  int64_t duration_ms = 0;

  bool operator==(const StepRecord&) const = default;
};

// The step running now: enough to find its process group after a crash and to kill it only
// if its leader is still the process we started (same pid and same start time, field 22 of
// /proc/PID/stat), never a process that has since been given the recycled pid.
struct RunningStep {
  std::string name;
  pid_t process_group = 0;
  uint64_t leader_start_ticks = 0;

  bool operator==(const RunningStep&) const = default;
};

struct UpdateJournal {
  std::string id;          // an update id (IsValidUpdateId)
  std::string who;         // "token:NAME from ADDR", control characters already escaped
  std::string started_at;  // RFC 3339
  std::string from_revision;
  std::string to_revision;
  std::string from_version;
  std::string to_version;
  UpdatePhase phase = UpdatePhase::kStarted;
  std::vector<StepRecord> steps;  // completed (or skipped) steps, in order
  std::optional<RunningStep> running;
  bool restart_attempted = false;
  bool health_passed = false;
  int recovery_attempts = 0;
  // Where the preserve paths are kept; written before they are set aside, so that a recovery
  // finds them.
  std::optional<PreserveRecord> preserve;
  // Why the run is rolling back (or failed to): the failed step, the health check's error.
  std::string failure;
  // Phase kFinished only: how the run ended (UpdateResultName), written before the history
  // line, so that a crash between the two neither loses the run nor undoes it again.
  std::string result;

  bool operator==(const UpdateJournal&) const = default;
};

nlohmann::json StepRecordToJson(const StepRecord& step);
// `step` from its JSON; an error names what is missing or wrong.
Result<StepRecord> StepRecordFromJson(const nlohmann::json& json);

nlohmann::json JournalToJson(const UpdateJournal& journal);
Result<UpdateJournal> JournalFromJson(const nlohmann::json& json);

// state_dir/update.journal
std::string JournalPath(const std::string& state_dir);

// Replaces the journal atomically and durably (temporary file, fsync, rename, fsync of the
// directory), mode 0600.
Status WriteJournal(const std::string& state_dir, const UpdateJournal& journal);

// The journal, std::nullopt when there is none (no run unfinished), or an error naming the
// path when it cannot be read or is not a journal (cut off, not JSON, a field missing).
Result<std::optional<UpdateJournal>> ReadJournal(const std::string& state_dir);

// Removes the journal durably; none there is no error.
Status RemoveJournal(const std::string& state_dir);

}  // namespace upkeep
