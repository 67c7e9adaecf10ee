#pragma once

// The update runner against real things: a bare remote, the service's clone owned by uid 65534
// (as a deployment has it: upkeep is root, git work and steps run as the checkout's owner), a
// pusher clone, steps that are small shell scripts writing marker files, and this test binary
// as the git helper (update_checker_test.cc makes it answer `... git ...`).

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "controller/update_checker.h"
#include "controller/update_runner.h"
#include "tests/support/git_repos.h"

namespace upkeep::update_test {

namespace fs = std::filesystem;

inline constexpr uid_t kServiceUid = 65534;  // Debian's nobody:nogroup
inline constexpr gid_t kServiceGid = 65534;

inline void ChownTree(const std::string& root, uid_t uid, gid_t gid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, gid), 0) << root;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    ASSERT_EQ(::lchown(entry.path().c_str(), uid, gid), 0) << entry.path();
  }
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline uid_t OwnerOf(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 ? info.st_uid : static_cast<uid_t>(-1);
}

// Every directory from / down to `path` lets others through, and `path` lets them execute it.
inline bool OthersCanExecute(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) return false;
  for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (::stat(dir.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) return false;
    if (dir == dir.root_path()) break;
  }
  return true;
}

// This test binary where uid 65534 can run it (a copy when the build tree is closed to others).
inline const std::string& HelperForService() {
  static const testing::TempDir copy_dir;
  static const std::string binary = [] {
    const fs::path self = fs::read_symlink("/proc/self/exe");
    if (OthersCanExecute(self)) return self.string();
    const fs::path copy = fs::path(copy_dir.path()) / self.filename();
    fs::copy_file(self, copy);
    fs::permissions(copy_dir.path(), fs::perms(0755));
    fs::permissions(copy, fs::perms(0755));
    return copy.string();
  }();
  return binary;
}

class UpdateRunnerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: steps run as the checkout's owner";
    fs::permissions(repos_.root(), fs::perms(0755));
    // What the steps make (dependencies, a build, their markers) is ignored, as in a real app.
    repos_.WriteFile(repos_.pusher(), ".gitignore", "node_modules/\ndist/\n");
    testing::Git(repos_.pusher(), {"add", ".gitignore"});
    testing::Git(repos_.pusher(), {"commit", "-q", "-m", "Ignore what the build makes"});
    repos_.Push();
    testing::Git(repos_.service(), {"pull", "-q", "--ff-only"});
    out_ = repos_.root() + "/out";
    fs::create_directory(out_);
    fs::permissions(out_, fs::perms(0777));
    state_dir_ = state_parent_.path() + "/state";
    fs::create_directory(state_dir_);
    fs::permissions(state_dir_, fs::perms(0700));
    options_.configured = true;
    options_.repo = repos_.service();
    options_.state_dir = state_dir_;
    options_.drain_timeout = std::chrono::milliseconds(0);
    options_.health_check.retries = 0;
    options_.health_check.interval = std::chrono::milliseconds(100);
  }

  void TearDown() override {
    if (runner_) runner_->Shutdown();
    runner_.reset();
  }

  // The checkout and its remote handed to uid 65534 (call after the last push as root).
  void GiveToService() {
    ChownTree(repos_.service(), kServiceUid, kServiceGid);
    ChownTree(repos_.remote(), kServiceUid, kServiceGid);
  }

  // A new release in the remote: a commit writing `files` (path -> text), tagged `tag`.
  // hand_over: the remote goes back to the service's user (false: the test still needs it as
  // root, and calls GiveToService later).
  std::string Release(const std::string& tag,
                      const std::vector<std::pair<std::string, std::string>>& files,
                      bool hand_over = true) {
    for (const auto& [path, text] : files) repos_.WriteFile(repos_.pusher(), path, text);
    // git refuses to push into a repository another user owns: root's again for the push.
    ChownTree(repos_.remote(), 0, 0);
    testing::Git(repos_.pusher(), {"add", "-A"});
    testing::Git(repos_.pusher(), {"commit", "-q", "-m", "Release " + tag});
    repos_.Tag(repos_.pusher(), tag);
    repos_.Push();
    if (hand_over) ChownTree(repos_.remote(), kServiceUid, kServiceGid);
    return repos_.Head(repos_.pusher());
  }

  UpdateStep Step(const std::string& name, const std::string& run) const {
    UpdateStep step;
    step.name = name;
    step.run = run;
    step.timeout = std::chrono::seconds(60);
    return step;
  }

  void SetQueue(QueueState state) {
    std::lock_guard lock(queue_mutex_);
    queue_ = std::move(state);
  }

  UpdateRunner& Runner() {
    if (!runner_) {
      UpdateCheckerOptions check;
      check.helper_binary = HelperForService();
      check.request.repo = options_.repo;
      check.request.branch = options_.branch;
      check.request.allow_insecure_transport = true;
      check.fetch_timeout = std::chrono::seconds(30);
      checker_ = std::make_unique<UpdateChecker>(
          check, [this] { return Queue(); },
          [this] { return runner_ ? runner_->LockFlags() : UpdateLockFlags{}; });
      UpdateRunnerOptions run;
      run.update = options_;
      run.helper_binary = HelperForService();
      run.kill_grace = std::chrono::milliseconds(500);
      run.log = [this](const UpdateLogLine& line) {
        std::lock_guard lock(log_mutex_);
        log_.push_back(line.text);
      };
      runner_ = std::make_unique<UpdateRunner>(run, *checker_, [this] { return Queue(); });
    }
    return *runner_;
  }

  UpdateReport Execute(bool dry_run = false) {
    return Runner().Execute(
        ExecuteRequest{.who = "token:ops from 127.0.0.1", .dry_run = dry_run, .async = false});
  }

  std::string Log() {
    std::lock_guard lock(log_mutex_);
    std::string all;
    for (const std::string& line : log_) all += line + "\n";
    return all;
  }

  std::string Head() {
    return testing::Git(repos_.service(), {"-c", "safe.directory=*", "rev-parse", "HEAD"});
  }

  QueueState Queue() {
    std::lock_guard lock(queue_mutex_);
    // A job the steps start: a marker file they write.
    if (fs::exists(out_ + "/job-started")) {
      return QueueState{.status = QueueStatus::kBusy, .depth = 1, .active_jobs = 1};
    }
    return queue_;
  }

  testing::GitRepos repos_;
  testing::TempDir state_parent_;
  std::string state_dir_;
  std::string out_;  // where the step scripts leave their markers (0777)
  UpdateOptions options_;
  std::unique_ptr<UpdateChecker> checker_;
  std::unique_ptr<UpdateRunner> runner_;

  std::mutex queue_mutex_;
  QueueState queue_{.status = QueueStatus::kIdle};
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

}  // namespace upkeep::update_test
