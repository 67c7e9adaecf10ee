#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "exporter/snapshot.h"

namespace upkeep {

// Publishes one Snapshot at a time to any number of readers without locks.
//
// A small ring of slots, each with an atomic reader count. A reader loads the current
// index, announces itself on that slot, re-checks that the index did not move (else it
// steps off and retries) and then reads the slot for as long as it holds its ReadGuard.
// The single writer (the sampler) only rebuilds a slot it can claim with no readers on it
// (compare-exchange 0 -> kWriting), then publishes that slot's index. A slow client pins
// one slot; with a few slots the writer finds a free one, or else keeps the current
// snapshot for one more tick (BeginWrite() returns nullptr).
//
// libstdc++ 12's std::atomic<std::shared_ptr> is not lock-free (it spins on a lock bit),
// which is why this exists. The request path is: two loads and two atomic adds.
class SnapshotRing {
 public:
  static constexpr size_t kDefaultSlots = 4;

  explicit SnapshotRing(size_t slots = kDefaultSlots);
  SnapshotRing(const SnapshotRing&) = delete;
  SnapshotRing& operator=(const SnapshotRing&) = delete;

  // Keeps one published snapshot valid while it lives. Empty before the first Publish().
  class ReadGuard {
   public:
    ReadGuard() = default;
    ReadGuard(ReadGuard&& other) noexcept;
    ReadGuard& operator=(ReadGuard&& other) noexcept;
    ReadGuard(const ReadGuard&) = delete;
    ReadGuard& operator=(const ReadGuard&) = delete;
    ~ReadGuard();

    const Snapshot* get() const { return snapshot_; }
    const Snapshot* operator->() const { return snapshot_; }
    const Snapshot& operator*() const { return *snapshot_; }
    explicit operator bool() const { return snapshot_ != nullptr; }

   private:
    friend class SnapshotRing;
    ReadGuard(const Snapshot* snapshot, std::atomic<int>* readers)
        : snapshot_(snapshot), readers_(readers) {}
    void Release();

    const Snapshot* snapshot_ = nullptr;
    std::atomic<int>* readers_ = nullptr;
  };

  // Readers: any thread, any number at once. Lock-free.
  ReadGuard Acquire() const;

  // The writer (one thread only): claims a slot other than the current one that has no
  // readers, for rebuilding in place (its strings keep their capacity). nullptr when every
  // other slot is pinned by a reader.
  Snapshot* BeginWrite();
  // Publishes the slot BeginWrite() returned; readers see it from now on.
  void Publish(Snapshot* slot);
  // Gives a claimed slot back unpublished.
  void AbortWrite(Snapshot* slot);

  bool HasSnapshot() const { return current_.load(std::memory_order_acquire) >= 0; }
  size_t slot_count() const { return slot_count_; }

 private:
  // Added to a slot's reader count while the writer owns it. Readers that step on a slot
  // being written (they read a stale index) see a negative count transiently, re-check
  // the index and step off, so the writer's release must add back, not store 0.
  static constexpr int kWriting = -(1 << 30);

  struct alignas(64) Slot {  // one cache line per counter: readers of different slots don't share
    std::atomic<int> readers{0};
    Snapshot snapshot;
  };

  size_t IndexOf(const Snapshot* snapshot) const;

  size_t slot_count_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<int> current_{-1};
  size_t next_probe_ = 0;  // writer-only: where BeginWrite starts looking
};

}  // namespace upkeep
