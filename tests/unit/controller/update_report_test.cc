// The execute answer, the status and history views of a run, and the log tail: pure JSON
// building, and real files in a temporary directory.

#include "controller/update_report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "controller/update_id.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using nlohmann::json;

constexpr std::string_view kId = "20261130T031500Z-1a2b3c4d";

UpdateReport Success() {
  UpdateReport report;
  report.result = UpdateResult::kSuccess;
  report.message = "updated from v1.0.0 to v1.1.0";
  report.update_id = std::string(kId);
  report.who = "token:ci from 192.0.2.7";
  report.from_version = "v1.0.0";
  report.to_version = "v1.1.0";
  report.from_revision = std::string(40, 'a');
  report.to_revision = std::string(40, 'b');
  report.steps = {{"install", StepState::kOk, 0, 1200},
                  {"build", StepState::kSkipped, std::nullopt, 0}};
  report.log_path = "/var/lib/upkeep/updates/20261130T031500Z-1a2b3c4d.log";
  report.started_at = "2026-11-30T03:15:00Z";
  report.finished_at = "2026-11-30T03:15:42Z";
  return report;
}

UpdateReport Refused(std::string_view code, std::string message) {
  UpdateReport report;
  report.result = UpdateResult::kRefused;
  report.message = message;
  report.who = "token:ci from 192.0.2.7";
  report.from_version = "v1.0.0";
  report.refusal.emplace();
  report.refusal->code = std::string(code);
  report.refusal->message = std::move(message);
  return report;
}

TEST(UpdateRefusalStatusTest, EachCodeHasItsStatus) {
  for (std::string_view code :
       {refusal_code::kRecoveryPending, refusal_code::kUpdateInProgress, refusal_code::kJobsActive,
        refusal_code::kQueueUnknown, refusal_code::kDirtyWorktree, refusal_code::kDetachedHead,
        refusal_code::kWrongBranch, refusal_code::kInsecureTransport, refusal_code::kDiverged}) {
    EXPECT_EQ(UpdateRefusalStatus(code), 409) << code;
  }
  EXPECT_EQ(UpdateRefusalStatus(refusal_code::kFetchFailed), 502);
  EXPECT_EQ(UpdateRefusalStatus(refusal_code::kRemoteUnavailable), 502);
  EXPECT_EQ(UpdateRefusalStatus(refusal_code::kRepoUnavailable), 503);
  EXPECT_EQ(UpdateRefusalStatus(refusal_code::kRepoPermission), 503);
  EXPECT_EQ(UpdateRefusalStatus(refusal_code::kShuttingDown), 503);
  EXPECT_EQ(UpdateRefusalStatus(refusal_code::kInternal), 500);
  EXPECT_EQ(UpdateRefusalStatus("something_new"), 500);
  EXPECT_EQ(UpdateRefusalStatus(""), 500);
}

TEST(UpdateReportTest, SuccessAndHttpStatusOfEachOutcome) {
  UpdateReport report = Success();
  EXPECT_TRUE(ReportSucceeded(report));
  EXPECT_EQ(UpdateReportHttpStatus(report), 200);

  report.result = UpdateResult::kUpToDate;
  EXPECT_TRUE(ReportSucceeded(report));
  EXPECT_EQ(UpdateReportHttpStatus(report), 200);

  // A run that happened and did not succeed is still a 200 answer about that run.
  for (UpdateResult failed :
       {UpdateResult::kRolledBack, UpdateResult::kRollbackFailed, UpdateResult::kInterrupted}) {
    report.result = failed;
    EXPECT_FALSE(ReportSucceeded(report)) << UpdateResultName(failed);
    EXPECT_EQ(UpdateReportHttpStatus(report), 200) << UpdateResultName(failed);
  }

  UpdateReport accepted;
  accepted.accepted = true;
  accepted.update_id = std::string(kId);
  EXPECT_TRUE(ReportSucceeded(accepted));
  EXPECT_EQ(UpdateReportHttpStatus(accepted), 202);

  UpdateReport dry;
  dry.dry_run = true;
  dry.result = UpdateResult::kSuccess;
  EXPECT_TRUE(ReportSucceeded(dry));
  EXPECT_EQ(UpdateReportHttpStatus(dry), 200);

  const UpdateReport busy = Refused(refusal_code::kJobsActive, "1 job is running");
  EXPECT_FALSE(ReportSucceeded(busy));
  EXPECT_EQ(UpdateReportHttpStatus(busy), 409);
  EXPECT_EQ(UpdateReportHttpStatus(Refused(refusal_code::kFetchFailed, "timed out")), 502);
  EXPECT_EQ(UpdateReportHttpStatus(Refused(refusal_code::kShuttingDown, "stopping")), 503);

  // A refused dry run is a refusal.
  UpdateReport refused_dry = Refused(refusal_code::kDirtyWorktree, "local changes");
  refused_dry.dry_run = true;
  EXPECT_FALSE(ReportSucceeded(refused_dry));
  EXPECT_EQ(UpdateReportHttpStatus(refused_dry), 409);

  // Refused without a reason: still a refusal, answered as an internal error.
  UpdateReport unexplained;
  unexplained.result = UpdateResult::kRefused;
  EXPECT_FALSE(ReportSucceeded(unexplained));
  EXPECT_EQ(UpdateReportHttpStatus(unexplained), 500);
}

