#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace upkeep::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<char*> ArgvOf(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

std::optional<int> WaitPid(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

DaemonProcess::DaemonProcess(std::vector<std::string> args, std::chrono::milliseconds startup,
                             const std::string& binary, const std::string& listening_pattern) {
  char log_template[] = "/tmp/upkeep-test-log-XXXXXX";
  const int log_fd = ::mkstemp(log_template);
  if (log_fd < 0) throw std::runtime_error("mkstemp failed");
  log_path_ = log_template;

  bool has_listen = false;
  for (const std::string& arg : args) {
    if (arg.rfind("--web.listen-address", 0) == 0) has_listen = true;
  }
  std::vector<std::string> full = {binary};
  full.insert(full.end(), args.begin(), args.end());
  if (!has_listen) {
    full.emplace_back("--web.listen-address");
    full.emplace_back("127.0.0.1:0");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv = ArgvOf(full);
  const int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(log_fd);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);

  const std::regex listening(listening_pattern);
  const auto deadline = std::chrono::steady_clock::now() + startup;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string log = Log();
    if (std::regex_search(log, match, listening)) {
      port_ = static_cast<uint16_t>(std::stoi(match[1]));
      return;
    }
    if (std::optional<int> status = WaitPid(pid_, std::chrono::milliseconds(0))) {
      exit_status_ = status;  // exited during start-up
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    // SIGTERM first: only a graceful exit writes the daemon's coverage data (gcov) and runs its
    // leak check (ASan builds). SIGKILL if it does not stop in time.
    ::kill(pid_, SIGTERM);
    if (!WaitPid(pid_, std::chrono::seconds(10))) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  if (!log_path_.empty()) ::unlink(log_path_.c_str());
}

std::optional<int> DaemonProcess::StopWith(int signal, std::chrono::milliseconds limit) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, signal);
  std::optional<int> status = WaitPid(pid_, limit);
  if (status) pid_ = -1;
  return status;
}

std::optional<int> DaemonProcess::WaitForExit(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return exit_status_;
  std::optional<int> status = WaitPid(pid_, limit);
  if (status) pid_ = -1;
  return status;
}

std::string DaemonProcess::Log() const { return ReadAll(log_path_); }

CommandResult RunCommand(const std::vector<std::string>& argv_in, const std::string& stdin_text) {
  TempDir dir;
  const std::string in_path = dir.Write("stdin", stdin_text);
  const std::string out_path = dir.path() + "/out";
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = ArgvOf(args);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_fd);
  CommandResult result;
  if (rc != 0) {
    result.output = "cannot run " + argv_in[0];
    return result;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.output = ReadAll(out_path);
  return result;
}

TempDir::TempDir() {
  char path[] = "/tmp/upkeep-test-XXXXXX";
  if (::mkdtemp(path) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = path;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string path = path_ + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace upkeep::testing
