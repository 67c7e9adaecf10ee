#include "app/update_service.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "app/update_checker_options.h"
#include "app/update_run_sample_of.h"
#include "common/config_error.h"
#include "common/duration.h"
#include "controller/git_user.h"
#include "controller/state_dir_check.h"

namespace upkeep {
namespace {

// mkdir -p, the last directory 0700: it holds what the update check and the updates must
// keep across restarts, nobody else's business. An existing directory is left as it is (and
// then checked).
void CreateStateDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::filesystem::path path(dir);
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (!error && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    error = std::error_code(errno, std::generic_category());
  }
  if (!error && !std::filesystem::is_directory(path, error) && !error) {
    error = std::make_error_code(std::errc::not_a_directory);
  }
  if (error) {
    throw ConfigError("update.state_dir: cannot create " + dir + ": " + error.message());
  }
}

// The state directory must be ours alone: not inside the repo, not writable by update.user.
void CheckStateDirOrThrow(const UpdateOptions& update) {
  std::optional<uid_t> user_uid;
  if (CheckResult<std::optional<RunAs>> user = ResolveGitUser(update.repo, update.user);
      user.ok() && user->has_value()) {
    user_uid = (*user)->uid;
  }
  if (Status checked = CheckStateDir(update.state_dir, update.repo, user_uid); !checked.ok()) {
    throw ConfigError(checked.error());
  }
}

// The git helper is this binary (`upkeep git ...`): its path now, at start, so that the helper
// is the same program as the daemon that asks it.
std::string ThisBinary() {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw std::runtime_error("cannot find this binary for the git helper: /proc/self/exe: " +
                             error.message());
  }
  return path.string();
}

double EpochSeconds(SystemTime time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

void LogUpdateNotice(const UpdateStatusNotice& notice) {
  if (notice.warning) {
    spdlog::warn("{}", notice.text);
  } else {
    spdlog::info("{}", notice.text);
  }
}

void LogRunLine(const UpdateLogLine& line) {
  switch (line.level) {
    case UpdateLogLine::Level::kInfo:
      return spdlog::info("{}", line.text);
    case UpdateLogLine::Level::kWarning:
      return spdlog::warn("{}", line.text);
    case UpdateLogLine::Level::kError:
      return spdlog::error("{}", line.text);
  }
}

}  // namespace

UpdateService::UpdateService(const UpdateOptions& update, QueueMonitor& queue) {
  CreateStateDir(update.state_dir);
  CheckStateDirOrThrow(update);
  const std::string binary = ThisBinary();
  status_ = std::make_unique<UpdateStatusTracker>(update.state_dir + "/update-check.json");
  status_->SetNoticeSink(LogUpdateNotice);
  UpdateCheckerOptions options = UpdateCheckerOptionsOf(update, binary);
  options.on_run = [status = status_.get()](const UpdateCheckRun& run) { status->Record(run); };
  checker_ = std::make_unique<UpdateChecker>(
      std::move(options), [&queue] { return queue.State(); },
      // The runner exists before anything calls the checker (Start).
      [this] { return runner_ ? runner_->LockFlags() : UpdateLockFlags{}; });
  runner_ = std::make_unique<UpdateRunner>(
      UpdateRunnerOptions{.update = update, .helper_binary = binary, .log = LogRunLine}, *checker_,
      [&queue] { return queue.ProbeNow(); });
  loop_ = std::make_unique<UpdateCheckLoop>(*checker_, update.check_interval);
  spdlog::info(
      "update: managing {} (remote {}, branch {}) as {}; background check {}; {} step(s); state "
      "in {}",
      update.repo, update.remote, update.branch,
      update.user.empty() ? "the owner of the checkout" : "user " + update.user,
      update.check_interval.count() == 0 ? "off" : "every " + FormatDuration(update.check_interval),
      update.steps.size(), update.state_dir);
}

UpdateService::~UpdateService() { Stop(); }

void UpdateService::Start() {
  // Before anything is served: an execute must not race the recovery for the lock, and the
  // background check must not fetch while a recovered run is being rolled back.
  runner_->Recover();
  loop_->Start();
}

bool UpdateService::Stop() {
  if (stopped_) return true;
  stopped_ = true;
  const bool finished = runner_->Shutdown();
  loop_->Stop();
  return finished;
}

UpdateSample UpdateService::Sample() const {
  const UpdateCheckStatus status = status_->Status();
  UpdateSample sample;
  sample.checked = status.checked;
  sample.check_success = status.success;
  sample.last_check_timestamp_seconds = status.checked ? EpochSeconds(status.last_check_at) : 0;
  sample.check_duration_seconds = status.duration_seconds;
  sample.available = status.available;
  sample.available_since_timestamp_seconds =
      status.available && status.available_since ? EpochSeconds(*status.available_since) : 0;
  sample.commits_behind = status.commits_behind;
  sample.target_version = status.current_version;
  sample.target_revision = status.current_revision;
  return sample;
}

UpdateRunSample UpdateService::RunSample() const { return UpdateRunSampleOf(runner_->Counters()); }

}  // namespace upkeep
