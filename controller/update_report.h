#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/update_history.h"
#include "controller/update_journal.h"

namespace upkeep {

// The error codes of an execute that was refused with nothing changed. Each has one HTTP
// status (UpdateRefusalStatus).
namespace refusal_code {
inline constexpr std::string_view kRecoveryPending = "recovery_pending";      // 409
inline constexpr std::string_view kUpdateInProgress = "update_in_progress";   // 409
inline constexpr std::string_view kJobsActive = "jobs_active";                // 409
inline constexpr std::string_view kQueueUnknown = "queue_unknown";            // 409
inline constexpr std::string_view kDirtyWorktree = "dirty_worktree";          // 409
inline constexpr std::string_view kDetachedHead = "detached_head";            // 409
inline constexpr std::string_view kWrongBranch = "wrong_branch";              // 409
inline constexpr std::string_view kInsecureTransport = "insecure_transport";  // 409
inline constexpr std::string_view kFetchFailed = "fetch_failed";              // 502
inline constexpr std::string_view kDiverged = "diverged";                     // 409
inline constexpr std::string_view kRemoteUnavailable = "remote_unavailable";  // 502
inline constexpr std::string_view kRepoUnavailable = "repo_unavailable";      // 503
inline constexpr std::string_view kRepoPermission = "repo_permission";        // 503
inline constexpr std::string_view kShuttingDown = "shutting_down";            // 503
inline constexpr std::string_view kInternal = "internal_error";               // 500
}  // namespace refusal_code

// The HTTP status of a refusal code (500 for one not listed above).
int UpdateRefusalStatus(std::string_view code);

// Why an execute changed nothing.
struct UpdateRefusal {
  std::string code;  // one of refusal_code
  std::string message;
  // jobs_active: the active job (the queue source's fields) and how many run; else null.
  nlohmann::json active_job{};
  int64_t active_jobs = 0;

  bool operator==(const UpdateRefusal&) const = default;
};

// A step as a dry run sees it: would it run for this update (when_changed)?
struct PlannedStep {
  std::string name;
  bool runs = true;

  bool operator==(const PlannedStep&) const = default;
};

// What POST /api/system/update/execute answers, and what a finished run reports.
struct UpdateReport {
  UpdateResult result = UpdateResult::kRefused;
  std::string message;    // one line for a human: what happened
  std::string update_id;  // empty for a refusal, an up-to-date answer and a dry run
  bool accepted = false;  // ?async=true: the preconditions passed and the run started (202)
  bool dry_run = false;   // {"dryRun": true}: nothing was changed; `planned` says what would
  std::string who;        // "token:NAME from ADDR"
  std::string from_version;
  std::string to_version;  // the seed's newVersion (the version now running after a success)
  std::string from_revision;
  std::string to_revision;
  std::vector<StepRecord> steps;     // what ran (or was skipped), in order
  std::vector<PlannedStep> planned;  // dry run only
  std::string log_path;              // state_dir/updates/<id>.log, empty when no run started
  std::string started_at;            // RFC 3339, empty when no run started
  std::string finished_at;
  std::optional<UpdateRefusal> refusal;  // set exactly when result is kRefused
  // A history entry that `upkeep update resolve` wrote for a run it closed by hand: who ran it
  // and when (HistoryEntry's fields of the same name); empty otherwise.
  std::string resolved_by;
  std::string resolved_at;

  bool operator==(const UpdateReport&) const = default;
};

// success is true for kSuccess and kUpToDate (and an accepted async run / a dry run).
bool ReportSucceeded(const UpdateReport& report);

// The HTTP status of the execute answer: 202 accepted, the refusal's status, else 200 (a run
// that rolled back is still an answer about a run that happened: 200 with success false).
int UpdateReportHttpStatus(const UpdateReport& report);

// The JSON answer: {"success", "message", "newVersion", "updateId", "result", "fromVersion",
// "toVersion", "fromRevision", "toRevision", "steps": [{"name","state","exitCode","durationMs"}],
// "logPath", "who", "startedAt", "finishedAt"}; a refusal adds "error": {"code","message"} (and
// "activeJob", "activeJobs" for jobs_active); a dry run "dryRun": true and "steps" as
// [{"name","wouldRun"}]; an accepted async run "accepted": true and "statusUrl" (its "result"
// is null: not known yet); a resolved history entry "resolvedBy", "resolvedAt".
// "newVersion" is the version the checkout is at once the call returns: toVersion after a
// success, fromVersion when nothing moved it for good (up_to_date, rolled_back, refused, a dry
// run), null when that is not known (an accepted run still under way, rollback_failed,
// interrupted). A text field with nothing in it (no run started, no version known) is null,
// never "".
nlohmann::json UpdateReportToJson(const UpdateReport& report);

// Where GET /api/system/update/status shows run `update_id`: the accepted answer's "statusUrl"
// and its Location header. `update_id` must be valid (IsValidUpdateId): it goes into a header.
inline constexpr std::string_view kUpdateStatusPath = "/api/system/update/status";
std::string UpdateStatusUrl(std::string_view update_id);

// A run as GET /api/system/update/status shows it.
struct UpdateRunStatus {
  bool running = false;  // the run is under way now
  std::string phase;     // PhaseName of the journal's phase, or "finished"
  UpdateReport report;   // steps so far; result meaningful once finished
  std::optional<RunningStep> running_step;
  std::vector<std::string> log_tail;  // the last lines of its log (at most kStatusLogLines)
};
inline constexpr size_t kStatusLogLines = 50;

// {"running", "phase", "runningStep": name|null, "logTail": [...], ...UpdateReportToJson}.
// While running, "success", "result", "newVersion" and "finishedAt" are null: not known yet.
nlohmann::json UpdateRunStatusToJson(const UpdateRunStatus& status);

// The report of a finished run as history.jsonl recorded it.
UpdateReport ReportOfHistory(const HistoryEntry& entry, const std::string& state_dir);

// The last `max_lines` lines of the file at `path` (without their newlines); a missing file is
// none. Reads only the file's last kLogTailBytes, however large it grew (a line cut by that
// window begins with "..."). A line shows what a terminal would: the text after its last
// carriage return (progress bars), at most kLogTailLineBytes of it (then "..." at its end).
inline constexpr size_t kLogTailBytes = 256 * 1024;
inline constexpr size_t kLogTailLineBytes = 4096;
Result<std::vector<std::string>> ReadLogTail(const std::string& path, size_t max_lines);

}  // namespace upkeep
