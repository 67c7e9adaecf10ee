// GET /api/system/update/check through the real binary: real git repositories in a temp dir (a
// bare remote, the service's clone, a pusher clone), a real `git daemon` for git://, a real
// SQLite queue, and the real git helper (`upkeep git check`) that the daemon spawns.

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/git_repos.h"
#include "tests/support/http_client.h"
#include "tests/support/sqlite_db.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kCheck = "/api/system/update/check";

// Who git runs as: the tests run as root on root-owned temp repos, which git work only touches
// when update.user names root outright; as anyone else, the daemon can only be itself.
std::string ThisUser() {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry != nullptr ? entry->pw_name : std::to_string(::geteuid());
}

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

std::string Abbrev(const std::string& revision) { return revision.substr(0, 7); }

class UpdateCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IsolateGitEnvironment();
    tokens_ = dir_.path() + "/tokens";
    admin_ = CreateToken(tokens_, "admin", "admin");
    metrics_ = CreateToken(tokens_, "scraper", "metrics");
    ASSERT_NE(admin_, "");
    ASSERT_NE(metrics_, "");
    queue_db_ = dir_.path() + "/queue.db";
    SqliteDb(queue_db_).Exec(kJobsSchema);  // an idle queue: no blocker from it
  }

  // The config: tokens, an idle SQLite queue (unless `queue` is false) and `update_yaml` (whole
  // lines, the section's header included, or "" for none).
  std::string Config(const std::string& update_yaml, bool queue = true) const {
    std::string yaml = "auth:\n  tokens_file: " + tokens_ + "\n";
    if (queue) {
      yaml +=
          "queue:\n  type: sqlite\n  interval: 100ms\n  timeout: 500ms\n"
          "  stale_after: 2s\n  sqlite:\n    path: " +
          queue_db_ + "\n";
    }
    return dir_.Write("upkeep.yaml", yaml + update_yaml);
  }

  // An update: section for the service clone (or `repo`), run by the test's user, state
  // under the temp dir (or in `state_dir`), no background check (each test decides when to
  // check) unless `check_interval` says otherwise; `extra` lines follow.
  std::string UpdateYaml(const std::string& extra = "", const std::string& repo = "",
                         const std::string& check_interval = "0",
                         const std::string& state_dir = "") const {
    return "update:\n  repo: " + (repo.empty() ? repos_.service() : repo) +
           "\n  user: " + ThisUser() + "\n  check_interval: " + check_interval +
           "\n  state_dir: " + (state_dir.empty() ? dir_.path() + "/state" : state_dir) + "\n" +
           extra;
  }

  void Start(const std::string& update_yaml, bool queue = true) {
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", Config(update_yaml, queue), "--sample.interval", "100ms"});
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
  }

  HttpResponse Check(const std::string& query = "") const {
    return CheckWith(Bearer(admin_), query);
  }
  HttpResponse CheckWith(const std::string& headers, const std::string& query = "",
                         const std::string& method = "GET") const {
    return Request(daemon_->port(), method, std::string(kCheck) + query, headers);
  }

  // The body of a check that must answer 200.
  json CheckOk(const std::string& query = "") const {
    const HttpResponse response = Check(query);
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/json");
    EXPECT_EQ(response.Header("cache-control"), "no-store");
    const json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << response.body;
    return body;
  }

  // The error object of a check that must fail with `status` and `code`; the whole body.
  json ExpectCheckError(int status, const std::string& code, const std::string& query = "") const {
    const HttpResponse response = Check(query);
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/json");
    EXPECT_EQ(response.Header("cache-control"), "no-store");
    const json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.is_object()) << response.body;
    if (!body.is_object()) return json::object();
    EXPECT_EQ(body["error"]["code"], code) << response.body;
    EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
    return body;
  }

  std::string Metrics() const { return Request(daemon_->port(), "GET", "/metrics").body; }

  // Polls /metrics until `condition` holds (or 15 s pass); returns the last text.
  std::string WaitForMetrics(const std::function<bool(const std::string&)>& condition) const {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    std::string text = Metrics();
    while (!condition(text) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
      text = Metrics();
    }
    return text;
  }

  // The exit status and log of a daemon that must refuse to start with `config`.
  std::pair<std::optional<int>, std::string> StartError(const std::string& config) const {
    DaemonProcess daemon({"--config", config}, 3s);
    const std::optional<int> status = daemon.WaitForExit(10s);
    return {status, daemon.Log()};
  }

  TempDir dir_;
  GitRepos repos_;
  std::string tokens_;
  std::string admin_;
  std::string metrics_;
  std::string queue_db_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(UpdateCheckTest, NotConfiguredAnswers503) {
  Start("");
  const json body = ExpectCheckError(503, "update_not_configured");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("update.repo"), std::string::npos)
      << body;
  EXPECT_FALSE(body.contains("last"));
  // HEAD: the same status and headers, no body.
  const HttpResponse head = CheckWith(Bearer(admin_), "", "HEAD");
  EXPECT_EQ(head.status, 503);
  EXPECT_EQ(head.body, "");
  // No update series on /metrics without an update: section.
  EXPECT_EQ(Metrics().find("upkeep_update_"), std::string::npos);
}

