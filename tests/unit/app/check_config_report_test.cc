// The check-config report: its columns, one line per check whatever the detail holds, the exit
// status and the summary.

#include "app/check_config_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upkeep {
namespace {

TEST(CheckConfigReportTest, LinesHaveFixedColumns) {
  EXPECT_EQ(FormatCheckLine(CheckOk("config", "/etc/upkeep/upkeep.yaml")),
            "ok      config    /etc/upkeep/upkeep.yaml\n");
  EXPECT_EQ(FormatCheckLine(CheckFailed("tokens", "auth.tokens_file: cannot read /x: denied")),
            "FAILED  tokens    auth.tokens_file: cannot read /x: denied\n");
  EXPECT_EQ(FormatCheckLine(CheckSkipped("queue", "queue.type none (no queue configured)")),
            "skipped queue     queue.type none (no queue configured)\n");
  EXPECT_EQ(FormatCheckLine(CheckOk("state_dir", "/var/lib/upkeep")),
            "ok      state_dir /var/lib/upkeep\n");
}

TEST(CheckConfigReportTest, ALongCheckNameStillLeavesASpace) {
  EXPECT_EQ(FormatCheckLine(CheckOk("a_very_long_name", "x")), "ok      a_very_long_name x\n");
}

TEST(CheckConfigReportTest, TheDetailStaysOnOneLine) {
  EXPECT_EQ(FormatCheckLine(CheckFailed("repo", "git said:\nfatal: no\r\n\tmore\x01")),
            "FAILED  repo      git said: fatal: no   more?\n");
  // UTF-8 in a path is kept as it is.
  EXPECT_EQ(FormatCheckLine(CheckOk("config", "/etc/upkeep/\xc3\xa9t\xc3\xa9.yaml")),
            "ok      config    /etc/upkeep/\xc3\xa9t\xc3\xa9.yaml\n");
}

TEST(CheckConfigReportTest, StatusNames) {
  EXPECT_EQ(CheckStatusName(CheckStatus::kOk), "ok");
  EXPECT_EQ(CheckStatusName(CheckStatus::kFailed), "FAILED");
  EXPECT_EQ(CheckStatusName(CheckStatus::kSkipped), "skipped");
}

TEST(CheckConfigReportTest, ExitStatusIsTwoWhenAnythingFailed) {
  EXPECT_EQ(CheckConfigExitStatus({}), 0);
  EXPECT_EQ(CheckConfigExitStatus({CheckOk("config", "f"), CheckSkipped("queue", "none")}), 0);
  EXPECT_EQ(CheckConfigExitStatus(
                {CheckOk("config", "f"), CheckFailed("tls", "x"), CheckSkipped("queue", "none")}),
            2);
  EXPECT_EQ(CheckConfigExitStatus({CheckFailed("config", "x")}), 2);
}

TEST(CheckConfigReportTest, Summary) {
  EXPECT_EQ(CheckConfigSummary(
                {CheckOk("config", "f"), CheckOk("tokens", "t"), CheckSkipped("queue", "none")}),
            "upkeep check-config: OK (2 ok, 1 skipped)");
  EXPECT_EQ(CheckConfigSummary(
                {CheckOk("config", "f"), CheckFailed("tls", "x"), CheckFailed("repo", "y")}),
            "upkeep check-config: 2 of 3 checks FAILED");
}

}  // namespace
}  // namespace upkeep
