#include "server/tls_files_check.h"

#include <openssl/ssl.h>

#include <memory>

#include "server/tls_setup.h"

namespace upkeep {

Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file) {
  if (Status supported = CheckTlsSupport(); !supported) return supported;
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                                  &SSL_CTX_free);
  if (context == nullptr) return MakeError("cannot create a TLS context: " + OpenSslErrors());
  return ConfigureTlsContext(context.get(), cert_file, key_file);
}

}  // namespace upkeep
