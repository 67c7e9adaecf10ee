// `upkeep update resolve` in process, against real state directories in temp dirs: the
// history line it writes, the journal it removes, the lock it respects, its usage errors; and
// once through the real binary.

#include "app/update_command.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/time_text.h"
#include "controller/update_history.h"
#include "controller/update_id.h"
#include "controller/update_journal.h"
#include "controller/update_lock.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

struct CommandRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string Drain(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  std::fclose(file);
  return text;
}

CommandRun Update(std::vector<std::string> args) {
  args.insert(args.begin(), "update");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CommandRun run;
  run.status = RunUpdateCommand(static_cast<int>(argv.size()), argv.data(), out, err);
  run.out = Drain(out);
  run.err = Drain(err);
  return run;
}

// A temp dir with a config whose update.state_dir is `state` in it (created 0700).
struct StateFixture {
  testing::TempDir dir;
  std::string state_dir = dir.path() + "/state";
  std::string config;

  StateFixture() {
    std::filesystem::create_directory(state_dir);
    ::chmod(state_dir.c_str(), 0700);
    config = dir.Write("upkeep.yaml", "update:\n  repo: " + dir.path() + "/repo\n  state_dir: " +
                                          state_dir + "\n  require_queue: false\n");
  }

  CommandRun Resolve() { return Update({"resolve", "--config", config}); }
};

UpdateJournal InterruptedRun(UpdatePhase phase) {
  UpdateJournal journal;
  journal.id = FormatUpdateId(std::chrono::system_clock::from_time_t(1796008500), 0x1a2b3c4d);
  journal.who = "token:ci from 192.0.2.7";
  journal.started_at = "2026-11-30T03:15:00Z";
  journal.from_revision = "0123456789abcdef0123456789abcdef01234567";
  journal.to_revision = "89abcdef0123456789abcdef0123456789abcdef";
  journal.from_version = "v1.0.0";
  journal.to_version = "v1.1.0";
  journal.phase = phase;
  journal.steps = {{"install", StepState::kOk, 0, 1200}};
  journal.running = RunningStep{"migrate", 4242, 123456};
  return journal;
}

std::string InvokingUser() {
  const passwd* entry = ::getpwuid(::getuid());
  const std::string uid = std::to_string(::getuid());
  return "user:" + (entry != nullptr ? std::string(entry->pw_name) : uid) + " (uid " + uid + ")";
}

std::vector<HistoryEntry> History(const std::string& state_dir) {
  Result<HistoryPage> page = ReadLastHistory(state_dir, 100);
  EXPECT_TRUE(page.ok()) << page.error();
  if (!page.ok()) return {};
  EXPECT_EQ(page->skipped_lines, 0u);
  return page->entries;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool JournalExists(const std::string& state_dir) {
  return std::filesystem::exists(JournalPath(state_dir));
}

TEST(UpdateCommandTest, AnInterruptedRunGoesToTheHistoryAndItsJournalGoes) {
  StateFixture f;
  const UpdateJournal journal = InterruptedRun(UpdatePhase::kSteps);
  ASSERT_TRUE(WriteJournal(f.state_dir, journal).ok());

  const auto before = std::chrono::system_clock::now();
  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "resolved update " + journal.id +
                         " (interrupted, phase steps, from 0123456 to 89abcde); the checkout was "
                         "not changed: HEAD is where the run left it\n");
  EXPECT_EQ(run.err, "");
  EXPECT_FALSE(JournalExists(f.state_dir));

  const std::vector<HistoryEntry> history = History(f.state_dir);
  ASSERT_EQ(history.size(), 1u);
  const HistoryEntry& entry = history[0];
  EXPECT_EQ(entry.id, journal.id);
  EXPECT_EQ(entry.who, "token:ci from 192.0.2.7");
  EXPECT_EQ(entry.result, UpdateResult::kInterrupted);
  EXPECT_EQ(entry.from_revision, journal.from_revision);
  EXPECT_EQ(entry.to_revision, journal.to_revision);
  EXPECT_EQ(entry.from_version, "v1.0.0");
  EXPECT_EQ(entry.to_version, "v1.1.0");
  EXPECT_EQ(entry.started_at, "2026-11-30T03:15:00Z");
  EXPECT_EQ(entry.steps, journal.steps);
  EXPECT_EQ(entry.resolved_by, InvokingUser());
  // RFC 3339 of about now (whole seconds), also as the end of the run.
  ASSERT_EQ(entry.resolved_at.size(), 20u) << entry.resolved_at;
  EXPECT_GE(entry.resolved_at, FormatRfc3339(before - std::chrono::seconds(1)));
  EXPECT_LE(entry.resolved_at,
            FormatRfc3339(std::chrono::system_clock::now() + std::chrono::seconds(1)));
  EXPECT_EQ(entry.finished_at, entry.resolved_at);

  // Done: a second run finds nothing.
  const CommandRun again = f.Resolve();
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, "nothing to resolve\n");
  EXPECT_EQ(History(f.state_dir).size(), 1u);
}

