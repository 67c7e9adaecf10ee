#pragma once

// Helpers shared by the tests of the whole config loader (YAML text, files, flags).

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"

namespace upkeep {

// gmock's HasSubstr without linking gmock: the unit test target links gtest only.
inline ::testing::AssertionResult Contains(const char* text_expr, const char* part_expr,
                                           const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " does not contain " << part_expr
                                       << "\n  text: " << text << "\n  part: " << part;
}

// The message of the ConfigError that `fn` throws, or a marker that fails the caller's match.
template <typename Fn>
std::string ErrorOf(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError thrown>";
}

inline std::string YamlError(std::string_view yaml) {
  return ErrorOf([&] { ParseConfigYaml(yaml, "test.yaml"); });
}

// A file in a fresh temp directory, removed with it.
class TempFile {
 public:
  explicit TempFile(std::string_view contents) {
    std::string pattern = ::testing::TempDir() + "upkeep_config_test.XXXXXX";
    dir_ = ::mkdtemp(pattern.data());
    EXPECT_FALSE(dir_.empty());
    path_ = dir_ + "/upkeep.yaml";
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string path_;
};

inline void ExpectDefaults(const Config& c) {
  EXPECT_EQ(c.web.listen_address, "0.0.0.0:10420");
  EXPECT_EQ(c.web.telemetry_path, "/metrics");
  EXPECT_EQ(c.web.threads, 0);
  EXPECT_EQ(c.web.request_timeout, std::chrono::milliseconds(10'000));
  EXPECT_EQ(c.web.keep_alive_timeout, std::chrono::milliseconds(10'000));
  EXPECT_EQ(c.sample.interval, std::chrono::milliseconds(1000));
  EXPECT_FALSE(c.sample.filesystems_auto);
  EXPECT_EQ(c.sample.filesystems, std::vector<std::string>{"/"});
  EXPECT_EQ(c.sample.procfs, "/proc");
  EXPECT_EQ(c.sample.rootfs, "/");
  EXPECT_EQ(c.sample.stat_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
}

}  // namespace upkeep
