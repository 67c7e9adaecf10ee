// tick_cost: runs Sampler::Tick() N times on the real /proc, wired as the daemon wires it
// (bench/daemon_pipeline.h), and prints the average TickCost (collect / render / compress, wall
// time), the process CPU time per tick and the allocations per tick, as key=value lines
// for bench/compare.sh.
//
//   tick_cost [--ticks N] [--pause-ms M]
//
// --pause-ms sleeps between ticks, so caches cool down as they do between the daemon's
// ticks a second apart (back to back, the figures are the hot-cache floor).

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include "bench/alloc_counter.h"
#include "bench/daemon_pipeline.h"
#include "exporter/sampler.h"

namespace {

using Micros = std::chrono::duration<double, std::micro>;

double CpuMicros(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

int Usage() {
  std::fputs("usage: tick_cost [--ticks N] [--pause-ms M]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long ticks = 1000;
  long pause_ms = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage();
    char* end = nullptr;
    const long value = std::strtol(argv[++i], &end, 10);
    if (end == nullptr || *end != '\0' || value < 0) return Usage();
    if (arg == "--ticks" && value > 0) {
      ticks = value;
    } else if (arg == "--pause-ms") {
      pause_ms = value;
    } else {
      return Usage();
    }
  }

  upkeep::bench::DaemonPipeline pipeline;
  upkeep::Sampler& sampler = pipeline.sampler();
  for (int i = 0; i < 3; ++i) sampler.Tick();  // first ticks register series, size buffers

  upkeep::TickCost total;
  double process_cpu = 0;
  double thread_cpu = 0;
  const upkeep::bench::AllocationCount allocations_before = upkeep::bench::ProcessAllocations();
  for (long i = 0; i < ticks; ++i) {
    if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    const double process_before = CpuMicros(CLOCK_PROCESS_CPUTIME_ID);
    const double thread_before = CpuMicros(CLOCK_THREAD_CPUTIME_ID);
    const upkeep::TickCost cost = sampler.Tick();
    thread_cpu += CpuMicros(CLOCK_THREAD_CPUTIME_ID) - thread_before;
    process_cpu += CpuMicros(CLOCK_PROCESS_CPUTIME_ID) - process_before;
    total.collect += cost.collect;
    total.render += cost.render;
    total.compress += cost.compress;
  }
  const upkeep::bench::AllocationCount allocations =
      upkeep::bench::ProcessAllocations() - allocations_before;
  if (sampler.skipped() != 0) {
    std::fprintf(stderr, "tick_cost: %llu ticks found no free slot\n",
                 static_cast<unsigned long long>(sampler.skipped()));
    return 1;
  }

  const double n = static_cast<double>(ticks);
  const double collect = Micros(total.collect).count() / n;
  const double render = Micros(total.render).count() / n;
  const double compress = Micros(total.compress).count() / n;
  const upkeep::SnapshotRing::ReadGuard snapshot = pipeline.ring().Acquire();
  std::printf("ticks=%ld\npause_ms=%ld\n", ticks, pause_ms);
  std::printf("collect_us=%.2f\nrender_us=%.2f\ncompress_us=%.2f\nwall_us=%.2f\n", collect, render,
              compress, collect + render + compress);
  std::printf("process_cpu_us=%.2f\nthread_cpu_us=%.2f\n", process_cpu / n, thread_cpu / n);
  std::printf("allocs_per_tick=%.1f\nalloc_bytes_per_tick=%.0f\n",
              static_cast<double>(allocations.calls) / n,
              static_cast<double>(allocations.bytes) / n);
  std::printf("metrics_bytes=%zu\ngzip_bytes=%zu\nhealth_bytes=%zu\n",
              snapshot->metrics_text.size(), snapshot->metrics_gzip.size(),
              snapshot->health_json.size());
  return 0;
}