TEST(UpdateCommandTest, AFailedRollbackIsRecordedAsRollbackFailed) {
  StateFixture f;
  UpdateJournal journal = InterruptedRun(UpdatePhase::kRollbackFailed);
  journal.running.reset();
  journal.failure = "step migrate exited with 3; rollback: git checkout failed";
  ASSERT_TRUE(WriteJournal(f.state_dir, journal).ok());

  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("resolved update " + journal.id +
                         " (rollback_failed, phase rollback_failed, from 0123456 to 89abcde)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("\nthe run had failed: step migrate exited with 3; rollback: git "
                         "checkout failed\n"),
            std::string::npos)
      << run.out;
  EXPECT_FALSE(JournalExists(f.state_dir));
  const std::vector<HistoryEntry> history = History(f.state_dir);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].result, UpdateResult::kRollbackFailed);
}

TEST(UpdateCommandTest, NothingPendingIsNothingToResolve) {
  StateFixture f;
  const CommandRun run = f.Resolve();
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "nothing to resolve\n");
  EXPECT_FALSE(std::filesystem::exists(HistoryPath(f.state_dir)));

  // No state directory at all (the daemon never ran): nothing either, and none is made.
  std::filesystem::remove_all(f.state_dir);
  const CommandRun none = f.Resolve();
  EXPECT_EQ(none.status, 0) << none.err;
  EXPECT_NE(none.out.find("nothing to resolve"), std::string::npos) << none.out;
  EXPECT_FALSE(std::filesystem::exists(f.state_dir));
}