TEST(UpdateReportJsonTest, ASuccess) {
  EXPECT_EQ(UpdateReportToJson(Success()), json::parse(R"({
    "success": true,
    "message": "updated from v1.0.0 to v1.1.0",
    "newVersion": "v1.1.0",
    "updateId": "20261130T031500Z-1a2b3c4d",
    "result": "success",
    "fromVersion": "v1.0.0",
    "toVersion": "v1.1.0",
    "fromRevision": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "toRevision": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "steps": [{"name": "install", "state": "ok", "exitCode": 0, "durationMs": 1200},
              {"name": "build", "state": "skipped", "exitCode": null, "durationMs": 0}],
    "logPath": "/var/lib/upkeep/updates/20261130T031500Z-1a2b3c4d.log",
    "who": "token:ci from 192.0.2.7",
    "startedAt": "2026-11-30T03:15:00Z",
    "finishedAt": "2026-11-30T03:15:42Z"
  })"));
}

TEST(UpdateReportJsonTest, NewVersionIsWhereTheCheckoutIsAfterwards) {
  UpdateReport report = Success();
  report.result = UpdateResult::kRolledBack;
  EXPECT_EQ(UpdateReportToJson(report)["newVersion"], "v1.0.0");
  report.result = UpdateResult::kUpToDate;
  EXPECT_EQ(UpdateReportToJson(report)["newVersion"], "v1.0.0");
  // Not known: an admin must look.
  report.result = UpdateResult::kRollbackFailed;
  EXPECT_EQ(UpdateReportToJson(report)["newVersion"], nullptr);
  report.result = UpdateResult::kInterrupted;
  EXPECT_EQ(UpdateReportToJson(report)["newVersion"], nullptr);
  EXPECT_EQ(UpdateReportToJson(report)["result"], "interrupted");
  EXPECT_EQ(UpdateReportToJson(report)["success"], false);
}

TEST(UpdateReportJsonTest, ARefusalHasTheErrorShape) {
  const UpdateReport report =
      Refused(refusal_code::kDirtyWorktree, "the checkout has local changes");
  EXPECT_EQ(UpdateReportToJson(report), json::parse(R"({
    "success": false,
    "message": "the checkout has local changes",
    "error": {"code": "dirty_worktree", "message": "the checkout has local changes"},
    "newVersion": "v1.0.0",
    "updateId": null,
    "result": "refused",
    "fromVersion": "v1.0.0",
    "toVersion": null,
    "fromRevision": null,
    "toRevision": null,
    "steps": [],
    "logPath": null,
    "who": "token:ci from 192.0.2.7",
    "startedAt": null,
    "finishedAt": null
  })"));
}

TEST(UpdateReportJsonTest, ARefusalWithoutAMessageUsesTheRefusals) {
  UpdateReport report = Refused(refusal_code::kShuttingDown, "upkeep is stopping");
  report.message.clear();
  const json answer = UpdateReportToJson(report);
  EXPECT_EQ(answer["message"], "upkeep is stopping");
  EXPECT_EQ(answer["error"]["code"], "shutting_down");
  EXPECT_FALSE(answer.contains("activeJob"));

  UpdateReport unexplained;
  unexplained.result = UpdateResult::kRefused;
  EXPECT_EQ(UpdateReportToJson(unexplained)["error"],
            json::parse(R"({"code": "internal_error", "message": "the update was refused"})"));
}

