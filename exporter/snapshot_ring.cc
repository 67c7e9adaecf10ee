#include "exporter/snapshot_ring.h"

#include <cassert>
#include <utility>

namespace upkeep {

SnapshotRing::SnapshotRing(size_t slots)
    : slot_count_(slots < 2 ? 2 : slots), slots_(std::make_unique<Slot[]>(slot_count_)) {}

SnapshotRing::ReadGuard::ReadGuard(ReadGuard&& other) noexcept
    : snapshot_(std::exchange(other.snapshot_, nullptr)),
      readers_(std::exchange(other.readers_, nullptr)) {}

SnapshotRing::ReadGuard& SnapshotRing::ReadGuard::operator=(ReadGuard&& other) noexcept {
  if (this != &other) {
    Release();
    snapshot_ = std::exchange(other.snapshot_, nullptr);
    readers_ = std::exchange(other.readers_, nullptr);
  }
  return *this;
}

SnapshotRing::ReadGuard::~ReadGuard() { Release(); }

void SnapshotRing::ReadGuard::Release() {
  if (readers_ != nullptr) {
    // release: our reads of the snapshot happen before the writer's claim (acquire).
    readers_->fetch_sub(1, std::memory_order_release);
    readers_ = nullptr;
    snapshot_ = nullptr;
  }
}

SnapshotRing::ReadGuard SnapshotRing::Acquire() const {
  for (;;) {
    // seq_cst on the index loads and the announce: the writer's claim (a seq_cst CAS on
    // the count) and our announce are totally ordered, so either the claim fails or our
    // re-check sees that the index moved on.
    const int index = current_.load(std::memory_order_seq_cst);
    if (index < 0) return {};
    Slot& slot = slots_[static_cast<size_t>(index)];
    slot.readers.fetch_add(1, std::memory_order_seq_cst);
    if (current_.load(std::memory_order_seq_cst) == index) {
      return ReadGuard(&slot.snapshot, &slot.readers);
    }
    slot.readers.fetch_sub(1, std::memory_order_release);  // it moved: step off, retry
  }
}

Snapshot* SnapshotRing::BeginWrite() {
  const int current = current_.load(std::memory_order_relaxed);  // only this thread stores it
  for (size_t tried = 0; tried < slot_count_; ++tried) {
    const size_t index = (next_probe_ + tried) % slot_count_;
    if (static_cast<int>(index) == current) continue;
    int expected = 0;
    if (slots_[index].readers.compare_exchange_strong(expected, kWriting,
                                                      std::memory_order_seq_cst)) {
      next_probe_ = (index + 1) % slot_count_;
      return &slots_[index].snapshot;
    }
  }
  return nullptr;
}

size_t SnapshotRing::IndexOf(const Snapshot* snapshot) const {
  for (size_t i = 0; i < slot_count_; ++i) {
    if (&slots_[i].snapshot == snapshot) return i;
  }
  assert(false && "not a slot of this ring");
  return 0;
}

void SnapshotRing::Publish(Snapshot* slot) {
  const size_t index = IndexOf(slot);
  // Give the slot back to readers (keeping any transient announcements), then point them
  // at it. The seq_cst store orders the rebuilt contents before any reader's index load.
  slots_[index].readers.fetch_sub(kWriting, std::memory_order_release);
  current_.store(static_cast<int>(index), std::memory_order_seq_cst);
}

void SnapshotRing::AbortWrite(Snapshot* slot) {
  slots_[IndexOf(slot)].readers.fetch_sub(kWriting, std::memory_order_release);
}

}  // namespace upkeep
