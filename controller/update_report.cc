#include "controller/update_report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "common/fd.h"
#include "controller/state_files.h"
#include "controller/update_id.h"

namespace upkeep {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 14> kRefusalStatuses{{
    {refusal_code::kRecoveryPending, 409},
    {refusal_code::kUpdateInProgress, 409},
    {refusal_code::kJobsActive, 409},
    {refusal_code::kQueueUnknown, 409},
    {refusal_code::kDirtyWorktree, 409},
    {refusal_code::kDetachedHead, 409},
    {refusal_code::kWrongBranch, 409},
    {refusal_code::kInsecureTransport, 409},
    {refusal_code::kDiverged, 409},
    {refusal_code::kFetchFailed, 502},
    {refusal_code::kRemoteUnavailable, 502},
    {refusal_code::kRepoUnavailable, 503},
    {refusal_code::kRepoPermission, 503},
    {refusal_code::kShuttingDown, 503},
}};

constexpr std::string_view kCut = "...";

// Text that says nothing (no run started, no version known) is null, so that a client never
// has to tell "" from a value.
nlohmann::json TextOrNull(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

// A refusal has its reason; a result of kRefused without one is taken as a refusal too, unless
// the report says a run was accepted or a dry run passed (whose result is not a refusal).
bool IsRefusal(const UpdateReport& report) {
  if (report.refusal) return true;
  return report.result == UpdateResult::kRefused && !report.accepted && !report.dry_run;
}

// The refusal to show; a report that says refused without saying why still answers with a code.
UpdateRefusal RefusalOf(const UpdateReport& report) {
  if (report.refusal) return *report.refusal;
  UpdateRefusal refusal;
  refusal.code = std::string(refusal_code::kInternal);
  refusal.message = report.message.empty() ? "the update was refused" : report.message;
  return refusal;
}

// The version the checkout is at once the call returns (see the header), "" when not known.
std::string NewVersionOf(const UpdateReport& report) {
  if (IsRefusal(report) || report.dry_run) return report.from_version;
  if (report.accepted) return {};
  switch (report.result) {
    case UpdateResult::kSuccess:
      return report.to_version;
    case UpdateResult::kUpToDate:
    case UpdateResult::kRolledBack:
    case UpdateResult::kRefused:
      return report.from_version;
    case UpdateResult::kRollbackFailed:
    case UpdateResult::kInterrupted:
      return {};
  }
  return {};
}

nlohmann::json StepsJson(const UpdateReport& report) {
  nlohmann::json steps = nlohmann::json::array();
  if (report.dry_run) {
    for (const PlannedStep& step : report.planned) {
      steps.push_back({{"name", step.name}, {"wouldRun", step.runs}});
    }
  } else {
    for (const StepRecord& step : report.steps) steps.push_back(StepRecordToJson(step));
  }
  return steps;
}

// A history line records only how the run ended: the one line for a human is made from that.
std::string HistoryMessage(const HistoryEntry& entry) {
  const std::string to = entry.to_version.empty() ? entry.to_revision : entry.to_version;
  const std::string from = entry.from_version.empty() ? entry.from_revision : entry.from_version;
  std::string message;
  switch (entry.result) {
    case UpdateResult::kSuccess:
      message = "updated from " + from + " to " + to;
      break;
    case UpdateResult::kUpToDate:
      message = "already up to date at " + from;
      break;
    case UpdateResult::kRolledBack:
      message = "the update to " + to + " failed and was rolled back to " + from;
      break;
    case UpdateResult::kRollbackFailed:
      message = "the update to " + to + " failed and so did its rollback (see the run's log)";
      break;
    case UpdateResult::kRefused:
      message = "the update to " + to + " was refused";
      break;
    case UpdateResult::kInterrupted:
      message = "the update to " + to + " was interrupted (the daemon stopped during it)";
      break;
  }
  if (!entry.resolved_by.empty()) message += "; resolved by " + entry.resolved_by;
  return message;
}

// One line of the tail as a terminal shows it: a carriage return goes back to the line's start
// (progress bars), and a long line is cut (on a UTF-8 character boundary) to keep the status
// small; the whole line is in the log file.
std::string TailLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF
  const size_t carriage_return = line.rfind('\r');
  if (carriage_return != std::string_view::npos) line.remove_prefix(carriage_return + 1);
  if (line.size() <= kLogTailLineBytes) return std::string(line);
  size_t keep = kLogTailLineBytes - kCut.size();
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xC0) == 0x80) --keep;
  std::string cut(line.substr(0, keep));
  cut += kCut;
  return cut;
}

