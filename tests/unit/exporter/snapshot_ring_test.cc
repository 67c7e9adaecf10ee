#include "exporter/snapshot_ring.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace upkeep {
namespace {

using ReadGuard = SnapshotRing::ReadGuard;

// Claims a slot, fills it and publishes it; returns the slot.
Snapshot* PublishNext(SnapshotRing& ring, uint64_t sequence) {
  Snapshot* slot = ring.BeginWrite();
  EXPECT_NE(slot, nullptr) << "no free slot for sequence " << sequence;
  if (slot == nullptr) return nullptr;
  slot->sequence = sequence;
  slot->metrics_text = "metrics " + std::to_string(sequence);
  slot->health_json = "{\"seq\":" + std::to_string(sequence) + "}";
  ring.Publish(slot);
  return slot;
}

TEST(SnapshotRingTest, EmptyBeforeFirstPublish) {
  SnapshotRing ring;
  EXPECT_FALSE(ring.HasSnapshot());
  const ReadGuard guard = ring.Acquire();
  EXPECT_FALSE(guard);
  EXPECT_EQ(guard.get(), nullptr);
  const ReadGuard default_guard;
  EXPECT_FALSE(default_guard);
}

TEST(SnapshotRingTest, SlotCountHasAMinimumOfTwo) {
  EXPECT_EQ(SnapshotRing().slot_count(), SnapshotRing::kDefaultSlots);
  EXPECT_EQ(SnapshotRing(0).slot_count(), 2u);
  EXPECT_EQ(SnapshotRing(1).slot_count(), 2u);
  EXPECT_EQ(SnapshotRing(3).slot_count(), 3u);
}

TEST(SnapshotRingTest, PublishMakesSnapshotVisible) {
  SnapshotRing ring;
  Snapshot* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  slot->sequence = 1;
  slot->metrics_text = "upkeep_load1 0.5\n";
  // Claimed but not published: still nothing to read.
  EXPECT_FALSE(ring.HasSnapshot());
  EXPECT_FALSE(ring.Acquire());

  ring.Publish(slot);
  EXPECT_TRUE(ring.HasSnapshot());
  const ReadGuard guard = ring.Acquire();
  ASSERT_TRUE(guard);
  EXPECT_EQ(guard.get(), slot);
  EXPECT_EQ(guard->sequence, 1u);
  EXPECT_EQ((*guard).metrics_text, "upkeep_load1 0.5\n");
}

TEST(SnapshotRingTest, LatestPublishWins) {
  SnapshotRing ring;
  for (uint64_t seq = 1; seq <= 10; ++seq) {
    Snapshot* slot = PublishNext(ring, seq);
    const ReadGuard guard = ring.Acquire();
    ASSERT_TRUE(guard);
    EXPECT_EQ(guard.get(), slot);
    EXPECT_EQ(guard->sequence, seq);
    EXPECT_EQ(guard->metrics_text, "metrics " + std::to_string(seq));
  }
}

TEST(SnapshotRingTest, BeginWriteNeverReturnsTheCurrentSlot) {
  SnapshotRing ring(2);
  Snapshot* current = PublishNext(ring, 1);
  for (uint64_t seq = 2; seq < 10; ++seq) {
    Snapshot* slot = ring.BeginWrite();
    ASSERT_NE(slot, nullptr);
    EXPECT_NE(slot, current);
    slot->sequence = seq;
    ring.Publish(slot);
    current = slot;
  }
}

TEST(SnapshotRingTest, OldGuardKeepsItsSnapshotAfterNewPublish) {
  SnapshotRing ring;
  PublishNext(ring, 1);
  const ReadGuard old = ring.Acquire();
  ASSERT_TRUE(old);
  PublishNext(ring, 2);
  PublishNext(ring, 3);
  EXPECT_EQ(old->sequence, 1u);
  EXPECT_EQ(old->metrics_text, "metrics 1");
  EXPECT_EQ(ring.Acquire()->sequence, 3u);
}

TEST(SnapshotRingTest, PinnedSlotsAreNeverClaimed) {
  SnapshotRing ring(4);
  std::vector<ReadGuard> guards;
  std::set<const Snapshot*> pinned;
  uint64_t seq = 0;

  // Publish, then pin, each snapshot in turn while free slots remain.
  for (;;) {
    Snapshot* slot = ring.BeginWrite();
    if (slot == nullptr) break;
    EXPECT_EQ(pinned.count(slot), 0u) << "BeginWrite returned a pinned slot";
    slot->sequence = ++seq;
    slot->metrics_text = "metrics " + std::to_string(seq);
    ring.Publish(slot);
    ReadGuard guard = ring.Acquire();
    ASSERT_EQ(guard.get(), slot);
    pinned.insert(guard.get());
    guards.push_back(std::move(guard));
    ASSERT_LE(seq, 10u) << "pinned slots were handed out again";
  }
  // Every slot holds a reader; the writer found none to rebuild.
  EXPECT_EQ(pinned.size(), ring.slot_count());
  EXPECT_EQ(seq, ring.slot_count());

  // The current snapshot is still readable and unchanged, and so is every pinned one.
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  {
    const ReadGuard current = ring.Acquire();
    ASSERT_TRUE(current);
    EXPECT_EQ(current->sequence, seq);
    EXPECT_EQ(current->metrics_text, "metrics " + std::to_string(seq));
  }
  for (size_t i = 0; i < guards.size(); ++i) {
    EXPECT_EQ(guards[i]->sequence, i + 1);
    EXPECT_EQ(guards[i]->metrics_text, "metrics " + std::to_string(i + 1));
  }

  // Unpinning the current slot does not make it claimable: it is still current.
  guards.back() = ReadGuard();
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  EXPECT_EQ(ring.Acquire()->sequence, seq);

  // Releasing an old guard frees exactly its slot.
  const Snapshot* freed = guards[1].get();
  guards[1] = ReadGuard();
  Snapshot* slot = ring.BeginWrite();
  EXPECT_EQ(slot, freed);
  ASSERT_NE(slot, nullptr);
  // Only one was free, and it is now being written.
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  slot->sequence = ++seq;
  ring.Publish(slot);
  EXPECT_EQ(ring.Acquire()->sequence, seq);
  // Untouched pinned snapshots.
  EXPECT_EQ(guards[0]->sequence, 1u);
  EXPECT_EQ(guards[2]->sequence, 3u);
}

TEST(SnapshotRingTest, AllButCurrentPinnedReturnsNull) {
  SnapshotRing ring(3);
  PublishNext(ring, 1);
  ReadGuard a = ring.Acquire();
  PublishNext(ring, 2);
  ReadGuard b = ring.Acquire();
  PublishNext(ring, 3);  // the current one: nobody holds it
  ASSERT_NE(a.get(), b.get());

  EXPECT_EQ(ring.BeginWrite(), nullptr);
  EXPECT_EQ(ring.BeginWrite(), nullptr);  // asking again changes nothing
  const ReadGuard current = ring.Acquire();
  ASSERT_TRUE(current);
  EXPECT_EQ(current->sequence, 3u);
  EXPECT_EQ(current->metrics_text, "metrics 3");
  EXPECT_EQ(a->sequence, 1u);
  EXPECT_EQ(b->sequence, 2u);

  const Snapshot* a_slot = a.get();
  a = ReadGuard();
  EXPECT_EQ(ring.BeginWrite(), a_slot);
}

TEST(SnapshotRingTest, AbortWriteGivesTheSlotBack) {
  SnapshotRing ring(2);
  PublishNext(ring, 1);
  Snapshot* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  // The only other slot is claimed: nothing left.
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  slot->sequence = 99;
  ring.AbortWrite(slot);
  // Not published: readers still see the previous one.
  EXPECT_EQ(ring.Acquire()->sequence, 1u);
  // Claimable again.
  Snapshot* again = ring.BeginWrite();
  EXPECT_EQ(again, slot);
  ASSERT_NE(again, nullptr);
  again->sequence = 2;
  ring.Publish(again);
  EXPECT_EQ(ring.Acquire()->sequence, 2u);
}

TEST(SnapshotRingTest, AbortBeforeFirstPublishLeavesRingEmpty) {
  SnapshotRing ring;
  Snapshot* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  ring.AbortWrite(slot);
  EXPECT_FALSE(ring.HasSnapshot());
  EXPECT_FALSE(ring.Acquire());
  // Every slot can still be claimed (none leaked as "writing").
  std::set<Snapshot*> claimed;
  while (Snapshot* s = ring.BeginWrite()) {
    ASSERT_TRUE(claimed.insert(s).second);
    ASSERT_LE(claimed.size(), ring.slot_count());
  }
  EXPECT_EQ(claimed.size(), ring.slot_count());
}

TEST(SnapshotRingTest, MoveConstructionTransfersThePin) {
  SnapshotRing ring(2);
  PublishNext(ring, 1);
  ReadGuard original = ring.Acquire();
  const Snapshot* first = original.get();
  PublishNext(ring, 2);
  ASSERT_EQ(ring.BeginWrite(), nullptr);  // slot 1 pinned, slot 2 current

  ReadGuard moved(std::move(original));
  EXPECT_FALSE(original);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(original.get(), nullptr);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved.get(), first);
  EXPECT_EQ(moved->sequence, 1u);
  // Still pinned by `moved`.
  EXPECT_EQ(ring.BeginWrite(), nullptr);

