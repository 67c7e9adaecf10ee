// Readers against a publishing writer; run under ThreadSanitizer by `make test-tsan`.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "exporter/cpu_collector.h"
#include "exporter/load_collector.h"
#include "exporter/memory_collector.h"
#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"
#include "exporter/uptime_collector.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

// Every body is derived from the sequence number, so a reader can tell a torn or
// overwritten snapshot from a whole one.
std::string BodyFor(uint64_t sequence) {
  return std::string(1000 + sequence % 3000, static_cast<char>('a' + sequence % 26)) + "|" +
         std::to_string(sequence);
}

TEST(SnapshotRingConcurrencyTest, ReadersNeverSeeATornOrRecycledSnapshot) {
  SnapshotRing ring(4);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0};
  std::atomic<uint64_t> bad{0};

  std::thread writer([&] {
    uint64_t sequence = 0;
    while (!stop.load()) {
      Snapshot* slot = ring.BeginWrite();
      if (slot == nullptr) {
        std::this_thread::yield();
        continue;
      }
      slot->sequence = ++sequence;
      slot->metrics_text = BodyFor(sequence);
      ring.Publish(slot);
    }
  });

  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) {
    readers.emplace_back([&, r] {
      uint64_t last = 0;
      while (!stop.load()) {
        SnapshotRing::ReadGuard guard = ring.Acquire();
        if (!guard) continue;
        const uint64_t sequence = guard->sequence;
        // Hold it a while (a slow client); the writer must not touch it meanwhile.
        if (r == 0) std::this_thread::sleep_for(1ms);
        if (guard->metrics_text != BodyFor(sequence) || guard->sequence != sequence ||
            sequence < last) {
          bad.fetch_add(1);
        }
        last = sequence;
        reads.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(1500ms);
  stop = true;
  writer.join();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 100u);
}

TEST(SnapshotRingConcurrencyTest, WriterKeepsPublishingWhileSlowReadersPinSlots) {
  SnapshotRing ring(4);
  Snapshot* first = ring.BeginWrite();
  first->sequence = 1;
  ring.Publish(first);
  // Two slow readers each pin whatever is current for a long time.
  std::atomic<bool> stop{false};
  std::vector<std::thread> slow;
  for (int i = 0; i < 2; ++i) {
    slow.emplace_back([&] {
      while (!stop.load()) {
        SnapshotRing::ReadGuard guard = ring.Acquire();
        std::this_thread::sleep_for(20ms);
      }
    });
  }
  uint64_t published = 1;
  const auto deadline = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Snapshot* slot = ring.BeginWrite()) {
      slot->sequence = ++published;
      ring.Publish(slot);
    }
    std::this_thread::sleep_for(1ms);
  }
  stop = true;
  for (std::thread& t : slow) t.join();
  // With 4 slots and 2 pinned, at least one spare slot is always free.
  EXPECT_GT(published, 50u);
  EXPECT_EQ(ring.Acquire()->sequence, published);
}

TEST(SamplerConcurrencyTest, ReadersLoadSnapshotsWhileTheSamplerPublishesEveryMillisecond) {
  SnapshotRing ring;
  std::vector<std::unique_ptr<Collector>> collectors;
  const std::string procfs = std::string(UPKEEP_FIXTURES_DIR) + "/procfs";
  collectors.push_back(std::make_unique<CpuCollector>(procfs, 100.0));
  collectors.push_back(std::make_unique<MemoryCollector>(procfs));
  collectors.push_back(std::make_unique<LoadCollector>(procfs));
  collectors.push_back(std::make_unique<UptimeCollector>(procfs));
  Sampler sampler(std::move(collectors), nullptr, 1ms, ring);
  sampler.Start();

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bad{0};
  std::atomic<uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!stop.load()) {
        SnapshotRing::ReadGuard guard = ring.Acquire();
        if (!guard) continue;
        const bool whole =
            guard->metrics_text.find("upkeep_memory_total_bytes") != std::string::npos &&
            guard->metrics_text.back() == '\n' && !guard->metrics_gzip.empty() &&
            guard->health_json.front() == '{' && guard->health_json.back() == '}';
        if (!whole || guard->sequence < last) bad.fetch_add(1);
        last = guard->sequence;
        reads.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  for (std::thread& reader : readers) reader.join();
  sampler.Stop();
  EXPECT_EQ(bad.load(), 0u);
  EXPECT_GT(reads.load(), 100u);
  EXPECT_GT(sampler.published(), 50u);  // ~1000 at 1 ms; generous for TSan and a busy CI
}

}  // namespace
}  // namespace upkeep
