#include "exporter/metrics_renderer.h"

#include <array>
#include <utility>

#include "common/version.h"
#include "exporter/prometheus_text.h"

namespace upkeep {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;

constexpr std::array<std::pair<const char*, uint64_t CpuTicks::*>, 8> kCpuModes = {{
    {"user", &CpuTicks::user},
    {"nice", &CpuTicks::nice},
    {"system", &CpuTicks::system},
    {"idle", &CpuTicks::idle},
    {"iowait", &CpuTicks::iowait},
    {"irq", &CpuTicks::irq},
    {"softirq", &CpuTicks::softirq},
    {"steal", &CpuTicks::steal},
}};

Family<Gauge>* NewGauge(prometheus::Registry& registry, const char* name, const char* help) {
  return &prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

Family<Counter>* NewCounter(prometheus::Registry& registry, const char* name, const char* help) {
  return &prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

// The member of an optional struct, or none.
template <typename S, typename M>
std::optional<M> Field(const std::optional<S>& object, M S::*member) {
  return object ? std::optional<M>((*object).*member) : std::nullopt;
}

}  // namespace

MetricsRenderer::MetricsRenderer() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  cpu_seconds_ = NewCounter(r, "upkeep_cpu_seconds_total",
                            "CPU time spent in each mode, summed over all CPUs, from /proc/stat.");
  for (const auto& [mode, field] : kCpuModes) {
    cpu_modes_.emplace(mode, CounterSeries(cpu_seconds_, {{"mode", mode}}));
  }
  cpu_usage_ = GaugeSeries(NewGauge(r, "upkeep_cpu_usage_ratio",
                                    "Share of CPU time not idle or iowait over the last sample "
                                    "interval (0-1)."),
                           {});
  cpu_cores_ = GaugeSeries(NewGauge(r, "upkeep_cpu_cores", "Number of online CPUs."), {});
  memory_total_ = GaugeSeries(NewGauge(r, "upkeep_memory_total_bytes", "MemTotal."), {});
  memory_used_ = GaugeSeries(
      NewGauge(r, "upkeep_memory_used_bytes", "Memory in use: MemTotal - MemAvailable."), {});
  memory_available_ = GaugeSeries(NewGauge(r, "upkeep_memory_available_bytes",
                                           "MemAvailable: memory available without swapping."),
                                  {});
  fs_size_ = NewGauge(r, "upkeep_filesystem_size_bytes", "Filesystem size (statvfs f_blocks).");
  fs_free_ = NewGauge(r, "upkeep_filesystem_free_bytes", "Free space (statvfs f_bfree).");
  fs_avail_ = NewGauge(r, "upkeep_filesystem_avail_bytes",
                       "Space available to unprivileged users (statvfs f_bavail).");
  fs_device_error_ = NewGauge(r, "upkeep_filesystem_device_error",
                              "1 when statvfs failed or did not answer for this filesystem.");
  fs_stuck_ = NewGauge(r, "upkeep_filesystem_stuck",
                       "1 when statvfs did not answer within the timeout (a hung mount); it is "
                       "skipped until it answers.");
  load1_ = GaugeSeries(NewGauge(r, "upkeep_load1", "1-minute load average."), {});
  load5_ = GaugeSeries(NewGauge(r, "upkeep_load5", "5-minute load average."), {});
  load15_ = GaugeSeries(NewGauge(r, "upkeep_load15", "15-minute load average."), {});
  boot_time_ = GaugeSeries(
      NewGauge(r, "upkeep_boot_time_seconds", "System boot time, seconds since the epoch."), {});
  uptime_ = GaugeSeries(NewGauge(r, "upkeep_uptime_seconds", "Seconds since boot."), {});
  collector_success_ =
      NewGauge(r, "upkeep_collector_success", "1 when the collector's last sample succeeded.");
  collector_duration_ = NewGauge(r, "upkeep_collector_duration_seconds",
                                 "How long the collector's last sample took.");
  queue_depth_ = GaugeSeries(
      NewGauge(r, "upkeep_queue_depth", "Jobs waiting in the managed service's queue."), {});
  queue_active_jobs_ = GaugeSeries(
      NewGauge(r, "upkeep_queue_active_jobs", "Jobs the managed service is running now."), {});
  queue_probe_success_ = GaugeSeries(
      NewGauge(r, "upkeep_queue_probe_success", "1 when the last queue probe succeeded."), {});
  queue_probe_duration_ = GaugeSeries(
      NewGauge(r, "upkeep_queue_probe_duration_seconds", "How long the last queue probe took."),
      {});
  queue_last_success_ =
      GaugeSeries(NewGauge(r, "upkeep_queue_last_success_timestamp_seconds",
                           "When the queue was last probed successfully, seconds since the epoch."),
                  {});
  NewGauge(r, "upkeep_build_info", "upkeep's version and git revision (value 1).")
      ->Add({{"version", kVersion}, {"revision", kRevision}})
      .Set(1);
  process_cpu_ = CounterSeries(NewCounter(r, "process_cpu_seconds_total",
                                          "Total user and system CPU time spent in seconds."),
                               {});
  process_resident_ = GaugeSeries(
      NewGauge(r, "process_resident_memory_bytes", "Resident memory size in bytes."), {});
  process_open_fds_ =
      GaugeSeries(NewGauge(r, "process_open_fds", "Number of open file descriptors."), {});
  process_start_time_ =
      GaugeSeries(NewGauge(r, "process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds."),
                  {});
}

void MetricsRenderer::Render(const Sample& sample, std::string& out) {
  const auto& cpu = sample.cpu;
  for (const auto& [mode, field] : kCpuModes) {
    CounterSeries& series = cpu_modes_.at(mode);
    if (cpu) {
      series.Set(static_cast<double>(cpu->ticks.*field) / cpu->ticks_per_second);
    } else {
      series.Clear();
    }
  }
  cpu_usage_.SetOptional(cpu ? cpu->usage_ratio : std::nullopt);
  cpu_cores_.SetOptional(Field(cpu, &CpuSample::cores));

  const auto& mem = sample.memory;
  memory_total_.SetOptional(Field(mem, &MemInfo::total_bytes));
  memory_available_.SetOptional(Field(mem, &MemInfo::available_bytes));
  memory_used_.SetOptional(mem ? std::optional<uint64_t>(mem->UsedBytes()) : std::nullopt);

  load1_.SetOptional(Field(sample.load, &LoadAvg::load1));
  load5_.SetOptional(Field(sample.load, &LoadAvg::load5));
  load15_.SetOptional(Field(sample.load, &LoadAvg::load15));
  boot_time_.SetOptional(sample.boot_time_seconds);
  uptime_.SetOptional(Field(sample.uptime, &Uptime::uptime_seconds));

  const auto& proc = sample.process;
  process_cpu_.SetOptional(Field(proc, &ProcessSample::cpu_seconds));
  process_resident_.SetOptional(Field(proc, &ProcessSample::resident_bytes));
  process_open_fds_.SetOptional(Field(proc, &ProcessSample::open_fds));
  process_start_time_.SetOptional(Field(proc, &ProcessSample::start_time_seconds));

  const QueueSample& queue = sample.queue;
  queue_probe_success_.Set(queue.probe_success ? 1 : 0);
  queue_probe_duration_.Set(queue.probe_duration_seconds);
  queue_last_success_.SetOptional(queue.last_success_timestamp_seconds > 0
                                      ? std::optional(queue.last_success_timestamp_seconds)
                                      : std::nullopt);
  // Depth and active jobs are exported only while they are known (a good, fresh probe).
  queue_depth_.SetOptional(queue.stale ? std::nullopt : std::optional(queue.depth));
  queue_active_jobs_.SetOptional(queue.stale ? std::nullopt : std::optional(queue.active_jobs));

  RenderFilesystems(sample);
  RenderCollectors(sample);

  out.clear();  // keeps its capacity: the text is written in place
  AppendPrometheusText(registry_->Collect(), out);
}

void MetricsRenderer::RenderFilesystems(const Sample& sample) {
  std::map<std::string, FilesystemSeries> current;
  for (const FilesystemSample& fs : sample.filesystems) {
    std::string key = fs.mount_point + '\n' + fs.device + '\n' + fs.fstype;
    auto it = filesystems_.find(key);
    FilesystemSeries series;
    if (it != filesystems_.end()) {
      series = std::move(it->second);
      filesystems_.erase(it);
    } else {
      const prometheus::Labels labels = {
          {"mountpoint", fs.mount_point}, {"device", fs.device}, {"fstype", fs.fstype}};
      series =
          FilesystemSeries{GaugeSeries(fs_size_, labels), GaugeSeries(fs_free_, labels),
                           GaugeSeries(fs_avail_, labels), GaugeSeries(fs_device_error_, labels),
                           GaugeSeries(fs_stuck_, labels)};
    }
    // Sizes are exported only when statvfs answered: a hung mount has no current size.
    if (fs.error) {
      series.size.Clear();
      series.free.Clear();
      series.avail.Clear();
    } else {
      series.size.Set(static_cast<double>(fs.size_bytes));
      series.free.Set(static_cast<double>(fs.free_bytes));
      series.avail.Set(static_cast<double>(fs.avail_bytes));
    }
    series.device_error.Set(fs.error ? 1 : 0);
    series.stuck.Set(fs.stuck ? 1 : 0);
    current.emplace(std::move(key), std::move(series));
  }
  filesystems_ = std::move(current);  // what is left over (unmounted) is removed here
}

void MetricsRenderer::RenderCollectors(const Sample& sample) {
  for (const CollectorStatus& status : sample.collectors) {
    auto it = collectors_.find(status.name);
    if (it == collectors_.end()) {
      const prometheus::Labels labels = {{"collector", status.name}};
      it = collectors_
               .emplace(status.name, CollectorSeries{GaugeSeries(collector_success_, labels),
                                                     GaugeSeries(collector_duration_, labels)})
               .first;
    }
    it->second.success.Set(status.success ? 1 : 0);
    it->second.duration.Set(status.duration_seconds);
  }
}

}  // namespace upkeep
