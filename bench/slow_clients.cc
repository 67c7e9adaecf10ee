// slow_clients: holds N connections to 127.0.0.1:PORT that each trickle an HTTP request's
// headers one byte per interval and never finish them (a "slowloris"). A connection the
// server closes (its request timeout) is opened again at once, so the pressure on the
// server's worker pool stays constant. Runs for --seconds, then prints key=value counts.
//
//   slow_clients --port P [--clients 200] [--interval-ms 1000] [--seconds 60]

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

volatile sig_atomic_t g_stop = 0;  // SIGTERM or SIGINT: stop early, still print the counts
void OnStopSignal(int /*signal*/) { g_stop = 1; }

// A request line and a header that never ends: one byte of it per interval.
constexpr std::string_view kPrefix = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

struct Connection {
  int fd = -1;
  bool connected = false;
  size_t sent = 0;  // bytes of the request sent so far
  Clock::time_point next_send;
  Clock::time_point reconnect_at;  // after a drop: not before this (no busy reconnect loop)
};

struct Counts {
  unsigned long long opened = 0;          // connect() calls that started
  unsigned long long closed_by_peer = 0;  // the server hung up (timeout) or reset
  unsigned long long bytes = 0;
};

bool StartConnect(Connection& c, uint16_t port, Counts& counts) {
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int rc = connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  if (rc != 0 && errno != EINPROGRESS) {
    close(c.fd);
    c.fd = -1;
    return false;
  }
  c.connected = rc == 0;
  c.sent = 0;
  c.next_send = Clock::now();
  ++counts.opened;
  return true;
}

// A server that refuses at once must not turn the reconnects into a busy loop that steals
// the CPU from the server being measured.
constexpr auto kReconnectDelay = std::chrono::milliseconds(10);

void Drop(Connection& c) {
  if (c.fd >= 0) close(c.fd);
  c.fd = -1;
  c.connected = false;
  c.reconnect_at = Clock::now() + kReconnectDelay;
}

char NextByte(const Connection& c) { return c.sent < kPrefix.size() ? kPrefix[c.sent] : 'a'; }

int Usage() {
  std::fputs("usage: slow_clients --port P [--clients N] [--interval-ms M] [--seconds S]\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0;
  long clients = 200;
  long interval_ms = 1000;
  long seconds = 60;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage();
    char* end = nullptr;
    const long value = std::strtol(argv[++i], &end, 10);
    if (*end != '\0' || value <= 0) return Usage();
    if (arg == "--port") {
      port = value;
    } else if (arg == "--clients") {
      clients = value;
    } else if (arg == "--interval-ms") {
      interval_ms = value;
    } else if (arg == "--seconds") {
      seconds = value;
    } else {
      return Usage();
    }
  }
  if (port <= 0 || port > 65535) return Usage();
  signal(SIGPIPE, SIG_IGN);
  struct sigaction stop {};
  stop.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &stop, nullptr);
  sigaction(SIGINT, &stop, nullptr);

  const auto interval = std::chrono::milliseconds(interval_ms);
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  std::vector<Connection> connections(static_cast<size_t>(clients));
  Counts counts;
  std::vector<pollfd> fds;
  std::vector<size_t> owners;  // fds[i] belongs to connections[owners[i]]
  while (Clock::now() < deadline && g_stop == 0) {
    const auto now = Clock::now();
    fds.clear();
    owners.clear();
    for (size_t i = 0; i < connections.size(); ++i) {
      Connection& c = connections[i];
      if (c.fd < 0) {
        if (now < c.reconnect_at || !StartConnect(c, static_cast<uint16_t>(port), counts)) continue;
      }
      if (c.connected && now >= c.next_send) {
        const char byte = NextByte(c);
        if (send(c.fd, &byte, 1, MSG_NOSIGNAL) == 1) {
          ++c.sent;
          ++counts.bytes;
          c.next_send = now + interval;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
          ++counts.closed_by_peer;
          Drop(c);
          continue;
        }
      }
      // Writable: the connect finished. Readable or hung up: the server answered or closed.
      short events = POLLIN;
      if (!c.connected) events |= POLLOUT;
      fds.push_back({c.fd, events, 0});
      owners.push_back(i);
    }
    poll(fds.data(), fds.size(), 100);
    for (size_t i = 0; i < fds.size(); ++i) {
      const pollfd& p = fds[i];
      Connection& c = connections[owners[i]];
      if (p.revents == 0) continue;
      if (!c.connected && (p.revents & POLLOUT) && !(p.revents & (POLLERR | POLLHUP))) {
        c.connected = true;
      }
      if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
        char discard[4096];
        const ssize_t n = recv(c.fd, discard, sizeof discard, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
            (p.revents & (POLLERR | POLLHUP))) {
          ++counts.closed_by_peer;
          Drop(c);
        }
      }
    }
  }
  long open_at_end = 0;
  for (Connection& c : connections) {
    if (c.fd >= 0 && c.connected) ++open_at_end;
    Drop(c);
  }
  std::printf("opened=%llu\nclosed_by_peer=%llu\nbytes_sent=%llu\nopen_at_end=%ld\n", counts.opened,
              counts.closed_by_peer, counts.bytes, open_at_end);
  return 0;
}
