#pragma once

#include <string>

#include "common/result.h"

namespace upkeep {

// Whether CivetWeb can serve TLS here. Debian's CivetWeb is built with TLS but loads
// libssl.so and libcrypto.so by those names at run time (dlopen); the names come with
// libssl-dev. The error says which library is missing and how to get it.
Status CheckTlsSupport();

// Makes Debian 12's CivetWeb 1.15 work with OpenSSL 3. Call after mg_init_library(TLS) and
// before mg_start. CivetWeb looks its OpenSSL functions up by name with dlsym; it is built for
// the OpenSSL 1.1 API and asks for SSL_get_peer_certificate, which OpenSSL 3 only has as a
// macro for SSL_get1_peer_certificate (upstream civetweb#1334). Its first TLS initialisation
// then fails, a reference counter makes the retry in mg_start "succeed", and every HTTPS
// connection calls the missing (NULL) function after the handshake: a segfault, measured here
// with the packaged `civetweb` binary too. This finds that entry of CivetWeb's function table
// (by the function names it holds, validating the layout) and points it at
// SSL_get1_peer_certificate, which has the same signature and the same ownership of the
// returned certificate. Any other missing mandatory function is an error, as is a table
// that cannot be found when the repair is needed. A no-op when libssl.so exports the symbol.
Status RepairCivetwebTls();

// CivetWeb's init_ssl callback body: loads the certificate chain and the private key into its
// SSL_CTX (CivetWeb 1.15 itself only takes both in one PEM file), checks that they match, and
// sets TLS 1.2 as the minimum version. The error names the file and OpenSSL's reason.
Status ConfigureTlsContext(void* ssl_ctx, const std::string& cert_file,
                           const std::string& key_file);

// OpenSSL's queued error reasons, "; "-joined (the queue is emptied); "unknown OpenSSL error"
// when there are none.
std::string OpenSslErrors();

}  // namespace upkeep
