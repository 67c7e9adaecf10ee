// scripts/run.sh (what `make run` runs) creates the update check's demo on the first start: a
// pretend render manager's bare remote and its deployed clone, one release behind, which the
// daemon it starts answers about at once; scripts/demo-release.sh pushes the next release, and
// a forced check shows it. Real git repositories, the real binary, real HTTP.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/git_repos.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kRunScript = std::string(UPKEEP_SOURCE_DIR) + "/scripts/run.sh";
const std::string kReleaseScript = std::string(UPKEEP_SOURCE_DIR) + "/scripts/demo-release.sh";
constexpr const char* kCheck = "/api/system/update/check";

// The environment run.sh and demo-release.sh read, set for the test's lifetime (a spawned
// shell inherits it) and removed after.
class RunShEnvironment {
 public:
  explicit RunShEnvironment(const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [name, value] : values) {
      ::setenv(name.c_str(), value.c_str(), 1);
      names_.push_back(name);
    }
  }
  ~RunShEnvironment() {
    for (const std::string& name : names_) ::unsetenv(name.c_str());
  }

 private:
  std::vector<std::string> names_;
};

// What must not change when the demo exists: the refs of both repositories, HEAD, and the
// directory itself (not made again). Remote-tracking refs are left out: a check fetches them.
std::string DemoState(const std::string& demo) {
  struct stat st {};
  ::stat(demo.c_str(), &st);
  return "inode " + std::to_string(st.st_ino) + "\n" +
         Git(demo + "/remote.git", {"for-each-ref", "--format=%(refname) %(objectname)"}) + "\n" +
         Git(demo + "/service", {"rev-parse", "HEAD", "--abbrev-ref", "HEAD"}) + "\n" +
         Git(demo + "/service",
             {"for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"});
}

json Check(uint16_t port, const std::string& token, bool refresh) {
  const HttpResponse response =
      Request(port, "GET", std::string(kCheck) + (refresh ? "?refresh=true" : ""), Bearer(token));
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_object()) body = json{{"body", response.body}};
  body["http_status"] = response.status;
  return body;
}

