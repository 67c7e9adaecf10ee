// SlotRing on one thread: what a lease pins, which slots a writer may claim, and what happens
// when none is free. The concurrent behaviour is in tests/concurrency (under TSan).

#include "common/slot_ring.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace upkeep {
namespace {

using Ring = SlotRing<std::string>;

TEST(SlotRingTest, EmptyBeforeTheFirstPublish) {
  Ring ring;
  EXPECT_FALSE(ring.HasValue());
  const Ring::Lease lease = ring.Acquire();
  EXPECT_FALSE(lease);
  EXPECT_EQ(lease.get(), nullptr);
  EXPECT_FALSE(Ring::Lease());
}

TEST(SlotRingTest, SlotCountHasAMinimumOfTwo) {
  EXPECT_EQ(Ring().slot_count(), Ring::kDefaultSlots);
  EXPECT_EQ(Ring(0).slot_count(), 2u);
  EXPECT_EQ(Ring(1).slot_count(), 2u);
  EXPECT_EQ(Ring(5).slot_count(), 5u);
}

TEST(SlotRingTest, TryReplacePublishesAndTheLatestWins) {
  Ring ring;
  std::string first = "one";
  ASSERT_TRUE(ring.TryReplace(first));
  EXPECT_TRUE(ring.HasValue());
  EXPECT_EQ(*ring.Acquire(), "one");
  std::string second = "two";
  ASSERT_TRUE(ring.TryReplace(second));
  EXPECT_EQ(*ring.Acquire(), "two");
  ring.Replace("three");
  EXPECT_EQ(*ring.Acquire(), "three");
}

TEST(SlotRingTest, AClaimedSlotIsInvisibleUntilPublished) {
  Ring ring;
  std::string* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  *slot = "draft";
  EXPECT_FALSE(ring.HasValue());
  EXPECT_FALSE(ring.Acquire());
  ring.Publish(slot);
  const Ring::Lease lease = ring.Acquire();
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease.get(), slot);
  EXPECT_EQ(lease->size(), 5u);
}

// A lease keeps its value alive and unchanged however many values are published after it.
TEST(SlotRingTest, ALeaseKeepsItsValueWhileNewerOnesArePublished) {
  Ring ring(3);  // one pinned, one current, one to write the next into
  ring.Replace("pinned");
  const Ring::Lease pinned = ring.Acquire();
  const std::string* address = pinned.get();
  for (int i = 0; i < 10; ++i) ring.Replace("newer " + std::to_string(i));
  EXPECT_EQ(pinned.get(), address);
  EXPECT_EQ(*pinned, "pinned");
  EXPECT_EQ(*ring.Acquire(), "newer 9");
}

TEST(SlotRingTest, TheWriterNeverClaimsTheCurrentSlotOrAPinnedOne) {
  Ring ring(4);
  ring.Replace("a");
  std::vector<Ring::Lease> leases;
  std::vector<const std::string*> pinned;
  for (const char* value : {"b", "c"}) {
    leases.push_back(ring.Acquire());
    pinned.push_back(leases.back().get());
    ring.Replace(value);
  }
  const std::string* current = ring.Acquire().get();
  // Two pinned, one current: only the fourth slot is free, whichever order the writer tries.
  for (int i = 0; i < 8; ++i) {
    std::string* slot = ring.BeginWrite();
    ASSERT_NE(slot, nullptr);
    EXPECT_NE(slot, current);
    for (const std::string* p : pinned) EXPECT_NE(slot, p);
    ring.AbortWrite(slot);
  }
}

// With every slot but the current one pinned, the current value stays one tick longer and the
// value offered is left with the caller.
TEST(SlotRingTest, WhenEveryOtherSlotIsPinnedTheOldValueStays) {
  Ring ring(3);
  ring.Replace("first");
  const Ring::Lease a = ring.Acquire();
  ring.Replace("second");
  const Ring::Lease b = ring.Acquire();
  ring.Replace("third");
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  std::string offered = "fourth";
  EXPECT_FALSE(ring.TryReplace(offered));
  EXPECT_EQ(offered, "fourth");
  EXPECT_EQ(*ring.Acquire(), "third");
  EXPECT_EQ(*a, "first");
  EXPECT_EQ(*b, "second");
}

TEST(SlotRingTest, ReleasingALeaseFreesItsSlot) {
  Ring ring(2);
  ring.Replace("old");
  const std::string* freed = nullptr;
  {
    const Ring::Lease lease = ring.Acquire();
    freed = lease.get();
    ring.Replace("new");
    EXPECT_EQ(ring.BeginWrite(), nullptr);  // "old" pinned, "new" current
  }
  std::string* slot = ring.BeginWrite();
  EXPECT_EQ(slot, freed);
  ring.AbortWrite(slot);
}

TEST(SlotRingTest, ManyLeasesOnOneSlotMustAllGo) {
  Ring ring(2);
  ring.Replace("shared");
  std::vector<Ring::Lease> leases;
  for (int i = 0; i < 5; ++i) leases.push_back(ring.Acquire());
  ring.Replace("next");
  for (int i = 0; i < 4; ++i) {
    leases.pop_back();
    EXPECT_EQ(ring.BeginWrite(), nullptr) << i;
  }
  leases.clear();
  std::string* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(*slot, "shared");  // filled in place: the old contents are there to reuse
  ring.AbortWrite(slot);
}

TEST(SlotRingTest, AbortWriteGivesTheSlotBackUnpublished) {
  Ring ring(2);
  std::string* slot = ring.BeginWrite();
  ASSERT_NE(slot, nullptr);
  *slot = "never published";
  ring.AbortWrite(slot);
  EXPECT_FALSE(ring.HasValue());
  ring.Replace("published");
  EXPECT_EQ(*ring.Acquire(), "published");
}

TEST(SlotRingTest, MovingALeaseMovesThePin) {
  Ring ring(2);
  ring.Replace("pinned");
  Ring::Lease original = ring.Acquire();
  const std::string* address = original.get();
  Ring::Lease moved(std::move(original));
  EXPECT_FALSE(original);  // NOLINT(bugprone-use-after-move): a moved-from lease is empty
  EXPECT_EQ(moved.get(), address);
  ring.Replace("next");
  EXPECT_EQ(ring.BeginWrite(), nullptr);  // still pinned, by `moved`

  Ring::Lease assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.get(), address);
  EXPECT_EQ(ring.BeginWrite(), nullptr);
  assigned = ring.Acquire();  // releases the old pin, takes the current one
  EXPECT_EQ(*assigned, "next");
  std::string* slot = ring.BeginWrite();
  EXPECT_EQ(slot, address);
  ring.AbortWrite(slot);
}

// Any default-constructible, movable value: slots start value-initialised.
TEST(SlotRingTest, HoldsAnyMovableValue) {
  struct Pair {
    int key = 0;
    std::vector<int> values;
  };
  SlotRing<Pair> ring;
  ring.Replace(Pair{7, {1, 2, 3}});
  const auto lease = ring.Acquire();
  EXPECT_EQ(lease->key, 7);
  EXPECT_EQ(lease->values.size(), 3u);
}

}  // namespace
}  // namespace upkeep
