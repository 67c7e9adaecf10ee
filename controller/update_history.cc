#include "controller/update_history.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <functional>
#include <set>
#include <utility>

#include "common/fd.h"
#include "common/text.h"
#include "controller/state_files.h"
#include "controller/update_id.h"

namespace upkeep {
namespace {

constexpr std::array<std::pair<UpdateResult, std::string_view>, 6> kResultNames{{
    {UpdateResult::kSuccess, "success"},
    {UpdateResult::kUpToDate, "up_to_date"},
    {UpdateResult::kRolledBack, "rolled_back"},
    {UpdateResult::kRollbackFailed, "rollback_failed"},
    {UpdateResult::kRefused, "refused"},
    {UpdateResult::kInterrupted, "interrupted"},
}};

// An entry is well under a few kilobytes even with many steps; a longer line is not one.
constexpr size_t kMaxLineBytes = 256 * 1024;

constexpr std::string_view kLogSuffix = ".log";

// Opens the history for reading; an invalid fd with errno ENOENT when there is none yet.
Result<Fd> OpenForReading(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid() && errno != ENOENT) return FileError(path, "open", errno);
  return fd;
}

// Reads entries newest first, handing each to `take` until it returns false.
Result<size_t> VisitEntries(const std::string& path,
                            const std::function<bool(HistoryEntry&&)>& take) {
  Result<Fd> fd = OpenForReading(path);
  if (!fd.ok()) return MakeError(fd.error());
  if (!fd->valid()) return size_t{0};
  size_t skipped = 0;
  Status read = ForEachLineBackwards(
      fd->get(), path, kMaxLineBytes, [&](std::string_view line, bool overlong) {
        if (overlong) {
          ++skipped;
          return true;
        }
        if (Trim(line).empty()) return true;  // the end of the last line, or a blank one
        const nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
        Result<HistoryEntry> entry = json.is_discarded()
                                         ? Result<HistoryEntry>(MakeError("not JSON"))
                                         : HistoryEntryFromJson(json);
        if (!entry.ok()) {
          ++skipped;
          return true;
        }
        return take(std::move(*entry));
      });
  if (!read.ok()) return MakeError(read.error());
  return skipped;
}

// Whether the file open at `fd` is non-empty and does not end with '\n'.
Result<bool> EndsTorn(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return FileError(path, "stat", errno);
  if (info.st_size == 0) return false;
  char last = '\n';
  ssize_t got = -1;
  do {
    got = ::pread(fd, &last, 1, info.st_size - 1);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return FileError(path, "read", errno);
  return got == 1 && last != '\n';
}

}  // namespace

std::string_view UpdateResultName(UpdateResult result) {
  for (const auto& [value, name] : kResultNames) {
    if (value == result) return name;
  }
  return "unknown";
}

std::optional<UpdateResult> UpdateResultNamed(std::string_view wanted) {
  for (const auto& [value, name] : kResultNames) {
    if (name == wanted) return value;
  }
  return std::nullopt;
}

std::vector<UpdateResult> AllUpdateResults() {
  std::vector<UpdateResult> all;
  for (const auto& [value, name] : kResultNames) all.push_back(value);
  return all;
}

nlohmann::json HistoryEntryToJson(const HistoryEntry& entry) {
  nlohmann::json steps = nlohmann::json::array();
  for (const StepRecord& step : entry.steps) steps.push_back(StepRecordToJson(step));
  nlohmann::json json = {
      {"id", entry.id},
      {"who", entry.who},
      {"fromRevision", entry.from_revision},
      {"toRevision", entry.to_revision},
      {"fromVersion", entry.from_version},
      {"toVersion", entry.to_version},
      {"result", std::string(UpdateResultName(entry.result))},
      {"startedAt", entry.started_at},
      {"finishedAt", entry.finished_at},
      {"steps", std::move(steps)},
  };
  if (!entry.resolved_by.empty()) json["resolvedBy"] = entry.resolved_by;
  if (!entry.resolved_at.empty()) json["resolvedAt"] = entry.resolved_at;
  return json;
}

Result<HistoryEntry> HistoryEntryFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return MakeError("not a JSON object");
  try {
    HistoryEntry entry;
    json.at("id").get_to(entry.id);
    if (!IsValidUpdateId(entry.id)) return MakeError("invalid id " + Quote(entry.id, 40));
    json.at("who").get_to(entry.who);
    json.at("fromRevision").get_to(entry.from_revision);
    json.at("toRevision").get_to(entry.to_revision);
    json.at("fromVersion").get_to(entry.from_version);
    json.at("toVersion").get_to(entry.to_version);
    const std::string result = json.at("result").get<std::string>();
    std::optional<UpdateResult> known = UpdateResultNamed(result);
    if (!known) return MakeError("unknown result " + Quote(result, 40));
    entry.result = *known;
    json.at("startedAt").get_to(entry.started_at);
    json.at("finishedAt").get_to(entry.finished_at);
    for (const nlohmann::json& item : json.at("steps")) {
      Result<StepRecord> step = StepRecordFromJson(item);
      if (!step.ok()) return MakeError("step: " + step.error());
      entry.steps.push_back(std::move(*step));
    }
    // Optional: only a resolved run has them, and older lines never do.
    if (const auto by = json.find("resolvedBy"); by != json.end()) by->get_to(entry.resolved_by);
    if (const auto at = json.find("resolvedAt"); at != json.end()) at->get_to(entry.resolved_at);
    return entry;
  } catch (const nlohmann::json::exception& error) {
    return MakeError(error.what());
  }
}

