#include "app/update_command.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "app/config.h"
#include "common/fd.h"
#include "common/text.h"
#include "common/time_text.h"
#include "controller/state_files.h"
#include "controller/update_history.h"
#include "controller/update_journal.h"
#include "controller/update_lock.h"

namespace upkeep {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage =
    "Usage:\n"
    "  upkeep update resolve --config FILE\n"
    "\n"
    "Closes the update run that a crash, a kill or a failed rollback left unfinished (the\n"
    "daemon refuses updates until then): records it in the history as interrupted (or\n"
    "rollback_failed) and removes its journal. It changes nothing in the checkout: look at the\n"
    "service first (git status in update.repo, the run's log in update.state_dir/updates/)\n"
    "and put it right by hand.\n";

struct UsageError {
  std::string message;
};

// The --config of `resolve`; throws UsageError.
std::string ConfigPathOf(int argc, const char* const* argv) {
  if (argc < 2) throw UsageError{"missing action (resolve)"};
  const std::string_view action = argv[1];
  if (action != "resolve") throw UsageError{"unknown action " + Quote(action, 40) + " (resolve)"};
  std::optional<std::string> config;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    constexpr std::string_view kFlag = "--config";
    std::string value;
    if (arg == kFlag) {
      if (i + 1 >= argc) throw UsageError{"--config: missing value"};
      value = argv[++i];
    } else if (arg.starts_with(std::string(kFlag) + "=")) {
      value = arg.substr(kFlag.size() + 1);
    } else {
      throw UsageError{"unknown argument " + Quote(arg, 80)};
    }
    if (value.empty()) throw UsageError{"--config: missing value"};
    if (config) throw UsageError{"--config: given more than once"};
    config = std::move(value);
  }
  if (!config) throw UsageError{"resolve needs --config FILE"};
  return *config;
}

// "user:NAME (uid N)" of whoever ran the command (the real uid: under sudo, root).
std::string InvokingUser() {
  const uid_t uid = ::getuid();
  std::string name = std::to_string(uid);
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    name = Printable(found->pw_name, 64);
  }
  return "user:" + name + " (uid " + std::to_string(uid) + ")";
}

// While it lives, a root process acts (effective uid and gid) as the owner of the state
// directory, the daemon's user: a history file created by root would be one the daemon cannot
// append to. Anyone else stays who they are (and reads "permission denied" if they are not
// the owner: the directory is 0700).
class ActingAsOwner {
 public:
  ActingAsOwner() = default;
  ActingAsOwner(const ActingAsOwner&) = delete;
  ActingAsOwner& operator=(const ActingAsOwner&) = delete;
  ~ActingAsOwner() {
    if (!switched_) return;
    // Cannot fail: the saved set-user-ID is still 0. Going on as the wrong user would be
    // worse than stopping.
    if (::seteuid(0) != 0 || ::setegid(saved_gid_) != 0) std::abort();
  }

  Status Become(uid_t uid, gid_t gid, const std::string& directory) {
    if (::geteuid() != 0 || uid == 0) return OkStatus();
    saved_gid_ = ::getegid();
    if (::setegid(gid) != 0) return FileError(directory, "act as its group", errno);
    if (::seteuid(uid) != 0) {
      const int error = errno;
      if (::setegid(saved_gid_) != 0) std::abort();
      return FileError(directory, "act as its owner", error);
    }
    switched_ = true;
    return OkStatus();
  }

 private:
  bool switched_ = false;
  gid_t saved_gid_ = 0;
};

std::string Short(const std::string& revision) {
  return revision.empty() ? "(unknown)" : revision.substr(0, 7);
}

// How the history records a run that its journal alone describes: rollback_failed when the
// rollback failed; the journal's own result when the run had finished (a crash came before
// its history line); else interrupted.
UpdateResult ResultOf(const UpdateJournal& run) {
  if (run.phase == UpdatePhase::kRollbackFailed) return UpdateResult::kRollbackFailed;
  if (run.phase == UpdatePhase::kFinished) {
    if (std::optional<UpdateResult> named = UpdateResultNamed(run.result)) return *named;
  }
  return UpdateResult::kInterrupted;
}

// The history line that closes `run`, or none when its closing line is there already (a crash
// between our append and the journal's removal). The daemon records a run it leaves to an
// admin; that line is then repeated with who resolved it, and supersedes it (one run, shown
// once: ReadLastHistory).
std::optional<HistoryEntry> ClosingLine(const UpdateJournal& run,
                                        const std::optional<HistoryEntry>& recorded,
                                        const std::string& resolved_by, const std::string& now) {
  if (recorded && !recorded->resolved_by.empty()) return std::nullopt;
  HistoryEntry entry;
  if (recorded) {
    entry = *recorded;
  } else {
    entry.id = run.id;
    entry.who = run.who;
    entry.from_revision = run.from_revision;
    entry.to_revision = run.to_revision;
    entry.from_version = run.from_version;
    entry.to_version = run.to_version;
    entry.result = ResultOf(run);
    entry.started_at = run.started_at;
    // The run never finished: when it was closed is the best end the history can give.
    entry.finished_at = now;
    entry.steps = run.steps;
  }
  entry.resolved_by = resolved_by;
  entry.resolved_at = now;
  return entry;
}

