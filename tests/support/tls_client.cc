#include "tests/support/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "server/tls_setup.h"

namespace upkeep::testing {

TlsExchange TlsRequest(uint16_t port, const std::string& raw_request,
                       const TlsClientOptions& options) {
  TlsExchange result;
  ERR_clear_error();
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) {
    result.error = "SSL_CTX_new: " + upkeep::OpenSslErrors();
    return result;
  }
  if (options.max_version != 0 && options.max_version < TLS1_2_VERSION) {
    // Let this client offer old protocols at all (OpenSSL 3's default security level
    // refuses them on the client side), so that the server is what refuses them.
    SSL_CTX_set_security_level(context, 0);
    SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0");
  }
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(context, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(context, options.max_version);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(context, options.ca_file.c_str(), nullptr) != 1) {
      result.error = "cannot load " + options.ca_file + ": " + upkeep::OpenSslErrors();
      SSL_CTX_free(context);
      return result;
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(context), "127.0.0.1");
  }

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{options.timeout_ms / 1000, (options.timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    result.error = "connect failed";
    ::close(fd);
    SSL_CTX_free(context);
    return result;
  }
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) {
    result.error = "handshake failed: " + upkeep::OpenSslErrors();
  } else {
    result.handshake_ok = true;
    result.protocol = SSL_get_version(ssl);
    result.verified = !options.ca_file.empty() && SSL_get_verify_result(ssl) == X509_V_OK;
    size_t sent = 0;
    while (sent < raw_request.size()) {
      const int n =
          SSL_write(ssl, raw_request.data() + sent, static_cast<int>(raw_request.size() - sent));
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    std::string raw;
    char buffer[16384];
    for (;;) {
      const int n = SSL_read(ssl, buffer, sizeof buffer);
      if (n <= 0) break;
      raw.append(buffer, static_cast<size_t>(n));
    }
    result.response = ParseResponse(raw, raw_request.rfind("HEAD ", 0) == 0);
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(context);
  return result;
}

}  // namespace upkeep::testing