TEST_F(UpdateCheckTest, AdminsOnlyAndGetOnly) {
  Start(UpdateYaml());
  EXPECT_EQ(CheckWith("").status, 401);
  EXPECT_NE(CheckWith("").Header("www-authenticate"), "");
  EXPECT_EQ(CheckWith(Bearer(metrics_)).status, 403);
  const HttpResponse post = CheckWith(Bearer(admin_), "", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("allow"), "GET, HEAD");
  EXPECT_EQ(json::parse(post.body, nullptr, false)["error"]["code"], "method_not_allowed")
      << post.body;
  // The start log says what is managed, and how.
  EXPECT_NE(daemon_->Log().find("update: managing " + repos_.service() +
                                " (remote origin, branch main) as user " + ThisUser()),
            std::string::npos)
      << daemon_->Log();
}

TEST_F(UpdateCheckTest, UpToDate) {
  Start(UpdateYaml());
  const json body = CheckOk();
  std::set<std::string> keys;
  for (const auto& [key, value] : body.items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{
                      "currentVersion", "latestVersion", "updateAvailable", "changelog",
                      "currentRevision", "latestRevision", "commitsBehind", "commitsAhead", "dirty",
                      "branch", "remote", "checkedAt", "fetchedAt", "canUpdate", "blockers"}));
  const std::string head = repos_.Head(repos_.service());
  EXPECT_EQ(body["currentVersion"], "v1.0.0");
  EXPECT_EQ(body["latestVersion"], "v1.0.0");
  EXPECT_EQ(body["updateAvailable"], false);
  EXPECT_EQ(body["changelog"], json::array());
  EXPECT_EQ(body["currentRevision"], head);
  EXPECT_EQ(body["latestRevision"], head);
  EXPECT_EQ(body["commitsBehind"], 0);
  EXPECT_EQ(body["commitsAhead"], 0);
  EXPECT_EQ(body["dirty"], false);
  EXPECT_EQ(body["branch"], "main");
  EXPECT_EQ(body["remote"], "origin");
  EXPECT_TRUE(body["checkedAt"].is_string());
  EXPECT_TRUE(body["fetchedAt"].is_string());
  EXPECT_EQ(body["canUpdate"], false);
  EXPECT_EQ(body["blockers"], json::array());
  // HEAD answers with the headers only.
  const HttpResponse head_only = CheckWith(Bearer(admin_), "", "HEAD");
  EXPECT_EQ(head_only.status, 200);
  EXPECT_EQ(head_only.body, "");
}

TEST_F(UpdateCheckTest, BehindByThreeWithTags) {
  repos_.Commit(repos_.pusher(), "Fix frame range parsing");
  repos_.Commit(repos_.pusher(), "Add render queue view");
  repos_.Tag(repos_.pusher(), "v1.1.0");
  const std::string latest = repos_.Commit(repos_.pusher(), "Tidy logs");
  repos_.Push();
  Start(UpdateYaml());
  const json body = CheckOk();
  EXPECT_EQ(body["currentVersion"], "v1.0.0");
  EXPECT_EQ(body["latestVersion"], "v1.1.0-1-g" + Abbrev(latest));
  EXPECT_EQ(body["updateAvailable"], true);
  EXPECT_EQ(body["changelog"],
            json::array({"Tidy logs", "Add render queue view", "Fix frame range parsing"}));
  EXPECT_EQ(body["currentRevision"], repos_.Head(repos_.service()));
  EXPECT_EQ(body["latestRevision"], latest);
  EXPECT_EQ(body["commitsBehind"], 3);
  EXPECT_EQ(body["commitsAhead"], 0);
  EXPECT_EQ(body["canUpdate"], true);
  EXPECT_EQ(body["blockers"], json::array());
}

