// Crash safety of update runs against the real binary: the daemon is killed (SIGKILL) in each
// phase of a run, held there by a test-build pause point or by a step or restart command that
// waits, then started again; the recovery at start must leave the checkout at one revision, no
// process of the run behind, no journal, and the run in the history. Also a SIGTERM during a
// step (the run rolls back before the exit), and a journal whose recorded step pid now belongs
// to an unrelated process (which must survive the recovery).

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/process_runner.h"
#include "common/time_text.h"
#include "controller/update_id.h"
#include "controller/update_journal.h"
#include "tests/support/process_checks.h"
#include "tests/support/update_service_repos.h"

extern char** environ;

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Where a run is killed, and what the recovery must make of it.
struct CrashPoint {
  std::string name;      // the test's name
  std::string pause_at;  // a pause point (UPKEEP_TEST_PAUSE_AT), or "" for a waiting command
  std::string block;     // the marker flag that makes the step or restart wait, or ""
  std::string reached;   // the marker file a waiting command writes (its shell's pid)
  std::string journal_phase;
  std::string result;    // in the history after the recovery
  bool at_new_revision;  // HEAD after the recovery: the new revision, else the old one
  // Lines in the restart marker once recovered: a run that had attempted a restart is
  // restarted again on its old revision.
  std::string restarts;
};

class UpdateCrashTest : public ::testing::Test, protected UpdateServiceRepos {
 protected:
  // A step and a restart that wait (writing their shell's pid, and the step a grandchild's)
  // when their flag file is there, once; a health check that passes. Short timeouts.
  std::string Update() const {
    return WithMarkers(R"(  shutdown_timeout: 15s
  steps:
    - name: migrate
      run: 'if [ -e {markers}/block-step ]; then rm {markers}/block-step;
        sleep 1000 >/dev/null 2>&1 & echo $! > {markers}/grandchild.pid;
        echo $$ > {markers}/step-started; sleep 1000; fi; echo ok >> {markers}/migrations'
  restart:
    run: 'if [ -e {markers}/block-restart ]; then rm {markers}/block-restart;
        echo $$ > {markers}/restart-started; sleep 1000; fi; echo restarted >> {markers}/restarts'
    timeout: 30s
  health_check:
    run: 'true'
    retries: 1
    interval: 100ms
)");
  }

  static pid_t PidIn(const std::string& path) {
    const std::string text = ReadText(path);
    return text.empty() ? 0 : static_cast<pid_t>(std::stol(text));
  }

  // The journal on disk, parsed (a discarded value when there is none).
  json Journal() const { return json::parse(ReadText(journal_path()), nullptr, false); }

  // After a recovery: a second execute updates to the remote's head.
  void ExpectASecondExecuteSucceeds() {
    const json body = ExecuteOk();
    EXPECT_EQ(body["result"], "success") << body << "\n" << daemon().Log();
    EXPECT_EQ(ServiceHead(), repos().Head(repos().pusher()));
    EXPECT_FALSE(std::filesystem::exists(journal_path()));
  }
};

class UpdateCrashAtTest : public UpdateCrashTest,
                          public ::testing::WithParamInterface<CrashPoint> {};