TEST(UpdateReportJsonTest, JobsActiveNamesTheJob) {
  UpdateReport report = Refused(refusal_code::kJobsActive, "2 jobs are running");
  report.refusal->active_job = {{"name", "shot-009"}, {"progress", 0.4}};
  report.refusal->active_jobs = 2;
  const json answer = UpdateReportToJson(report);
  EXPECT_EQ(answer["activeJob"], json::parse(R"({"name": "shot-009", "progress": 0.4})"));
  EXPECT_EQ(answer["activeJobs"], 2);

  report.refusal->active_job = nullptr;  // a source that names no job
  EXPECT_EQ(UpdateReportToJson(report)["activeJob"], nullptr);
}

TEST(UpdateReportJsonTest, ADryRunShowsWhatWouldRun) {
  UpdateReport report;
  report.result = UpdateResult::kSuccess;
  report.dry_run = true;
  report.message = "would update from v1.0.0 to v1.1.0";
  report.from_version = "v1.0.0";
  report.to_version = "v1.1.0";
  report.planned = {{"install", true}, {"migrate", false}};
  report.steps = {{"ignored", StepState::kOk, 0, 1}};  // a dry run shows its plan, not steps
  const json answer = UpdateReportToJson(report);
  EXPECT_EQ(answer["dryRun"], true);
  EXPECT_EQ(answer["success"], true);
  EXPECT_EQ(answer["newVersion"], "v1.0.0");  // nothing was changed
  EXPECT_EQ(answer["steps"], json::parse(R"([{"name": "install", "wouldRun": true},
                                             {"name": "migrate", "wouldRun": false}])"));
  EXPECT_EQ(answer["updateId"], nullptr);
  EXPECT_FALSE(UpdateReportToJson(Success()).contains("dryRun"));
}

TEST(UpdateReportJsonTest, AnAcceptedRunPointsAtItsStatus) {
  UpdateReport report;
  report.accepted = true;
  report.message = "the update to v1.1.0 started";
  report.update_id = std::string(kId);
  report.from_version = "v1.0.0";
  report.to_version = "v1.1.0";
  const json answer = UpdateReportToJson(report);
  EXPECT_EQ(answer["success"], true);
  EXPECT_EQ(answer["accepted"], true);
  EXPECT_EQ(answer["result"], nullptr);
  EXPECT_EQ(answer["newVersion"], nullptr);
  EXPECT_EQ(answer["statusUrl"], "/api/system/update/status?id=20261130T031500Z-1a2b3c4d");
  EXPECT_EQ(UpdateStatusUrl(kId), "/api/system/update/status?id=20261130T031500Z-1a2b3c4d");
  EXPECT_FALSE(UpdateReportToJson(Success()).contains("statusUrl"));
  EXPECT_FALSE(UpdateReportToJson(Success()).contains("accepted"));
}

TEST(UpdateReportJsonTest, BytesThatAreNotUtf8AreReplacedWhenDumped) {
  UpdateReport report = Success();
  report.message = "step \xff\xfe failed";
  report.steps[0].name = "inst\xc3";
  const std::string dumped =
      UpdateReportToJson(report).dump(-1, ' ', false, json::error_handler_t::replace);
  EXPECT_EQ(json::parse(dumped)["message"], "step \xEF\xBF\xBD\xEF\xBF\xBD failed");
}

TEST(UpdateRunStatusJsonTest, ARunUnderWay) {
  UpdateRunStatus status;
  status.running = true;
  status.phase = "steps";
  status.report = Success();
  status.report.result = UpdateResult::kRefused;  // not meaningful while running
  status.report.finished_at.clear();
  status.running_step = RunningStep{"migrate", 4242, 99};
  status.log_tail = {"install: ok", "migrate: starting"};
  const json answer = UpdateRunStatusToJson(status);
  EXPECT_EQ(answer["running"], true);
  EXPECT_EQ(answer["phase"], "steps");
  EXPECT_EQ(answer["runningStep"], "migrate");
  EXPECT_EQ(answer["logTail"], json::parse(R"(["install: ok", "migrate: starting"])"));
  EXPECT_EQ(answer["success"], nullptr);
  EXPECT_EQ(answer["result"], nullptr);
  EXPECT_EQ(answer["newVersion"], nullptr);
  EXPECT_EQ(answer["finishedAt"], nullptr);
  EXPECT_EQ(answer["updateId"], kId);
  EXPECT_EQ(answer["steps"].size(), 2u);
  EXPECT_FALSE(answer.contains("error"));
  EXPECT_EQ(answer["message"], "updated from v1.0.0 to v1.1.0");

  status.report.message.clear();
  EXPECT_EQ(UpdateRunStatusToJson(status)["message"], "the update is under way (steps)");
}

