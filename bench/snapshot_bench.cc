// The scrape handler's snapshot load under contention: N reader threads load the current
// snapshot (as HTTP workers do) while one writer publishes new ones. The lock-free
// SnapshotRing against the two obvious alternatives:
//   - a std::mutex guarding a std::shared_ptr<const Snapshot> (copy under the lock);
//   - std::atomic<std::shared_ptr<const Snapshot>> (libstdc++ 12: not lock-free, it spins
//     on a lock bit in the control-block pointer).
// Arg: -1 = no writer (readers only), 0 = the writer publishes back to back (the worst
// case; the daemon publishes once a second). Publishing itself is measured apart, with its
// allocations: the ring rebuilds a slot in place, the shared_ptr designs allocate a whole
// new Snapshot per tick.

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "bench/bench_counters.h"
#include "bench/daemon_pipeline.h"
#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"

namespace upkeep::bench {
namespace {

// A real snapshot from this machine, rendered by the real sampler.
const Snapshot& SourceSnapshot() {
  static const Snapshot snapshot = [] {
    DaemonPipeline pipeline;
    pipeline.sampler().Tick();
    pipeline.sampler().Tick();
    return *pipeline.ring().Acquire();
  }();
  return snapshot;
}

// What a handler does with the snapshot: look at the bytes it will write.
size_t Use(const Snapshot& snapshot) {
  return snapshot.metrics_text.size() + static_cast<unsigned char>(snapshot.metrics_text[0]);
}

class RingStore {
 public:
  RingStore() { Publish(SourceSnapshot()); }
  size_t Read() const {
    const SnapshotRing::ReadGuard snapshot = ring_.Acquire();
    return Use(*snapshot);
  }
  // Rebuilds a free slot in place (its strings keep their capacity), as the Sampler does.
  bool Publish(const Snapshot& source) {
    Snapshot* slot = ring_.BeginWrite();
    if (slot == nullptr) return false;
    slot->sequence = source.sequence;
    slot->sample = source.sample;
    slot->metrics_text = source.metrics_text;
    slot->metrics_gzip = source.metrics_gzip;
    slot->health_json = source.health_json;
    ring_.Publish(slot);
    return true;
  }

 private:
  SnapshotRing ring_;
};

class MutexSharedPtrStore {
 public:
  MutexSharedPtrStore() { Publish(SourceSnapshot()); }
  size_t Read() const {
    std::shared_ptr<const Snapshot> snapshot;
    {
      std::lock_guard lock(mutex_);
      snapshot = current_;
    }
    return Use(*snapshot);
  }
  bool Publish(const Snapshot& source) {
    std::shared_ptr<const Snapshot> next = std::make_shared<const Snapshot>(source);
    {
      std::lock_guard lock(mutex_);
      current_.swap(next);
    }
    return true;  // the old snapshot dies here, outside the lock, unless a reader holds it
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
};

class AtomicSharedPtrStore {
 public:
  AtomicSharedPtrStore() { Publish(SourceSnapshot()); }
  size_t Read() const { return Use(*current_.load(std::memory_order_acquire)); }
  bool Publish(const Snapshot& source) {
    current_.store(std::make_shared<const Snapshot>(source), std::memory_order_release);
    return true;
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

// One store and its writer thread per benchmark run (Setup/Teardown run outside the timed
// region, once per run, before the reader threads start).
template <typename Store>
struct Contention {
  static inline std::unique_ptr<Store> store;
  static inline std::thread writer;
  static inline std::atomic<bool> stop{false};
  static inline std::atomic<uint64_t> published{0};
  static inline std::atomic<uint64_t> skipped{0};

  static void Setup(const benchmark::State& state) {
    store = std::make_unique<Store>();
    stop = false;
    published = 0;
    skipped = 0;
    if (state.range(0) < 0) return;
    writer = std::thread([] {
      while (!stop.load(std::memory_order_relaxed)) {
        if (store->Publish(SourceSnapshot())) {
          published.fetch_add(1, std::memory_order_relaxed);
        } else {
          skipped.fetch_add(1, std::memory_order_relaxed);
        }
        std::this_thread::yield();
      }
    });
  }
  static void Teardown(const benchmark::State& /*state*/) {
    stop = true;
    if (writer.joinable()) writer.join();
    store.reset();
  }
};

template <typename Store>
void BM_SnapshotLoad(benchmark::State& state) {
  const Store& store = *Contention<Store>::store;
  const uint64_t published_before = Contention<Store>::published.load();
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.Read());
  }
  ReportThreadAllocations(state, before);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["publishes"] = benchmark::Counter(
        static_cast<double>(Contention<Store>::published.load() - published_before),
        benchmark::Counter::kIsRate);
    state.counters["writer_skips"] = static_cast<double>(Contention<Store>::skipped.load());
  }
}

template <typename Store>
void ContentionRuns(benchmark::internal::Benchmark* benchmark) {
  benchmark->Setup(Contention<Store>::Setup)
      ->Teardown(Contention<Store>::Teardown)
      ->ArgName("writer")
      ->Arg(-1)
      ->Arg(0)
      ->ThreadRange(1, 8)
      ->UseRealTime();
}
BENCHMARK_TEMPLATE(BM_SnapshotLoad, RingStore)->Apply(ContentionRuns<RingStore>);
BENCHMARK_TEMPLATE(BM_SnapshotLoad, MutexSharedPtrStore)
    ->Apply(ContentionRuns<MutexSharedPtrStore>);
BENCHMARK_TEMPLATE(BM_SnapshotLoad, AtomicSharedPtrStore)
    ->Apply(ContentionRuns<AtomicSharedPtrStore>);

// The writer's side alone: one publish of a real snapshot.
template <typename Store>
void BM_SnapshotPublish(benchmark::State& state) {
  Store store;
  const Snapshot& source = SourceSnapshot();
  const AllocationCount before = ThreadAllocations();
  for (auto _ : state) {
    if (!store.Publish(source)) state.SkipWithError("no free slot without readers");
  }
  ReportThreadAllocations(state, before);
}
BENCHMARK_TEMPLATE(BM_SnapshotPublish, RingStore);
BENCHMARK_TEMPLATE(BM_SnapshotPublish, MutexSharedPtrStore);
BENCHMARK_TEMPLATE(BM_SnapshotPublish, AtomicSharedPtrStore);

}  // namespace
}  // namespace upkeep::bench