TEST(MakeRunDemoTest, CreatesTheDemoOnceAndAReleaseShowsInTheCheck) {
  IsolateGitEnvironment();
  TempDir dir;
  const std::string demo = dir.path() + "/demo";
  const std::string tokens = dir.path() + "/tokens";
  const std::string config = dir.Write("run.yaml",
                                       "web:\n  listen_address: 127.0.0.1:0\n"
                                       "auth:\n  tokens_file: " +
                                           tokens +
                                           "\n"
                                           "queue:\n  type: sqlite\n  sqlite:\n    path: " +
                                           dir.path() +
                                           "/queue.db\n"
                                           "update:\n  repo: " +
                                           demo +
                                           "/service\n  remote: origin\n  branch: main\n"
                                           "  check_interval: 0\n  state_dir: " +
                                           dir.path() + "/state\n");
  RunShEnvironment environment(
      {{"BUILD", std::filesystem::path(UPKEEP_BINARY).parent_path().string()},
       {"CONFIG", config},
       {"UPKEEP_TOKENS_FILE", tokens},
       {"UPKEEP_QUEUE_DB", dir.path() + "/queue.db"},
       {"UPKEEP_DEMO_DIR", demo}});

  std::string token;
  std::string state;
  {
    DaemonProcess first({kRunScript}, 30s, "/bin/bash");
    ASSERT_TRUE(first.started()) << first.Log();
    const std::string log = first.Log();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(log, match, std::regex("upk_[A-Za-z0-9_-]+"))) << log;
    token = match.str();
    EXPECT_NE(log.find("Created " + demo + ": "), std::string::npos) << log;
    EXPECT_NE(
        log.find("curl -s -H 'Authorization: Bearer " + token + "' http://127.0.0.1:0" + kCheck),
        std::string::npos)
        << log;
    EXPECT_NE(log.find("UPKEEP_DEMO_DIR=" + demo + " scripts/demo-release.sh"), std::string::npos)
        << log;
    EXPECT_NE(log.find(std::string(kCheck) + "?refresh=true"), std::string::npos) << log;

    // The repositories: the clone on main at v1.0.0, its origin the bare remote at v1.1.0.
    EXPECT_EQ(Git(demo + "/remote.git", {"rev-parse", "--is-bare-repository"}), "true");
    EXPECT_EQ(Git(demo + "/service", {"rev-parse", "--abbrev-ref", "HEAD"}), "main");
    EXPECT_EQ(Git(demo + "/service", {"describe", "--tags"}), "v1.0.0");
    EXPECT_EQ(Git(demo + "/service", {"status", "--porcelain"}), "");
    EXPECT_EQ(Git(demo + "/service", {"remote", "get-url", "origin"}), demo + "/remote.git");
    EXPECT_EQ(Git(demo + "/remote.git", {"describe", "--tags", "main"}), "v1.1.0");
    EXPECT_EQ(Git(demo + "/remote.git", {"rev-parse", "v1.0.0^{commit}"}),
              Git(demo + "/service", {"rev-parse", "HEAD"}));
    EXPECT_EQ(Git(demo + "/remote.git", {"log", "--format=%s", "v1.0.0..main"}),
              "Release 1.1.0\nShow render progress per shot\n"
              "Fix frame range parsing for negative start frames");
    // Nothing half-made is left beside it.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
    }

    // The daemon answers about it at once: the first check shows the update.
    const json check = Check(first.port(), token, false);
    EXPECT_EQ(check["http_status"], 200) << check << first.Log();
    EXPECT_EQ(check["currentVersion"], "v1.0.0") << check;
    EXPECT_EQ(check["latestVersion"], "v1.1.0");
    EXPECT_EQ(check["updateAvailable"], true);
    EXPECT_EQ(check["commitsBehind"], 3);
    EXPECT_EQ(check["changelog"], json({"Release 1.1.0", "Show render progress per shot",
                                        "Fix frame range parsing for negative start frames"}));
    // canUpdate once the queue's first probe has said it is idle (before, queue_unknown).
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    json live = check;
    while (live["canUpdate"] != true && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
      live = Check(first.port(), token, false);
    }
    EXPECT_EQ(live["canUpdate"], true) << live;
    EXPECT_EQ(live["blockers"], json::array());
    ASSERT_TRUE(first.StopWith(SIGTERM, 10s).has_value());
    state = DemoState(demo);
  }

  DaemonProcess second({kRunScript}, 30s, "/bin/bash");
  ASSERT_TRUE(second.started()) << second.Log();
  EXPECT_EQ(second.Log().find("Created"), std::string::npos) << second.Log();
  EXPECT_EQ(DemoState(demo), state);

  // The next release on the remote: the clone does not move, a forced check sees it.
  const CommandResult release = RunCommand({kReleaseScript, "Render the preview at half size"});
  ASSERT_EQ(release.exit_status, 0) << release.output;
  EXPECT_NE(release.output.find("Pushed v1.2.0"), std::string::npos) << release.output;
  EXPECT_EQ(Git(demo + "/remote.git", {"log", "-1", "--format=%s", "main"}),
            "Render the preview at half size");
  EXPECT_EQ(Git(demo + "/remote.git", {"describe", "--tags", "main"}), "v1.2.0");
  EXPECT_EQ(Git(demo + "/remote.git", {"rev-list", "--count", "main"}), "7");
  EXPECT_EQ(Git(demo + "/service", {"describe", "--tags"}), "v1.0.0");

  const json check = Check(second.port(), token, true);
  EXPECT_EQ(check["http_status"], 200) << check << second.Log();
  EXPECT_EQ(check["latestVersion"], "v1.2.0") << check;
  EXPECT_EQ(check["commitsBehind"], 4);
  ASSERT_TRUE(check["changelog"].is_array()) << check;
  EXPECT_EQ(check["changelog"][0], "Render the preview at half size");

  // The example config's update runs on the demo: its build step and health check pass.
  const HttpResponse updated =
      Request(second.port(), "POST", "/api/system/update/execute", Bearer(token), "{}");
  ASSERT_EQ(updated.status, 200) << updated.body << second.Log();
  const json answer = json::parse(updated.body);
  EXPECT_EQ(answer["result"], "success") << answer << second.Log();
  EXPECT_EQ(answer["newVersion"], "v1.2.0") << answer;
  EXPECT_EQ(Git(demo + "/service", {"describe", "--tags"}), "v1.2.0");
  EXPECT_EQ(Git(demo + "/service", {"status", "--porcelain"}), "");

  // Without a subject, the next release takes one of its own.
  const CommandResult next = RunCommand({kReleaseScript});
  ASSERT_EQ(next.exit_status, 0) << next.output;
  EXPECT_EQ(Git(demo + "/remote.git", {"describe", "--tags", "main"}), "v1.3.0");
  EXPECT_NE(Git(demo + "/remote.git", {"log", "-1", "--format=%s", "main"}), "");
}

// A config whose update.repo is not the demo's checkout (a real service) gets no demo.
TEST(MakeRunDemoTest, NoDemoForAnotherRepository) {
  TempDir dir;
  const std::string demo = dir.path() + "/demo";
  const std::string tokens = dir.path() + "/tokens";
  const std::string config = dir.Write(
      "run.yaml", "web:\n  listen_address: 127.0.0.1:0\nauth:\n  tokens_file: " + tokens + "\n");
  RunShEnvironment environment(
      {{"BUILD", std::filesystem::path(UPKEEP_BINARY).parent_path().string()},
       {"CONFIG", config},
       {"UPKEEP_TOKENS_FILE", tokens},
       {"UPKEEP_QUEUE_DB", dir.path() + "/queue.db"},
       {"UPKEEP_DEMO_DIR", demo}});
  DaemonProcess daemon({kRunScript}, 30s, "/bin/bash");
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  EXPECT_FALSE(std::filesystem::exists(demo));
  EXPECT_EQ(daemon.Log().find("Created " + demo), std::string::npos) << daemon.Log();
}

}  // namespace
}  // namespace upkeep::testing