TEST(UpdateRunStatusJsonTest, AFinishedRunIsItsReportAndMore) {
  UpdateRunStatus status;
  status.phase = "finished";
  status.report = Success();
  json expected = UpdateReportToJson(Success());
  expected["running"] = false;
  expected["phase"] = "finished";
  expected["runningStep"] = nullptr;
  expected["logTail"] = json::array();
  EXPECT_EQ(UpdateRunStatusToJson(status), expected);
}

HistoryEntry Entry(UpdateResult result) {
  HistoryEntry entry;
  entry.id = std::string(kId);
  entry.who = "token:ci from 192.0.2.7";
  entry.from_revision = std::string(40, 'a');
  entry.to_revision = std::string(40, 'b');
  entry.from_version = "v1.0.0";
  entry.to_version = "v1.1.0";
  entry.result = result;
  entry.started_at = "2026-11-30T03:15:00Z";
  entry.finished_at = "2026-11-30T03:15:42Z";
  entry.steps = {{"install", StepState::kOk, 0, 1200},
                 {"build", StepState::kSkipped, std::nullopt, 0}};
  return entry;
}

TEST(ReportOfHistoryTest, AnEntryBecomesItsReport) {
  const UpdateReport report = ReportOfHistory(Entry(UpdateResult::kSuccess), "/var/lib/upkeep");
  EXPECT_EQ(report, Success());  // the same words as the answer the run gave

  const UpdateReport rolled = ReportOfHistory(Entry(UpdateResult::kRolledBack), "/srv/state");
  EXPECT_EQ(rolled.result, UpdateResult::kRolledBack);
  EXPECT_EQ(rolled.message, "the update to v1.1.0 failed and was rolled back to v1.0.0");
  EXPECT_EQ(rolled.log_path, "/srv/state/updates/20261130T031500Z-1a2b3c4d.log");
  EXPECT_FALSE(rolled.refusal);
  EXPECT_EQ(UpdateReportToJson(rolled)["newVersion"], "v1.0.0");
}

TEST(ReportOfHistoryTest, EachResultHasAMessage) {
  for (UpdateResult result : AllUpdateResults()) {
    const UpdateReport report = ReportOfHistory(Entry(result), "/s");
    EXPECT_FALSE(report.message.empty()) << UpdateResultName(result);
    EXPECT_EQ(report.refusal.has_value(), result == UpdateResult::kRefused);
  }
  HistoryEntry no_versions = Entry(UpdateResult::kUpToDate);
  no_versions.from_version.clear();
  EXPECT_EQ(ReportOfHistory(no_versions, "/s").message,
            "already up to date at " + std::string(40, 'a'));
}

TEST(ReportOfHistoryTest, AResolvedEntrySaysWhoResolvedIt) {
  HistoryEntry entry = Entry(UpdateResult::kInterrupted);
  entry.resolved_by = "user:alice (uid 1000)";
  entry.resolved_at = "2026-11-30T04:00:00Z";
  const UpdateReport report = ReportOfHistory(entry, "/s");
  EXPECT_EQ(report.resolved_by, "user:alice (uid 1000)");
  EXPECT_EQ(report.message,
            "the update to v1.1.0 was interrupted (the daemon stopped during it); resolved by "
            "user:alice (uid 1000)");
  const json answer = UpdateReportToJson(report);
  EXPECT_EQ(answer["resolvedBy"], "user:alice (uid 1000)");
  EXPECT_EQ(answer["resolvedAt"], "2026-11-30T04:00:00Z");
  EXPECT_FALSE(UpdateReportToJson(Success()).contains("resolvedBy"));
}

std::vector<std::string> Tail(const std::string& path, size_t lines) {
  Result<std::vector<std::string>> tail = ReadLogTail(path, lines);
  EXPECT_TRUE(tail.ok()) << (tail.ok() ? "" : tail.error());
  return tail.ok() ? *tail : std::vector<std::string>{};
}

using Lines = std::vector<std::string>;

