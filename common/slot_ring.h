#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <utility>

namespace upkeep {

// Publishes one value of T at a time to any number of readers without locks on their side.
// The snapshots (exporter/snapshot_ring.h) and the credentials and lockout list (auth/) go
// through it. libstdc++ 12's std::atomic<std::shared_ptr> is not lock-free (it spins on a
// lock bit), which is why this exists.
//
// A small ring of slots, each holding a T and an atomic reader count. A reader loads the
// current index, announces itself on that slot, re-checks that the index did not move (else
// it steps off and retries) and reads the slot for as long as it holds its Lease. A writer
// only touches a slot it claims with no readers on it (compare-exchange 0 -> kWriting), fills
// it, then publishes that slot's index. A slow reader pins one slot; with a few slots the
// writer finds a free one, or else the current value stays one tick longer (BeginWrite()
// returns nullptr, TryReplace() false).
//
// The read path is two loads and two atomic adds. There is one writer at a time: the caller
// serialises writers (a single thread, or a mutex readers never take).
template <typename T>
class SlotRing {
 public:
  static constexpr size_t kDefaultSlots = 4;

  explicit SlotRing(size_t slots = kDefaultSlots)
      : slot_count_(slots < 2 ? 2 : slots), slots_(std::make_unique<Slot[]>(slot_count_)) {}
  SlotRing(const SlotRing&) = delete;
  SlotRing& operator=(const SlotRing&) = delete;

  // Pins one published value: the writer never claims its slot while the Lease lives. Empty
  // before the first publish.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept
        : value_(std::exchange(other.value_, nullptr)),
          readers_(std::exchange(other.readers_, nullptr)) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        Release();
        value_ = std::exchange(other.value_, nullptr);
        readers_ = std::exchange(other.readers_, nullptr);
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Release(); }

    const T* get() const { return value_; }
    const T* operator->() const { return value_; }
    const T& operator*() const { return *value_; }
    explicit operator bool() const { return value_ != nullptr; }

   private:
    friend class SlotRing;
    Lease(const T* value, std::atomic<int>* readers) : value_(value), readers_(readers) {}
    void Release() {
      if (readers_ != nullptr) {
        // release: our reads of the value happen before the writer's claim (acquire).
        readers_->fetch_sub(1, std::memory_order_release);
        readers_ = nullptr;
        value_ = nullptr;
      }
    }

    const T* value_ = nullptr;
    std::atomic<int>* readers_ = nullptr;
  };

  // Readers: any thread, any number at once. Lock-free.
  Lease Acquire() const {
    for (;;) {
      // seq_cst on the index loads and the announce: the writer's claim (a seq_cst CAS on
      // the count) and our announce are totally ordered, so either the claim fails or our
      // re-check sees that the index moved on.
      const int index = current_.load(std::memory_order_seq_cst);
      if (index < 0) return {};
      Slot& slot = slots_[static_cast<size_t>(index)];
      slot.readers.fetch_add(1, std::memory_order_seq_cst);
      if (current_.load(std::memory_order_seq_cst) == index) {
        return Lease(&slot.value, &slot.readers);
      }
      slot.readers.fetch_sub(1, std::memory_order_release);  // it moved: step off, retry
    }
  }

  // The writer: claims a slot other than the current one that has no readers, to be filled
  // in place (a rebuilt value keeps its buffers' capacity). nullptr when every other slot is
  // pinned by a reader.
  T* BeginWrite() {
    const int current = current_.load(std::memory_order_relaxed);  // only the writer stores it
    for (size_t tried = 0; tried < slot_count_; ++tried) {
      const size_t index = (next_probe_ + tried) % slot_count_;
      if (static_cast<int>(index) == current) continue;
      int expected = 0;
      if (slots_[index].readers.compare_exchange_strong(expected, kWriting,
                                                        std::memory_order_seq_cst)) {
        next_probe_ = (index + 1) % slot_count_;
        return &slots_[index].value;
      }
    }
    return nullptr;
  }

  // Publishes the slot BeginWrite() returned; readers see it from now on.
  void Publish(T* slot) {
    const size_t index = IndexOf(slot);
    // Give the slot back to readers (keeping any transient announcements), then point them
    // at it. The seq_cst store orders the filled contents before any reader's index load.
    slots_[index].readers.fetch_sub(kWriting, std::memory_order_release);
    current_.store(static_cast<int>(index), std::memory_order_seq_cst);
  }

  // Gives a claimed slot back unpublished.
  void AbortWrite(T* slot) {
    slots_[IndexOf(slot)].readers.fetch_sub(kWriting, std::memory_order_release);
  }

  // The writer, for values replaced whole: moves `value` into a free slot and publishes it.
  // False, and `value` left as it was, when every other slot is pinned.
  bool TryReplace(T& value) {
    T* slot = BeginWrite();
    if (slot == nullptr) return false;
    *slot = std::move(value);  // the value it replaces had no readers left
    Publish(slot);
    return true;
  }

  // The writer, for a value that must not be skipped (credentials): waits for a free slot,
  // which takes as long as the longest read holding every other slot (reads are short).
  void Replace(T value) {
    while (!TryReplace(value)) std::this_thread::sleep_for(std::chrono::microseconds(100));
  }

  bool HasValue() const { return current_.load(std::memory_order_acquire) >= 0; }
  size_t slot_count() const { return slot_count_; }

 private:
  // Added to a slot's reader count while the writer owns it. Readers that step on a slot
  // being written (they read a stale index) see a negative count transiently, re-check the
  // index and step off, so the writer's release must add back, not store 0.
  static constexpr int kWriting = -(1 << 30);

  struct alignas(64) Slot {  // one cache line per counter: readers of different slots don't share
    mutable std::atomic<int> readers{0};
    T value{};
  };

  size_t IndexOf(const T* value) const {
    for (size_t i = 0; i < slot_count_; ++i) {
      if (&slots_[i].value == value) return i;
    }
    assert(false && "not a slot of this ring");
    return 0;
  }

  const size_t slot_count_;
  const std::unique_ptr<Slot[]> slots_;
  std::atomic<int> current_{-1};
  size_t next_probe_ = 0;  // writer-only: where BeginWrite starts looking
};

}  // namespace upkeep
