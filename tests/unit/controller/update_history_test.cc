#include "controller/update_history.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/time_text.h"
#include "controller/update_id.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kStart = system_clock::from_time_t(1796008500);

HistoryEntry EntryNumber(int n) {
  HistoryEntry entry;
  entry.id = FormatUpdateId(kStart + std::chrono::minutes(n), static_cast<uint32_t>(n));
  entry.who = "jwt:alice from 192.0.2.1";
  entry.from_revision = std::string(40, 'a');
  entry.to_revision = std::string(40, 'b');
  entry.from_version = "v1." + std::to_string(n);
  entry.to_version = "v1." + std::to_string(n + 1);
  entry.result = n % 2 == 0 ? UpdateResult::kSuccess : UpdateResult::kRolledBack;
  entry.started_at = FormatRfc3339(kStart + std::chrono::minutes(n));
  entry.finished_at = FormatRfc3339(kStart + std::chrono::minutes(n) + std::chrono::seconds(42));
  entry.steps = {{"install", StepState::kOk, 0, 1200},
                 {"migrate", StepState::kFailed, 3, 450},
                 {"build", StepState::kSkipped, std::nullopt, 0}};
  return entry;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void AppendRaw(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

TEST(UpdateHistoryTest, ResultNamesRoundTrip) {
  EXPECT_EQ(AllUpdateResults().size(), 6u);
  for (UpdateResult result : AllUpdateResults()) {
    EXPECT_EQ(UpdateResultNamed(UpdateResultName(result)), result) << UpdateResultName(result);
  }
  EXPECT_EQ(UpdateResultName(UpdateResult::kRollbackFailed), "rollback_failed");
  EXPECT_EQ(UpdateResultNamed("ok"), std::nullopt);
}

TEST(UpdateHistoryTest, AppendsOneLineEachAndReadsNewestFirst) {
  testing::TempDir dir;
  for (int n = 0; n < 5; ++n) ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(n)).ok());
  const std::string text = ReadAll(HistoryPath(dir.path()));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  EXPECT_EQ(text.find("\"startedAt\":\"2026-11-30T03:15:00Z\""), text.find("\"startedAt\""));

  Result<HistoryPage> page = ReadLastHistory(dir.path(), 3);
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->entries[0], EntryNumber(4));
  EXPECT_EQ(page->entries[1], EntryNumber(3));
  EXPECT_EQ(page->entries[2], EntryNumber(2));
  EXPECT_EQ(page->skipped_lines, 0u);

  page = ReadLastHistory(dir.path(), 100);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->entries.size(), 5u);
  EXPECT_EQ(ReadLastHistory(dir.path(), 0)->entries.size(), 0u);
}

TEST(UpdateHistoryTest, TheFileIs0600AndNoFileIsAnEmptyHistory) {
  testing::TempDir dir;
  Result<HistoryPage> page = ReadLastHistory(dir.path(), 10);
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_TRUE(page->entries.empty());
  Result<std::optional<HistoryEntry>> found = FindInHistory(dir.path(), EntryNumber(0).id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());

  ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(0)).ok());
  struct stat info {};
  ASSERT_EQ(::stat(HistoryPath(dir.path()).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST(UpdateHistoryTest, CorruptAndTornLinesAreSkippedAndCounted) {
  testing::TempDir dir;
  const std::string path = HistoryPath(dir.path());
  ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(0)).ok());
  nlohmann::json bad_result = HistoryEntryToJson(EntryNumber(9));
  bad_result["result"] = "exploded";
  nlohmann::json bad_id = HistoryEntryToJson(EntryNumber(9));
  bad_id["id"] = "../x";
  AppendRaw(path, "not json\n" + bad_result.dump() + "\n\n" + bad_id.dump() + "\n[]\n");
  ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(1)).ok());
  // A crash in the middle of the last append.
  const std::string torn = HistoryEntryToJson(EntryNumber(2)).dump();
  AppendRaw(path, torn.substr(0, torn.size() / 2));

  Result<HistoryPage> page = ReadLastHistory(dir.path(), 10);
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0], EntryNumber(1));
  EXPECT_EQ(page->entries[1], EntryNumber(0));
  EXPECT_EQ(page->skipped_lines, 5u);  // 4 corrupt lines and the torn one; the blank is not

  // The next append starts a line of its own, so it is not lost to the torn one.
  ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(3)).ok());
  page = ReadLastHistory(dir.path(), 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0], EntryNumber(3));
  EXPECT_EQ(page->skipped_lines, 0u);  // it stopped before reaching the bad lines
  page = ReadLastHistory(dir.path(), 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->skipped_lines, 5u);
}

TEST(UpdateHistoryTest, ALastLineCutJustBeforeItsNewlineStillCounts) {
  testing::TempDir dir;
  AppendRaw(HistoryPath(dir.path()), HistoryEntryToJson(EntryNumber(7)).dump());
  Result<HistoryPage> page = ReadLastHistory(dir.path(), 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0], EntryNumber(7));
  ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(8)).ok());
  EXPECT_EQ(ReadLastHistory(dir.path(), 10)->entries.size(), 2u);
}

