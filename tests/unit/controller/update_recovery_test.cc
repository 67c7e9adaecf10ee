// Recovery at start from the journal a crashed run left: the orphaned step group is killed
// only when its leader is still the process the run started, the checkout goes back to the
// from-revision, and the run shows as interrupted (or as a success when its health check had
// passed); with on_interrupted: report, or after two attempts, it is left to an admin.

#include "controller/update_recovery.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "common/process_runner.h"
#include "common/time_text.h"
#include "controller/update_journal.h"
#include "tests/support/process_checks.h"
#include "tests/unit/controller/update_runner_fixture.h"

extern char** environ;

namespace upkeep::update_test {
namespace {

using namespace std::chrono_literals;

// `sleep 1000` in a process group of its own, as a step the crashed daemon had started.
class OrphanGroup {
 public:
  OrphanGroup() {
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    char sleep_path[] = "/bin/sleep";
    char seconds[] = "1000";
    char* argv[] = {sleep_path, seconds, nullptr};
    EXPECT_EQ(posix_spawn(&pid_, "/bin/sleep", nullptr, &attributes, argv, environ), 0);
    posix_spawnattr_destroy(&attributes);
  }
  ~OrphanGroup() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  // Killed (and so a zombie of ours until reaped) or gone.
  bool Killed() const {
    const std::vector<std::string> fields = StatFields(pid_);
    return fields.empty() || fields[0] == "Z";
  }

 private:
  pid_t pid_ = -1;
};

class UpdateRecoveryTest : public UpdateRunnerFixture {
 protected:
  // The state a run leaves when the daemon dies in phase `phase`: the checkout moved to the new
  // release (from phase steps on), a journal naming the phase and, when given, a running step.
  UpdateJournal Crash(UpdatePhase phase, std::optional<RunningStep> running = std::nullopt) {
    from_ = Head();
    to_ = Release("v1.1.0", {{"src/added.js", "new\n"}}, /*hand_over=*/false);
    // The run's own fetch came before the journal.
    testing::Git(repos_.service(), {"-c", "safe.directory=*", "fetch", "-q"});
    if (phase != UpdatePhase::kStarted && phase != UpdatePhase::kCheckout) {
      testing::Git(repos_.service(), {"-c", "safe.directory=*", "merge", "-q", "--ff-only"});
    }
    GiveToService();
    UpdateJournal journal;
    journal.id = "20261201T031500Z-1a2b3c4d";
    journal.who = "token:ops from 127.0.0.1";
    journal.started_at = FormatRfc3339(std::chrono::system_clock::now());
    journal.from_revision = from_;
    journal.to_revision = to_;
    journal.from_version = "v1.0.0";
    journal.to_version = "v1.1.0";
    journal.phase = phase;
    journal.running = running;
    if (running) journal.steps = {};
    EXPECT_TRUE(WriteJournal(state_dir_, journal).ok());
    return journal;
  }

  std::optional<HistoryEntry> LastRun() {
    Result<HistoryPage> page = ReadLastHistory(state_dir_, 1);
    if (!page.ok() || page->entries.empty()) return std::nullopt;
    return page->entries.front();
  }

