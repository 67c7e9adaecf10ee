#include "exporter/sampler.h"

#include <spdlog/spdlog.h>

#include "exporter/health_renderer.h"
#include "exporter/update_metrics.h"

namespace upkeep {
namespace {

using Clock = std::chrono::steady_clock;

double WallClockSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Sampler::Sampler(std::vector<std::unique_ptr<Collector>> collectors, QueueStateFunction queue_state,
                 std::chrono::milliseconds interval, SnapshotRing& ring)
    : collectors_(std::move(collectors)),
      queue_state_(std::move(queue_state)),
      interval_(interval),
      ring_(ring),
      last_errors_(collectors_.size()),
      begin_seconds_(collectors_.size()) {}

Sampler::~Sampler() { Stop(); }

void Sampler::Start() {
  // A tick that overran the interval (a slow collector near its timeout) is followed by a
  // whole interval of rest, not at once by another: sampling never takes a core.
  worker_.Start({.interval = interval_,
                 .first_run = WorkerSchedule::FirstRun::kAtOnce,
                 .overrun = WorkerSchedule::Overrun::kWaitFullInterval},
                [this] { Tick(); });
}

void Sampler::Stop() { worker_.Stop(); }

TickCost Sampler::Tick() {
  TickCost cost;
  const auto start = Clock::now();

  Sample sample;
  sample.timestamp_seconds = WallClockSeconds();
  sample.collectors.reserve(collectors_.size());
  // Work handed to other threads first (statvfs), so it runs while the others read /proc.
  for (size_t i = 0; i < collectors_.size(); ++i) {
    const auto begin = Clock::now();
    collectors_[i]->Begin();
    begin_seconds_[i] = std::chrono::duration<double>(Clock::now() - begin).count();
  }
  for (size_t i = 0; i < collectors_.size(); ++i) {
    Collector& collector = *collectors_[i];
    const auto begin = Clock::now();
    Status status = collector.Collect(sample);
    const auto took =
        begin_seconds_[i] + std::chrono::duration<double>(Clock::now() - begin).count();
    CollectorStatus& recorded = sample.collectors.emplace_back();
    recorded.name = collector.Name();
    recorded.success = status.ok();
    recorded.duration_seconds = took;
    if (!status.ok()) recorded.error = status.error();
    // Log once per change of state, not once a second.
    if (recorded.error != last_errors_[i]) {
      if (recorded.error.empty()) {
        spdlog::info("collector {} recovered", recorded.name);
      } else {
        spdlog::warn("collector {} failed: {}", recorded.name, recorded.error);
      }
      last_errors_[i] = recorded.error;
    }
  }
  if (queue_state_) sample.queue = queue_state_();
  std::optional<UpdateSample> update;
  if (update_state_) update = update_state_();
  std::optional<UpdateRunSample> update_runs;
  if (update_run_state_) update_runs = update_run_state_();
  const auto collected = Clock::now();
  cost.collect = collected - start;

  Snapshot* slot = ring_.BeginWrite();
  if (slot == nullptr) {
    // Every spare slot is pinned by a slow reader: keep serving the current snapshot.
    skipped_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("sampler: no free snapshot slot, keeping the current one");
    return cost;
  }
  slot->sequence = ++sequence_;
  slot->sample = std::move(sample);
  metrics_renderer_.Render(slot->sample, slot->metrics_text);
  if (update) AppendUpdateMetrics(*update, slot->metrics_text);
  if (update_runs) AppendUpdateRunMetrics(*update_runs, slot->metrics_text);
  if (extra_metrics_) extra_metrics_(slot->metrics_text);
  RenderHealthJson(slot->sample, slot->health_json);
  const auto rendered = Clock::now();
  cost.render = rendered - collected;
  gzip_.Compress(slot->metrics_text, slot->metrics_gzip);
  cost.compress = Clock::now() - rendered;
  ring_.Publish(slot);
  published_.fetch_add(1, std::memory_order_relaxed);
  return cost;
}

}  // namespace upkeep
