#include "common/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "common/text.h"
#include "common/version.h"

namespace upkeep {
namespace {

// Headers beyond this are not a queue summary; libcurl has its own (larger) limit too.
constexpr size_t kMaxHeadBytes = 64 * 1024;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Parses a decimal number of at most `max_digits` digits; nullopt if it is not one.
std::optional<uint64_t> ParseDecimal(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  uint64_t value = 0;
  for (const char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(ch - '0');
  }
  return value;
}

}  // namespace

std::string HttpUrl::Text() const {
  return (https ? "https://" : "http://") + host_header + target;
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  const auto fail = [url](const std::string& why) {
    return MakeError("invalid URL \"" + Printable(url, 200) + "\": " + why);
  };
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return fail("expected http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH");
  }
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return fail("only http:// and https:// URLs are supported, got " + Printable(scheme, 20) +
                "://");
  }
  HttpUrl parsed;
  parsed.https = scheme == "https";
  parsed.port = parsed.https ? 443 : 80;
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
    const std::optional<uint64_t> port = ParseDecimal(port_text, 5);
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

std::once_flag g_curl_once;
CURLcode g_curl_init = CURLE_OK;

// What the callbacks fill in while libcurl runs one request.
struct Exchange {
  size_t max_body = 0;
  bool body_too_large = false;
  bool head_too_large = false;
  size_t head_bytes = 0;
  HttpReply reply;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  // A short count makes libcurl abort: the only cap that also stops a chunked body, whose
  // size no header announces.
  if (exchange->reply.body.size() + n > exchange->max_body) {
    exchange->body_too_large = true;
    return 0;
  }
  exchange->reply.body.append(data, n);
  return n;
}

// libcurl hands over each header line of each response, interim (1xx) ones included; a status
// line starts a new response, so only the final one's headers remain.
size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  exchange->head_bytes += n;
  if (exchange->head_bytes > kMaxHeadBytes) {
    exchange->head_too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  HttpReply& reply = exchange->reply;
  if (line.starts_with("HTTP/")) {
    reply.headers.clear();
    reply.reason.clear();
    // "HTTP/1.1 200 OK": the reason follows the second space, if any.
    const size_t first = line.find(' ');
    const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second != std::string_view::npos) reply.reason = Printable(Trim(line.substr(second)), 60);
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;  // the blank line, or junk
  const std::string name = Lower(line.substr(0, colon));
  const std::string value(Trim(line.substr(colon + 1)));
  auto [it, inserted] = reply.headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return n;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Words for a failed transfer; the caller adds "GET <url>: ".
std::string Describe(CURLcode code, CURL* curl, const Exchange& exchange, const HttpUrl& url,
                     const HttpGetOptions& options, const char* details) {
  const std::string detail = details[0] != '\0' ? details : curl_easy_strerror(code);
  const std::string where =
      (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
      std::to_string(url.port);
  const std::string ms = std::to_string(options.timeout.count()) + " ms";
  switch (code) {
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (exchange.head_too_large) return "the response headers are too large";
      if (exchange.body_too_large || code == CURLE_FILESIZE_EXCEEDED) {
        return "the response body is larger than " + std::to_string(options.max_body) + " bytes";
      }
      return detail;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve " + url.host;  // libcurl's words say no more than this
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
      return "cannot connect to " + where + ": " +
             (os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : detail);
    }
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t lookup = 0;
      curl_off_t connect = 0;
      curl_easy_getinfo(curl, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
      curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect);
      if (lookup == 0) return "name lookup of " + url.host + " did not finish within " + ms;
      if (connect == 0) return "cannot connect to " + where + " within the timeout of " + ms;
      return "no complete response within the timeout of " + ms;
    }
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS certificate verification failed (" + detail + ")" +
             (options.ca_file.empty() ? "; a private CA needs ca_file" : "");
    case CURLE_SSL_CACERT_BADFILE:
      return "cannot load ca_file " + options.ca_file + " (" + detail + ")";
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed (" + detail + ")";
    case CURLE_GOT_NOTHING:
      return "the server closed the connection without a response";
    case CURLE_UNSUPPORTED_PROTOCOL:  // "Received HTTP/0.9 when not allowed": not HTTP at all
    case CURLE_WEIRD_SERVER_REPLY:
      return "not an HTTP response (" + detail + ")";
    case CURLE_PARTIAL_FILE:
      return "the response ended early (" + detail + ")";
    default:
      return detail;
  }
}

}  // namespace

Status HttpClientGlobalInit() {
  std::call_once(g_curl_once, [] { g_curl_init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (g_curl_init != CURLE_OK) {
    return MakeError(std::string("cannot initialise libcurl: ") + curl_easy_strerror(g_curl_init));
  }
  return OkStatus();
}

Result<HttpReply> HttpGet(const HttpUrl& url, const HttpGetOptions& options) {
  const std::string url_text = url.Text();
  const auto fail = [&url_text](const std::string& why) {
    return MakeError("GET " + url_text + ": " + why);
  };
  if (const Status init = HttpClientGlobalInit(); !init) return fail(init.error());
  const std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return fail("cannot create a libcurl handle");

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add_header = [&headers](const std::string& line) {
    // On failure libcurl leaves the list as it was; on success it may return a new head.
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown == nullptr) return false;
    (void)headers.release();
    headers.reset(grown);
    return true;
  };
  bool headers_ok = add_header("Accept: application/json");
  if (!options.bearer_token.empty()) {
    headers_ok = headers_ok && add_header("Authorization: Bearer " + options.bearer_token);
  }
  if (!headers_ok) return fail("out of memory");

  Exchange exchange;
  exchange.max_body = options.max_body;
  const std::string user_agent = std::string("upkeep/") + kVersion;
  const auto timeout_ms = static_cast<long>(options.timeout.count());
  char error_buffer[CURL_ERROR_SIZE] = "";
  CURL* h = curl.get();
  // Every option is one libcurl has had since long before 7.85 (the _STR protocol lists), so a
  // failure to set one would be a broken build; the transfer reports it then.
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_URL, url_text.c_str());
  // Our parser already decided what the URL means; "/../" goes out as written.
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // A probe thread must never get a SIGALRM or SIGPIPE; timeouts then need the threaded
  // resolver, which Debian's libcurl has.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  // An http_proxy/https_proxy in the daemon's environment must not reroute the probe.
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  // Refuses early a body whose Content-Length is already too large; OnBody catches the rest.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &exchange);

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    return fail(Describe(code, h, exchange, url, options, error_buffer));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  exchange.reply.status = static_cast<int>(status);
  return std::move(exchange.reply);
}

}  // namespace upkeep