TEST_P(UpdateCrashAtTest, AKilledRunIsRecoveredAtTheNextStart) {
  const CrashPoint& point = GetParam();
  const std::string from = ServiceHead();
  const std::string to = PushRelease("v1.1.0");
  if (!point.block.empty()) WriteText(markers() + "/" + point.block, "1\n");
  const std::string pause_file = root() + "/paused";
  std::map<std::string, std::string> env;
  if (!point.pause_at.empty()) {
    env = {{"UPKEEP_TEST_PAUSE_AT", point.pause_at}, {"UPKEEP_TEST_PAUSE_FILE", pause_file}};
  }
  Start(Update(), env);

  // "started" holds the request's own thread before it answers: that request never does.
  std::future<HttpResponse> accepted =
      std::async(std::launch::async, [this] { return Execute("?async=true"); });
  const std::string reached = point.pause_at.empty() ? markers() + "/" + point.reached : pause_file;
  ASSERT_TRUE(WaitForFile(reached)) << daemon().Log();
  if (!point.pause_at.empty()) {
    EXPECT_EQ(ReadText(pause_file), point.pause_at + "\n");
  }
  if (point.pause_at != "started") {
    const HttpResponse response = accepted.get();
    EXPECT_EQ(response.status, 202) << response.body;
  }
  const pid_t shell = point.reached.empty() ? 0 : PidIn(markers() + "/" + point.reached);
  const pid_t grandchild = point.block == "block-step" ? PidIn(markers() + "/grandchild.pid") : 0;
  if (point.block == "block-step") {
    ASSERT_GT(grandchild, 0);
  }
  const json journal = Journal();
  ASSERT_TRUE(journal.is_object()) << ReadText(journal_path());
  EXPECT_EQ(journal["phase"], point.journal_phase) << journal;
  EXPECT_EQ(journal["healthPassed"], point.at_new_revision) << journal;
  const std::string id = journal.value("id", "");

  EXPECT_EQ(Stop(SIGKILL, 10s), 128 + SIGKILL);
  if (point.pause_at == "started") {
    EXPECT_EQ(accepted.get().status, 0);  // no answer came
  }

  Start(Update());
  const json history = History();
  ASSERT_FALSE(history["entries"].empty()) << history << "\n" << daemon().Log();
  const json& run = history["entries"][0];
  EXPECT_EQ(run["updateId"], id) << run;
  EXPECT_EQ(run["result"], point.result) << run << "\n" << daemon().Log();
  EXPECT_EQ(ServiceHead(), point.at_new_revision ? to : from) << daemon().Log();
  EXPECT_FALSE(std::filesystem::exists(journal_path())) << ReadText(journal_path());
  EXPECT_EQ(ReadText(markers() + "/restarts"), point.restarts) << daemon().Log();
  if (shell > 0) {
    EXPECT_TRUE(Eventually([&] { return ProcessIsGone(shell); })) << shell;
    EXPECT_NE(daemon().Log().find("killed the orphaned process group " + std::to_string(shell)),
              std::string::npos)
        << daemon().Log();
  }
  if (grandchild > 0) {
    EXPECT_TRUE(Eventually([&] { return ProcessIsGone(grandchild); })) << daemon().Log();
  }
  const std::string metrics =
      MetricsWith({"upkeep_update_interrupted 1", "upkeep_update_recovery_pending 0",
                   "upkeep_update_runs_total{result=\"" + point.result + "\"} 1",
                   "upkeep_update_in_progress 0"});
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_interrupted 1")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_recovery_pending 0")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_runs_total{result=\"" + point.result + "\"} 1"))
      << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_in_progress 0")) << metrics;

  // The checkout is clean and on its branch: the next update goes ahead.
  if (point.at_new_revision) PushRelease("v1.2.0");
  ExpectASecondExecuteSucceeds();
}

INSTANTIATE_TEST_SUITE_P(
    UpdateCrash, UpdateCrashAtTest,
    ::testing::Values(
        CrashPoint{"AfterTheJournalIsWritten", "started", "", "", "started", "interrupted", false,
                   ""},
        CrashPoint{"DuringTheCheckout", "checkout", "", "", "checkout", "interrupted", false, ""},
        CrashPoint{"MidStep", "", "block-step", "step-started", "steps", "interrupted", false, ""},
        CrashPoint{"DuringTheRestart", "", "block-restart", "restart-started", "restart",
                   "interrupted", false, "restarted\n"},
        CrashPoint{"DuringTheHealthCheck", "health_check", "", "", "health_check", "interrupted",
                   false, "restarted\nrestarted\n"},
        CrashPoint{"AfterTheHealthCheckPassed", "health_passed", "", "", "health_check", "success",
                   true, "restarted\n"}),
    [](const ::testing::TestParamInfo<CrashPoint>& point_info) { return point_info.param.name; });

