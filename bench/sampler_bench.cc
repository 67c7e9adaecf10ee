// One full sample tick on the real /proc, wired as the daemon wires it: every collector, the
// queue state, the Prometheus text (+ request counters), the health JSON and gzip, published.
// CPU time is the whole process's (the filesystem collector's statvfs runs on worker
// threads); the TickCost split is reported as counters.

#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/bench_counters.h"
#include "bench/daemon_pipeline.h"
#include "exporter/host_collectors.h"
#include "exporter/sampler.h"

namespace upkeep::bench {
namespace {

using Micros = std::chrono::duration<double, std::micro>;

void BM_SamplerTick(benchmark::State& state) {
  DaemonPipeline pipeline;
  Sampler& sampler = pipeline.sampler();
  for (int i = 0; i < 3; ++i) sampler.Tick();  // registers series, sizes every buffer
  TickCost total;
  const AllocationCount before = ProcessAllocations();
  for (auto _ : state) {
    const TickCost cost = sampler.Tick();
    total.collect += cost.collect;
    total.render += cost.render;
    total.compress += cost.compress;
  }
  ReportProcessAllocations(state, before);
  const double n = static_cast<double>(state.iterations());
  state.counters["collect_us"] = Micros(total.collect).count() / n;
  state.counters["render_us"] = Micros(total.render).count() / n;
  state.counters["compress_us"] = Micros(total.compress).count() / n;
  if (sampler.skipped() != 0) state.SkipWithError("the ring had no free slot");
}
BENCHMARK(BM_SamplerTick)->MeasureProcessCPUTime()->Unit(benchmark::kMicrosecond);

// Each collector alone, to see where collect_us goes.
void BM_Collector(benchmark::State& state) {
  auto collectors = MakeHostCollectors({});  // the defaults: /proc, /, filesystems [/]
  Collector& collector = *collectors.at(static_cast<size_t>(state.range(0)));
  state.SetLabel(std::string(collector.Name()));
  Sample sample;
  (void)collector.Collect(sample);
  const AllocationCount before = ProcessAllocations();
  for (auto _ : state) {
    sample.filesystems.clear();
    Status status = collector.Collect(sample);
    benchmark::DoNotOptimize(status);
  }
  ReportProcessAllocations(state, before);
}
BENCHMARK(BM_Collector)
    ->DenseRange(0, 5, 1)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace upkeep::bench
