// Parsing /proc/stat and /proc/meminfo: on literal real text (parsing alone), and read from
// the live /proc (what a collector pays each tick: open, read, close, parse).

#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_counters.h"
#include "bench/proc_text.h"
#include "common/file_reader.h"
#include "exporter/procfs_parsers.h"

namespace upkeep::bench {
namespace {

void BM_ParseProcStat(benchmark::State& state) {
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    Result<ProcStat> stat = ParseProcStat(kProcStatText);
    benchmark::DoNotOptimize(stat);
    if (!stat.ok()) state.SkipWithError(stat.error().c_str());
  }
  ReportThreadAllocations(state, before);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kProcStatText.size()));
}
BENCHMARK(BM_ParseProcStat);

void BM_ParseMeminfo(benchmark::State& state) {
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    Result<MemInfo> info = ParseMeminfo(kMeminfoText);
    benchmark::DoNotOptimize(info);
    if (!info.ok()) state.SkipWithError(info.error().c_str());
  }
  ReportThreadAllocations(state, before);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMeminfoText.size()));
}
BENCHMARK(BM_ParseMeminfo);

// The file read dominates: the kernel formats /proc/stat (every IRQ counter) on each read.
void BM_ReadAndParseProcStat(benchmark::State& state) {
  std::string buffer;
  const std::string path = "/proc/stat";
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    Status read = ReadFileInto(path, buffer);
    if (!read.ok()) state.SkipWithError(read.error().c_str());
    Result<ProcStat> stat = ParseProcStat(buffer);
    benchmark::DoNotOptimize(stat);
  }
  ReportThreadAllocations(state, before);
}
BENCHMARK(BM_ReadAndParseProcStat);

void BM_ReadAndParseMeminfo(benchmark::State& state) {
  std::string buffer;
  const std::string path = "/proc/meminfo";
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    Status read = ReadFileInto(path, buffer);
    if (!read.ok()) state.SkipWithError(read.error().c_str());
    Result<MemInfo> info = ParseMeminfo(buffer);
    benchmark::DoNotOptimize(info);
  }
  ReportThreadAllocations(state, before);
}
BENCHMARK(BM_ReadAndParseMeminfo);

}  // namespace
}  // namespace upkeep::bench