std::string HistoryPath(const std::string& state_dir) { return state_dir + "/history.jsonl"; }

Status AppendHistory(const std::string& state_dir, const HistoryEntry& entry) {
  const std::string path = HistoryPath(state_dir);
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  Fd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return FileError(path, "open", errno);
  Result<bool> torn = EndsTorn(fd.get(), path);
  if (!torn.ok()) return MakeError(torn.error());
  // dump() escapes every control character, so the line holds no '\n' of its own.
  const std::string line = (*torn ? "\n" : "") + HistoryEntryToJson(entry).dump() + "\n";
  // One write: O_APPEND places it whole at the end, after any other appender's line.
  const ssize_t written = ::write(fd.get(), line.data(), line.size());
  if (written < 0) return FileError(path, "append", errno);
  if (static_cast<size_t>(written) != line.size()) {
    return MakeError(path + ": append: short write (the disk is full?)");
  }
  if (::fsync(fd.get()) != 0) return FileError(path, "fsync", errno);
  return existed ? OkStatus() : SyncDirectory(state_dir);
}

Result<HistoryPage> ReadLastHistory(const std::string& state_dir, size_t limit) {
  HistoryPage page;
  if (limit == 0) return page;
  std::set<std::string> seen;  // ids: a run's newest line supersedes its older ones
  Result<size_t> skipped = VisitEntries(HistoryPath(state_dir), [&](HistoryEntry&& entry) {
    if (!seen.insert(entry.id).second) return true;
    page.entries.push_back(std::move(entry));
    return page.entries.size() < limit;
  });
  if (!skipped.ok()) return MakeError(skipped.error());
  page.skipped_lines = *skipped;
  return page;
}

Result<std::optional<HistoryEntry>> FindInHistory(const std::string& state_dir,
                                                  std::string_view id) {
  std::optional<HistoryEntry> found;
  if (!IsValidUpdateId(id)) return found;
  Result<size_t> skipped = VisitEntries(HistoryPath(state_dir), [&](HistoryEntry&& entry) {
    if (entry.id != id) return true;
    found = std::move(entry);
    return false;
  });
  if (!skipped.ok()) return MakeError(skipped.error());
  return found;
}

std::string RunLogsDir(const std::string& state_dir) { return state_dir + "/updates"; }

std::string RunLogPath(const std::string& state_dir, std::string_view id) {
  return RunLogsDir(state_dir) + "/" + std::string(id) + std::string(kLogSuffix);
}

Result<size_t> PruneRunLogs(const std::string& state_dir, size_t keep) {
  const std::string directory = RunLogsDir(state_dir);
  DIR* listing = ::opendir(directory.c_str());
  if (listing == nullptr) {
    if (errno == ENOENT) return size_t{0};
    return FileError(directory, "open directory", errno);
  }
  std::vector<std::string> logs;
  int read_error = 0;
  for (;;) {
    errno = 0;  // readdir's end and its error differ only in errno
    const dirent* item = ::readdir(listing);
    if (item == nullptr) {
      read_error = errno;
      break;
    }
    const std::string_view name = item->d_name;
    if (name.size() == kUpdateIdLength + kLogSuffix.size() && name.ends_with(kLogSuffix) &&
        IsValidUpdateId(name.substr(0, kUpdateIdLength))) {
      logs.emplace_back(name);
    }
  }
  ::closedir(listing);
  if (read_error != 0) return FileError(directory, "read directory", read_error);
  if (logs.size() <= keep) return size_t{0};
  std::sort(logs.begin(), logs.end(), std::greater<>());
  size_t removed = 0;
  for (size_t at = keep; at < logs.size(); ++at) {
    const std::string path = directory + "/" + logs[at];
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return FileError(path, "remove", errno);
    ++removed;
  }
  return removed;
}

}  // namespace upkeep
