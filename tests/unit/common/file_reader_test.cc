// ReadFileInto, ReadFdInto and ProcFile on real files in a temporary directory, on the real
// /proc and on /dev/zero.

#include "common/file_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

TEST(FileReaderTest, ReadsAFileLargerThanOneChunkWhole) {
  testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 2000; ++i) content += "line " + std::to_string(i) + "\n";
  ASSERT_GT(content.size(), 3 * 4096u);  // several reads
  const std::string path = dir.Write("big", content);
  std::string out = "stale";
  ASSERT_TRUE(ReadFileInto(path, out).ok());
  EXPECT_EQ(out, content);
}

TEST(FileReaderTest, AnEmptyFileGivesAnEmptyString) {
  testing::TempDir dir;
  std::string out = "stale";
  ASSERT_TRUE(ReadFileInto(dir.Write("empty", ""), out).ok());
  EXPECT_EQ(out, "");
}

TEST(FileReaderTest, ReusingTheBufferLeavesNothingOfTheLongerPreviousFile) {
  testing::TempDir dir;
  std::string out;
  ASSERT_TRUE(ReadFileInto(dir.Write("long", std::string(10000, 'x')), out).ok());
  ASSERT_TRUE(ReadFileInto(dir.Write("short", "abc"), out).ok());
  EXPECT_EQ(out, "abc");
}

TEST(FileReaderTest, AMissingFileIsAnOpenErrorNamingThePath) {
  testing::TempDir dir;
  std::string out;
  const Status status = ReadFileInto(dir.path() + "/absent", out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "open " + dir.path() + "/absent: No such file or directory");
}

// A directory opens fine and fails at read(): the error names the read, and no partial
// content is left behind for a collector to parse.
TEST(FileReaderTest, AReadErrorNamesThePathAndLeavesTheOutputEmpty) {
  testing::TempDir dir;
  std::string out = "stale";
  const Status status = ReadFileInto(dir.path(), out);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "read " + dir.path() + ": Is a directory");
  EXPECT_EQ(out, "");
}

// A small-file reader refuses a file longer than its cap, and reads one of exactly the cap.
TEST(FileReaderTest, AFileLongerThanTheCapIsRefusedAndTheOutputLeftEmpty) {
  testing::TempDir dir;
  std::string out = "stale";
  ASSERT_TRUE(ReadFileInto(dir.Write("exact", std::string(5000, 'x')), out, 5000).ok());
  EXPECT_EQ(out, std::string(5000, 'x'));
  const std::string over = dir.Write("over", std::string(5001, 'x'));
  const Status refused = ReadFileInto(over, out, 5000);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), over + " is larger than 5000 bytes");
  EXPECT_EQ(out, "");
  ASSERT_TRUE(ReadFileInto(dir.Write("empty", ""), out, 0).ok());
  const Status one = ReadFileInto(dir.Write("one", "x"), out, 0);
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error(), dir.path() + "/one is larger than 0 bytes");
}

// A file that never ends (or a huge one) stops at the cap instead of filling the memory; the
// two-argument form has a cap too, far above any /proc file.
TEST(FileReaderTest, AFileThatNeverEndsStopsAtTheCap) {
  std::string out;
  const Status capped = ReadFileInto("/dev/zero", out, 1 << 20);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error(), "/dev/zero is larger than 1048576 bytes");
  const Status by_default = ReadFileInto("/dev/zero", out);
  ASSERT_FALSE(by_default.ok());
  EXPECT_EQ(by_default.error(),
            "/dev/zero is larger than " + std::to_string(kDefaultMaxFileBytes) + " bytes");
  EXPECT_EQ(out, "");
}

TEST(FileReaderTest, ReadFdIntoHonoursTheCapFromOffsetZero) {
  testing::TempDir dir;
  const std::string path = dir.Write("ten", "0123456789");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::string out;
  ASSERT_TRUE(ReadFdInto(fd, path, out, 10).ok());
  EXPECT_EQ(out, "0123456789");
  EXPECT_FALSE(ReadFdInto(fd, path, out, 9).ok());
  ASSERT_TRUE(ReadFdInto(fd, path, out).ok());  // again from the start
  EXPECT_EQ(out, "0123456789");
  ::close(fd);
}

int OpenFds() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  while (dir != nullptr && ::readdir(dir) != nullptr) ++count;
  if (dir != nullptr) ::closedir(dir);
  return count;
}

TEST(ProcFileTest, AProcfsFileStaysOpenAndIsGeneratedAfreshOnEachRead) {
  const int before = OpenFds();
  ProcFile file("/proc/self/stat");
  std::string first;
  ASSERT_TRUE(file.ReadInto(first).ok());
  EXPECT_EQ(OpenFds(), before + 1);  // kept open

  std::string fresh;
  ASSERT_TRUE(ReadFileInto("/proc/self/stat", fresh).ok());
  std::string again;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(file.ReadInto(again).ok());
  EXPECT_EQ(OpenFds(), before + 1);  // still the one descriptor
  // Our own pid and comm open both; the whole line is generated again, not cut short.
  EXPECT_EQ(again.substr(0, again.find(')') + 1), fresh.substr(0, fresh.find(')') + 1));
  EXPECT_EQ(std::count(again.begin(), again.end(), ' '),
            std::count(fresh.begin(), fresh.end(), ' '));
  EXPECT_TRUE(again.ends_with("\n"));
}

TEST(ProcFileTest, AFileElsewhereIsOpenedByPathEachTimeSoAReplacementIsSeen) {
  testing::TempDir dir;
  const std::string path = dir.Write("stat", "first\n");
  const int before = OpenFds();
  ProcFile file(path);
  std::string out;
  ASSERT_TRUE(file.ReadInto(out).ok());
  EXPECT_EQ(out, "first\n");
  EXPECT_EQ(OpenFds(), before);                          // not kept
  dir.Write("stat", "second, longer than the first\n");  // a new file at the path
  ASSERT_TRUE(file.ReadInto(out).ok());
  EXPECT_EQ(out, "second, longer than the first\n");
}

TEST(ProcFileTest, AMissingFileIsAnErrorUntilItAppears) {
  testing::TempDir dir;
  ProcFile file(dir.path() + "/loadavg");
  std::string out = "stale";
  const Status missing = file.ReadInto(out);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "open " + dir.path() + "/loadavg: No such file or directory");
  EXPECT_EQ(out, "");
  dir.Write("loadavg", "0.10 0.20 0.30 1/100 42\n");
  ASSERT_TRUE(file.ReadInto(out).ok());
  EXPECT_EQ(out, "0.10 0.20 0.30 1/100 42\n");
  EXPECT_EQ(file.path(), dir.path() + "/loadavg");
}

}  // namespace
}  // namespace upkeep
