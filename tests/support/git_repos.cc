#include "tests/support/git_repos.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace upkeep::testing {
namespace {

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool Accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

void IsolateGitEnvironment() {
  static const std::string home = [] {
    char path[] = "/tmp/upkeep-git-home-XXXXXX";
    if (::mkdtemp(path) == nullptr) throw std::runtime_error("mkdtemp failed");
    return std::string(path);
  }();
  static const bool removed_at_exit = [] {
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(home, ignored);
    });
    return true;
  }();
  (void)removed_at_exit;
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  ::unsetenv("XDG_CONFIG_HOME");
  ::unsetenv("GIT_DIR");
  ::unsetenv("GIT_WORK_TREE");
}

std::string Git(const std::string& dir, const std::vector<std::string>& args) {
  IsolateGitEnvironment();
  std::vector<std::string> argv = {"git",
                                   "-C",
                                   dir,
                                   "-c",
                                   "user.name=Upkeep Test",
                                   "-c",
                                   "user.email=test@upkeep.invalid",
                                   "-c",
                                   "init.defaultBranch=main",
                                   "-c",
                                   "commit.gpgsign=false",
                                   "-c",
                                   "tag.gpgsign=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult result = RunCommand(argv);
  std::string command;
  for (const std::string& arg : args) command += " " + arg;
  EXPECT_EQ(result.exit_status, 0) << "git" << command << " in " << dir << ":\n" << result.output;
  while (!result.output.empty() && result.output.back() == '\n') result.output.pop_back();
  return result.output;
}

GitRepos::GitRepos() {
  Git(root(), {"init", "--quiet", "--bare", remote()});
  Git(root(), {"clone", "--quiet", remote(), pusher()});
  Commit(pusher(), "Initial commit");
  Tag(pusher(), "v1.0.0");
  Push();
  Git(root(), {"clone", "--quiet", remote(), service()});
}

std::string GitRepos::Commit(const std::string& dir, const std::string& subject) {
  const std::string file = "file-" + std::to_string(++counter_) + ".txt";
  WriteFile(dir, file, subject + "\n");
  Git(dir, {"add", file});
  Git(dir, {"commit", "--quiet", "-m", subject});
  return Head(dir);
}

void GitRepos::Tag(const std::string& dir, const std::string& name) {
  Git(dir, {"tag", "-a", "-m", "Release " + name, name});
}

void GitRepos::Push() { Git(pusher(), {"push", "--quiet", "--follow-tags", "origin", "main"}); }

void GitRepos::PushCommits(int count, int first) {
  for (int i = first; i < first + count; ++i) Commit(pusher(), "Change " + std::to_string(i));
  Push();
}

std::string GitRepos::Head(const std::string& dir) { return Git(dir, {"rev-parse", "HEAD"}); }

void GitRepos::WriteFile(const std::string& dir, const std::string& relative,
                         const std::string& text) {
  const std::filesystem::path path = std::filesystem::path(dir) / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::trunc | std::ios::binary) << text;
}

GitDaemon::GitDaemon(const std::string& base_path) {
  IsolateGitEnvironment();
  port_ = FreePort();
  std::vector<std::string> args = {
      "git",          "daemon",      "--listen=127.0.0.1",       "--port=" + std::to_string(port_),
      "--export-all", "--reuseaddr", "--base-path=" + base_path, base_path};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group: the daemon forks a child per connection, all stopped together.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  const int rc = ::posix_spawnp(&pid_, "git", nullptr, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start git daemon";
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Accepts(port_)) {
      started_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "git daemon did not listen on 127.0.0.1:" << port_;
}

GitDaemon::~GitDaemon() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      ::kill(-pid_, SIGKILL);  // what its connection children left behind
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
}

std::string GitDaemon::Url(const std::string& name) const {
  return "git://127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace upkeep::testing
