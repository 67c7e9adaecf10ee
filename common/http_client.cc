#include "common/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/text.h"
#include "common/version.h"

namespace upkeep {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHeadBytes = 64 * 1024;
// Name lookups that outlived their probe and still run in the background. A resolver that
// never answers would otherwise gain a thread per probe.
constexpr int kMaxPendingLookups = 4;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Parses a decimal or hex number of at most `max_digits` digits; nullopt if it is not one.
std::optional<uint64_t> ParseNumber(std::string_view text, int base, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  uint64_t value = 0;
  for (const char ch : text) {
    int digit = -1;
    if (ch >= '0' && ch <= '9') digit = ch - '0';
    if (base == 16 && ch >= 'a' && ch <= 'f') digit = ch - 'a' + 10;
    if (base == 16 && ch >= 'A' && ch <= 'F') digit = ch - 'A' + 10;
    if (digit < 0) return std::nullopt;
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return value;
}

// De-chunks a "Transfer-Encoding: chunked" body. nullopt: more bytes are needed.
Result<std::optional<std::string>> Dechunk(std::string_view data, bool at_eof, size_t max_body) {
  std::string body;
  const auto more = [&]() -> Result<std::optional<std::string>> {
    if (at_eof) return MakeError("the response ended inside its chunked body");
    return std::optional<std::string>();
  };
  for (;;) {
    const size_t line_end = data.find("\r\n");
    if (line_end == std::string_view::npos) return more();
    std::string_view size_text = data.substr(0, line_end);
    size_text = Trim(size_text.substr(0, size_text.find(';')));  // chunk extensions are ignored
    const std::optional<uint64_t> size = ParseNumber(size_text, 16, 15);
    if (!size) return MakeError("malformed chunk size \"" + Printable(size_text, 20) + "\"");
    data.remove_prefix(line_end + 2);
    if (*size == 0) {
      // Trailer fields (ignored), then the empty line that ends the message.
      for (;;) {
        const size_t end = data.find("\r\n");
        if (end == std::string_view::npos) return more();
        data.remove_prefix(end + 2);
        if (end == 0) return std::optional<std::string>(std::move(body));
      }
    }
    if (body.size() + *size > max_body) {
      return MakeError("the response body is larger than " + std::to_string(max_body) + " bytes");
    }
    if (data.size() < *size + 2) return more();
    if (data.substr(*size, 2) != "\r\n") return MakeError("a chunk does not end with CRLF");
    body.append(data.substr(0, *size));
    data.remove_prefix(*size + 2);
  }
}

// Waits until `fd` is ready for `events` or the deadline passes: 1 ready, 0 timed out, -1 error.
int WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (rc > 0) return 1;
    if (rc < 0 && errno != EINTR) return -1;
  }
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

struct Address {
  sockaddr_storage storage{};
  socklen_t size = 0;
  int family = AF_UNSPEC;
  std::string text;  // for messages
};

std::vector<Address> CopyAddresses(const addrinfo* list) {
  std::vector<Address> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.size = ai->ai_addrlen;
    a.family = ai->ai_family;
    char host[INET6_ADDRSTRLEN] = "?";
    const void* raw =
        ai->ai_family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    ::inet_ntop(ai->ai_family, raw, host, sizeof host);
    a.text = ai->ai_family == AF_INET6 ? "[" + std::string(host) + "]" : std::string(host);
    out.push_back(std::move(a));
  }
  return out;
}

// A name lookup shared between the probe that waits for it and the thread that runs it, so
// that either may finish first.
struct Lookup {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int rc = 0;
  std::vector<Address> addresses;
};

std::atomic<int> g_pending_lookups{0};

