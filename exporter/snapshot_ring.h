#pragma once

#include <cstddef>

#include "common/slot_ring.h"
#include "exporter/snapshot.h"

namespace upkeep {

// Publishes one Snapshot at a time to any number of readers without locks: a SlotRing of
// snapshots (see common/slot_ring.h). The single writer, the sampler, rebuilds a free slot in
// place (its strings keep their capacity) and publishes it. A slow client pins one slot; with
// a few slots the sampler finds a free one, or else keeps the current snapshot for one more
// tick (BeginWrite() returns nullptr). The request path is: two loads and two atomic adds.
class SnapshotRing {
 public:
  using ReadGuard = SlotRing<Snapshot>::Lease;
  static constexpr size_t kDefaultSlots = SlotRing<Snapshot>::kDefaultSlots;

  explicit SnapshotRing(size_t slots = kDefaultSlots) : ring_(slots) {}
  SnapshotRing(const SnapshotRing&) = delete;
  SnapshotRing& operator=(const SnapshotRing&) = delete;

  // Readers: any thread, any number at once. Lock-free. Empty before the first Publish().
  ReadGuard Acquire() const { return ring_.Acquire(); }

  // The writer (one thread only): claims a slot other than the current one that has no
  // readers, for rebuilding in place. nullptr when every other slot is pinned by a reader.
  Snapshot* BeginWrite() { return ring_.BeginWrite(); }
  // Publishes the slot BeginWrite() returned; readers see it from now on.
  void Publish(Snapshot* slot) { ring_.Publish(slot); }
  // Gives a claimed slot back unpublished.
  void AbortWrite(Snapshot* slot) { ring_.AbortWrite(slot); }

  bool HasSnapshot() const { return ring_.HasValue(); }
  size_t slot_count() const { return ring_.slot_count(); }

 private:
  SlotRing<Snapshot> ring_;
};

}  // namespace upkeep
