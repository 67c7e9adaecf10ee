#pragma once

// Shared helpers for reporting allocation counters from a benchmark loop.

#include <benchmark/benchmark.h>

#include "bench/alloc_counter.h"

namespace upkeep::bench {

// Sets "allocs/op" and "alloc_bytes/op" from the calling thread's allocations since `before`.
// In a threaded benchmark each thread reports its own and the figure is their average.
inline void ReportThreadAllocations(benchmark::State& state, const AllocationCount& before) {
  const AllocationCount used = ThreadAllocations() - before;
  const double iterations = static_cast<double>(state.iterations());
  const auto flags =
      state.threads() > 1 ? benchmark::Counter::kAvgThreads : benchmark::Counter::kDefaults;
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(used.calls) / iterations, flags);
  state.counters["alloc_bytes/op"] =
      benchmark::Counter(static_cast<double>(used.bytes) / iterations, flags);
}

// The same from every thread of the process (for code that hands work to other threads).
inline void ReportProcessAllocations(benchmark::State& state, const AllocationCount& before) {
  const AllocationCount used = ProcessAllocations() - before;
  const double iterations = static_cast<double>(state.iterations());
  state.counters["allocs/op"] = static_cast<double>(used.calls) / iterations;
  state.counters["alloc_bytes/op"] = static_cast<double>(used.bytes) / iterations;
}

}  // namespace upkeep::bench
