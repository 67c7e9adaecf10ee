// The replaced operator new behind the benchmarks' allocs/op counters.

#include "bench/alloc_counter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace upkeep::bench {
namespace {

// Keeps the compiler from eliding a new/delete pair (C++14 allows it).
void* volatile g_sink = nullptr;

TEST(AllocCounterTest, CountsEachOperatorNewOfTheCallingThread) {
  const AllocationCount before = ThreadAllocations();
  auto vector = std::make_unique<std::vector<char>>(1000);
  g_sink = vector->data();
  const AllocationCount used = ThreadAllocations() - before;
  EXPECT_EQ(used.calls, 2u);  // the vector object and its buffer
  EXPECT_EQ(used.bytes, sizeof(std::vector<char>) + 1000);
}

TEST(AllocCounterTest, CountsAlignedAndArrayForms) {
  struct alignas(128) Wide {
    char bytes[256];
  };
  const AllocationCount before = ThreadAllocations();
  auto wide = std::make_unique<Wide>();
  g_sink = wide.get();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(wide.get()) % 128, 0u);
  auto array = std::make_unique<int[]>(10);
  g_sink = array.get();
  const AllocationCount used = ThreadAllocations() - before;
  EXPECT_EQ(used.calls, 2u);
  EXPECT_EQ(used.bytes, sizeof(Wide) + 10 * sizeof(int));
}

TEST(AllocCounterTest, ShortStringsStayInlineAndAreNotCounted) {
  const AllocationCount before = ThreadAllocations();
  std::string small = "fits the SSO";
  g_sink = small.data();
  EXPECT_EQ((ThreadAllocations() - before).calls, 0u);
}

TEST(AllocCounterTest, OtherThreadsCountInTheProcessTotalOnly) {
  const AllocationCount thread_before = ThreadAllocations();
  const AllocationCount process_before = ProcessAllocations();
  std::thread other([] {
    auto block = std::make_unique<std::vector<char>>(4096);
    g_sink = block->data();
  });
  other.join();
  const AllocationCount mine = ThreadAllocations() - thread_before;
  const AllocationCount everyone = ProcessAllocations() - process_before;
  EXPECT_GE(everyone.bytes, 4096u);
  // This thread only made the std::thread's state.
  EXPECT_LT(mine.bytes, 4096u);
}

}  // namespace
}  // namespace upkeep::bench
