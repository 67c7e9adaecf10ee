#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "controller/update_journal.h"

namespace upkeep {

// How a run (or an execute request) ended, as the answer's `result` shows it.
enum class UpdateResult {
  kSuccess,
  kUpToDate,
  kRolledBack,
  kRollbackFailed,
  kRefused,
  kInterrupted
};
// success|up_to_date|rolled_back|rollback_failed|refused|interrupted
std::string_view UpdateResultName(UpdateResult result);
std::optional<UpdateResult> UpdateResultNamed(std::string_view name);
// Every result, e.g. for metrics that must show each label value from the start.
std::vector<UpdateResult> AllUpdateResults();

// One line of state_dir/history.jsonl: one finished run.
struct HistoryEntry {
  std::string id;
  std::string who;
  std::string from_revision;
  std::string to_revision;
  std::string from_version;
  std::string to_version;
  UpdateResult result = UpdateResult::kSuccess;
  std::string started_at;  // RFC 3339 (FormatRfc3339)
  std::string finished_at;
  std::vector<StepRecord> steps;
  // Set on the line `upkeep update resolve` writes for a run it closed by hand (interrupted,
  // or stuck after a failed rollback): who ran it ("user:NAME (uid N)") and when (RFC 3339).
  // That line supersedes one the daemon wrote for the run before. Empty otherwise, and then
  // not in the JSON; lines written before they existed read empty.
  std::string resolved_by;
  std::string resolved_at;

  bool operator==(const HistoryEntry&) const = default;
};

nlohmann::json HistoryEntryToJson(const HistoryEntry& entry);
Result<HistoryEntry> HistoryEntryFromJson(const nlohmann::json& json);

std::string HistoryPath(const std::string& state_dir);  // state_dir/history.jsonl

// Appends one line durably: O_APPEND (mode 0600 when created), the whole line in one write,
// fsync. If the file ends in a line torn by a crash, a '\n' goes first so that the new entry
// is not glued onto it.
Status AppendHistory(const std::string& state_dir, const HistoryEntry& entry);

struct HistoryPage {
  std::vector<HistoryEntry> entries;  // newest first
  size_t skipped_lines = 0;           // corrupt lines (or a torn last line) passed over
};

// The newest `limit` runs, reading from the end of the file. A run recorded twice (the daemon
// recorded a run it could not finish, then `upkeep update resolve` recorded who closed it) is
// shown once, as its newest line says. A line that is not an entry (torn by a crash, edited by
// hand) is skipped and counted, never a failure; no file is an empty page. Errors: the file
// cannot be opened or read.
Result<HistoryPage> ReadLastHistory(const std::string& state_dir, size_t limit);

// The entry of run `id` (the newest if it were there twice), std::nullopt if none. An invalid
// id is std::nullopt without any file being touched.
Result<std::optional<HistoryEntry>> FindInHistory(const std::string& state_dir,
                                                  std::string_view id);

// state_dir/updates, where each run's log is <id>.log.
std::string RunLogsDir(const std::string& state_dir);
// state_dir/updates/<id>.log; `id` must be valid (IsValidUpdateId).
std::string RunLogPath(const std::string& state_dir, std::string_view id);

// Keeps the newest `keep` run logs (files named <id>.log with a valid id; ids begin with the
// UTC start, so newest = greatest name) and removes the rest; other files are left alone. No
// directory is nothing to do. Returns how many it removed.
Result<size_t> PruneRunLogs(const std::string& state_dir, size_t keep);

}  // namespace upkeep
