#pragma once

#include <string>

#include "common/result.h"

namespace upkeep {

// What the daemon's TLS start-up does with web.tls, without starting anything: CivetWeb can
// serve TLS here (CheckTlsSupport), and the certificate chain and the private key load into a
// fresh server context and match (ConfigureTlsContext, the daemon's own init_ssl). For
// `upkeep check-config`; the error is the one the daemon would stop with.
Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file);

}  // namespace upkeep