int Fail(std::FILE* err, const std::string& message) {
  std::fprintf(err, "upkeep update: %s\n", message.c_str());
  return kExitFailed;
}

// A journal that is there but not a journal (cut off, edited): no run to record, and the
// daemon refuses updates while it is there. It is kept beside, renamed, for whoever wants to
// know what it said. One that cannot be opened at all is an error like any other.
int SetAsideUnreadable(const std::string& state_dir, const std::string& error, std::FILE* out,
                       std::FILE* err) {
  const std::string path = JournalPath(state_dir);
  const Fd readable(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat info {};
  if (!readable.valid() || ::fstat(readable.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Fail(err, error);
  }
  const std::string aside = path + ".corrupt-" + FormatRfc3339(std::chrono::system_clock::now());
  if (::rename(path.c_str(), aside.c_str()) != 0) {
    return Fail(err, error + "; " + FileError(path, "rename to " + aside, errno).message);
  }
  if (Status synced = SyncDirectory(state_dir); !synced) return Fail(err, synced.error());
  std::fprintf(out,
               "%s\nmoved it aside to %s; no run was recorded in the history; the checkout was "
               "not changed\n",
               error.c_str(), aside.c_str());
  return 0;
}

int Resolve(const std::string& state_dir, std::FILE* out, std::FILE* err) {
  const std::string resolved_by = InvokingUser();
  struct stat info {};
  if (::stat(state_dir.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      std::fprintf(out, "nothing to resolve (%s does not exist)\n", state_dir.c_str());
      return 0;
    }
    return Fail(err, FileError(state_dir, "stat", errno).message);
  }
  ActingAsOwner owner;
  if (Status became = owner.Become(info.st_uid, info.st_gid, state_dir); !became) {
    return Fail(err, became.error());
  }

  UpdateLock lock(state_dir);
  Result<std::optional<UpdateLockGuard>> guard = lock.TryAcquire();
  if (!guard) return Fail(err, guard.error());
  if (!guard->has_value()) {
    return Fail(err, "an update is running (it holds " + lock.path() +
                         "); nothing was changed: wait for it to end");
  }
  Result<std::optional<UpdateJournal>> journal = ReadJournal(state_dir);
  if (!journal) return SetAsideUnreadable(state_dir, journal.error(), out, err);
  if (!journal->has_value()) {
    std::fputs("nothing to resolve\n", out);
    return 0;
  }
  const UpdateJournal& run = **journal;

  Result<std::optional<HistoryEntry>> recorded = FindInHistory(state_dir, run.id);
  if (!recorded) return Fail(err, recorded.error());
  const std::optional<HistoryEntry> line =
      ClosingLine(run, *recorded, resolved_by, FormatRfc3339(std::chrono::system_clock::now()));
  if (line) {
    if (Status appended = AppendHistory(state_dir, *line); !appended) {
      return Fail(err, appended.error() + " (nothing was changed)");
    }
  }
  if (Status removed = RemoveJournal(state_dir); !removed) {
    return Fail(err, removed.error() + " (the run is in the history: run this again)");
  }
  const UpdateResult result = line ? line->result : (*recorded)->result;
  std::fprintf(out,
               "resolved update %s (%s, phase %s, from %s to %s); the checkout was not changed: "
               "HEAD is where the run left it\n",
               run.id.c_str(), std::string(UpdateResultName(result)).c_str(),
               std::string(PhaseName(run.phase)).c_str(), Short(run.from_revision).c_str(),
               Short(run.to_revision).c_str());
  if (!run.failure.empty()) {
    std::fprintf(out, "the run had failed: %s\n", Printable(run.failure, 500).c_str());
  }
  return 0;
}

}  // namespace

int RunUpdateCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err) {
  try {
    if (argc >= 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
      std::fputs(std::string(kUsage).c_str(), out);
      return 0;
    }
    const std::string config_path = ConfigPathOf(argc, argv);
    const Config config = LoadConfigFile(config_path);  // ConfigError: exit 2 with its message
    if (!config.update.configured) throw UsageError{config_path + " has no update: section"};
    return Resolve(config.update.state_dir, out, err);
  } catch (const UsageError& error) {
    std::fprintf(err, "upkeep update: %s\n\n%s", error.message.c_str(),
                 std::string(kUsage).c_str());
    return kExitUsage;
  } catch (const ConfigError& error) {
    std::fprintf(err, "upkeep update: %s\n", error.what());
    return kExitUsage;
  }
}

}  // namespace upkeep
