// UpdateStatusTracker: what each helper run does to the status, how available_since is kept
// (across runs and across restarts, in a real state file), and what is noticed for the log.

#include "controller/update_status.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

// A fixed start, on a whole millisecond.
const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'717'243'200'000));

GitFacts Facts(uint64_t behind, const std::string& latest = "v1.5.0",
               const std::string& latest_revision = std::string(40, 'b')) {
  GitFacts facts;
  facts.branch = "main";
  facts.current_revision = std::string(40, 'a');
  facts.current_version = "v1.4.2";
  facts.remote = "origin";
  facts.remote_branch = "main";
  facts.latest_revision = behind > 0 ? latest_revision : facts.current_revision;
  facts.latest_version = behind > 0 ? latest : facts.current_version;
  facts.commits_behind = behind;
  return facts;
}

UpdateCheckRun Good(SystemTime started, GitFacts facts, std::chrono::milliseconds took = 250ms) {
  return UpdateCheckRun{started, took, std::move(facts), std::nullopt};
}

UpdateCheckRun Failed(SystemTime started, CheckErrorKind kind = CheckErrorKind::kFetchFailed,
                      const std::string& message = "cannot reach the remote") {
  return UpdateCheckRun{started, 1500ms, std::nullopt, MakeCheckError(kind, message)};
}

