#include "tests/support/update_service_repos.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/sqlite_db.h"

namespace upkeep::testing {

using namespace std::chrono_literals;
using nlohmann::json;

std::string ThisUser() {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry != nullptr ? entry->pw_name : std::to_string(::geteuid());
}

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

bool WaitForFile(const std::string& path, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (ReadText(path).empty()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

UpdateServiceRepos::UpdateServiceRepos() {
  IsolateGitEnvironment();
  tokens_ = dir_.path() + "/tokens";
  admin_ = CreateToken(tokens_, "admin", "admin");
  metrics_ = CreateToken(tokens_, "scraper", "metrics");
  EXPECT_NE(admin_, "");
  EXPECT_NE(metrics_, "");
  queue_db_ = dir_.path() + "/queue.db";
  SqliteDb(queue_db_).Exec(kJobsSchema);  // an idle queue
  std::filesystem::create_directories(markers());
}

std::string UpdateServiceRepos::WithMarkers(std::string text) const {
  const std::string placeholder = "{markers}";
  for (size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at)) {
    text.replace(at, placeholder.size(), markers());
    at += markers().size();
  }
  return text;
}

std::string UpdateServiceRepos::WriteConfig(const std::string& update_extra) const {
  const std::string yaml =
      "auth:\n  tokens_file: " + tokens_ +
      "\nqueue:\n  type: sqlite\n  interval: 100ms\n  timeout: 500ms\n  stale_after: 2s\n"
      "  sqlite:\n    path: " +
      queue_db_ + "\nupdate:\n  repo: " + repos_.service() + "\n  user: " + ThisUser() +
      "\n  check_interval: 0\n  state_dir: " + state_dir() + "\n  drain_timeout: 0s\n" +
      update_extra;
  return dir_.Write("upkeep.yaml", yaml);
}

void UpdateServiceRepos::Start(const std::string& update_extra,
                               const std::map<std::string, std::string>& env) {
  const std::string config = WriteConfig(update_extra);
  // The daemon inherits this process's environment: set for its spawn only.
  for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
  daemon_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--config", config, "--sample.interval", "100ms"});
  for (const auto& [name, value] : env) ::unsetenv(name.c_str());
  ASSERT_TRUE(daemon_->started()) << daemon_->Log();
}

std::optional<int> UpdateServiceRepos::Stop(int signal, std::chrono::milliseconds limit) {
  return daemon_->StopWith(signal, limit);
}

std::string UpdateServiceRepos::PushRelease(const std::string& tag) {
  const std::string revision = repos_.Commit(repos_.pusher(), "Release " + tag);
  repos_.Tag(repos_.pusher(), tag);
  repos_.Push();
  return revision;
}

HttpResponse UpdateServiceRepos::Execute(const std::string& query, const std::string& body) const {
  return Request(daemon_->port(), "POST", "/api/system/update/execute" + query, Bearer(admin_),
                 body);
}

HttpResponse UpdateServiceRepos::AdminGet(const std::string& path_and_query) const {
  return Request(daemon_->port(), "GET", path_and_query, Bearer(admin_));
}

json UpdateServiceRepos::Body(const HttpResponse& response) {
  return json::parse(response.body, nullptr, false);
}

json UpdateServiceRepos::ExecuteOk(const std::string& body) const {
  const HttpResponse response = Execute("", body);
  EXPECT_EQ(response.status, 200) << response.body << "\n" << daemon_->Log();
  return Body(response);
}

json UpdateServiceRepos::History(int limit) const {
  const HttpResponse response =
      AdminGet("/api/system/update/history?limit=" + std::to_string(limit));
  EXPECT_EQ(response.status, 200) << response.body;
  return Body(response);
}

json UpdateServiceRepos::WaitForRunEnd(const std::string& status_url) const {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  json body;
  for (;;) {
    const HttpResponse response = AdminGet(status_url);
    EXPECT_EQ(response.status, 200) << response.body;
    body = Body(response);
    if (!body.is_object() || body.value("running", true) == false) return body;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "the run did not end: " << response.body << "\n" << daemon_->Log();
      return body;
    }
    std::this_thread::sleep_for(50ms);
  }
}

std::string UpdateServiceRepos::Metrics() const {
  return Request(daemon_->port(), "GET", "/metrics").body;
}

std::string UpdateServiceRepos::MetricsWith(const std::vector<std::string>& lines) const {
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  for (;;) {
    const std::string text = Metrics();
    bool all = true;
    for (const std::string& line : lines) all = all && HasLine(text, line);
    if (all || std::chrono::steady_clock::now() > deadline) return text;
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace upkeep::testing