// resolvedBy and resolvedAt: only on an entry `upkeep update resolve` wrote, and a line from
// before they existed still reads.
TEST(UpdateHistoryTest, TheResolvedFieldsAreOptional) {
  const nlohmann::json plain = HistoryEntryToJson(EntryNumber(1));
  EXPECT_FALSE(plain.contains("resolvedBy"));
  EXPECT_FALSE(plain.contains("resolvedAt"));

  HistoryEntry resolved = EntryNumber(2);
  resolved.result = UpdateResult::kInterrupted;
  resolved.resolved_by = "user:alice (uid 1000)";
  resolved.resolved_at = "2026-11-30T04:00:00Z";
  const nlohmann::json json = HistoryEntryToJson(resolved);
  EXPECT_EQ(json["resolvedBy"], "user:alice (uid 1000)");
  EXPECT_EQ(json["resolvedAt"], "2026-11-30T04:00:00Z");
  Result<HistoryEntry> back = HistoryEntryFromJson(json);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, resolved);

  testing::TempDir dir;
  AppendRaw(HistoryPath(dir.path()), plain.dump() + "\n");
  ASSERT_TRUE(AppendHistory(dir.path(), resolved).ok());
  Result<HistoryPage> page = ReadLastHistory(dir.path(), 10);
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0], resolved);
  EXPECT_EQ(page->entries[1], EntryNumber(1));
  EXPECT_EQ(page->skipped_lines, 0u);
}

// The daemon's line for a run it left to an admin, then resolve's: the run is listed once,
// as the newer line says, and the limit counts runs.
TEST(UpdateHistoryTest, ARunRecordedTwiceIsListedOnceAsItsNewestLine) {
  testing::TempDir dir;
  ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(0)).ok());
  HistoryEntry left = EntryNumber(1);
  left.result = UpdateResult::kRollbackFailed;
  ASSERT_TRUE(AppendHistory(dir.path(), left).ok());
  HistoryEntry resolved = left;
  resolved.resolved_by = "user:root (uid 0)";
  resolved.resolved_at = "2026-11-30T05:00:00Z";
  ASSERT_TRUE(AppendHistory(dir.path(), resolved).ok());

  Result<HistoryPage> page = ReadLastHistory(dir.path(), 10);
  ASSERT_TRUE(page.ok()) << page.error();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0], resolved);
  EXPECT_EQ(page->entries[1], EntryNumber(0));
  EXPECT_EQ(page->skipped_lines, 0u);
  page = ReadLastHistory(dir.path(), 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(**FindInHistory(dir.path(), left.id), resolved);
}

TEST(UpdateHistoryTest, FindsARunById) {
  testing::TempDir dir;
  for (int n = 0; n < 60; ++n) ASSERT_TRUE(AppendHistory(dir.path(), EntryNumber(n)).ok());
  Result<std::optional<HistoryEntry>> found = FindInHistory(dir.path(), EntryNumber(3).id);
  ASSERT_TRUE(found.ok()) << found.error();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, EntryNumber(3));
  found = FindInHistory(dir.path(), FormatUpdateId(kStart, 0xdeadbeef));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  found = FindInHistory(dir.path(), "../history");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST(UpdateHistoryTest, AnUnreadableHistoryIsAnError) {
  testing::TempDir dir;
  std::filesystem::create_directory(HistoryPath(dir.path()));
  Result<HistoryPage> page = ReadLastHistory(dir.path(), 10);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.error().find(HistoryPath(dir.path())), std::string::npos) << page.error();
  Status appended = AppendHistory(dir.path(), EntryNumber(0));
  ASSERT_FALSE(appended.ok());
  EXPECT_NE(appended.error().find(HistoryPath(dir.path())), std::string::npos);
}

TEST(UpdateHistoryTest, PruneKeepsTheNewestRunLogsAndNothingElseIsTouched) {
  testing::TempDir dir;
  EXPECT_EQ(*PruneRunLogs(dir.path(), 2), 0u);  // no directory yet
  for (int n = 0; n < 6; ++n) dir.Write("updates/" + EntryNumber(n).id + ".log", "log");
  for (const char* other : {"notes.txt", "20261130T031500Z-1A2B3C4D.log", "x.log",
                            "20261130T031500Z-1a2b3c4d.log.gz"}) {
    dir.Write(std::string("updates/") + other, "keep me");
  }
  EXPECT_EQ(RunLogPath(dir.path(), EntryNumber(5).id),
            dir.path() + "/updates/" + EntryNumber(5).id + ".log");

  Result<size_t> removed = PruneRunLogs(dir.path(), 2);
  ASSERT_TRUE(removed.ok()) << removed.error();
  EXPECT_EQ(*removed, 4u);
  for (int n = 0; n < 6; ++n) {
    EXPECT_EQ(std::filesystem::exists(RunLogPath(dir.path(), EntryNumber(n).id)), n >= 4) << n;
  }
  for (const char* other : {"notes.txt", "20261130T031500Z-1A2B3C4D.log", "x.log",
                            "20261130T031500Z-1a2b3c4d.log.gz"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/updates/" + other)) << other;
  }
  EXPECT_EQ(*PruneRunLogs(dir.path(), 2), 0u);
  EXPECT_EQ(*PruneRunLogs(dir.path(), 0), 2u);
}

}  // namespace
}  // namespace upkeep
