// The daemon's logger: lines on stderr, captured here, in both formats and at each level.

#include "app/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace upkeep {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Each test sets up the logger its own way; the one gtest's main left is put back after.
class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = spdlog::default_logger(); }
  void TearDown() override { spdlog::set_default_logger(saved_); }

  // Configures the logger, logs one line at each level and returns what reached stderr.
  static std::vector<std::string> LogEachLevel(const std::string& level,
                                               const std::string& format) {
    ::testing::internal::CaptureStderr();
    ConfigureLogging(level, format);
    spdlog::debug("at debug");
    spdlog::info("at info");
    spdlog::warn("at warn");
    spdlog::error("at error");
    return Lines(::testing::internal::GetCapturedStderr());
  }

  std::shared_ptr<spdlog::logger> saved_;
};

TEST_F(LoggingTest, JsonLinesHoldTimeLevelAndMessageOnly) {
  const std::vector<std::string> lines = LogEachLevel("info", "json");
  ASSERT_EQ(lines.size(), 3u);
  const char* const levels[] = {"info", "warning", "error"};
  const char* const messages[] = {"at info", "at warn", "at error"};
  const std::regex ts_shape(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    const nlohmann::json line = nlohmann::json::parse(lines[i]);
    ASSERT_TRUE(line.is_object());
    EXPECT_EQ(line.size(), 3u);
    EXPECT_EQ(line["level"], levels[i]);
    EXPECT_EQ(line["msg"], messages[i]);
    const std::string ts = line["ts"];
    EXPECT_TRUE(std::regex_match(ts, ts_shape));
    // UTC, and now.
    std::tm utc{};
    ASSERT_NE(strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &utc), nullptr);
    EXPECT_LE(std::abs(static_cast<double>(timegm(&utc) - std::time(nullptr))), 10.0);
  }
  // One fixed key order (sorted), the same on every line.
  EXPECT_EQ(lines[0].find(R"({"level":"info","msg":"at info","ts":")"), 0u) << lines[0];
}

TEST_F(LoggingTest, JsonEscapesTheMessageIntoOneValidLine) {
  ::testing::internal::CaptureStderr();
  ConfigureLogging("info", "json");
  spdlog::info("a \"quoted\" word\nsecond line\t\xff end");
  const std::vector<std::string> lines = Lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  const nlohmann::json line = nlohmann::json::parse(lines[0]);
  // Invalid UTF-8 becomes U+FFFD instead of an exception or an invalid line.
  EXPECT_EQ(line["msg"], "a \"quoted\" word\nsecond line\t\xEF\xBF\xBD end");
}

TEST_F(LoggingTest, TextLinesAreTimeLevelMessage) {
  const std::vector<std::string> lines = LogEachLevel("debug", "text");
  ASSERT_EQ(lines.size(), 4u);
  const std::string ts = R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d)";
  const char* const expected[] = {" debug at debug", " info at info", " warning at warn",
                                  " error at error"};
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(std::regex_match(lines[i], std::regex(ts + expected[i]))) << lines[i];
  }
}

TEST_F(LoggingTest, TheLevelDropsWhatIsBelowIt) {
  EXPECT_EQ(LogEachLevel("debug", "text").size(), 4u);
  EXPECT_EQ(LogEachLevel("info", "text").size(), 3u);
  EXPECT_EQ(LogEachLevel("warn", "text").size(), 2u);
  const std::vector<std::string> errors_only = LogEachLevel("error", "json");
  ASSERT_EQ(errors_only.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(errors_only[0])["msg"], "at error");
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::err);
  EXPECT_EQ(spdlog::default_logger()->name(), "upkeep");
}

TEST_F(LoggingTest, AFormatOtherThanJsonIsText) {
  const std::vector<std::string> lines = LogEachLevel("error", "plain");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].front(), '{');
  EXPECT_EQ(lines[0].substr(lines[0].size() - 15), " error at error") << lines[0];
}

}  // namespace
}  // namespace upkeep
