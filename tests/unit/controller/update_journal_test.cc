#include "controller/update_journal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

UpdateJournal SomeJournal() {
  UpdateJournal journal;
  journal.id = "20261130T031500Z-1a2b3c4d";
  journal.who = "token:ops from 10.0.0.7 \\x1b";
  journal.started_at = "2026-11-30T03:15:00Z";
  journal.from_revision = std::string(40, 'a');
  journal.to_revision = std::string(40, 'b');
  journal.from_version = "v1.2.0";
  journal.to_version = "v1.3.0";
  journal.phase = UpdatePhase::kSteps;
  journal.steps = {{"install", StepState::kOk, 0, 81234},
                   {"migrate", StepState::kSkipped, std::nullopt, 0}};
  journal.running = RunningStep{"build", 43210, 18446744073709551000u};
  journal.restart_attempted = true;
  journal.health_passed = false;
  journal.recovery_attempts = 1;
  journal.failure = "step migrate failed (exit 1)";
  journal.preserve = PreserveRecord{
      .repo = "/srv/app",
      .aside_dir = "/var/lib/upkeep/preserved/20261130T031500Z-1a2b3c4d",
      .paths = {{"node_modules",
                 "/var/lib/upkeep/preserved/20261130T031500Z-1a2b3c4d/0-node_modules", true}}};
  return journal;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(UpdateJournalTest, NamesRoundTrip) {
  for (UpdatePhase phase :
       {UpdatePhase::kStarted, UpdatePhase::kCheckout, UpdatePhase::kPreserve, UpdatePhase::kSteps,
        UpdatePhase::kDrain, UpdatePhase::kRestart, UpdatePhase::kHealthCheck,
        UpdatePhase::kRollback, UpdatePhase::kRollbackFailed, UpdatePhase::kFinished}) {
    EXPECT_EQ(PhaseNamed(PhaseName(phase)), phase) << PhaseName(phase);
  }
  EXPECT_EQ(PhaseName(UpdatePhase::kHealthCheck), "health_check");
  EXPECT_EQ(PhaseNamed("Steps"), std::nullopt);
  for (StepState state : {StepState::kOk, StepState::kFailed, StepState::kSkipped,
                          StepState::kTimedOut, StepState::kRolledBack}) {
    EXPECT_EQ(StepStateNamed(StepStateName(state)), state) << StepStateName(state);
  }
  EXPECT_EQ(StepStateName(StepState::kTimedOut), "timed_out");
  EXPECT_EQ(StepStateNamed("done"), std::nullopt);
}

TEST(UpdateJournalTest, WriteThenReadRoundTrips) {
  testing::TempDir dir;
  const UpdateJournal journal = SomeJournal();
  ASSERT_TRUE(WriteJournal(dir.path(), journal).ok());
  Result<std::optional<UpdateJournal>> read = ReadJournal(dir.path());
  ASSERT_TRUE(read.ok()) << read.error();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, journal);

  // A later phase replaces it whole.
  UpdateJournal later = journal;
  later.phase = UpdatePhase::kFinished;
  later.running.reset();
  later.health_passed = true;
  later.result = "success";
  ASSERT_TRUE(WriteJournal(dir.path(), later).ok());
  read = ReadJournal(dir.path());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, later);
  EXPECT_EQ(JournalToJson(later)["running"], nullptr);
}

TEST(UpdateJournalTest, AJournalWithoutTheLaterFieldsStillReads) {
  nlohmann::json json = JournalToJson(SomeJournal());
  json.erase("failure");
  json.erase("preserve");
  json.erase("result");
  Result<UpdateJournal> read = JournalFromJson(json);
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(read->failure, "");
  EXPECT_EQ(read->preserve, std::nullopt);
  json["preserve"] = {{"repo", 3}};
  EXPECT_FALSE(JournalFromJson(json).ok());
}

TEST(UpdateJournalTest, TheFileIs0600AndNoTemporaryFileIsLeft) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteJournal(dir.path(), SomeJournal()).ok());
  ASSERT_TRUE(WriteJournal(dir.path(), SomeJournal()).ok());
  struct stat info {};
  ASSERT_EQ(::stat(JournalPath(dir.path()).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  std::vector<std::string> names;
  for (const auto& item : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(item.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"update.journal"});
  EXPECT_EQ(JournalPath("/var/lib/upkeep"), "/var/lib/upkeep/update.journal");
}

TEST(UpdateJournalTest, NoJournalIsNoRunAndRemoveIsIdempotent) {
  testing::TempDir dir;
  Result<std::optional<UpdateJournal>> read = ReadJournal(dir.path());
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_FALSE(read->has_value());

  ASSERT_TRUE(WriteJournal(dir.path(), SomeJournal()).ok());
  ASSERT_TRUE(RemoveJournal(dir.path()).ok());
  EXPECT_FALSE(std::filesystem::exists(JournalPath(dir.path())));
  EXPECT_TRUE(RemoveJournal(dir.path()).ok());
  read = ReadJournal(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

TEST(UpdateJournalTest, ACutOffOrCorruptJournalIsAnErrorNamingThePath) {
  testing::TempDir dir;
  const std::string whole = JournalToJson(SomeJournal()).dump();
  nlohmann::json bad_phase = JournalToJson(SomeJournal());
  bad_phase["phase"] = "dancing";
  nlohmann::json bad_id = JournalToJson(SomeJournal());
  bad_id["id"] = "../../etc/passwd";
  nlohmann::json bad_group = JournalToJson(SomeJournal());
  bad_group["running"]["processGroup"] = 1;
  nlohmann::json bad_step = JournalToJson(SomeJournal());
  bad_step["steps"][0]["state"] = "meh";
  nlohmann::json missing = JournalToJson(SomeJournal());
  missing.erase("recoveryAttempts");
  nlohmann::json wrong_type = JournalToJson(SomeJournal());
  wrong_type["restartAttempted"] = "yes";
  for (const std::string& text :
       {std::string(), whole.substr(0, whole.size() / 2), std::string("\x00\x00\x00", 3),
        std::string("[1,2]"), bad_phase.dump(), bad_id.dump(), bad_group.dump(), bad_step.dump(),
        missing.dump(), wrong_type.dump()}) {
    dir.Write("update.journal", text);
    Result<std::optional<UpdateJournal>> read = ReadJournal(dir.path());
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_NE(read.error().find("corrupt update journal " + JournalPath(dir.path())),
              std::string::npos)
        << read.error();
  }
}

TEST(UpdateJournalTest, AnUnreadableJournalIsAnErrorNotAnAbsence) {
  testing::TempDir dir;
  // A directory where the journal should be: it exists, but it is no journal.
  std::filesystem::create_directory(JournalPath(dir.path()));
  Result<std::optional<UpdateJournal>> read = ReadJournal(dir.path());
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().find(JournalPath(dir.path())), std::string::npos) << read.error();
}

TEST(UpdateJournalTest, AFailedWriteLeavesTheOldJournal) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteJournal(dir.path(), SomeJournal()).ok());
  const std::string before = ReadAll(JournalPath(dir.path()));
  Status missing = WriteJournal(dir.path() + "/nope", SomeJournal());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find(dir.path() + "/nope/update.journal"), std::string::npos)
      << missing.error();
  EXPECT_EQ(ReadAll(JournalPath(dir.path())), before);
}

}  // namespace
}  // namespace upkeep
