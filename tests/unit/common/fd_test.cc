#include "common/fd.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <utility>

namespace upkeep {
namespace {

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

int OpenDevNull() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

TEST(FdTest, ClosesOnDestruction) {
  int raw = -1;
  {
    Fd fd(OpenDevNull());
    raw = fd.get();
    ASSERT_TRUE(fd.valid());
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
}

TEST(FdTest, MoveTransfersOwnershipOnce) {
  Fd a(OpenDevNull());
  const int raw = a.get();
  Fd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(b.get(), raw);
  Fd c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_TRUE(IsOpen(raw));
}

TEST(FdTest, ResetClosesTheOldDescriptor) {
  Fd fd(OpenDevNull());
  const int old = fd.get();
  fd.Reset(OpenDevNull());
  EXPECT_TRUE(fd.valid());
  // The kernel may hand out the same number again; what matters is that the old one was closed
  // before or while the new one was taken, and the new one is open.
  EXPECT_TRUE(IsOpen(fd.get()));
  if (fd.get() != old) {
    EXPECT_FALSE(IsOpen(old));
  }
  fd.Reset();
  EXPECT_FALSE(fd.valid());
}

TEST(FdTest, ReleaseKeepsTheDescriptorOpen) {
  Fd fd(OpenDevNull());
  const int raw = fd.Release();
  EXPECT_FALSE(fd.valid());
  EXPECT_TRUE(IsOpen(raw));
  ::close(raw);
}

}  // namespace
}  // namespace upkeep
