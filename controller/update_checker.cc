#include "controller/update_checker.h"

#include "common/duration.h"
#include "common/file_reader.h"
#include "common/text.h"
#include "controller/git_facts_json.h"
#include "controller/git_helper.h"
#include "controller/git_user.h"
#include "controller/run_environment.h"

namespace upkeep {
namespace {

constexpr size_t kMaxAnswerBytes = 4 << 20;

}  // namespace

UpdateChecker::UpdateChecker(UpdateCheckerOptions options, QueueStateSource queue,
                             LockFlagsSource lock)
    : options_(std::move(options)), queue_(std::move(queue)), lock_(std::move(lock)) {}

uint64_t UpdateChecker::helper_runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

UpdateCheckOutcome UpdateChecker::Check(bool refresh) {
  // Both sources answer at once from their own state; asked before taking our mutex.
  const UpdateLockFlags flags = lock_();
  const QueueState queue = queue_();
  std::unique_lock lock(mutex_);
  if (flags.update_in_progress) {
    // The update owns .git now: no fetch, no helper; what we knew, with the lock's blocker.
    UpdateCheckOutcome outcome;
    outcome.answer = LastAnswer(queue, flags);
    if (!outcome.answer) {
      outcome.error = MakeCheckError(CheckErrorKind::kUpdateInProgress,
                                     "an update is running and there is no earlier check to "
                                     "answer from; check again when it has finished");
    }
    return outcome;
  }
  if (running_) {
    const uint64_t seen = runs_;
    finished_.wait(lock, [&] { return runs_ != seen; });
    return Answer(*last_run_, queue, flags);
  }
  if (!refresh && last_run_ && Clock::now() - last_run_->finished < options_.min_fetch_interval) {
    return Answer(*last_run_, queue, flags);
  }
  running_ = true;
  lock.unlock();
  Run run = RunAndRecord(true);
  lock.lock();
  return Answer(run, queue, flags);
}

CheckResult<GitFacts> UpdateChecker::FetchForUpdate(bool fetch) {
  {
    std::unique_lock lock(mutex_);
    // A background run in flight finishes first: one helper in the checkout at a time.
    finished_.wait(lock, [&] { return !running_; });
    running_ = true;
  }
  Run run = RunAndRecord(fetch);
  if (run.error) return *run.error;
  return *run.facts;
}

UpdateChecker::Run UpdateChecker::RunAndRecord(bool fetch) {
  const SystemTime started = std::chrono::system_clock::now();
  const Clock::time_point began = Clock::now();
  Run run = RunHelper(fetch);
  if (options_.on_run) {
    // Runs are one at a time (running_), so the observer sees them in order.
    options_.on_run(UpdateCheckRun{
        .started = started,
        .duration = std::chrono::duration_cast<std::chrono::milliseconds>(run.finished - began),
        .facts = run.facts,
        .error = run.error});
  }
  std::lock_guard lock(mutex_);
  running_ = false;
  ++runs_;
  if (run.facts) {
    last_facts_ = run.facts;
    if (run.facts->fetched) fetched_at_ = started;
  }
  last_run_ = run;
  finished_.notify_all();
  return run;
}

UpdateChecker::Run UpdateChecker::RunHelper(bool fetch) const {
  GitCheckRequest request = options_.request;
  request.fetch = fetch;
  std::vector<std::string> argv = {options_.helper_binary};
  for (std::string& arg : GitCheckArgs(request)) argv.push_back(std::move(arg));

  Run run;
  auto fail = [&](CheckErrorKind kind, std::string message) {
    run.error = MakeCheckError(kind, std::move(message));
    run.finished = Clock::now();
    return run;
  };
  CheckResult<std::optional<RunAs>> user = ResolveGitUser(request.repo, options_.user);
  if (!user) return fail(user.error().kind, user.error().message);

  ProcessOptions process;
  process.timeout = options_.fetch_timeout;
  process.kill_grace = options_.kill_grace;
  process.env = CleanEnvironment(*user);  // nothing of the daemon's own
  process.cwd = "/";
  process.umask = 022;
  process.run_as = *user;
  process.stdout_limit_is_error = true;
  process.max_stdout = kMaxAnswerBytes;
  if (fetch && !options_.https_token_file.empty()) {
    // Read at every run, so that a rotated token counts at once; it reaches the helper on a
    // pipe only.
    if (Status read = ReadFileInto(options_.https_token_file, process.stdin_data, kMaxStdinBytes);
        !read) {
      return fail(CheckErrorKind::kFetchFailed,
                  "cannot read the https token (update.credentials.https_token_file): " +
                      read.error() + "; nothing was fetched");
    }
    if (process.stdin_data.empty()) {
      return fail(
          CheckErrorKind::kFetchFailed,
          "the https token file " + options_.https_token_file + " is empty; nothing was fetched");
    }
  }
  Result<ProcessOutcome> outcome = RunProcess(argv, process);
  if (!outcome) return fail(CheckErrorKind::kInternal, "git helper: " + outcome.error());
  if (outcome->timed_out) {
    const std::string what = fetch ? "fetch from " + request.remote : "reading " + request.repo;
    return fail(fetch ? CheckErrorKind::kFetchFailed : CheckErrorKind::kInternal,
                what + " timed out after " + FormatDuration(options_.fetch_timeout) +
                    " (the helper was stopped)");
  }
  if (outcome->out.empty()) {
    const std::string how = outcome->signal != 0
                                ? "was killed by signal " + std::to_string(outcome->signal)
                                : "exited with " + std::to_string(outcome->exit_code);
    return fail(CheckErrorKind::kInternal,
                "git helper " + how + " without an answer: " + Printable(outcome->err, 300));
  }
  CheckResult<GitFacts> facts = ParseGitHelperAnswer(outcome->out);
  if (!facts) return fail(facts.error().kind, facts.error().message);
  run.facts = std::move(*facts);
  run.finished = Clock::now();
  return run;
}

UpdateCheckOutcome UpdateChecker::Answer(const Run& run, const QueueState& queue,
                                         const UpdateLockFlags& flags) const {
  UpdateCheckOutcome outcome;
  if (run.error) {
    outcome.error = run.error;
    outcome.last = LastAnswer(queue, flags);
    return outcome;
  }
  UpdateCheckInput input;
  input.facts = *run.facts;
  input.queue = queue;
  input.update_in_progress = flags.update_in_progress;
  input.recovery_pending = flags.recovery_pending;
  input.allow_insecure_transport = options_.request.allow_insecure_transport;
  input.checked_at = std::chrono::system_clock::now();
  input.fetched_at = fetched_at_;
  outcome.answer = BuildUpdateCheck(input);
  return outcome;
}

std::optional<UpdateCheckAnswer> UpdateChecker::LastAnswer(const QueueState& queue,
                                                           const UpdateLockFlags& flags) const {
  if (!last_facts_) return std::nullopt;
  Run last;
  last.facts = last_facts_;
  return Answer(last, queue, flags).answer;
}

}  // namespace upkeep
