#pragma once

// A private CA and a server certificate it signed, made with the openssl CLI in a temp dir, for
// testing TLS clients that verify (the server's certificate names IP 127.0.0.1 and localhost).

#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep::testing {

struct TestPki {
  std::string ca_file;    // the CA's certificate: what a client is told to trust
  std::string cert_file;  // the server's certificate, signed by the CA
  std::string key_file;   // the server's private key
  std::string error;      // empty when all three were made
};

TestPki MakeTestPki(const TempDir& dir);

}  // namespace upkeep::testing
