// Rendering one real Sample (collected from this machine's /proc): the Prometheus text, the
// health JSON, and gzip of the text at several libdeflate levels (time and size per level,
// to choose GzipCompressor::kDefaultLevel by measurement).

#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_counters.h"
#include "bench/daemon_pipeline.h"
#include "exporter/gzip_compressor.h"
#include "exporter/health_renderer.h"
#include "exporter/metrics_renderer.h"

namespace upkeep::bench {
namespace {

const Sample& HostSample() {
  static const Sample sample = CollectHostSample();
  return sample;
}

const std::string& HostMetricsText() {
  static const std::string text = [] {
    MetricsRenderer renderer;
    std::string out;
    renderer.Render(HostSample(), out);
    return out;
  }();
  return text;
}

// Steady state: one renderer and one output string reused across ticks, as in the Sampler.
void BM_RenderMetrics(benchmark::State& state) {
  const Sample& sample = HostSample();
  MetricsRenderer renderer;
  std::string out;
  renderer.Render(sample, out);  // the first render registers every series
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    renderer.Render(sample, out);
    benchmark::DoNotOptimize(out.data());
  }
  ReportThreadAllocations(state, before);
  state.counters["output_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_RenderMetrics);

void BM_RenderHealthJson(benchmark::State& state) {
  const Sample& sample = HostSample();
  std::string out;
  RenderHealthJson(sample, out);
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    RenderHealthJson(sample, out);
    benchmark::DoNotOptimize(out.data());
  }
  ReportThreadAllocations(state, before);
  state.counters["output_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_RenderHealthJson);

// Arg: libdeflate level (1..12). The kDefaultLevel row is what the sampler runs today.
void BM_Gzip(benchmark::State& state) {
  const std::string& text = HostMetricsText();
  GzipCompressor gzip(static_cast<int>(state.range(0)));
  std::string out;
  gzip.Compress(text, out);
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    gzip.Compress(text, out);
    benchmark::DoNotOptimize(out.data());
  }
  ReportThreadAllocations(state, before);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["input_bytes"] = static_cast<double>(text.size());
  state.counters["output_bytes"] = static_cast<double>(out.size());
  state.counters["ratio"] = static_cast<double>(out.size()) / static_cast<double>(text.size());
  state.SetLabel(state.range(0) == GzipCompressor::kDefaultLevel ? "current default" : "");
}
BENCHMARK(BM_Gzip)->DenseRange(1, 12, 1);

}  // namespace
}  // namespace upkeep::bench
