#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <libdeflate.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace upkeep::testing {

HttpResponse ParseResponse(const std::string& raw, bool head_request) {
  HttpResponse response;
  const size_t header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos) return response;
  const std::string head = raw.substr(0, header_end);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return response;
  response.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers[name] = value;
  }
  std::string body = raw.substr(header_end + 4);
  if (head_request) body.clear();
  const std::string length = response.Header("content-length");
  if (!length.empty() && !head_request) body = body.substr(0, std::stoul(length));
  response.body = std::move(body);
  return response;
}

HttpResponse SendRaw(uint16_t port, const std::string& raw_request, int timeout_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  size_t sent = 0;
  while (sent < raw_request.size()) {
    const ssize_t n =
        ::send(fd, raw_request.data() + sent, raw_request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buffer[16384];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  const bool head = raw_request.rfind("HEAD ", 0) == 0;
  return ParseResponse(raw, head);
}

HttpResponse Request(uint16_t port, const std::string& method, const std::string& path,
                     const std::string& extra_headers, const std::string& body) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Connection: close\r\n" + extra_headers;
  if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  return SendRaw(port, request);
}

std::string Gunzip(const std::string& compressed) {
  libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
  std::string out(std::max<size_t>(compressed.size() * 16, 1 << 16), '\0');
  for (;;) {
    size_t actual = 0;
    const libdeflate_result result = libdeflate_gzip_decompress(
        decompressor, compressed.data(), compressed.size(), out.data(), out.size(), &actual);
    if (result == LIBDEFLATE_SUCCESS) {
      out.resize(actual);
      break;
    }
    if (result != LIBDEFLATE_INSUFFICIENT_SPACE) {
      libdeflate_free_decompressor(decompressor);
      throw std::runtime_error("not valid gzip");
    }
    out.resize(out.size() * 2);
  }
  libdeflate_free_decompressor(decompressor);
  return out;
}

}  // namespace upkeep::testing
