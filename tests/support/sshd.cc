#include "tests/support/sshd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace upkeep::testing {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

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

std::string CurrentUserName() {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof buffer, &found) != 0 || found == nullptr) {
    return std::to_string(::geteuid());
  }
  return found->pw_name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "ssh-ed25519 AAAA..." of a .pub file: its comment left out.
std::string PublicKey(const std::string& pub_path) {
  std::istringstream in(ReadFile(pub_path));
  std::string type;
  std::string blob;
  in >> type >> blob;
  return type + " " + blob;
}

bool MakeKeyPair(const std::string& path, const std::string& type) {
  const CommandResult made =
      RunCommand({"ssh-keygen", "-q", "-t", type, "-N", "", "-C", "upkeep-test", "-f", path});
  EXPECT_EQ(made.exit_status, 0) << "ssh-keygen -t " << type << ": " << made.output;
  return made.exit_status == 0;
}

// /proc/PID/stat's fields after "pid (comm)" (comm may hold spaces): [0] state, [1] ppid,
// [19] start time. Empty when the process is gone.
std::vector<std::string> StatFields(pid_t pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

// A process as found at one moment: its start time tells it from a later one given its pid.
struct ProcessId {
  pid_t pid;
  std::string start_time;
  bool StillRunning() const {
    const std::vector<std::string> fields = StatFields(pid);
    return fields.size() > 19 && fields[19] == start_time;
  }
};

// Every process descended from `root`, found through /proc's parent links. sshd runs each
// connection in a session of its own (setsid), outside its process group.
std::vector<ProcessId> Descendants(pid_t root) {
  struct Entry {
    ProcessId id;
    pid_t ppid;
  };
  std::vector<Entry> entries;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    const std::vector<std::string> fields = StatFields(pid);
    if (fields.size() <= 19) continue;
    entries.push_back({{pid, fields[19]}, static_cast<pid_t>(std::stol(fields[1]))});
  }
  std::vector<pid_t> parents = {root};
  std::vector<ProcessId> found;
  for (size_t i = 0; i < parents.size(); ++i) {
    for (const Entry& entry : entries) {
      if (entry.ppid != parents[i]) continue;
      parents.push_back(entry.id.pid);
      found.push_back(entry.id);
    }
  }
  return found;
}

}  // namespace

Sshd::Sshd(const std::string& client_key_type) : user_(CurrentUserName()) {
  if (::access(kSshd, X_OK) != 0) {
    ADD_FAILURE() << kSshd << " is missing: install openssh-server (scripts/install-deps.sh test)";
    return;
  }
  // sshd's privilege separation directory; the package's service would create it, and it
  // never runs here.
  if (::mkdir("/run/sshd", 0755) != 0 && errno != EEXIST) {
    ADD_FAILURE() << "cannot create /run/sshd: " << std::strerror(errno);
    return;
  }
  const std::string host_key = dir_.path() + "/host_key";
  if (!MakeKeyPair(host_key, "ed25519") || !MakeKeyPair(client_key(), client_key_type)) return;
  const std::string authorized = dir_.path() + "/authorized_keys";
  std::ofstream(authorized) << PublicKey(client_key() + ".pub") << "\n";

  port_ = FreePort();
  std::ofstream(known_hosts()) << KnownHostsLine() << "\n";
  std::ostringstream config_text;
  config_text << "ListenAddress 127.0.0.1\n"
              << "Port " << port_ << "\n"
              << "HostKey " << host_key << "\n"
              << "AuthorizedKeysFile " << authorized << "\n"
              << "AuthenticationMethods publickey\n"
              << "PasswordAuthentication no\n"
              << "KbdInteractiveAuthentication no\n"
              << "PermitRootLogin prohibit-password\n"
              // The temp dir's modes are not a real home's; the keys are the test's own.
              << "StrictModes no\n"
              << "UsePAM no\n"
              << "PidFile none\n"
              << "PrintMotd no\n"
              // Well above any client cap, so that the client's own cap is what ends a refused
              // key (the server's default of 6 would cut it off first).
              << "MaxAuthTries 30\n"
              << "LogLevel VERBOSE\n";
  // No PATH setting: a session gets sshd's default one, which has /usr/bin/git-upload-pack.
  const std::string config = dir_.Write("sshd_config", config_text.str());

  const std::string log = dir_.path() + "/sshd.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, stopped together; connections escape it (see Descendants).
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  // sshd re-executes itself for every connection: it must be started by its absolute path.
  std::vector<std::string> args = {kSshd, "-D", "-e", "-f", config};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, kSshd, &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start " << kSshd << ": " << std::strerror(rc);
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Accepts(port_)) {
      started_ = true;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "sshd exited at start-up:\n" << Log();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "sshd did not listen on 127.0.0.1:" << port_ << ":\n" << Log();
}

Sshd::~Sshd() {
  if (pid_ <= 0) return;
  const std::vector<ProcessId> connections = Descendants(pid_);
  ::kill(-pid_, SIGTERM);
  for (const ProcessId& connection : connections) ::kill(connection.pid, SIGTERM);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 100 && !exited; ++i) {
    exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  if (!exited) ::waitpid(pid_, &status, 0);
  // Connections are not our children (nothing to reap); a pid seen before is killed only while
  // it is still the same process.
  for (const ProcessId& connection : connections) {
    if (connection.StillRunning()) ::kill(connection.pid, SIGKILL);
  }
}

std::string Sshd::Url(const std::string& absolute_path) const {
  return "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_) + absolute_path;
}

std::string Sshd::KnownHostsLine() const {
  return "[127.0.0.1]:" + std::to_string(port_) + " " + PublicKey(dir_.path() + "/host_key.pub");
}

std::string Sshd::ForeignKnownHostsLine() const {
  const std::string foreign = dir_.path() + "/foreign_host_key";
  if (!std::filesystem::exists(foreign + ".pub")) MakeKeyPair(foreign, "ed25519");
  return "[127.0.0.1]:" + std::to_string(port_) + " " + PublicKey(foreign + ".pub");
}

std::string Sshd::MakeUnauthorizedKey(const std::string& name, const std::string& type) const {
  std::string path = dir_.path() + "/" + name;
  MakeKeyPair(path, type);
  return path;
}

std::string Sshd::Log() const { return ReadFile(dir_.path() + "/sshd.log"); }

}  // namespace upkeep::testing
