#pragma once

// Heap allocation counts for the benchmarks. alloc_counter.cc replaces the global operator
// new/delete of the binary it is linked into (it must be linked as an object, not from a
// static archive, or the linker may keep libstdc++'s). Counts what goes through operator
// new: every std::string, std::vector, std::map, nlohmann::json and prometheus-cpp
// allocation. Plain malloc (libdeflate's compressor state, glibc internals) is not seen.

#include <cstdint>

namespace upkeep::bench {

struct AllocationCount {
  uint64_t calls = 0;  // operator new calls
  uint64_t bytes = 0;  // bytes requested from them
};

// Allocations made by the calling thread since it started.
AllocationCount ThreadAllocations();
// Allocations made by every thread of the process since it started.
AllocationCount ProcessAllocations();

inline AllocationCount operator-(const AllocationCount& a, const AllocationCount& b) {
  return {a.calls - b.calls, a.bytes - b.bytes};
}

}  // namespace upkeep::bench
