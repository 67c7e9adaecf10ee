#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/slot_ring.h"

namespace upkeep {

// Locks a client out after `max_failures` failed authentications within `window`: each of
// its authenticated requests then gets 429 until the lock, one window long, passes.
//
// Checking is lock-free and, while nobody is locked (the normal case), one relaxed load: the
// locked clients are an immutable list published through a SlotRing. Counting a failure
// takes a mutex, which only failing requests do; it also makes the ring's writers one at a time.
class FailureLockout {
 public:
  using Clock = std::chrono::steady_clock;

  // max_failures 0 disables the lockout.
  FailureLockout(int max_failures, std::chrono::milliseconds window);
  FailureLockout(const FailureLockout&) = delete;
  FailureLockout& operator=(const FailureLockout&) = delete;

  // False while no client is (or recently was) locked: callers skip resolving the address.
  bool AnyLocked() const { return any_locked_.load(std::memory_order_relaxed); }

  // How long `key` stays locked (at least 1 s, rounded up), or nullopt. Lock-free.
  std::optional<std::chrono::seconds> LockedFor(uint64_t key, Clock::time_point now) const;

  // Counts one failure for `key`; true when it locked the key (the failure that crossed the
  // limit). Takes a mutex: the failure path only.
  bool RecordFailure(uint64_t key, Clock::time_point now);

  // Drops expired locks (and lowers AnyLocked() when none is left). For a housekeeping
  // thread: takes the failure-path mutex.
  void Sweep(Clock::time_point now);

  bool enabled() const { return max_failures_ > 0; }
  std::chrono::milliseconds window() const { return window_; }

 private:
  struct Lock {
    uint64_t key;
    Clock::time_point until;
  };
  struct LockList {
    std::vector<Lock> locks;  // sorted by key
  };
  struct Window {
    Clock::time_point start;
    int failures = 0;
  };
  // Bounds the memory an address-rotating attacker can make us spend on bookkeeping.
  static constexpr size_t kMaxTrackedClients = 65536;

  void PublishLocked(std::vector<Lock> locks);

  const int max_failures_;
  const std::chrono::milliseconds window_;
  std::atomic<bool> any_locked_{false};
  SlotRing<LockList> locks_;

  std::mutex mutex_;  // the failure path only (and Sweep)
  std::unordered_map<uint64_t, Window> windows_;
  std::vector<Lock> current_locks_;  // what locks_ holds, for building the next list
};

}  // namespace upkeep