// Collects the notices a tracker hands out.
struct Notices {
  std::vector<UpdateStatusNotice> all;
  UpdateStatusTracker::NoticeSink Sink() {
    return [this](const UpdateStatusNotice& notice) { all.push_back(notice); };
  }
  std::vector<std::string> Texts() const {
    std::vector<std::string> texts;
    for (const auto& notice : all) texts.push_back((notice.warning ? "W " : "I ") + notice.text);
    return texts;
  }
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(UpdateStatusTest, NothingIsKnownBeforeTheFirstRun) {
  UpdateStatusTracker tracker("");
  const UpdateCheckStatus status = tracker.Status();
  EXPECT_FALSE(status.checked);
  EXPECT_FALSE(status.success);
  EXPECT_FALSE(status.available);
  EXPECT_FALSE(status.available_since);
  EXPECT_EQ(status.current_version, "");
}

TEST(UpdateStatusTest, AGoodRunGivesItsFactsAndStartsTheWait) {
  UpdateStatusTracker tracker("");
  tracker.Record(Good(kT0, Facts(3), 250ms));
  const UpdateCheckStatus status = tracker.Status();
  EXPECT_TRUE(status.checked);
  EXPECT_TRUE(status.success);
  EXPECT_EQ(status.last_check_at, kT0 + 250ms);
  EXPECT_DOUBLE_EQ(status.duration_seconds, 0.25);
  EXPECT_TRUE(status.available);
  EXPECT_EQ(status.available_since, kT0 + 250ms);
  EXPECT_EQ(status.commits_behind, 3u);
  EXPECT_EQ(status.current_version, "v1.4.2");
  EXPECT_EQ(status.current_revision, std::string(40, 'a'));
}

// The alert is about how long the admin has not updated: a newer release meanwhile does not
// restart the count; updating (not behind any more) ends it, and the next one counts afresh.
TEST(UpdateStatusTest, AvailableSinceIsKeptWhileBehindAndClearedWhenUpToDate) {
  UpdateStatusTracker tracker("");
  tracker.Record(Good(kT0, Facts(1, "v1.5.0")));
  tracker.Record(Good(kT0 + 1h, Facts(4, "v1.6.0", std::string(40, 'c'))));
  EXPECT_EQ(tracker.Status().available_since, kT0 + 250ms);
  EXPECT_EQ(tracker.Status().commits_behind, 4u);

  tracker.Record(Good(kT0 + 2h, Facts(0)));
  EXPECT_FALSE(tracker.Status().available);
  EXPECT_FALSE(tracker.Status().available_since);

  tracker.Record(Good(kT0 + 3h, Facts(1, "v1.7.0")));
  EXPECT_EQ(tracker.Status().available_since, kT0 + 3h + 250ms);
}

TEST(UpdateStatusTest, AFailedRunKeepsTheLastGoodFacts) {
  UpdateStatusTracker tracker("");
  tracker.Record(Good(kT0, Facts(2)));
  tracker.Record(Failed(kT0 + 1h));
  const UpdateCheckStatus status = tracker.Status();
  EXPECT_TRUE(status.checked);
  EXPECT_FALSE(status.success);
  EXPECT_EQ(status.last_check_at, kT0 + 1h + 1500ms);
  EXPECT_DOUBLE_EQ(status.duration_seconds, 1.5);
  EXPECT_TRUE(status.available);
  EXPECT_EQ(status.available_since, kT0 + 250ms);
  EXPECT_EQ(status.commits_behind, 2u);
  EXPECT_EQ(status.current_version, "v1.4.2");
}

TEST(UpdateStatusTest, AFailureBeforeAnyGoodRunKnowsNoFacts) {
  UpdateStatusTracker tracker("");
  tracker.Record(Failed(kT0, CheckErrorKind::kRepoUnavailable, "/srv/app is not a git repository"));
  const UpdateCheckStatus status = tracker.Status();
  EXPECT_TRUE(status.checked);
  EXPECT_FALSE(status.success);
  EXPECT_FALSE(status.available);
  EXPECT_FALSE(status.available_since);
  EXPECT_EQ(status.current_revision, "");
}

// The wall clock may be stepped back between two runs: the later run is still the latest.
TEST(UpdateStatusTest, TheLatestRunCountsEvenIfTheClockWentBack) {
  UpdateStatusTracker tracker("");
  tracker.Record(Good(kT0 + 1h, Facts(0)));
  tracker.Record(Failed(kT0));
  EXPECT_FALSE(tracker.Status().success);
  EXPECT_EQ(tracker.Status().last_check_at, kT0 + 1500ms);
}

TEST(UpdateStatusTest, NoticesSayWhatChangedAndEachErrorOncePerOutage) {
  UpdateStatusTracker tracker("");
  Notices notices;
  tracker.SetNoticeSink(notices.Sink());
  SystemTime t = kT0;
  const auto next = [&t] { return t += 1min; };
  tracker.Record(Good(next(), Facts(0)));
  tracker.Record(Good(next(), Facts(0)));  // nothing new
  tracker.Record(Good(next(), Facts(3, "v1.5.0")));
  tracker.Record(Good(next(), Facts(3, "v1.5.0")));  // nothing new
  tracker.Record(Failed(next(), CheckErrorKind::kFetchFailed, "timed out"));
  tracker.Record(Failed(next(), CheckErrorKind::kFetchFailed, "timed out"));
  tracker.Record(Failed(next(), CheckErrorKind::kRemoteUnavailable, "no branch main"));
  tracker.Record(Failed(next(), CheckErrorKind::kFetchFailed, "timed out"));
  tracker.Record(Good(next(), Facts(4, "v1.6.0", std::string(40, 'c'))));
  tracker.Record(Good(next(), Facts(0)));
  EXPECT_EQ(notices.Texts(),
            (std::vector<std::string>{
                "I no update available: v1.4.2 is not behind origin/main",
                "I update available: v1.4.2 -> v1.5.0, 3 commits behind origin/main, available "
                "since 2024-06-01T12:03:00Z",
                "W update check failed: fetch_failed: timed out",
                "W update check failed: remote_unavailable: no branch main",
                "I update check works again after 4 failed checks",
                "I update available: v1.4.2 -> v1.6.0, 4 commits behind origin/main, available "
                "since 2024-06-01T12:03:00Z",
                "I no update available: v1.4.2 is not behind origin/main",
            }));
}

TEST(UpdateStatusTest, AtMostFourDistinctErrorsAreNoticedPerOutage) {
  UpdateStatusTracker tracker("");
  Notices notices;
  tracker.SetNoticeSink(notices.Sink());
  for (int i = 0; i < 6; ++i) {
    tracker.Record(Failed(kT0 + std::chrono::minutes(i), CheckErrorKind::kInternal,
                          "error " + std::to_string(i)));
  }
  ASSERT_EQ(notices.all.size(), 4u);
  EXPECT_EQ(notices.all[3].text,
            "update check failed: internal: error 3 (other errors are not logged until a check "
            "succeeds)");
  // The next outage notices its errors again.
  tracker.Record(Good(kT0 + 1h, Facts(0)));
  tracker.Record(Failed(kT0 + 2h, CheckErrorKind::kInternal, "error 0"));
  EXPECT_EQ(notices.all.back().text, "update check failed: internal: error 0");
}

TEST(UpdateStatusTest, NoticesBeforeASinkIsSetAreHandedToIt) {
  UpdateStatusTracker tracker("");
  tracker.Record(Failed(kT0));
  Notices notices;
  tracker.SetNoticeSink(notices.Sink());
  EXPECT_EQ(notices.Texts(), std::vector<std::string>{
                                 "W update check failed: fetch_failed: cannot reach the remote"});
}

TEST(UpdateStatusTest, AvailableSinceSurvivesARestartInTheStateFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/update-status.json";
  {
    UpdateStatusTracker tracker(path);
    tracker.Record(Good(kT0, Facts(2)));
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const nlohmann::json json = nlohmann::json::parse(ReadFile(path));
  EXPECT_EQ(json["available_since_unix_ms"], 1'717'243'200'250);

  UpdateStatusTracker restarted(path);
  Notices notices;
  restarted.SetNoticeSink(notices.Sink());
  // Not known to be available until a check says so.
  EXPECT_FALSE(restarted.Status().available_since);
  restarted.Record(Good(kT0 + 24h, Facts(5, "v1.6.0")));
  EXPECT_EQ(restarted.Status().available_since, kT0 + 250ms);
  EXPECT_EQ(notices.Texts(),
            std::vector<std::string>{"I update available: v1.4.2 -> v1.6.0, 5 commits behind "
                                     "origin/main, available since 2024-06-01T12:00:00Z"});
}

TEST(UpdateStatusTest, AnUpdateDoneWhileDownEndsTheWaitAtTheFirstCheck) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/update-status.json";
  UpdateStatusTracker(path).Record(Good(kT0, Facts(2)));

  UpdateStatusTracker restarted(path);
  restarted.Record(Failed(kT0 + 1h));  // knows nothing yet: keeps the file as it is
  EXPECT_EQ(nlohmann::json::parse(ReadFile(path))["available_since_unix_ms"], 1'717'243'200'250);
  restarted.Record(Good(kT0 + 2h, Facts(0)));
  EXPECT_TRUE(nlohmann::json::parse(ReadFile(path))["available_since_unix_ms"].is_null());

  restarted.Record(Good(kT0 + 3h, Facts(1)));
  EXPECT_EQ(UpdateStatusTracker(path).Status().available_since, std::nullopt);  // not checked
  UpdateStatusTracker again(path);
  again.Record(Good(kT0 + 4h, Facts(1)));
  EXPECT_EQ(again.Status().available_since, kT0 + 3h + 250ms);
}

// The file is replaced (a new inode) only when available_since changes, not at every check.
TEST(UpdateStatusTest, TheStateFileIsWrittenOnlyWhenItChanges) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/update-status.json";
  UpdateStatusTracker tracker(path);
  tracker.Record(Good(kT0, Facts(0)));
  struct stat st {};
  EXPECT_NE(::stat(path.c_str(), &st), 0) << "nothing to keep yet";
  tracker.Record(Good(kT0 + 1min, Facts(1)));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  const ino_t first = st.st_ino;
  tracker.Record(Good(kT0 + 2min, Facts(2, "v1.6.0")));
  tracker.Record(Failed(kT0 + 3min));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, first);
  tracker.Record(Good(kT0 + 4min, Facts(0)));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_ino, first);
  // No temporary file left beside it.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(UpdateStatusTest, ACorruptStateFileIsIgnoredWithOneWarning) {
  for (const std::string content :
       {"not json", "[1, 2]", R"({"available_since_unix_ms": "yesterday"})",
        R"({"available_since_unix_ms": -5})"}) {
    testing::TempDir dir;
    const std::string path = dir.Write("update-status.json", content);
    UpdateStatusTracker tracker(path);
    Notices notices;
    tracker.SetNoticeSink(notices.Sink());
    ASSERT_EQ(notices.all.size(), 1u) << content;
    EXPECT_TRUE(notices.all[0].warning);
    EXPECT_NE(notices.all[0].text.find("update state file ignored: " + path), std::string::npos)
        << notices.all[0].text;
    // It counts afresh, and the file is repaired at the first change.
    tracker.Record(Good(kT0, Facts(1)));
    EXPECT_EQ(tracker.Status().available_since, kT0 + 250ms);
    EXPECT_EQ(nlohmann::json::parse(ReadFile(path))["available_since_unix_ms"], 1'717'243'200'250)
        << content;
    EXPECT_EQ(notices.all.size(), 2u);  // and the "update available" one
  }
}

