#include "auth/failure_lockout.h"

#include <algorithm>

namespace upkeep {

FailureLockout::FailureLockout(int max_failures, std::chrono::milliseconds window)
    : max_failures_(max_failures), window_(window) {}

std::optional<std::chrono::seconds> FailureLockout::LockedFor(uint64_t key,
                                                              Clock::time_point now) const {
  if (!AnyLocked()) return std::nullopt;
  const auto list = locks_.Acquire();
  if (!list) return std::nullopt;
  const auto it = std::lower_bound(list->locks.begin(), list->locks.end(), key,
                                   [](const Lock& lock, uint64_t k) { return lock.key < k; });
  if (it == list->locks.end() || it->key != key || it->until <= now) return std::nullopt;
  const auto left = std::chrono::ceil<std::chrono::seconds>(it->until - now);
  return std::max(left, std::chrono::seconds(1));
}

bool FailureLockout::RecordFailure(uint64_t key, Clock::time_point now) {
  if (max_failures_ <= 0) return false;
  std::lock_guard lock(mutex_);
  if (windows_.size() >= kMaxTrackedClients && !windows_.contains(key)) {
    std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
    if (windows_.size() >= kMaxTrackedClients) windows_.clear();
  }
  Window& counted = windows_[key];
  if (counted.failures == 0 || now - counted.start >= window_) counted = Window{now, 0};
  if (++counted.failures < max_failures_) return false;
  windows_.erase(key);

  // Rebuild the published list: the live locks plus this one.
  std::vector<Lock> locks;
  locks.reserve(current_locks_.size() + 1);
  for (const Lock& existing : current_locks_) {
    if (existing.until > now && existing.key != key) locks.push_back(existing);
  }
  locks.push_back(Lock{key, now + window_});
  std::sort(locks.begin(), locks.end(), [](const Lock& a, const Lock& b) { return a.key < b.key; });
  PublishLocked(std::move(locks));
  return true;
}

void FailureLockout::Sweep(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (current_locks_.empty()) return;
  std::vector<Lock> live;
  for (const Lock& existing : current_locks_) {
    if (existing.until > now) live.push_back(existing);
  }
  if (live.size() != current_locks_.size()) PublishLocked(std::move(live));
}

void FailureLockout::PublishLocked(std::vector<Lock> locks) {
  current_locks_ = locks;
  const bool any = !locks.empty();
  locks_.Replace(LockList{std::move(locks)});
  // Set after publishing, so a reader that sees the flag also finds the list. (Expired
  // entries keep the flag up until the next rebuild; they cost one lookup, not a wrong 429.)
  any_locked_.store(any, std::memory_order_release);
}

}  // namespace upkeep