TEST_F(UpdateCheckTest, RefreshFetchesAgainAndOtherwiseTheLastFetchIsReused) {
  Start(UpdateYaml("  min_fetch_interval: 1h\n"));
  const json first = CheckOk();
  EXPECT_EQ(first["commitsBehind"], 0);
  repos_.PushCommits(2);
  // Within min_fetch_interval: the same fetch (and its time), so the push is not seen yet.
  const json reused = CheckOk();
  EXPECT_EQ(reused["commitsBehind"], 0);
  EXPECT_EQ(reused["fetchedAt"], first["fetchedAt"]);
  const json refreshed = CheckOk("?refresh=true");
  EXPECT_EQ(refreshed["commitsBehind"], 2);
  EXPECT_EQ(refreshed["changelog"], json::array({"Change 2", "Change 1"}));
  EXPECT_EQ(refreshed["latestRevision"], repos_.Head(repos_.pusher()));
  // refresh=false and refresh=0 reuse it; refresh=1 is refresh=true.
  EXPECT_EQ(CheckOk("?refresh=false")["fetchedAt"], refreshed["fetchedAt"]);
  EXPECT_EQ(CheckOk("?refresh=0")["fetchedAt"], refreshed["fetchedAt"]);
  repos_.PushCommits(1, 3);
  EXPECT_EQ(CheckOk("?refresh=1")["commitsBehind"], 3);
}

TEST_F(UpdateCheckTest, AQueryOtherThanRefreshIsRefused) {
  Start(UpdateYaml());
  for (const std::string query : {"?refresh=yes", "?refresh", "?refresh=TRUE", "?force=true",
                                  "?refresh=true&refresh=false", "?refresh=true&x=1"}) {
    SCOPED_TRACE(query);
    const json body = ExpectCheckError(400, "invalid_query", query);
    EXPECT_FALSE(body.contains("last"));
  }
  const json unknown = ExpectCheckError(400, "invalid_query", "?force=true");
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("\"force\""), std::string::npos)
      << unknown;
}

TEST_F(UpdateCheckTest, MissingRepoIsRepoUnavailableNamingThePath) {
  const std::string missing = dir_.path() + "/no-such-checkout";
  Start(UpdateYaml("", missing));
  const json body = ExpectCheckError(503, "repo_unavailable");
  EXPECT_NE(body["error"]["message"].get<std::string>().find(missing), std::string::npos) << body;
}

TEST_F(UpdateCheckTest, RootOwnedRepoWithoutUserRootIsRepoPermission) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the temp repos are owned by the test user";
  // Without update.user, git would run as the repo's owner: root, which must be written out.
  Start("update:\n  repo: " + repos_.service() +
        "\n  check_interval: 0\n  state_dir: " + dir_.path() + "/state\n");
  const json body = ExpectCheckError(503, "repo_permission");
  const std::string message = body["error"]["message"];
  EXPECT_NE(message.find(repos_.service()), std::string::npos) << message;
  EXPECT_NE(message.find("root"), std::string::npos) << message;
  EXPECT_NE(message.find("update.user"), std::string::npos) << message;
}

TEST_F(UpdateCheckTest, GitDaemonRemoteWithInsecureTransportAllowedAndAFailedFetch) {
  auto git_daemon = std::make_unique<GitDaemon>(repos_.root());
  ASSERT_TRUE(git_daemon->started());
  Git(repos_.service(), {"remote", "set-url", "origin", git_daemon->Url("remote.git")});
  repos_.PushCommits(1);
  Start(UpdateYaml("  allow_insecure_transport: true\n  fetch_timeout: 5s\n"));
  const json good = CheckOk();
  EXPECT_EQ(good["commitsBehind"], 1);
  EXPECT_EQ(good["blockers"], json::array());
  EXPECT_EQ(good["canUpdate"], true);

  // The remote goes away: the fetch fails, and the last good answer comes with the error.
  git_daemon.reset();
  const json failed = ExpectCheckError(502, "fetch_failed", "?refresh=true");
  ASSERT_TRUE(failed.contains("last")) << failed;
  EXPECT_EQ(failed["last"]["commitsBehind"], 1);
  EXPECT_EQ(failed["last"]["latestRevision"], good["latestRevision"]);
  EXPECT_EQ(failed["last"]["fetchedAt"], good["fetchedAt"]);
  EXPECT_NE(failed["error"]["message"].get<std::string>().find("origin"), std::string::npos)
      << failed;
}

TEST_F(UpdateCheckTest, GitDaemonRemoteWithoutInsecureTransportIsNotFetched) {
  GitDaemon git_daemon(repos_.root());
  ASSERT_TRUE(git_daemon.started());
  Git(repos_.service(), {"remote", "set-url", "origin", git_daemon.Url("remote.git")});
  repos_.PushCommits(1);
  Start(UpdateYaml());
  // The clone's own remote-tracking branch still answers, with the reason it is not fresh.
  const json body = CheckOk("?refresh=true");
  EXPECT_EQ(body["commitsBehind"], 0);
  EXPECT_EQ(body["blockers"], json::array({"insecure_transport"}));
  EXPECT_EQ(body["canUpdate"], false);
}