TEST(UpdateStatusTest, AMissingStateFileIsNoWarning) {
  testing::TempDir dir;
  UpdateStatusTracker tracker(dir.path() + "/update-status.json");
  Notices notices;
  tracker.SetNoticeSink(notices.Sink());
  EXPECT_TRUE(notices.all.empty());
}

TEST(UpdateStatusTest, AStateFileThatCannotBeWrittenIsAWarningAndTheStatusStands) {
  testing::TempDir dir;
  UpdateStatusTracker tracker(dir.path() + "/missing/update-status.json");
  Notices notices;
  tracker.SetNoticeSink(notices.Sink());
  tracker.Record(Good(kT0, Facts(1)));
  EXPECT_EQ(tracker.Status().available_since, kT0 + 250ms);
  ASSERT_EQ(notices.all.size(), 2u);
  EXPECT_TRUE(notices.all[0].warning);
  EXPECT_NE(notices.all[0].text.find("cannot save the update state: " + dir.path() +
                                     "/missing/update-status.json: create a temporary file"),
            std::string::npos)
      << notices.all[0].text;
}

// Runs recorded from several threads while another reads (the checker reports runs one at a
// time, but the tracker does not rely on it for its own consistency).
TEST(UpdateStatusTest, RecordAndStatusAreSafeFromManyThreads) {
  testing::TempDir dir;
  UpdateStatusTracker tracker(dir.path() + "/update-status.json");
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      const UpdateCheckStatus status = tracker.Status();
      if (status.available) {
        EXPECT_TRUE(status.available_since);
      }
      if (status.checked && status.success) {
        EXPECT_EQ(status.current_version, "v1.4.2");
      }
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 200; ++i) {
        const SystemTime started = kT0 + std::chrono::milliseconds(i * 4 + w);
        tracker.Record(i % 3 == 0 ? Failed(started) : Good(started, Facts((i + w) % 2)));
      }
    });
  }
  for (auto& writer : writers) writer.join();
  done = true;
  reader.join();
  EXPECT_TRUE(tracker.Status().checked);
}

}  // namespace
}  // namespace upkeep
