#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace upkeep {

// Publishes an immutable T (the token set, the lockout list) to request threads without
// locks on their side: the SnapshotRing pattern (see exporter/snapshot_ring.h) for values
// that are replaced whole and rarely.
//
// A small ring of slots, each with an atomic reader count. A reader loads the current
// index, announces itself on that slot, re-checks that the index did not move (else steps
// off and retries), reads through its Guard and steps off. A writer only replaces the value
// of a slot it claims with no readers on it (compare-exchange 0 -> kWriting), then publishes
// that index; the old value it replaces was unreachable. libstdc++ 12's
// std::atomic<std::shared_ptr> would lock (it spins on a lock bit), which is why this exists.
//
// Readers: two loads and two atomic adds, any number of threads. Writers: serialised by a
// mutex (never taken by readers); Publish waits for a slot whose readers have stepped off,
// which takes as long as the longest read (a hash lookup).
template <typename T>
class LockFreePublisher {
 public:
  static constexpr size_t kSlots = 4;

  LockFreePublisher() = default;
  LockFreePublisher(const LockFreePublisher&) = delete;
  LockFreePublisher& operator=(const LockFreePublisher&) = delete;

  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept
        : value_(std::exchange(other.value_, nullptr)),
          readers_(std::exchange(other.readers_, nullptr)) {}
    Guard& operator=(Guard&& other) noexcept {
      if (this != &other) {
        Release();
        value_ = std::exchange(other.value_, nullptr);
        readers_ = std::exchange(other.readers_, nullptr);
      }
      return *this;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { Release(); }

    const T* get() const { return value_; }
    const T* operator->() const { return value_; }
    const T& operator*() const { return *value_; }
    explicit operator bool() const { return value_ != nullptr; }

   private:
    friend class LockFreePublisher;
    Guard(const T* value, std::atomic<int>* readers) : value_(value), readers_(readers) {}
    void Release() {
      if (readers_ != nullptr) {
        // release: our reads of the value happen before a writer's claim (acquire).
        readers_->fetch_sub(1, std::memory_order_release);
        readers_ = nullptr;
        value_ = nullptr;
      }
    }

    const T* value_ = nullptr;
    std::atomic<int>* readers_ = nullptr;
  };

  // The current value (empty Guard before the first Publish). Lock-free.
  Guard Acquire() const {
    for (;;) {
      // seq_cst on the index loads and the announce, as in SnapshotRing: the writer's claim
      // and our announce are totally ordered, so either the claim fails or our re-check
      // sees that the index moved.
      const int index = current_.load(std::memory_order_seq_cst);
      if (index < 0) return {};
      const Slot& slot = slots_[static_cast<size_t>(index)];
      slot.readers.fetch_add(1, std::memory_order_seq_cst);
      if (current_.load(std::memory_order_seq_cst) == index) {
        return Guard(slot.value.get(), &slot.readers);
      }
      slot.readers.fetch_sub(1, std::memory_order_release);
    }
  }

  // Replaces the current value. Any thread; writers queue on a mutex readers never take.
  void Publish(std::unique_ptr<const T> value) {
    std::lock_guard lock(writer_mutex_);
    const int current = current_.load(std::memory_order_relaxed);  // only writers store it
    for (;;) {
      for (size_t i = 0; i < kSlots; ++i) {
        if (static_cast<int>(i) == current) continue;
        int expected = 0;
        if (slots_[i].readers.compare_exchange_strong(expected, kWriting,
                                                      std::memory_order_seq_cst)) {
          slots_[i].value = std::move(value);  // the old value had no readers left
          slots_[i].readers.fetch_sub(kWriting, std::memory_order_release);
          current_.store(static_cast<int>(i), std::memory_order_seq_cst);
          return;
        }
      }
      // Every other slot is being read right now; reads are short.
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }

 private:
  // Added to a slot's reader count while a writer owns it; readers that step on it by a
  // stale index see a negative count, re-check the index and step off.
  static constexpr int kWriting = -(1 << 30);

  struct alignas(64) Slot {
    mutable std::atomic<int> readers{0};
    std::unique_ptr<const T> value;
  };

  Slot slots_[kSlots];
  std::atomic<int> current_{-1};
  std::mutex writer_mutex_;
};

}  // namespace upkeep
