#pragma once

#include <string>

namespace upkeep {

// The versions of the HTTP layer's libraries this process runs with (the shared libraries'
// own answers, not the headers' it was built against), for `upkeep --version`.

// CivetWeb's mg_version(): "1.15".
std::string CivetWebVersion();

// OpenSSL_version(OPENSSL_VERSION) of the libcrypto loaded: "OpenSSL 3.0.11 19 Sep 2023".
std::string OpenSslVersion();

}  // namespace upkeep
