#include "controller/update_status.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/file_reader.h"
#include "common/time_text.h"
#include "controller/state_files.h"

namespace upkeep {
namespace {

// The state file's one key: when the pending update became available, in Unix milliseconds
// (the in-memory time is kept at that precision, so a restart restores it exactly); null when
// none is.
constexpr const char* kSinceKey = "available_since_unix_ms";
constexpr size_t kMaxStateFileBytes = 64 * 1024;

using Milliseconds = std::chrono::milliseconds;

SystemTime ToMilliseconds(SystemTime time) { return std::chrono::floor<Milliseconds>(time); }

std::string ErrorText(const CheckError& error) {
  return std::string(CheckErrorCodeOf(error.kind).code) + ": " + error.message;
}

std::string Plural(uint64_t count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

// The state file's content, or why it cannot be used. A missing file is no error: none.
Result<std::optional<SystemTime>> ReadState(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::optional<SystemTime>();
  std::string text;
  if (const Status read = ReadFileInto(path, text, kMaxStateFileBytes); !read) {
    return MakeError(read.error());
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return MakeError(path + " is not a JSON object");
  const auto it = json.find(kSinceKey);
  if (it == json.end() || it->is_null()) return std::optional<SystemTime>();
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return MakeError(path + ": " + kSinceKey + " is not a non-negative integer");
  }
  return std::optional<SystemTime>(SystemTime(Milliseconds(it->get<int64_t>())));
}

}  // namespace

UpdateStatusTracker::UpdateStatusTracker(std::string state_file)
    : state_file_(std::move(state_file)) {
  if (!state_file_.empty()) LoadStateFile();
}

void UpdateStatusTracker::LoadStateFile() {
  const Result<std::optional<SystemTime>> state = ReadState(state_file_);
  if (state) {
    since_ = *state;
    return;
  }
  // Worth a warning, not a failed start: what is lost is only how long an update has waited
  // (the next check that finds one starts counting afresh).
  pending_.push_back({true, "update state file ignored: " + state.error()});
}

void UpdateStatusTracker::Record(const UpdateCheckRun& run) {
  const SystemTime finished = run.started + run.duration;
  Effects effects;
  {
    std::lock_guard lock(mutex_);
    // Runs come in order (the checker reports each before the next may start), so the latest
    // one recorded is the latest run, whatever its wall-clock start says (the clock may have
    // been stepped back).
    status_.checked = true;
    status_.last_check_at = finished;
    status_.duration_seconds = std::chrono::duration<double>(run.duration).count();
    if (run.facts && !run.error) {
      ApplySuccess(run, finished, effects);
    } else {
      ApplyFailure(run.error ? *run.error
                             : MakeCheckError(CheckErrorKind::kInternal,
                                              "the helper run gave neither facts nor an error"),
                   effects);
    }
    if (effects.write_generation) effects.since = since_;
  }
  if (effects.write_generation) WriteStateFile(*effects.write_generation, effects.since);
  Deliver(std::move(effects.notices));
}

void UpdateStatusTracker::ApplySuccess(const UpdateCheckRun& run, SystemTime finished,
                                       Effects& effects) {
  const GitFacts& facts = *run.facts;
  const bool was_known = last_facts_.has_value();
  const bool was_available = was_known && last_facts_->commits_behind > 0;
  const bool available = facts.commits_behind > 0;
  const std::string upstream = facts.remote + "/" + facts.remote_branch;

  if (outage_runs_ > 0) {
    effects.notices.push_back({false, "update check works again after " +
                                          Plural(outage_runs_, "failed check", "failed checks")});
    outage_runs_ = 0;
    outage_errors_.clear();
  }
  if (available) {
    if (!since_) {
      since_ = ToMilliseconds(finished);
      effects.write_generation = ++since_generation_;
    }
    // A newer release while still behind is news too (its versions), though not a new "since".
    if (!was_available || last_facts_->latest_revision != facts.latest_revision) {
      effects.notices.push_back(
          {false, "update available: " + facts.current_version + " -> " + facts.latest_version +
                      ", " + Plural(facts.commits_behind, "commit", "commits") + " behind " +
                      upstream + ", available since " + FormatRfc3339(*since_)});
    }
  } else {
    if (since_) {
      since_.reset();
      effects.write_generation = ++since_generation_;
    }
    if (!was_known || was_available) {
      effects.notices.push_back(
          {false, "no update available: " + facts.current_version + " is not behind " + upstream});
    }
  }
  last_facts_ = facts;
  status_.success = true;
  status_.available = available;
  status_.commits_behind = facts.commits_behind;
  status_.current_version = facts.current_version;
  status_.current_revision = facts.current_revision;
}

// Each distinct error is noticed once per outage (a failing remote fails at every check, and
// a flaky one may alternate between two errors), up to kMaxErrorsNoticedPerOutage.
void UpdateStatusTracker::ApplyFailure(const CheckError& error, Effects& effects) {
  status_.success = false;  // the rest stays as the latest good run left it
  ++outage_runs_;
  const std::string text = ErrorText(error);
  if (outage_errors_.size() >= kMaxErrorsNoticedPerOutage ||
      std::find(outage_errors_.begin(), outage_errors_.end(), text) != outage_errors_.end()) {
    return;
  }
  outage_errors_.push_back(text);
  const bool last = outage_errors_.size() == kMaxErrorsNoticedPerOutage;
  effects.notices.push_back(
      {true, "update check failed: " + text +
                 (last ? " (other errors are not logged until a check succeeds)" : "")});
}

void UpdateStatusTracker::WriteStateFile(uint64_t generation, std::optional<SystemTime> since) {
  if (state_file_.empty()) return;
  std::optional<UpdateStatusNotice> failed;
  {
    std::lock_guard lock(write_mutex_);
    // Two Records may race here; the newer state wins whichever writes first.
    if (generation <= written_generation_) return;
    nlohmann::json json = nlohmann::json::object();
    json[kSinceKey] =
        since ? nlohmann::json(
                    std::chrono::duration_cast<Milliseconds>(since->time_since_epoch()).count())
              : nlohmann::json(nullptr);
    const upkeep::Status written = WriteFileAtomically(state_file_, json.dump() + "\n", 0600);
    if (written) {
      written_generation_ = generation;
    } else {
      failed = UpdateStatusNotice{true, "cannot save the update state: " + written.error()};
    }
  }
  if (failed) Deliver({*failed});
}

void UpdateStatusTracker::Deliver(std::vector<UpdateStatusNotice> notices) {
  if (notices.empty()) return;
  NoticeSink sink;
  {
    std::lock_guard lock(mutex_);
    if (!sink_) {
      // Kept for a sink set later; only the latest few, should none ever be set.
      pending_.insert(pending_.end(), notices.begin(), notices.end());
      if (pending_.size() > kMaxPendingNotices) {
        pending_.erase(
            pending_.begin(),
            pending_.begin() + static_cast<std::ptrdiff_t>(pending_.size() - kMaxPendingNotices));
      }
      return;
    }
    sink = sink_;
  }
  for (const UpdateStatusNotice& notice : notices) sink(notice);
}

void UpdateStatusTracker::SetNoticeSink(NoticeSink sink) {
  std::vector<UpdateStatusNotice> pending;
  {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
    if (!sink_) return;
    pending.swap(pending_);
  }
  Deliver(std::move(pending));
}

UpdateCheckStatus UpdateStatusTracker::Status() const {
  std::lock_guard lock(mutex_);
  UpdateCheckStatus status = status_;
  status.available_since = status.available ? since_ : std::nullopt;
  return status;
}

}  // namespace upkeep
