#include "tests/support/scripted_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

namespace upkeep::testing {

ScriptedHttpServer::ScriptedHttpServer() { Start(); }

ScriptedHttpServer::ScriptedHttpServer(const ScriptedTls& tls) {
  tls_context_ = SSL_CTX_new(TLS_server_method());
  if (tls_context_ == nullptr) throw std::runtime_error("SSL_CTX_new failed");
  if (SSL_CTX_use_certificate_chain_file(tls_context_, tls.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(tls_context_, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(tls_context_);
    throw std::runtime_error("cannot load " + tls.cert_file + " or " + tls.key_file);
  }
  Start();
}

void ScriptedHttpServer::Start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t size = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
  ::close(listen_fd_);
  if (tls_context_ != nullptr) SSL_CTX_free(tls_context_);
}

std::string ScriptedHttpServer::url(const std::string& path) const {
  return std::string(tls_context_ != nullptr ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port_) + path;
}

void ScriptedHttpServer::SetReply(ScriptedReply reply) {
  std::lock_guard lock(mutex_);
  reply_ = std::move(reply);
}

std::vector<std::string> ScriptedHttpServer::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int ScriptedHttpServer::FailedHandshakes() const {
  std::lock_guard lock(mutex_);
  return failed_handshakes_;
}

std::string ScriptedHttpServer::Response(int status, const std::string& reason,
                                         const std::string& body, const std::string& content_type) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

bool ScriptedHttpServer::SleepUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !stop_cv_.wait_for(lock, delay, [this] { return stopping_; });
}

void ScriptedHttpServer::Serve() {
  // OpenSSL writes with write(), not send(MSG_NOSIGNAL): a client that hung up (a timeout, the
  // body cap) would raise SIGPIPE. Blocked in this thread, the write fails with EPIPE instead.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;  // short waits, so that stopping is noticed
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);
    ::close(fd);
  }
}

void ScriptedHttpServer::Handle(int fd) {
  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL, SslFree> ssl;
  if (tls_context_ != nullptr) {
    // Blocking TLS with socket timeouts: a client that stalls cannot hold the server for long.
    timeval timeout{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    ssl.reset(SSL_new(tls_context_));
    SSL_set_fd(ssl.get(), fd);
    if (SSL_accept(ssl.get()) != 1) {
      ERR_clear_error();
      std::lock_guard lock(mutex_);
      ++failed_handshakes_;
      return;
    }
  }
  const auto receive = [&](char* buffer, size_t size) -> ssize_t {
    if (ssl) return SSL_read(ssl.get(), buffer, static_cast<int>(size));
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) return -2;  // nothing yet: look at the deadline, wait again
    return ::recv(fd, buffer, size, 0);
  };
  std::string head;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (head.find("\r\n\r\n") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = receive(buffer, sizeof buffer);
    if (n == -2) continue;
    if (n <= 0) return;
    head.append(buffer, static_cast<size_t>(n));
  }
  ScriptedReply reply;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(head);
    reply = reply_;
  }
  if (reply.delay.count() > 0 && !SleepUnlessStopping(reply.delay)) return;
  if (reply.close_without_reply) return;
  size_t sent = 0;
  while (sent < reply.raw.size()) {
    const char* data = reply.raw.data() + sent;
    const size_t left = reply.raw.size() - sent;
    // A client that gave up (timeout, body cap) has closed its end: see Serve() on SIGPIPE.
    const ssize_t n = ssl ? SSL_write(ssl.get(), data, static_cast<int>(left))
                          : ::send(fd, data, left, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
  if (ssl) {
    SSL_shutdown(ssl.get());
  } else {
    ::shutdown(fd, SHUT_WR);
  }
}

}  // namespace upkeep::testing
