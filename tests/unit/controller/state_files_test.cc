#include "controller/state_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/fd.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& item : std::filesystem::directory_iterator(dir)) {
    names.push_back(item.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Line {
  std::string text;
  bool overlong;
  bool operator==(const Line&) const = default;
};

std::vector<Line> LinesBackwards(const std::string& path, size_t max_line, size_t stop_after = 0) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  std::vector<Line> lines;
  Status status =
      ForEachLineBackwards(fd.get(), path, max_line, [&](std::string_view line, bool overlong) {
        lines.push_back({std::string(line), overlong});
        return stop_after == 0 || lines.size() < stop_after;
      });
  EXPECT_TRUE(status.ok()) << status.error();
  return lines;
}

TEST(StateFilesTest, DirectoryOf) {
  EXPECT_EQ(DirectoryOf("/var/lib/upkeep/update.journal"), "/var/lib/upkeep");
  EXPECT_EQ(DirectoryOf("/x"), "/");
  EXPECT_EQ(DirectoryOf("x"), ".");
}

TEST(StateFilesTest, WriteFileAtomicallyCreatesAndReplacesWithTheMode) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/state";
  ASSERT_TRUE(WriteFileAtomically(path, "first", 0640).ok());
  EXPECT_EQ(ReadAll(path), "first");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);

  ASSERT_TRUE(WriteFileAtomically(path, std::string(100000, 'x')).ok());
  EXPECT_EQ(ReadAll(path), std::string(100000, 'x'));
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"state"});
}

TEST(StateFilesTest, AFailedRenameRemovesTheTemporaryFileAndKeepsTheOld) {
  testing::TempDir dir;
  // A non-empty directory under the name: the rename over it fails.
  dir.Write("state/keep", "old");
  Status status = WriteFileAtomically(dir.path() + "/state", "new");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find(dir.path() + "/state: rename into place: "), std::string::npos)
      << status.error();
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"state"});
  EXPECT_EQ(ReadAll(dir.path() + "/state/keep"), "old");

  status = WriteFileAtomically(dir.path() + "/missing/state", "new");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("create a temporary file"), std::string::npos) << status.error();
}

TEST(StateFilesTest, RemoveFileDurably) {
  testing::TempDir dir;
  const std::string path = dir.Write("gone", "x");
  ASSERT_TRUE(RemoveFileDurably(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(RemoveFileDurably(path).ok());
  dir.Write("full/x", "x");
  EXPECT_FALSE(RemoveFileDurably(dir.path() + "/full").ok());
  EXPECT_FALSE(SyncDirectory(dir.path() + "/nope").ok());
}

TEST(StateFilesTest, LinesBackwardsInASmallFile) {
  testing::TempDir dir;
  EXPECT_EQ(LinesBackwards(dir.Write("empty", ""), 100), std::vector<Line>{});
  EXPECT_EQ(LinesBackwards(dir.Write("one", "a\n"), 100),
            (std::vector<Line>{{"", false}, {"a", false}}));
  EXPECT_EQ(LinesBackwards(dir.Write("torn", "a\nbb\ncc"), 100),
            (std::vector<Line>{{"cc", false}, {"bb", false}, {"a", false}}));
  EXPECT_EQ(LinesBackwards(dir.Write("blank", "\n\nx\n"), 100),
            (std::vector<Line>{{"", false}, {"x", false}, {"", false}, {"", false}}));
  EXPECT_EQ(LinesBackwards(dir.Write("long", "a\nbbbbbb\ncc\n"), 3),
            (std::vector<Line>{{"", false}, {"cc", false}, {"", true}, {"a", false}}));
  EXPECT_EQ(LinesBackwards(dir.Write("longfirst", "bbbbbb\ncc"), 3),
            (std::vector<Line>{{"cc", false}, {"", true}}));
  EXPECT_EQ(LinesBackwards(dir.Write("stop", "a\nb\nc\n"), 100, 2),
            (std::vector<Line>{{"", false}, {"c", false}}));
}

TEST(StateFilesTest, LinesBackwardsAcrossBlocks) {
  testing::TempDir dir;
  // Lines of many lengths so that block edges fall inside lines, on newlines, and a line
  // spans several blocks.
  std::vector<std::string> lines;
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    std::string line =
        std::to_string(i) + ":" +
        std::string(static_cast<size_t>((i * 37) % 300), static_cast<char>('a' + i % 26));
    if (i == 1500) line = std::string(200000, 'z');
    lines.push_back(line);
    text += line + "\n";
  }
  const std::string path = dir.Write("big", text);
  std::vector<Line> got = LinesBackwards(path, 300000);
  ASSERT_EQ(got.size(), lines.size() + 1);
  EXPECT_EQ(got[0], (Line{"", false}));
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(got[i + 1], (Line{lines[lines.size() - 1 - i], false})) << i;
  }
  // With a smaller cap, the 200000-byte line (spanning blocks) is reported, not kept.
  got = LinesBackwards(path, 1000);
  ASSERT_EQ(got.size(), lines.size() + 1);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t index = lines.size() - 1 - i;
    const Line expected = index == 1500 ? Line{"", true} : Line{lines[index], false};
    ASSERT_EQ(got[i + 1], expected) << i;
  }
}

}  // namespace
}  // namespace upkeep
