// MountTableReader on fixture files and on the real /proc, including a real mount in a
// private mount namespace (the kernel's change signal).

#include "exporter/mount_table_reader.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/file_reader.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using Outcome = MountTableReader::Outcome;

TEST(MountTableReaderTest, AFixtureFileIsReadAgainEveryTimeByPath) {
  testing::TempDir dir;
  const std::string path = dir.Write("mountinfo", "first\n");
  MountTableReader reader(path, dir.path() + "/absent");
  std::string text;
  ASSERT_EQ(*reader.ReadIfChanged(text), Outcome::kRead);
  EXPECT_EQ(text, "first\n");
  // Replaced by rename (a new inode): an open descriptor would still see "first".
  dir.Write("mountinfo", "second\n");
  ASSERT_EQ(*reader.ReadIfChanged(text), Outcome::kRead);
  EXPECT_EQ(text, "second\n");
  EXPECT_EQ(reader.path(), path);
}

TEST(MountTableReaderTest, FallsBackToTheSecondPathAndNamesItInErrors) {
  testing::TempDir dir;
  MountTableReader reader(dir.path() + "/1/mountinfo", dir.path() + "/self-mountinfo");
  std::string text = "stale";
  const Result<Outcome> missing = reader.ReadIfChanged(text);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "open " + dir.path() + "/self-mountinfo: No such file or directory");

  dir.Write("self-mountinfo", "ours\n");
  ASSERT_EQ(*reader.ReadIfChanged(text), Outcome::kRead);
  EXPECT_EQ(text, "ours\n");
  EXPECT_EQ(reader.path(), dir.path() + "/self-mountinfo");
}

TEST(MountTableReaderTest, TheLiveTableIsReadOnceThenUnchangedUntilTheKernelSaysSo) {
  MountTableReader reader("/proc/self/mountinfo", "/proc/self/mountinfo");
  std::string text;
  ASSERT_EQ(*reader.ReadIfChanged(text), Outcome::kRead);
  std::string fresh;
  ASSERT_TRUE(ReadFileInto("/proc/self/mountinfo", fresh).ok());
  EXPECT_EQ(text, fresh);
  EXPECT_NE(text.find(" / / "), std::string::npos) << text;  // the root mount's line

  text = "left alone";
  EXPECT_EQ(*reader.ReadIfChanged(text), Outcome::kUnchanged);
  EXPECT_EQ(text, "left alone");
}

// Exit codes of the child below: 0 all as expected; 10+ which step failed; 77 no private
// mount namespace here (not root and no user namespaces).
int MountAndWatchInPrivateNamespace(const std::string& where) {
  if (::unshare(CLONE_NEWNS) != 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return 77;
  // Our mounts must not propagate back to the test's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 77;
  MountTableReader reader("/proc/self/mountinfo", "/proc/self/mountinfo");
  std::string text;
  if (!reader.ReadIfChanged(text).ok()) return 10;
  if (text.find(" " + where + " ") != std::string::npos) return 11;
  if (*reader.ReadIfChanged(text) != Outcome::kUnchanged) return 12;

  if (::mount("upkeep-test", where.c_str(), "tmpfs", 0, "size=64k") != 0) return 77;
  const Result<Outcome> after_mount = reader.ReadIfChanged(text);
  if (!after_mount.ok() || *after_mount != Outcome::kRead) return 13;
  if (text.find(" " + where + " ") == std::string::npos) return 14;
  if (*reader.ReadIfChanged(text) != Outcome::kUnchanged) return 15;  // one signal per change

  if (::umount(where.c_str()) != 0) return 16;
  const Result<Outcome> after_umount = reader.ReadIfChanged(text);
  if (!after_umount.ok() || *after_umount != Outcome::kRead) return 17;
  if (text.find(" " + where + " ") != std::string::npos) return 18;
  return 0;
}

TEST(MountTableReaderTest, AMountAndAnUnmountAreEachSignalledOnce) {
  testing::TempDir dir;
  const std::string where = std::filesystem::canonical(dir.path()).string();
  std::fflush(nullptr);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  // exit(), not _Exit(): the coverage build's counters are written at exit.
  if (child == 0) std::exit(MountAndWatchInPrivateNamespace(where));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no private mount namespace for this user";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "failed at step " << WEXITSTATUS(status);
}

}  // namespace
}  // namespace upkeep
