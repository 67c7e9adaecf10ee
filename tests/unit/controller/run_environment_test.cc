#include "controller/run_environment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace upkeep {
namespace {

bool Has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

TEST(CleanEnvironmentTest, WhoTheUserIsAndTheFixedPathOnly) {
  ::setenv("UPKEEP_RUN_ENV_TEST_SECRET", "leaked", 1);
  RunAs nobody;
  nobody.uid = 65534;
  nobody.gid = 65534;
  nobody.name = "nobody";
  nobody.home = "/nonexistent";
  const std::vector<std::string> env = CleanEnvironment(nobody);
  ::unsetenv("UPKEEP_RUN_ENV_TEST_SECRET");
  EXPECT_TRUE(Has(env, "HOME=/nonexistent"));
  EXPECT_TRUE(Has(env, "USER=nobody"));
  EXPECT_TRUE(Has(env, "LOGNAME=nobody"));
  EXPECT_TRUE(Has(env, kCleanPath));
  EXPECT_EQ(env.size(), 5u);  // and SHELL
  for (const std::string& entry : env) {
    EXPECT_EQ(entry.find("leaked"), std::string::npos) << entry;
  }
}

TEST(CleanEnvironmentTest, WithoutAUserItIsOurOwn) {
  const std::vector<std::string> env = CleanEnvironment(std::nullopt);
  EXPECT_TRUE(Has(env, kCleanPath));
  EXPECT_EQ(env.size(), 5u);
  const bool named = std::any_of(env.begin(), env.end(), [](const std::string& entry) {
    return entry.rfind("USER=", 0) == 0 && entry.size() > 5;
  });
  EXPECT_TRUE(named);
}

TEST(SetVariablesTest, ReplacesInPlaceAndAppendsTheRest) {
  std::vector<std::string> env = {"HOME=/h", "PATH=/bin"};
  SetVariables(env, {{"PATH", "/opt/node/bin:/bin"}, {"PM2_HOME", "/h/.pm2"}});
  EXPECT_EQ(env,
            (std::vector<std::string>{"HOME=/h", "PATH=/opt/node/bin:/bin", "PM2_HOME=/h/.pm2"}));
  SetVariables(env, {{"PM2_HOME", "/other"}});
  EXPECT_EQ(env.back(), "PM2_HOME=/other");
  EXPECT_EQ(env.size(), 3u);
}

}  // namespace
}  // namespace upkeep
