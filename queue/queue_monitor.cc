#include "queue/queue_monitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace upkeep {
namespace {

double WallClockSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Bounds the log lines of one outage whose error text keeps changing.
constexpr size_t kMaxErrorsLoggedPerOutage = 4;

std::string Millis(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

}  // namespace

std::string_view QueueStatusName(QueueStatus status) {
  switch (status) {
    case QueueStatus::kIdle:
      return "idle";
    case QueueStatus::kBusy:
      return "busy";
    case QueueStatus::kUnknown:
      break;
  }
  return "unknown";
}

QueueMonitor::QueueMonitor(std::unique_ptr<QueueSource> source, QueueMonitorOptions options)
    : source_(std::move(source)), type_(source_->Type()), options_(options) {}

QueueMonitor::~QueueMonitor() { Stop(); }

void QueueMonitor::Start() {
  {
    std::lock_guard lock(mutex_);
    if (running_) return;
    running_ = true;
  }
  // The cadence follows probe starts; a probe that overran its interval is followed at once by
  // the next rather than by a burst of catch-up probes.
  worker_.Start({.interval = options_.interval,
                 .first_run = WorkerSchedule::FirstRun::kAtOnce,
                 .overrun = WorkerSchedule::Overrun::kRunAtOnce},
                [this] { ProbeOnce(); });
  std::unique_lock lock(mutex_);
  finished_.wait_for(lock, options_.timeout, [this] { return last_ != nullptr || !running_; });
}

void QueueMonitor::Stop() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  finished_.notify_all();
  worker_.Stop();
}

void QueueMonitor::ProbeOnce() {
  std::unique_lock lock(mutex_);
  const uint64_t covers = requested_;  // requests made before this probe starts
  probing_ = true;
  probe_started_ = Clock::now();
  const Clock::time_point started = probe_started_;
  lock.unlock();

  Result<QueueProbe> result = source_->Probe();
  auto record = std::make_shared<Record>();
  record->finished = Clock::now();
  record->finished_wall_seconds = WallClockSeconds();
  record->duration_seconds = std::chrono::duration<double>(record->finished - started).count();
  record->success = result.ok();
  if (result.ok()) {
    record->probe = std::move(result).value();
  } else {
    record->error = result.error();
  }
  LogChange(*record);

  lock.lock();
  last_ = record;
  if (record->success) last_good_ = record;
  covered_ = covers;
  probing_ = false;
  probes_.fetch_add(1, std::memory_order_relaxed);
  finished_.notify_all();
}

// Each distinct error is logged once per outage, not at each change of error. A probe that
// overlaps a change in the source (the database renamed, or copied back, mid-probe) can see a
// transient error ("disk I/O error") before the steady one, and a source can alternate
// between two errors for as long as an outage lasts: logging each change would then log at
// every probe. A different error is still news (the file came back without its table), so it
// is logged the first time it appears in the outage, up to kMaxErrorsLoggedPerOutage.
void QueueMonitor::LogChange(const Record& record) {
  if (record.success) {
    if (outage_probes_ == 0) return;
    spdlog::info("queue source {}: probing works again after {} failed probe(s)", type_,
                 outage_probes_);
    outage_errors_.clear();
    outage_probes_ = 0;
    return;
  }
  ++outage_probes_;
  if (outage_errors_.size() >= kMaxErrorsLoggedPerOutage ||
      std::find(outage_errors_.begin(), outage_errors_.end(), record.error) !=
          outage_errors_.end()) {
    return;
  }
  outage_errors_.push_back(record.error);
  const bool last = outage_errors_.size() == kMaxErrorsLoggedPerOutage;
  spdlog::warn("queue source {}: probe failed: {}{}", type_, record.error,
               last ? " (other errors are not logged until probing works again)" : "");
}

QueueMonitor::View QueueMonitor::Load() const {
  std::lock_guard lock(mutex_);
  return View{last_, last_good_};
}

QueueSample QueueMonitor::Latest() const {
  const View view = Load();
  const Clock::time_point now = Clock::now();
  QueueSample sample;
  sample.source = type_;
  if (!view.last) {
    sample.probe_success = false;
    sample.stale = true;
    sample.error = "no queue probe has finished yet";
    return sample;
  }
  sample.probe_success = view.last->success;
  sample.probe_duration_seconds = view.last->duration_seconds;
  sample.error = view.last->error;
  if (view.last_good) {
    sample.last_success_timestamp_seconds = view.last_good->finished_wall_seconds;
    sample.depth = view.last_good->probe.depth;
    sample.active_jobs = view.last_good->probe.active_jobs;
    sample.active_job = view.last_good->probe.active_job;
  }
  sample.stale = !view.last_good || now - view.last_good->finished > options_.stale_after;
  if (sample.stale && sample.error.empty()) {
    // The last probe succeeded but long ago: the probe thread is stuck in a source.
    sample.error = "no queue probe has finished for more than " + Millis(options_.stale_after);
  }
  return sample;
}

QueueState QueueMonitor::StateOf(const View& view, Clock::time_point now) const {
  QueueState state;
  if (!view.last) {
    state.reason = "no queue probe has finished yet";
    return state;
  }
  if (!view.last->success) {
    state.reason = view.last->error;
    return state;
  }
  if (now - view.last->finished > options_.stale_after) {
    state.reason = "no queue probe has finished for more than " + Millis(options_.stale_after);
    return state;
  }
  const QueueProbe& probe = view.last->probe;
  state.depth = probe.depth;
  state.active_jobs = probe.active_jobs;
  if (probe.active_jobs > 0) {
    state.status = QueueStatus::kBusy;
    state.active_job = probe.active_job;
  } else {
    state.status = QueueStatus::kIdle;
  }
  return state;
}

QueueState QueueMonitor::State() const { return StateOf(Load(), Clock::now()); }

QueueState QueueMonitor::ProbeNow() {
  std::unique_lock lock(mutex_);
  if (!running_) {
    QueueState state;
    state.reason = "the queue monitor is not running";
    return state;
  }
  const uint64_t ticket = ++requested_;
  // A probe already running started before this call and cannot answer it; the fresh one
  // starts when it ends, at the latest at its own deadline.
  const Clock::time_point now = Clock::now();
  const Clock::time_point fresh_start =
      probing_ ? std::max(now, probe_started_ + options_.timeout) : now;
  const Clock::time_point deadline = fresh_start + options_.timeout;
  worker_.Wake();
  const bool answered =
      finished_.wait_until(lock, deadline, [&] { return !running_ || covered_ >= ticket; });
  if (!answered || covered_ < ticket) {
    QueueState state;
    state.reason = !running_ ? "the queue monitor is stopping"
                             : "no fresh queue probe finished within the timeout of " +
                                   Millis(options_.timeout);
    return state;
  }
  const View view{last_, last_good_};
  lock.unlock();
  return StateOf(view, Clock::now());
}

}  // namespace upkeep
