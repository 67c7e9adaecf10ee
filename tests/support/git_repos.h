#pragma once

// Real git repositories in a temp dir for the controller's tests, made with the git CLI: a bare
// "remote", the service's clone of it, and a "pusher" clone that adds commits and tags and
// pushes them. And a real `git daemon` serving the remote over git:// on 127.0.0.1.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"

namespace upkeep::testing {

// Points HOME at a fresh directory and sets GIT_CONFIG_NOSYSTEM=1, once per process, so that
// neither the git CLI nor libgit2 reads the machine's or the user's git config. libgit2 reads
// HOME when it initialises: call this before any libgit2 use (a global test environment).
void IsolateGitEnvironment();

// Runs `git -C dir ARGS` with a fixed identity and init.defaultBranch=main; a failure is a test
// failure (with git's output). Returns the output, trailing newline removed.
std::string Git(const std::string& dir, const std::vector<std::string>& args);

class GitRepos {
 public:
  // remote.git (bare) with one commit "Initial commit" tagged v1.0.0 on main, cloned into
  // service/ and pusher/.
  GitRepos();

  const std::string& root() const { return dir_.path(); }
  std::string remote() const { return root() + "/remote.git"; }
  std::string service() const { return root() + "/service"; }
  std::string pusher() const { return root() + "/pusher"; }

  // A commit in `dir` with this subject (it changes a file of its own); returns its id.
  std::string Commit(const std::string& dir, const std::string& subject);
  // An annotated tag on HEAD of `dir`.
  void Tag(const std::string& dir, const std::string& name);
  // Pushes main and tags from pusher/ to the remote.
  void Push();
  // `count` commits "Change N" (first..first+count-1) in pusher/, pushed.
  void PushCommits(int count, int first = 1);
  std::string Head(const std::string& dir);
  // Writes a file (relative to `dir`), making the directories it needs.
  void WriteFile(const std::string& dir, const std::string& relative, const std::string& text);

 private:
  TempDir dir_;
  int counter_ = 0;
};

// `git daemon` on 127.0.0.1 and a free port, exporting every repository under base_path,
// stopped (its whole process group) at destruction, also when a test fails.
class GitDaemon {
 public:
  explicit GitDaemon(const std::string& base_path);
  ~GitDaemon();
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;

  bool started() const { return started_; }
  uint16_t port() const { return port_; }
  // git://127.0.0.1:PORT/<name>
  std::string Url(const std::string& name) const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace upkeep::testing