TEST(ReadLogTailTest, TheLastLines) {
  testing::TempDir dir;
  const std::string path = dir.Write("run.log", "one\ntwo\nthree\nfour\n");
  EXPECT_EQ(Tail(path, 2), (Lines{"three", "four"}));
  EXPECT_EQ(Tail(path, 4), (Lines{"one", "two", "three", "four"}));
  EXPECT_EQ(Tail(path, 50), (Lines{"one", "two", "three", "four"}));
  EXPECT_EQ(Tail(path, 0), Lines{});
  // A last line still being written counts as a line.
  EXPECT_EQ(Tail(dir.Write("open.log", "one\ntwo\nthr"), 2), (Lines{"two", "thr"}));
  // Empty lines are lines.
  EXPECT_EQ(Tail(dir.Write("blank.log", "\none\n\n"), 5), (Lines{"", "one", ""}));
  EXPECT_EQ(Tail(dir.Write("newline.log", "\n"), 5), Lines{""});
  EXPECT_EQ(Tail(dir.Write("empty.log", ""), 5), Lines{});
}

TEST(ReadLogTailTest, AMissingFileHasNoLines) {
  testing::TempDir dir;
  EXPECT_EQ(Tail(dir.path() + "/none.log", 50), Lines{});
}

TEST(ReadLogTailTest, WhatIsNotAFileIsAnError) {
  testing::TempDir dir;
  const Result<std::vector<std::string>> directory = ReadLogTail(dir.path(), 5);
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().find(dir.path()), std::string::npos) << directory.error();

  // A FIFO is refused at once rather than waited on.
  const std::string fifo = dir.path() + "/fifo.log";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const Result<std::vector<std::string>> tail = ReadLogTail(fifo, 5);
  ASSERT_FALSE(tail.ok());
  EXPECT_EQ(tail.error(), fifo + ": not a regular file");
}

TEST(ReadLogTailTest, ALineShowsWhatATerminalWould) {
  testing::TempDir dir;
  const std::string path =
      dir.Write("run.log", "crlf line\r\nprogress 10%\rprogress 50%\rprogress 100%\ndone\n");
  EXPECT_EQ(Tail(path, 5), (Lines{"crlf line", "progress 100%", "done"}));
}

TEST(ReadLogTailTest, ALongLineIsCut) {
  testing::TempDir dir;
  // The cut falls inside a two-byte character: it is kept whole or left out, never split.
  std::string long_line(kLogTailLineBytes - 4, 'x');
  long_line += "\xc3\xa9\xc3\xa9\xc3\xa9";
  const Lines tail = Tail(dir.Write("run.log", "short\n" + long_line + "\n"), 5);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0], "short");
  EXPECT_LE(tail[1].size(), kLogTailLineBytes);
  EXPECT_EQ(tail[1], std::string(kLogTailLineBytes - 4, 'x') + "...");

  const std::string exact(kLogTailLineBytes, 'y');
  EXPECT_EQ(Tail(dir.Write("exact.log", exact + "\n"), 5), Lines{exact});
}

TEST(ReadLogTailTest, ALargeLogIsReadFromItsEnd) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/big.log";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 200'000; ++i) out << "line " << i << "\n";  // ~2.2 MB
  }
  const Lines tail = Tail(path, 3);
  EXPECT_EQ(tail, (Lines{"line 199997", "line 199998", "line 199999"}));

  // Asked for more lines than the window holds: the window's first line is marked as cut
  // unless the window begins right after a newline.
  const Lines all = Tail(path, 1'000'000);
  ASSERT_GT(all.size(), 10'000u);
  EXPECT_LT(all.size(), 30'000u);
  EXPECT_EQ(all.back(), "line 199999");
  EXPECT_EQ(all.front().substr(0, 3), "...");
  size_t bytes = 0;
  for (const std::string& line : all) bytes += line.size() + 1;
  EXPECT_LE(bytes, kLogTailBytes + 3);
}

TEST(ReadLogTailTest, AWindowThatBeginsAtALineIsNotMarkedCut) {
  testing::TempDir dir;
  static_assert(kLogTailBytes % 64 == 0);
  const std::string line(63, 'z');  // 64 bytes with its newline: the window holds whole lines
  std::string lines;
  for (size_t i = 0; i < kLogTailBytes / 64; ++i) lines += line + "\n";

  // The byte before the window is a newline: its first line is whole.
  const Lines aligned = Tail(dir.Write("aligned.log", "head\n" + lines), 1'000'000);
  ASSERT_EQ(aligned.size(), kLogTailBytes / 64);
  EXPECT_EQ(aligned.front(), line);

  // One byte more before it: the window's first line is the end of "xzzz...".
  const Lines shifted = Tail(dir.Write("shifted.log", "head\nx" + lines), 1'000'000);
  ASSERT_EQ(shifted.size(), kLogTailBytes / 64);
  EXPECT_EQ(shifted.front(), "..." + line);
  EXPECT_EQ(shifted.back(), line);
}

}  // namespace
}  // namespace upkeep