TEST_F(UpdateCheckTest, UpdateWithoutAQueueIsAStartErrorUnlessAskedFor) {
  const auto [status, log] = StartError(Config(UpdateYaml(), /*queue=*/false));
  ASSERT_TRUE(status.has_value()) << log;
  EXPECT_EQ(*status, 2);
  EXPECT_NE(log.find("update: needs a job queue source"), std::string::npos) << log;
  EXPECT_NE(log.find("update.require_queue: false"), std::string::npos) << log;

  Start(UpdateYaml("  require_queue: false\n"), /*queue=*/false);
  EXPECT_EQ(CheckOk()["currentVersion"], "v1.0.0");
}

TEST_F(UpdateCheckTest, ConfigMistakesAreStartErrors) {
  {
    const auto [status, log] = StartError(Config(UpdateYaml("  fetch_timeot: 5s\n")));
    ASSERT_TRUE(status.has_value()) << log;
    EXPECT_EQ(*status, 2);
    EXPECT_NE(log.find("unknown key \"update.fetch_timeot\" (did you mean \"fetch_timeout\"?)"),
              std::string::npos)
        << log;
  }
  {
    const auto [status, log] = StartError(Config("update:\n  branch: main\n"));
    ASSERT_TRUE(status.has_value()) << log;
    EXPECT_EQ(*status, 2);
    EXPECT_NE(log.find("update.repo: required"), std::string::npos) << log;
  }
  {
    // A state_dir that cannot be made (a file is in the way) is named.
    const std::string file = dir_.Write("not-a-dir", "x");
    const auto [status, log] = StartError(Config(UpdateYaml("", "", "0", file + "/state")));
    ASSERT_TRUE(status.has_value()) << log;
    EXPECT_EQ(*status, 2);
    EXPECT_NE(log.find("update.state_dir: cannot create " + file + "/state"), std::string::npos)
        << log;
  }
}

TEST_F(UpdateCheckTest, RelativePathsResolveAgainstTheWorkingDirectory) {
  // The daemon's working directory is the test's; a path relative to it is found.
  const std::string cwd = std::filesystem::current_path().string();
  const std::string relative = std::filesystem::relative(repos_.service(), cwd).string();
  ASSERT_FALSE(relative.starts_with("/")) << relative;
  Start(UpdateYaml("", relative));
  EXPECT_EQ(CheckOk()["currentVersion"], "v1.0.0");
  EXPECT_NE(daemon_->Log().find("managing " + repos_.service() + " "), std::string::npos)
      << daemon_->Log();
}

TEST_F(UpdateCheckTest, TheBackgroundCheckFeedsMetricsAndTheStateFile) {
  repos_.PushCommits(2);
  // The first background check comes within a tenth of the interval (1 s here).
  Start(UpdateYaml("", "", "10s"));
  const std::string head = repos_.Head(repos_.service());
  const std::string text = WaitForMetrics(
      [](const std::string& t) { return t.find("\nupkeep_update_check_success ") != t.npos; });
  EXPECT_TRUE(HasLine(text, "upkeep_update_check_success 1")) << text;
  EXPECT_TRUE(HasLine(text, "upkeep_update_available 1")) << text;
  EXPECT_TRUE(HasLine(text, "upkeep_update_commits_behind 2")) << text;
  EXPECT_TRUE(HasLine(text, "upkeep_target_info{version=\"v1.0.0\",revision=\"" + head + "\"} 1"))
      << text;
  EXPECT_NE(text.find("\nupkeep_update_available_since_timestamp_seconds "), std::string::npos);
  EXPECT_NE(text.find("\nupkeep_update_last_check_timestamp_seconds "), std::string::npos);
  EXPECT_NE(text.find("\nupkeep_update_check_duration_seconds "), std::string::npos);
  // The state dir is made private; the state file keeps available_since across restarts.
  struct stat info {};
  ASSERT_EQ(::stat((dir_.path() + "/state").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/state/update-check.json"));
  // The request counters know the route.
  EXPECT_EQ(CheckWith("").status, 401);
  EXPECT_NE(WaitForMetrics([](const std::string& t) {
              return t.find("handler=\"update_check\",code=\"401\"") != t.npos;
            }).find("handler=\"update_check\",code=\"401\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace upkeep::testing