Result<std::vector<Address>> Resolve(const HttpUrl& url, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
  const std::string port = std::to_string(url.port);
  addrinfo* list = nullptr;
  // An address literal needs no lookup: answered at once, no thread.
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list) == 0) {
    std::vector<Address> addresses = CopyAddresses(list);
    ::freeaddrinfo(list);
    return addresses;
  }
  // getaddrinfo() has no timeout of its own: it runs on a thread of its own, and the probe
  // stops waiting at the deadline. A late answer is dropped.
  if (g_pending_lookups.load() >= kMaxPendingLookups) {
    return MakeError("name lookup of " + url.host + " is not answering");
  }
  auto lookup = std::make_shared<Lookup>();
  g_pending_lookups.fetch_add(1);
  std::thread([lookup, host = url.host, port] {
    addrinfo hints_copy{};
    hints_copy.ai_family = AF_UNSPEC;
    hints_copy.ai_socktype = SOCK_STREAM;
    hints_copy.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints_copy, &found);
    std::vector<Address> addresses;
    if (rc == 0) {
      addresses = CopyAddresses(found);
      ::freeaddrinfo(found);
    }
    {
      std::lock_guard lock(lookup->mutex);
      lookup->done = true;
      lookup->rc = rc;
      lookup->addresses = std::move(addresses);
    }
    lookup->done_cv.notify_all();
    g_pending_lookups.fetch_sub(1);
  }).detach();
  std::unique_lock lock(lookup->mutex);
  if (!lookup->done_cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    return MakeError("name lookup of " + url.host + " did not finish within the timeout");
  }
  if (lookup->rc != 0) {
    return MakeError("cannot resolve " + url.host + ": " + ::gai_strerror(lookup->rc));
  }
  return std::move(lookup->addresses);
}

// Connects to one of `addresses` (in order) before the deadline.
Result<int> Connect(const std::vector<Address>& addresses, uint16_t port,
                    Clock::time_point deadline, std::chrono::milliseconds timeout) {
  std::string last_error = "no address to connect to";
  for (const Address& a : addresses) {
    const int fd = ::socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    const std::string where = a.text + ":" + std::to_string(port);
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&a.storage), a.size);
    if (rc != 0 && errno == EINPROGRESS) {
      const int ready = WaitFor(fd, POLLOUT, deadline);
      if (ready == 0) {
        ::close(fd);
        return MakeError("cannot connect to " + where + " within the timeout of " +
                         std::to_string(timeout.count()) + " ms");
      }
      int error = 0;
      socklen_t size = sizeof error;
      if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
      rc = error == 0 ? 0 : -1;
      errno = error;
    }
    if (rc == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    last_error = "cannot connect to " + where + ": " + std::strerror(errno);
    ::close(fd);
  }
  return MakeError(last_error);
}

std::string TimeoutMessage(std::chrono::milliseconds timeout) {
  return "no complete response within the timeout of " + std::to_string(timeout.count()) + " ms";
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  const auto fail = [url](const std::string& why) {
    return MakeError("invalid URL \"" + Printable(url, 200) + "\": " + why);
  };
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return fail("expected http://HOST[:PORT]/PATH");
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme == "https") {
    return fail(
        "https:// is not supported: the queue's http source speaks plain http:// only (meant for "
        "the service's own endpoint on this host); for a remote TLS endpoint use a command "
        "source, e.g. run: \"curl -fsS --max-time 1 https://...\"");
  }
  if (scheme != "http") return fail("only http:// URLs are supported, got " + scheme + "://");
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));
  for (const char ch : rest) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == 0x7f) return fail("spaces and control characters must be %-encoded");
  }
  const size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return fail("credentials in the URL are not supported; use bearer_token_file");
  }
  HttpUrl parsed;
  std::string_view port_text;
  bool explicit_port = false;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("missing \"]\" after the IPv6 address");
    parsed.host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return fail("unexpected text after \"]\"");
    explicit_port = !after.empty();
    if (explicit_port) port_text = after.substr(1);
    if (parsed.host.find(':') == std::string::npos) return fail("not an IPv6 address in brackets");
  } else {
    const size_t colon = authority.find(':');
    parsed.host = authority.substr(0, colon);
    explicit_port = colon != std::string_view::npos;
    if (explicit_port) port_text = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return fail("missing host");
  for (const char ch : parsed.host) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-' && ch != '_' &&
        ch != ':' && ch != '%') {
      return fail("invalid character in the host");
    }
  }
  if (explicit_port) {
    const std::optional<uint64_t> port = ParseNumber(port_text, 10, 5);
    if (!port || *port == 0 || *port > 65535) return fail("the port must be from 1 to 65535");
    parsed.port = static_cast<uint16_t>(*port);
  }
  if (target.empty()) target = "/";
  parsed.target = target.starts_with('?') ? "/" + std::string(target) : std::string(target);
  parsed.host_header = authority.starts_with('[') ? "[" + parsed.host + "]" : parsed.host;
  if (explicit_port) parsed.host_header += ":" + std::to_string(parsed.port);
  return parsed;
}