TEST(UpdateCommandTest, ARunningUpdateIsLeftAlone) {
  StateFixture f;
  ASSERT_TRUE(WriteJournal(f.state_dir, InterruptedRun(UpdatePhase::kHealthCheck)).ok());
  UpdateLock daemons_lock(f.state_dir);
  Result<std::optional<UpdateLockGuard>> held = daemons_lock.TryAcquire();
  ASSERT_TRUE(held.ok() && held->has_value());

  const CommandRun run = f.Resolve();
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("an update is running"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(JournalExists(f.state_dir));
  EXPECT_FALSE(std::filesystem::exists(HistoryPath(f.state_dir)));

  (*held)->Release();
  EXPECT_EQ(f.Resolve().status, 0);
  EXPECT_FALSE(JournalExists(f.state_dir));
}

// The daemon records a run it leaves to an admin (a failed rollback) and keeps its journal:
// resolve repeats that line with who closed the run, and the history shows the run once.
TEST(UpdateCommandTest, ARunTheDaemonRecordedGetsItsLineAgainWithTheResolver) {
  StateFixture f;
  UpdateJournal journal = InterruptedRun(UpdatePhase::kRollbackFailed);
  journal.running.reset();
  HistoryEntry recorded;
  recorded.id = journal.id;
  recorded.who = journal.who;
  recorded.from_revision = journal.from_revision;
  recorded.to_revision = journal.to_revision;
  recorded.result = UpdateResult::kRollbackFailed;
  recorded.started_at = journal.started_at;
  recorded.finished_at = "2026-11-30T03:20:00Z";
  recorded.steps = {{"install", StepState::kRolledBack, 0, 1200}};
  ASSERT_TRUE(AppendHistory(f.state_dir, recorded).ok());
  ASSERT_TRUE(WriteJournal(f.state_dir, journal).ok());

  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("resolved update " + journal.id +
                         " (rollback_failed, phase "
                         "rollback_failed, from 0123456 to 89abcde)"),
            std::string::npos)
      << run.out;
  EXPECT_FALSE(JournalExists(f.state_dir));
  const std::vector<HistoryEntry> history = History(f.state_dir);
  ASSERT_EQ(history.size(), 1u);
  HistoryEntry expected = recorded;  // the daemon's line, its end time included
  expected.resolved_by = InvokingUser();
  expected.resolved_at = history[0].resolved_at;
  EXPECT_EQ(history[0], expected);
  EXPECT_FALSE(history[0].resolved_at.empty());
  Result<std::optional<HistoryEntry>> found = FindInHistory(f.state_dir, journal.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, expected);
}

// A crash between resolve's own append and the journal's removal: run again, it only removes
// the journal.
TEST(UpdateCommandTest, AResolvedRunIsNotRecordedTwice) {
  StateFixture f;
  const UpdateJournal journal = InterruptedRun(UpdatePhase::kSteps);
  HistoryEntry resolved;
  resolved.id = journal.id;
  resolved.result = UpdateResult::kInterrupted;
  resolved.resolved_by = "user:alice (uid 1000)";
  resolved.resolved_at = "2026-11-30T04:00:00Z";
  ASSERT_TRUE(AppendHistory(f.state_dir, resolved).ok());
  ASSERT_TRUE(WriteJournal(f.state_dir, journal).ok());
  const std::string before = ReadFile(HistoryPath(f.state_dir));

  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("resolved update " + journal.id + " (interrupted, phase steps"),
            std::string::npos)
      << run.out;
  EXPECT_FALSE(JournalExists(f.state_dir));
  EXPECT_EQ(ReadFile(HistoryPath(f.state_dir)), before);
}

// A run that had finished, whose history line a crash prevented: recorded as it ended.
TEST(UpdateCommandTest, AFinishedRunIsRecordedWithItsOwnResult) {
  StateFixture f;
  UpdateJournal journal = InterruptedRun(UpdatePhase::kFinished);
  journal.running.reset();
  journal.result = "success";
  ASSERT_TRUE(WriteJournal(f.state_dir, journal).ok());
  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("(success, phase finished, "), std::string::npos) << run.out;
  const std::vector<HistoryEntry> history = History(f.state_dir);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].result, UpdateResult::kSuccess);
}

// A journal cut off by a crash names no run: it is renamed aside (the daemon refuses updates
// while it is there), and nothing is recorded.
TEST(UpdateCommandTest, ACorruptJournalIsSetAside) {
  StateFixture f;
  const std::string path = JournalPath(f.state_dir);
  std::ofstream(path) << "{\"id\": \"20261130T0";
  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("corrupt update journal " + path), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("moved it aside to " + path + ".corrupt-"), std::string::npos) << run.out;
  EXPECT_FALSE(JournalExists(f.state_dir));
  EXPECT_FALSE(std::filesystem::exists(HistoryPath(f.state_dir)));
  std::vector<std::string> aside;
  for (const auto& item : std::filesystem::directory_iterator(f.state_dir)) {
    if (item.path().filename().string().starts_with("update.journal.corrupt-")) {
      aside.push_back(item.path().string());
    }
  }
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_EQ(ReadFile(aside[0]), "{\"id\": \"20261130T0");
}