// The end of the file open at `fd` (`length` bytes long): its last kLogTailBytes, and whether
// they begin inside a line (the byte before them, read too, is not a '\n').
struct LogWindow {
  std::string text;
  bool starts_cut = false;
};
Result<LogWindow> ReadEnd(int fd, const std::string& path, off_t length) {
  const bool whole = length <= static_cast<off_t>(kLogTailBytes);
  const size_t size = whole ? static_cast<size_t>(length) : kLogTailBytes + 1;
  std::string text(size, '\0');
  const off_t start = length - static_cast<off_t>(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t got =
        ::pread(fd, text.data() + done, size - done, start + static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return FileError(path, "read", errno);
    if (got == 0) break;  // the file shrank meanwhile: what was read is still text of its end
    done += static_cast<size_t>(got);
  }
  text.resize(done);
  if (whole || text.empty()) return LogWindow{std::move(text), false};
  const bool starts_cut = text.front() != '\n';
  text.erase(0, 1);
  return LogWindow{std::move(text), starts_cut};
}

}  // namespace

int UpdateRefusalStatus(std::string_view code) {
  for (const auto& [known, status] : kRefusalStatuses) {
    if (known == code) return status;
  }
  return 500;
}

bool ReportSucceeded(const UpdateReport& report) {
  if (IsRefusal(report)) return false;
  if (report.accepted || report.dry_run) return true;
  return report.result == UpdateResult::kSuccess || report.result == UpdateResult::kUpToDate;
}

int UpdateReportHttpStatus(const UpdateReport& report) {
  if (IsRefusal(report)) return UpdateRefusalStatus(RefusalOf(report).code);
  if (report.accepted) return 202;
  return 200;
}

std::string UpdateStatusUrl(std::string_view update_id) {
  std::string url(kUpdateStatusPath);
  url += "?id=";
  url += update_id;
  return url;
}

nlohmann::json UpdateReportToJson(const UpdateReport& report) {
  const bool refused = IsRefusal(report);
  const bool accepted = report.accepted && !refused;
  std::string message = report.message;
  if (message.empty() && refused) message = RefusalOf(report).message;
  nlohmann::json json = {
      {"success", ReportSucceeded(report)},
      {"message", message},
      {"newVersion", TextOrNull(NewVersionOf(report))},
      {"updateId", TextOrNull(report.update_id)},
      {"result", accepted ? nlohmann::json(nullptr)
                          : nlohmann::json(std::string(UpdateResultName(
                                refused ? UpdateResult::kRefused : report.result)))},
      {"fromVersion", TextOrNull(report.from_version)},
      {"toVersion", TextOrNull(report.to_version)},
      {"fromRevision", TextOrNull(report.from_revision)},
      {"toRevision", TextOrNull(report.to_revision)},
      {"steps", StepsJson(report)},
      {"logPath", TextOrNull(report.log_path)},
      {"who", TextOrNull(report.who)},
      {"startedAt", TextOrNull(report.started_at)},
      {"finishedAt", TextOrNull(report.finished_at)},
  };
  if (refused) {
    const UpdateRefusal refusal = RefusalOf(report);
    json["error"] = {{"code", refusal.code}, {"message", refusal.message}};
    if (refusal.code == refusal_code::kJobsActive) {
      json["activeJob"] = refusal.active_job;  // null when the source named none
      json["activeJobs"] = refusal.active_jobs;
    }
  }
  if (report.dry_run) json["dryRun"] = true;
  if (accepted) {
    json["accepted"] = true;
    json["statusUrl"] =
        TextOrNull(report.update_id.empty() ? std::string() : UpdateStatusUrl(report.update_id));
  }
  if (!report.resolved_by.empty() || !report.resolved_at.empty()) {
    json["resolvedBy"] = TextOrNull(report.resolved_by);
    json["resolvedAt"] = TextOrNull(report.resolved_at);
  }
  return json;
}

