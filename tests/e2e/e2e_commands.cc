#include "tests/e2e/e2e_commands.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/process_checks.h"

namespace upkeep::testing {

CommandResult RunIn(const std::string& dir, const std::vector<std::string>& argv,
                    const Environment& env, std::chrono::seconds limit) {
  std::vector<std::string> full = {
      "timeout", "--kill-after=5", std::to_string(limit.count()), "env", "-C", dir};
  for (const auto& [name, value] : env) full.push_back(name + "=" + value);
  full.insert(full.end(), argv.begin(), argv.end());
  return RunCommand(full);
}

uint16_t FreeLoopbackPort() {
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

uint64_t StartTicks(pid_t pid) {
  const std::vector<std::string> fields = StatFields(pid);
  // StatFields starts at field 3: field 22 is index 19.
  if (fields.size() < 20 || fields[0] == "Z") return 0;
  return std::stoull(fields[19]);
}

ProcessGroupGuard::~ProcessGroupGuard() {
  if (group_ <= 0 || LiveMembers(group_) == 0) return;
  // While any member lives, the kernel does not hand the group's id out as a new pid: the group
  // is still ours, unless its leader is now another process that started later.
  const uint64_t leader = StartTicks(group_);
  if (leader == 0 || leader == leader_start_ticks_) ::kill(-group_, SIGKILL);
}

void ProcessGroupGuard::Watch(pid_t group, uint64_t leader_start_ticks) {
  group_ = group;
  leader_start_ticks_ = leader_start_ticks;
}

}  // namespace upkeep::testing
