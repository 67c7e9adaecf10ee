// ReadFileInto on real files in a temporary directory.

#include "exporter/file_reader.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace upkeep