TEST_F(UpdateCrashTest, SigtermMidStepRollsBackBeforeTheExit) {
  const std::string from = ServiceHead();
  PushRelease("v1.1.0");
  WriteText(markers() + "/block-step", "1\n");
  Start(Update());
  const HttpResponse accepted = Execute("?async=true");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string id = Body(accepted).value("updateId", "");
  ASSERT_TRUE(WaitForFile(markers() + "/step-started")) << daemon().Log();
  const pid_t shell = PidIn(markers() + "/step-started");
  const pid_t grandchild = PidIn(markers() + "/grandchild.pid");
  ASSERT_GT(grandchild, 0);

  const std::optional<int> status = Stop(SIGTERM, 60s);
  ASSERT_TRUE(status.has_value()) << "the daemon did not exit after SIGTERM";
  EXPECT_EQ(ServiceHead(), from);
  EXPECT_FALSE(std::filesystem::exists(journal_path())) << ReadText(journal_path());
  EXPECT_TRUE(Eventually([&] { return ProcessIsGone(shell); })) << shell;
  EXPECT_TRUE(Eventually([&] { return ProcessIsGone(grandchild); })) << grandchild;

  Start(Update());
  const json history = History();
  ASSERT_FALSE(history["entries"].empty()) << history;
  EXPECT_EQ(history["entries"][0]["updateId"], id);
  EXPECT_EQ(history["entries"][0]["result"], "rolled_back") << history;
  const std::string metrics =
      MetricsWith({"upkeep_update_interrupted 0", "upkeep_update_recovery_pending 0",
                   "upkeep_update_runs_total{result=\"rolled_back\"} 0"});
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_interrupted 0")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_recovery_pending 0")) << metrics;
  ExpectASecondExecuteSucceeds();
}

// A process the test starts as its own group leader: what a recycled pid may now be.
pid_t SpawnSleepGroupLeader() {
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  char sleep_path[] = "/bin/sleep";
  char seconds[] = "1000";
  char* argv[] = {sleep_path, seconds, nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, sleep_path, nullptr, &attributes, argv, environ);
  posix_spawnattr_destroy(&attributes);
  return rc == 0 ? pid : 0;
}

TEST_F(UpdateCrashTest, ARecycledStepPidIsNeverKilled) {
  const std::string from = ServiceHead();
  const std::string to = PushRelease("v1.1.0");
  Git(repos().service(), {"fetch", "--quiet", "origin"});  // as the run's own fetch had
  const pid_t unrelated = SpawnSleepGroupLeader();
  ASSERT_GT(unrelated, 0);
  const uint64_t ticks = StartTimeTicks(unrelated);
  ASSERT_GT(ticks, 0u);

  // The journal of a run killed mid-step, whose step's pid is now the unrelated process's.
  UpdateJournal journal;
  const Result<std::string> id = NewUpdateId();
  ASSERT_TRUE(id.ok());
  journal.id = *id;
  journal.who = "token:admin from 127.0.0.1";
  journal.started_at = FormatRfc3339(std::chrono::system_clock::now());
  journal.from_revision = from;
  journal.to_revision = to;
  journal.from_version = "v1.0.0";
  journal.to_version = "v1.1.0";
  journal.phase = UpdatePhase::kSteps;
  journal.running = RunningStep{"migrate", unrelated, ticks + 1};
  ASSERT_EQ(::mkdir(state_dir().c_str(), 0700), 0);
  ASSERT_TRUE(WriteJournal(state_dir(), journal).ok());

  Start(Update());
  EXPECT_FALSE(ProcessIsGone(unrelated)) << daemon().Log();
  EXPECT_NE(daemon().Log().find("it was not touched"), std::string::npos) << daemon().Log();
  const json history = History();
  ASSERT_FALSE(history["entries"].empty()) << history << "\n" << daemon().Log();
  EXPECT_EQ(history["entries"][0]["updateId"], journal.id);
  EXPECT_EQ(history["entries"][0]["result"], "interrupted") << history;
  EXPECT_EQ(ServiceHead(), from);
  EXPECT_FALSE(std::filesystem::exists(journal_path()));

  ::kill(unrelated, SIGKILL);
  ::waitpid(unrelated, nullptr, 0);
  ExpectASecondExecuteSucceeds();
}

}  // namespace
}  // namespace upkeep::testing