// One that is not a file to read (a planted symlink, a directory) is an error, and stays.
TEST(UpdateCommandTest, AJournalThatIsNoFileIsAnError) {
  StateFixture f;
  const std::string path = JournalPath(f.state_dir);
  std::filesystem::create_symlink(f.dir.path() + "/elsewhere", path);
  CommandRun run = f.Resolve();
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
  EXPECT_TRUE(std::filesystem::is_symlink(path));

  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  run = f.Resolve();
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
  EXPECT_TRUE(std::filesystem::is_directory(path));
}

// Run as root (sudo), it writes as the state directory's owner, so that the daemon can go on
// appending to the history it created; and it is root again afterwards.
TEST(UpdateCommandTest, AsRootItWritesAsTheStateDirectorysOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to hand the directory to another user";
  StateFixture f;
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chmod(f.dir.path().c_str(), 0711), 0);  // the owner must reach its directory
  ASSERT_EQ(::chown(f.state_dir.c_str(), kNobody, kNobody), 0);
  // As the daemon, running as that user, would have left it.
  ASSERT_TRUE(WriteJournal(f.state_dir, InterruptedRun(UpdatePhase::kSteps)).ok());
  ASSERT_EQ(::chown(JournalPath(f.state_dir).c_str(), kNobody, kNobody), 0);

  const CommandRun run = f.Resolve();
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(::geteuid(), 0u);
  EXPECT_EQ(::getegid(), 0u);
  for (const std::string& path : {HistoryPath(f.state_dir), f.state_dir + "/update.lock"}) {
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0) << path;
    EXPECT_EQ(info.st_uid, kNobody) << path;
    EXPECT_EQ(info.st_gid, kNobody) << path;
    EXPECT_EQ(info.st_mode & 07777, 0600u) << path;
  }
  const std::vector<HistoryEntry> history = History(f.state_dir);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].resolved_by, "user:root (uid 0)");
}

TEST(UpdateCommandTest, UsageErrorsExit2) {
  StateFixture f;
  const std::string no_update = f.dir.Write("plain.yaml", "log:\n  level: info\n");
  const struct {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{}, "missing action (resolve)"},
      {{"status", "--config", f.config}, "unknown action \"status\" (resolve)"},
      {{"resolve"}, "resolve needs --config FILE"},
      {{"resolve", "--config"}, "--config: missing value"},
      {{"resolve", "--config="}, "--config: missing value"},
      {{"resolve", "--config", f.config, "--config", f.config}, "given more than once"},
      {{"resolve", "--config", f.config, "--force"}, "unknown argument \"--force\""},
      {{"resolve", "--config", no_update}, no_update + " has no update: section"},
      {{"resolve", "--config", f.dir.path() + "/missing.yaml"}, "missing.yaml"},
  };
  for (const auto& c : cases) {
    const CommandRun run = Update(c.args);
    EXPECT_EQ(run.status, 2) << c.message << "\n" << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "");
  }
  const CommandRun help = Update({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("upkeep update resolve --config FILE"), std::string::npos);
  // --config=FILE works as well as --config FILE.
  EXPECT_EQ(Update({"resolve", "--config=" + f.config}).status, 0);
}

// main() hands `upkeep update ...` to the command, before any daemon set-up.
TEST(UpdateCommandTest, TheBinaryRunsIt) {
  StateFixture f;
  ASSERT_TRUE(WriteJournal(f.state_dir, InterruptedRun(UpdatePhase::kRestart)).ok());
  const testing::CommandResult run =
      testing::RunCommand({UPKEEP_BINARY, "update", "resolve", "--config", f.config});
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_NE(run.output.find("(interrupted, phase restart, "), std::string::npos) << run.output;
  EXPECT_FALSE(JournalExists(f.state_dir));
  EXPECT_EQ(testing::RunCommand({UPKEEP_BINARY, "update"}).exit_status, 2);
}

}  // namespace
}  // namespace upkeep
