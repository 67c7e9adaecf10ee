#include "queue/http_queue_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "queue/queue_json.h"

namespace upkeep {
namespace {

// A token is a line of text; a bigger file is the wrong file.
constexpr size_t kMaxTokenBytes = 16 * 1024;

}  // namespace

Result<std::string> ReadBearerToken(const std::string& path) {
  const auto fail = [&path](const std::string& why) {
    return MakeError("bearer_token_file " + path + ": " + why);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return fail(std::strerror(errno));
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return fail(std::strerror(error));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxTokenBytes) {
      ::close(fd);
      return fail("larger than " + std::to_string(kMaxTokenBytes) + " bytes, not a token");
    }
  }
  ::close(fd);
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return fail("the file is empty");
  const size_t end = text.find_last_not_of(" \t\r\n");
  std::string token = text.substr(begin, end - begin + 1);
  for (const char ch : token) {
    const auto c = static_cast<unsigned char>(ch);
    // Anything else would break (or inject into) the request's header block.
    if (c <= ' ' || c == 0x7f) return fail("the token contains spaces or control characters");
  }
  return token;
}

HttpQueueSource::HttpQueueSource(HttpQueueSourceOptions options) : options_(std::move(options)) {}

Result<QueueProbe> HttpQueueSource::Probe() {
  const auto fail = [this](const std::string& why) {
    return MakeError("GET " + options_.url_text + ": " + why);
  };
  HttpGetOptions get;
  get.timeout = options_.timeout;
  get.max_body = kMaxQueueJsonBytes;
  get.ca_file = options_.ca_file;
  if (!options_.bearer_token_file.empty()) {
    Result<std::string> token = ReadBearerToken(options_.bearer_token_file);
    if (!token) return fail(token.error());
    get.bearer_token = std::move(token).value();
  }
  Result<HttpReply> reply = HttpGet(options_.url, get);
  if (!reply) {
    // HttpGet names the URL in its normalised form; say it as configured, like the rest.
    std::string why = reply.error();
    const std::string named = "GET " + options_.url.Text() + ": ";
    if (why.starts_with(named)) why.erase(0, named.size());
    return fail(why);
  }
  if (reply->status != 200) {
    // The body is left out on purpose: it often holds a timestamp or request id, and an error
    // that changes at each probe would be logged at each probe.
    std::string why = "HTTP " + std::to_string(reply->status);
    if (!reply->reason.empty()) why += " " + reply->reason;
    if (reply->status == 401 || reply->status == 403) why += " (check bearer_token_file)";
    if (reply->status >= 300 && reply->status < 400) why += " (redirects are not followed)";
    return fail(why);
  }
  Result<QueueProbe> probe = ParseQueueJson(reply->body);
  if (!probe) return fail(probe.error());
  return probe;
}

}  // namespace upkeep
