#pragma once

// What the update execution tests share: the real daemon managing a real git checkout (the
// repositories of git_repos.h), admin and metrics tokens, an idle SQLite queue, a state
// directory, and a marker directory outside the checkout where the steps and the restart
// leave files (so that the checkout never becomes dirty). Requests go over HTTP on 127.0.0.1.

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/git_repos.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {

// Who git and the steps run as: the test's own user (root in CI, on root-owned temp repos,
// which git only touches when update.user names root outright).
std::string ThisUser();

// True when `text` holds `line` as a whole line (not the first: /metrics starts with a comment).
bool HasLine(const std::string& text, const std::string& line);

// The file's content, "" when it cannot be read.
std::string ReadText(const std::string& path);

// Writes `text` to the file at `path` (replacing it).
void WriteText(const std::string& path, const std::string& text);

// Polls until `path` exists with some content (a marker is written in one go), for at most
// `within`. False when it never came.
bool WaitForFile(const std::string& path,
                 std::chrono::milliseconds within = std::chrono::seconds(30));

class UpdateServiceRepos {
 public:
  UpdateServiceRepos();
  virtual ~UpdateServiceRepos() = default;
  UpdateServiceRepos(const UpdateServiceRepos&) = delete;
  UpdateServiceRepos& operator=(const UpdateServiceRepos&) = delete;

  GitRepos& repos() { return repos_; }
  const std::string& root() const { return dir_.path(); }
  std::string state_dir() const { return dir_.path() + "/state"; }
  std::string markers() const { return dir_.path() + "/markers"; }
  std::string journal_path() const { return state_dir() + "/update.journal"; }
  const std::string& admin_token() const { return admin_; }
  const std::string& metrics_token() const { return metrics_; }
  const std::string& queue_db() const { return queue_db_; }
  // `text` with every "{markers}" replaced by markers(): config lines stay readable.
  std::string WithMarkers(std::string text) const;

  // Writes the config file: tokens, the SQLite queue, and an update: section for the service
  // clone as the test's user, no background check, state in state_dir(), drain_timeout 0, then
  // `update_extra` (whole lines, indented by two). Returns its path.
  std::string WriteConfig(const std::string& update_extra) const;

  // Starts the daemon with the config (WriteConfig) and `env` added to its environment for
  // this start only (the pause points). A failed start is a test failure.
  void Start(const std::string& update_extra, const std::map<std::string, std::string>& env = {});
  DaemonProcess& daemon() { return *daemon_; }
  // Stops the daemon with `signal`; its exit status (none: it did not exit within `limit`).
  std::optional<int> Stop(int signal, std::chrono::milliseconds limit = std::chrono::seconds(30));

  // A commit tagged `tag` in the pusher clone, pushed; its revision.
  std::string PushRelease(const std::string& tag);
  std::string ServiceHead() { return repos_.Head(repos_.service()); }

  HttpResponse Execute(const std::string& query = "", const std::string& body = "") const;
  HttpResponse AdminGet(const std::string& path_and_query) const;
  // The body of an answer as JSON (a discarded value when it is not JSON).
  static nlohmann::json Body(const HttpResponse& response);
  // POST execute (sync), which must answer 200; its body.
  nlohmann::json ExecuteOk(const std::string& body = "") const;
  // GET history?limit=N, which must answer 200; its body.
  nlohmann::json History(int limit = 20) const;
  // Polls the status URL (an accepted run's Location) until running is false; its last body.
  nlohmann::json WaitForRunEnd(const std::string& status_url) const;
  std::string Metrics() const;
  // /metrics once it holds every one of `lines` (it is sampled periodically, so a change shows
  // a moment later), or its text after 15 s.
  std::string MetricsWith(const std::vector<std::string>& lines) const;

 private:
  TempDir dir_;
  GitRepos repos_;
  std::string tokens_;
  std::string admin_;
  std::string metrics_;
  std::string queue_db_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace upkeep::testing