  std::string from_;
  std::string to_;
};

TEST_F(UpdateRecoveryTest, AnInterruptedStepIsKilledAndTheCheckoutGoesBack) {
  OrphanGroup orphan;
  options_.steps = {Step("build", "true")};
  options_.steps[0].rollback = "echo rolled-back >> " + out_ + "/ran";
  Crash(UpdatePhase::kSteps, RunningStep{"build", orphan.pid(), StartTimeTicks(orphan.pid())});
  Runner().Recover();
  EXPECT_TRUE(Eventually([&] { return orphan.Killed(); }));
  EXPECT_EQ(Head(), from_);
  EXPECT_FALSE(fs::exists(repos_.service() + "/src/added.js"));
  EXPECT_EQ(ReadFile(out_ + "/ran"), "rolled-back\n");
  EXPECT_FALSE(fs::exists(JournalPath(state_dir_)));
  std::optional<HistoryEntry> last = LastRun();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->result, UpdateResult::kInterrupted);
  EXPECT_TRUE(Runner().Counters().interrupted);
  EXPECT_FALSE(Runner().Counters().recovery_pending);
  // And the next update goes ahead.
  const UpdateReport report = Execute();
  EXPECT_EQ(report.result, UpdateResult::kSuccess) << report.message << "\n" << Log();
  EXPECT_EQ(Head(), to_);
}

TEST_F(UpdateRecoveryTest, APidThatNowBelongsToAnotherProcessIsNotTouched) {
  OrphanGroup unrelated;
  options_.steps = {Step("build", "true")};
  // The recorded leader started at another time: the pid was reused by an unrelated process.
  Crash(UpdatePhase::kSteps,
        RunningStep{"build", unrelated.pid(), StartTimeTicks(unrelated.pid()) + 1});
  Runner().Recover();
  EXPECT_FALSE(unrelated.Killed());
  EXPECT_NE(Log().find("was not touched"), std::string::npos) << Log();
  EXPECT_EQ(Head(), from_);
}

TEST_F(UpdateRecoveryTest, ACrashDuringTheCheckoutIsRepaired) {
  Crash(UpdatePhase::kCheckout);
  // Half-way: the new file written, the ref not moved.
  repos_.WriteFile(repos_.service(), "src/added.js", "new\n");
  GiveToService();
  Runner().Recover();
  EXPECT_EQ(Head(), from_);
  EXPECT_FALSE(fs::exists(repos_.service() + "/src/added.js")) << Log();
  EXPECT_EQ(LastRun()->result, UpdateResult::kInterrupted);
}

TEST_F(UpdateRecoveryTest, ARunWhoseHealthCheckHadPassedIsASuccess) {
  UpdateJournal journal = Crash(UpdatePhase::kHealthCheck);
  journal.health_passed = true;
  ASSERT_TRUE(WriteJournal(state_dir_, journal).ok());
  Runner().Recover();
  EXPECT_EQ(Head(), to_);
  EXPECT_EQ(LastRun()->result, UpdateResult::kSuccess);
  EXPECT_FALSE(fs::exists(JournalPath(state_dir_)));
}

TEST_F(UpdateRecoveryTest, ReportLeavesEverythingAndRefusesUpdatesUntilResolved) {
  options_.on_interrupted = OnInterrupted::kReport;
  Crash(UpdatePhase::kSteps);
  Runner().Recover();
  EXPECT_EQ(Head(), to_);  // left where it was
  EXPECT_TRUE(fs::exists(JournalPath(state_dir_)));
  EXPECT_EQ(LastRun()->result, UpdateResult::kInterrupted);
  EXPECT_TRUE(Runner().Counters().recovery_pending);
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRefused);
  EXPECT_EQ(report.refusal->code, "recovery_pending");
  // A second start records the run once only.
  runner_.reset();
  Runner().Recover();
  EXPECT_EQ(ReadLastHistory(state_dir_, 10)->entries.size(), 1u);
}

TEST_F(UpdateRecoveryTest, AfterTwoAttemptsTheRunIsLeftToAnAdmin) {
  UpdateJournal journal = Crash(UpdatePhase::kSteps);
  journal.recovery_attempts = kMaxRecoveryAttempts;
  ASSERT_TRUE(WriteJournal(state_dir_, journal).ok());
  Runner().Recover();
  EXPECT_EQ(Head(), to_);
  EXPECT_TRUE(Runner().Counters().recovery_pending);
  EXPECT_NE(Log().find("attempted 2 times"), std::string::npos) << Log();
}

TEST_F(UpdateRecoveryTest, AJournalHeldByALiveRunIsNotInterrupted) {
  Crash(UpdatePhase::kSteps);
  UpdateLock other(state_dir_);
  Result<std::optional<UpdateLockGuard>> held = other.TryAcquire();
  ASSERT_TRUE(held.ok() && held->has_value());
  Runner().Recover();
  EXPECT_EQ(Head(), to_);
  EXPECT_TRUE(fs::exists(JournalPath(state_dir_)));
  EXPECT_FALSE(Runner().Counters().interrupted);
}

}  // namespace
}  // namespace upkeep::update_test
