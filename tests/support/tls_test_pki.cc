#include "tests/support/tls_test_pki.h"

#include <vector>

namespace upkeep::testing {

TestPki MakeTestPki(const TempDir& dir) {
  TestPki pki;
  const std::string base = dir.path() + "/";
  pki.ca_file = base + "ca.crt";
  pki.cert_file = base + "server.crt";
  pki.key_file = base + "server.key";
  const std::string extensions = dir.Write(
      "server.ext",
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
      "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  const std::vector<std::vector<std::string>> steps = {
      {"openssl",
       "req",
       "-x509",
       "-newkey",
       "ec",
       "-pkeyopt",
       "ec_paramgen_curve:prime256v1",
       "-nodes",
       "-keyout",
       base + "ca.key",
       "-out",
       pki.ca_file,
       "-days",
       "2",
       "-subj",
       "/CN=upkeep test CA",
       "-addext",
       "basicConstraints=critical,CA:TRUE",
       "-addext",
       "keyUsage=critical,keyCertSign,cRLSign"},
      {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", pki.key_file, "-out", base + "server.csr", "-subj", "/CN=127.0.0.1"},
      {"openssl", "x509", "-req", "-in", base + "server.csr", "-CA", pki.ca_file, "-CAkey",
       base + "ca.key", "-CAcreateserial", "-out", pki.cert_file, "-days", "2", "-extfile",
       extensions},
  };
  for (const std::vector<std::string>& step : steps) {
    const CommandResult made = RunCommand(step);
    if (made.exit_status != 0) {
      pki.error = step[0] + " " + step[1] + " failed: " + made.output;
      return pki;
    }
  }
  return pki;
}

}  // namespace upkeep::testing