namespace {

// Interim (1xx) responses before the final one; a server sending more is not well.
constexpr int kMaxInterimResponses = 8;

Result<std::optional<HttpReply>> ParseResponse(std::string_view raw, bool at_eof, size_t max_body,
                                               int interim) {
  using Out = Result<std::optional<HttpReply>>;
  const std::string_view prefix = "HTTP/1.";
  if (raw.substr(0, prefix.size()) != prefix.substr(0, std::min(raw.size(), prefix.size()))) {
    return MakeError("not an HTTP response (it starts with \"" + Printable(raw, 40) + "\")");
  }
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (raw.size() > kMaxHeadBytes) return MakeError("the response headers are too large");
    if (!at_eof) return Out(std::optional<HttpReply>());
    if (raw.empty()) return MakeError("the server closed the connection without a response");
    return MakeError("the response ended inside its headers");
  }
  if (head_end > kMaxHeadBytes) return MakeError("the response headers are too large");

  HttpReply reply;
  std::string_view head = raw.substr(0, head_end + 2);  // each line ends with CRLF
  const size_t status_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, status_end);
  head.remove_prefix(status_end + 2);
  // "HTTP/1.1 200 OK": the version, a space, three digits, then an optional reason.
  const std::optional<uint64_t> status =
      status_line.size() >= 12 && status_line[8] == ' ' &&
              (status_line.size() == 12 || status_line[12] == ' ')
          ? ParseNumber(status_line.substr(9, 3), 10, 3)
          : std::nullopt;
  if (!status || *status < 100) {
    return MakeError("malformed status line \"" + Printable(status_line, 60) + "\"");
  }
  reply.status = static_cast<int>(*status);
  reply.reason = status_line.size() > 13 ? Printable(status_line.substr(13), 60) : "";
  while (!head.empty()) {
    const size_t line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    head.remove_prefix(line_end + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      return MakeError("malformed header line \"" + Printable(line, 60) + "\"");
    }
    const std::string name = Lower(line.substr(0, colon));
    const std::string value(Trim(line.substr(colon + 1)));
    auto [it, inserted] = reply.headers.emplace(name, value);
    if (!inserted) {
      if (name == "content-length" && it->second != value) {
        return MakeError("conflicting Content-Length headers");
      }
      if (name != "content-length") it->second += ", " + value;
    }
  }
  std::string_view rest = raw.substr(head_end + 4);

  // An interim response (100 Continue, 103 Early Hints) precedes the real one.
  if (reply.status < 200) {
    if (interim >= kMaxInterimResponses) return MakeError("too many interim (1xx) responses");
    return ParseResponse(rest, at_eof, max_body, interim + 1);
  }
  if (reply.status == 204 || reply.status == 304) return Out(std::optional(std::move(reply)));

  const auto te = reply.headers.find("transfer-encoding");
  if (te != reply.headers.end()) {
    if (Lower(te->second) != "chunked") {
      return MakeError("unsupported Transfer-Encoding \"" + Printable(te->second, 40) + "\"");
    }
    Result<std::optional<std::string>> body = Dechunk(rest, at_eof, max_body);
    if (!body) return Error{body.error()};
    if (!*body) return Out(std::optional<HttpReply>());
    reply.body = std::move(body.value()).value();
    return Out(std::optional(std::move(reply)));
  }
  const auto cl = reply.headers.find("content-length");
  if (cl != reply.headers.end()) {
    const std::optional<uint64_t> length = ParseNumber(cl->second, 10, 18);
    if (!length) return MakeError("malformed Content-Length \"" + Printable(cl->second, 30) + "\"");
    if (*length > max_body) {
      return MakeError("the response body is larger than " + std::to_string(max_body) + " bytes");
    }
    if (rest.size() < *length) {
      if (!at_eof) return Out(std::optional<HttpReply>());
      return MakeError("the response ended after " + std::to_string(rest.size()) + " of " +
                       std::to_string(*length) + " body bytes");
    }
    reply.body = rest.substr(0, *length);
    return Out(std::optional(std::move(reply)));
  }
  // No length: the body runs until the server closes.
  if (rest.size() > max_body) {
    return MakeError("the response body is larger than " + std::to_string(max_body) + " bytes");
  }
  if (!at_eof) return Out(std::optional<HttpReply>());
  reply.body = rest;
  return Out(std::optional(std::move(reply)));
}

}  // namespace