nlohmann::json UpdateRunStatusToJson(const UpdateRunStatus& status) {
  UpdateReport report = status.report;
  if (status.running) {
    // Its result is not set yet (whatever the field holds): not a refusal, not an outcome.
    report.refusal.reset();
    report.result = UpdateResult::kSuccess;
    if (report.message.empty()) report.message = "the update is under way (" + status.phase + ")";
  }
  nlohmann::json json = UpdateReportToJson(report);
  json["running"] = status.running;
  json["phase"] = status.phase;
  json["runningStep"] =
      status.running_step ? nlohmann::json(status.running_step->name) : nlohmann::json(nullptr);
  json["logTail"] = status.log_tail;
  if (status.running) {
    // The report of a run under way holds its steps so far; how it ends is not known yet.
    json["success"] = nullptr;
    json["result"] = nullptr;
    json["newVersion"] = nullptr;
    json["finishedAt"] = nullptr;
  }
  return json;
}

UpdateReport ReportOfHistory(const HistoryEntry& entry, const std::string& state_dir) {
  UpdateReport report;
  report.result = entry.result;
  report.message = HistoryMessage(entry);
  report.update_id = entry.id;
  report.who = entry.who;
  report.from_version = entry.from_version;
  report.to_version = entry.to_version;
  report.from_revision = entry.from_revision;
  report.to_revision = entry.to_revision;
  report.steps = entry.steps;
  // The log may since have been pruned (update.keep_logs): the path still says where it was.
  if (IsValidUpdateId(entry.id)) report.log_path = RunLogPath(state_dir, entry.id);
  report.started_at = entry.started_at;
  report.finished_at = entry.finished_at;
  report.resolved_by = entry.resolved_by;
  report.resolved_at = entry.resolved_at;
  if (entry.result == UpdateResult::kRefused) {
    // Not something a run records; kept consistent (refusal set exactly when refused).
    report.refusal.emplace();
    report.refusal->code = std::string(refusal_code::kInternal);
    report.refusal->message = report.message;
  }
  return report;
}

Result<std::vector<std::string>> ReadLogTail(const std::string& path, size_t max_lines) {
  std::vector<std::string> lines;
  if (max_lines == 0) return lines;
  // O_NONBLOCK: something other than a file put at the path (a FIFO) must not hang a request.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return lines;
    return FileError(path, "open", errno);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return FileError(path, "stat", errno);
  if (!S_ISREG(info.st_mode)) return MakeError(path + ": not a regular file");
  if (info.st_size == 0) return lines;
  Result<LogWindow> window = ReadEnd(fd.get(), path, info.st_size);
  if (!window.ok()) return MakeError(window.error());

  if (window->text.empty()) return lines;  // emptied since the stat
  std::string_view text(window->text);
  if (text.back() == '\n') text.remove_suffix(1);  // no empty line after it
  // Newest first, from the end of the window back to max_lines lines (or its start).
  size_t end = text.size();
  while (lines.size() < max_lines) {
    const size_t newline = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
    const size_t begin = newline == std::string_view::npos ? 0 : newline + 1;
    std::string line = TailLine(text.substr(begin, end - begin));
    if (begin == 0 && window->starts_cut) line.insert(0, kCut);
    lines.push_back(std::move(line));
    if (newline == std::string_view::npos) break;
    end = newline;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

}  // namespace upkeep
