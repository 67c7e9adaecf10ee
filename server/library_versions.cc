#include "server/library_versions.h"

#include <civetweb.h>
#include <openssl/crypto.h>

namespace upkeep {

std::string CivetWebVersion() {
  const char* version = mg_version();
  return version != nullptr ? version : "unknown";
}

std::string OpenSslVersion() {
  const char* version = OpenSSL_version(OPENSSL_VERSION);
  return version != nullptr ? version : "unknown";
}

}  // namespace upkeep