Result<std::optional<HttpReply>> ParseHttpResponse(std::string_view raw, bool at_eof,
                                                   size_t max_body) {
  return ParseResponse(raw, at_eof, max_body, 0);
}

Result<HttpReply> HttpGet(const HttpUrl& url, const HttpGetOptions& options) {
  const Clock::time_point deadline = Clock::now() + options.timeout;
  Result<std::vector<Address>> addresses = Resolve(url, deadline);
  if (!addresses) return Error{addresses.error()};
  Result<int> connected = Connect(*addresses, url.port, deadline, options.timeout);
  if (!connected) return Error{connected.error()};
  const Fd fd(*connected);

  std::string request = "GET " + url.target + " HTTP/1.1\r\nHost: " + url.host_header +
                        "\r\nUser-Agent: upkeep/" + kVersion +
                        "\r\nAccept: application/json\r\nAccept-Encoding: identity\r\n"
                        "Connection: close\r\n";
  if (!options.bearer_token.empty()) {
    request += "Authorization: Bearer " + options.bearer_token + "\r\n";
  }
  request += "\r\n";
  std::string_view unsent = request;
  while (!unsent.empty()) {
    const ssize_t n = ::send(fd.get(), unsent.data(), unsent.size(), MSG_NOSIGNAL);
    if (n > 0) {
      unsent.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int ready = WaitFor(fd.get(), POLLOUT, deadline);
      if (ready == 0) return MakeError(TimeoutMessage(options.timeout));
      if (ready > 0) continue;
    }
    return MakeError(std::string("cannot send the request: ") + std::strerror(errno));
  }

  // Headers, chunk framing and the body together stay well under twice the body limit.
  const size_t max_raw = kMaxHeadBytes + 2 * options.max_body;
  std::string raw;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const int ready = WaitFor(fd.get(), POLLIN, deadline);
      if (ready == 0) return MakeError(TimeoutMessage(options.timeout));
      if (ready > 0) continue;
    }
    if (n < 0) return MakeError(std::string("cannot read the response: ") + std::strerror(errno));
    const bool at_eof = n == 0;
    raw.append(buffer, static_cast<size_t>(n));
    Result<std::optional<HttpReply>> parsed = ParseHttpResponse(raw, at_eof, options.max_body);
    if (!parsed) return Error{parsed.error()};
    if (*parsed) return std::move(parsed.value()).value();
    if (raw.size() > max_raw) return MakeError("the response is too large");
    // The deadline also bounds a server that trickles bytes without ever finishing.
    if (Clock::now() >= deadline) return MakeError(TimeoutMessage(options.timeout));
  }
}

}  // namespace upkeep