  // Destroying the moved-from guard must not release the pin.
  { ReadGuard sink(std::move(original)); }  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(ring.BeginWrite(), nullptr);

  moved = ReadGuard();
  EXPECT_FALSE(moved);
  EXPECT_EQ(ring.BeginWrite(), first);
}

TEST(SnapshotRingTest, MoveAssignmentReleasesOldPinAndTakesNew) {
  SnapshotRing ring(2);
  PublishNext(ring, 1);
  ReadGuard holder = ring.Acquire();
  const Snapshot* first = holder.get();
  Snapshot* second = PublishNext(ring, 2);
  ASSERT_EQ(ring.BeginWrite(), nullptr);

  ReadGuard current = ring.Acquire();
  ASSERT_EQ(current.get(), second);
  holder = std::move(current);  // drops the pin on `first`, takes the one on `second`
  EXPECT_FALSE(current);        // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(holder.get(), second);
  EXPECT_EQ(holder->sequence, 2u);

  Snapshot* slot = ring.BeginWrite();
  EXPECT_EQ(slot, first);
  ASSERT_NE(slot, nullptr);
  slot->sequence = 3;
  ring.Publish(slot);
  // `second` is no longer current but `holder` pins it.
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  EXPECT_EQ(holder->sequence, 2u);
  holder = ReadGuard();
  EXPECT_EQ(ring.BeginWrite(), second);
}

TEST(SnapshotRingTest, ManyReadersOnOneSlotAllMustLeave) {
  SnapshotRing ring(2);
  PublishNext(ring, 1);
  std::vector<ReadGuard> readers;
  for (int i = 0; i < 5; ++i) readers.push_back(ring.Acquire());
  const Snapshot* first = readers.front().get();
  PublishNext(ring, 2);
  while (readers.size() > 1) {
    readers.pop_back();
    EXPECT_EQ(ring.BeginWrite(), nullptr) << readers.size() << " readers left";
  }
  readers.clear();
  EXPECT_EQ(ring.BeginWrite(), first);
}

TEST(SnapshotRingTest, SlotsAreRebuiltInPlace) {
  SnapshotRing ring(2);
  Snapshot* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  slot->metrics_text.assign(10000, 'm');
  ring.Publish(slot);
  PublishNext(ring, 2);
  // With two slots and no readers, the writer comes back to the first one, contents intact
  // (capacity is kept for the rebuild).
  Snapshot* again = ring.BeginWrite();
  ASSERT_EQ(again, slot);
  EXPECT_EQ(again->metrics_text, std::string(10000, 'm'));
  ring.AbortWrite(again);
}

}  // namespace
}  // namespace upkeep
