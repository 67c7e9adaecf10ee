// ReadSmallFile and WriteFileAtomically on real files in a temporary directory.

#include "auth/secure_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(ReadSmallFileTest, ReadsTheBytesWithModeOwnerAndGroup) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/secret";
  ASSERT_TRUE(WriteFileAtomically(path, "s3cret\n", 0640));
  bool missing = true;
  const Result<SmallFile> file = ReadSmallFile(path, 100, &missing);
  ASSERT_TRUE(file) << file.error();
  EXPECT_FALSE(missing);
  EXPECT_EQ(file->bytes, "s3cret\n");
  EXPECT_EQ(file->mode, 0640u);
  EXPECT_EQ(file->owner, ::geteuid());
  EXPECT_EQ(file->group, ::getegid());
}

TEST(ReadSmallFileTest, AMissingFileSaysSo) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/absent";
  bool missing = false;
  const Result<SmallFile> file = ReadSmallFile(path, 100, &missing);
  ASSERT_FALSE(file);
  EXPECT_TRUE(missing);
  EXPECT_EQ(file.error(), "cannot read " + path + ": No such file or directory");
  EXPECT_FALSE(ReadSmallFile(path, 100));  // `missing` is optional
}

TEST(ReadSmallFileTest, ADirectoryIsNotARegularFileNorMissing) {
  testing::TempDir dir;
  bool missing = true;
  const Result<SmallFile> file = ReadSmallFile(dir.path(), 100, &missing);
  ASSERT_FALSE(file);
  EXPECT_FALSE(missing);
  EXPECT_EQ(file.error(), dir.path() + " is not a regular file");
}

// A FIFO at the path would block a plain open() until some writer came: it is refused at once.
TEST(ReadSmallFileTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  auto read = std::async(std::launch::async, [&] { return ReadSmallFile(path, 100); });
  ASSERT_EQ(read.wait_for(10s), std::future_status::ready) << "open() waited for a writer";
  const Result<SmallFile> file = read.get();
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error(), path + " is not a regular file");
}

TEST(ReadSmallFileTest, AFileLargerThanTheCapIsRefused) {
  testing::TempDir dir;
  const std::string exact = dir.Write("exact", std::string(10, 'x'));
  const std::string over = dir.Write("over", std::string(11, 'x'));
  const std::string big = dir.Write("big", std::string(100000, 'x'));
  const Result<SmallFile> fits = ReadSmallFile(exact, 10);
  ASSERT_TRUE(fits) << fits.error();
  EXPECT_EQ(fits->bytes, std::string(10, 'x'));
  const Result<SmallFile> one_more = ReadSmallFile(over, 10);
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error(), over + " is larger than 10 bytes");
  const Result<SmallFile> far_more = ReadSmallFile(big, 4096);
  ASSERT_FALSE(far_more);
  EXPECT_EQ(far_more.error(), big + " is larger than 4096 bytes");
  const Result<SmallFile> empty = ReadSmallFile(dir.Write("empty", ""), 0);
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_EQ(empty->bytes, "");
}

TEST(WriteFileAtomicallyTest, ReplacesTheWholeFileWithTheGivenModeAndLeavesNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  ASSERT_TRUE(WriteFileAtomically(path, "first version, longer\n", 0600));
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_TRUE(WriteFileAtomically(path, "second\n", 0640));
  EXPECT_EQ(ModeOf(path), 0640u);
  const Result<SmallFile> file = ReadSmallFile(path, 100);
  ASSERT_TRUE(file) << file.error();
  EXPECT_EQ(file->bytes, "second\n");
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "tokens");
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

// The mode is set on the new file before it has content, whatever the umask.
TEST(WriteFileAtomicallyTest, TheModeIsExactWhateverTheUmask) {
  testing::TempDir dir;
  const mode_t previous = ::umask(0);
  const Status written = WriteFileAtomically(dir.path() + "/open", "x", 0600);
  ::umask(077);
  const Status restrictive = WriteFileAtomically(dir.path() + "/shared", "x", 0644);
  ::umask(previous);
  ASSERT_TRUE(written);
  ASSERT_TRUE(restrictive);
  EXPECT_EQ(ModeOf(dir.path() + "/open"), 0600u);
  EXPECT_EQ(ModeOf(dir.path() + "/shared"), 0644u);
}

TEST(WriteFileAtomicallyTest, AsRootTheNewFileGetsTheGivenOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  testing::TempDir dir;
  const std::string path = dir.path() + "/tokens";
  ASSERT_TRUE(WriteFileAtomically(path, "x", 0600, std::make_pair(uid_t{65534}, gid_t{65534})));
  const Result<SmallFile> file = ReadSmallFile(path, 100);
  ASSERT_TRUE(file) << file.error();
  EXPECT_EQ(file->owner, 65534u);
  EXPECT_EQ(file->group, 65534u);
  EXPECT_EQ(file->mode, 0600u);
}

TEST(WriteFileAtomicallyTest, AMissingDirectoryIsAnErrorNamingThePath) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/no/such/dir/tokens";
  const Status written = WriteFileAtomically(path, "x", 0600);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().rfind("cannot create a file next to " + path + ": ", 0), 0u)
      << written.error();
}

TEST(OpenToOthersTest, GroupOrOtherBitsOpenAFile) {
  EXPECT_FALSE(OpenToOthers(0600));
  EXPECT_FALSE(OpenToOthers(0700));
  EXPECT_FALSE(OpenToOthers(0400));
  EXPECT_TRUE(OpenToOthers(0640));
  EXPECT_TRUE(OpenToOthers(0604));
  EXPECT_TRUE(OpenToOthers(0620));
  EXPECT_TRUE(OpenToOthers(0666));
}

}  // namespace
}  // namespace upkeep
