// HTTPS against the real binary: a self-signed certificate made with the openssl CLI, and a
// TLS client built on OpenSSL (tests/support/tls_client).

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/tls_client.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;

// A P-256 key and a self-signed certificate for IP 127.0.0.1 in `dir`.
bool MakeCertificate(const TempDir& dir, const std::string& name) {
  const CommandResult made = RunCommand(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", dir.path() + "/" + name + ".key", "-out",
       dir.path() + "/" + name + ".crt", "-days", "2", "-subj", "/CN=upkeep-test", "-addext",
       "subjectAltName=IP:127.0.0.1"});
  EXPECT_EQ(made.exit_status, 0) << made.output;
  return made.exit_status == 0;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeCertificate(dir_, "server"));
    tokens_ = dir_.path() + "/tokens";
    admin_ = CreateToken(tokens_, "admin", "admin");
    ASSERT_FALSE(admin_.empty());
  }

  std::string Config(const std::string& cert, const std::string& key) const {
    return dir_.Write("upkeep.yaml", "web:\n  tls: { cert_file: " + cert + ", key_file: " + key +
                                         " }\nauth:\n  tokens_file: " + tokens_ + "\n");
  }

  std::string Get(const std::string& path) const {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
           Bearer(admin_) + "\r\n";
  }

  TlsClientOptions Verified() const {
    TlsClientOptions options;
    options.ca_file = dir_.path() + "/server.crt";
    return options;
  }

  TempDir dir_;
  std::string tokens_;
  std::string admin_;
};

TEST_F(TlsTest, ServesHttpsWithASelfSignedCertificate) {
  DaemonProcess daemon({"--config",
                        Config(dir_.path() + "/server.crt", dir_.path() + "/server.key"),
                        "--sample.interval", "100ms"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();

  TlsExchange health;
  for (int i = 0; i < 300; ++i) {  // until the first snapshot is published
    health = TlsRequest(daemon.port(), Get("/api/system/health"), Verified());
    if (health.response.status != 503) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(health.handshake_ok) << health.error << "\n" << daemon.Log();
  EXPECT_TRUE(health.verified);
  EXPECT_TRUE(health.protocol == "TLSv1.3" || health.protocol == "TLSv1.2") << health.protocol;
  EXPECT_EQ(health.response.status, 200);
  EXPECT_NE(health.response.body.find("\"cpu\""), std::string::npos);

  // TLS 1.2 is accepted; TLS 1.1 is refused by the server.
  TlsClientOptions tls12 = Verified();
  tls12.max_version = TLS1_2_VERSION;
  const TlsExchange with12 = TlsRequest(daemon.port(), Get("/metrics"), tls12);
  EXPECT_TRUE(with12.handshake_ok) << with12.error;
  EXPECT_EQ(with12.protocol, "TLSv1.2");
  EXPECT_EQ(with12.response.status, 200);
  TlsClientOptions tls11 = Verified();
  tls11.max_version = TLS1_1_VERSION;
  const TlsExchange with11 = TlsRequest(daemon.port(), Get("/metrics"), tls11);
  EXPECT_FALSE(with11.handshake_ok);
  EXPECT_EQ(with11.response.status, 0);

  // Auth applies over TLS as over plain HTTP.
  const TlsExchange anonymous = TlsRequest(
      daemon.port(), "GET /api/system/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      Verified());
  EXPECT_EQ(anonymous.response.status, 401);

  // Plain HTTP on the HTTPS port gets no HTTP response, and the server carries on.
  EXPECT_EQ(Request(daemon.port(), "GET", "/-/healthy").status, 0);
  EXPECT_EQ(TlsRequest(daemon.port(), Get("/-/healthy"), Verified()).response.status, 200);
  // Many handshakes in a row (each connection runs CivetWeb's post-handshake code).
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(TlsRequest(daemon.port(), Get("/-/healthy"), Verified()).response.status, 200) << i;
  }
  EXPECT_EQ(daemon.StopWith(SIGTERM, 10s), std::optional<int>(0)) << daemon.Log();
}

TEST_F(TlsTest, WithTlsListeningBeyondLoopbackDoesNotWarn) {
  DaemonProcess daemon({"--config",
                        Config(dir_.path() + "/server.crt", dir_.path() + "/server.key"),
                        "--web.listen-address", "0.0.0.0:0"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  EXPECT_EQ(daemon.Log().find("without TLS"), std::string::npos) << daemon.Log();
  EXPECT_EQ(TlsRequest(daemon.port(), Get("/-/healthy"), Verified()).response.status, 200);
}

TEST_F(TlsTest, UnusableTlsFilesOrLibrariesStopTheStartWithAClearError) {
  const auto start = [](const std::vector<std::string>& prefix, const std::string& config) {
    std::vector<std::string> argv = prefix;
    for (const std::string& arg :
         {std::string("timeout"), std::string("20"), std::string(UPKEEP_BINARY),
          std::string("--config"), config, std::string("--web.listen-address"),
          std::string("127.0.0.1:0")}) {
      argv.push_back(arg);
    }
    return RunCommand(argv);
  };
  const CommandResult missing =
      start({}, Config(dir_.path() + "/none.crt", dir_.path() + "/server.key"));
  EXPECT_EQ(missing.exit_status, 2) << missing.output;
  EXPECT_NE(missing.output.find("cannot load web.tls.cert_file " + dir_.path() + "/none.crt"),
            std::string::npos)
      << missing.output;

  ASSERT_TRUE(MakeCertificate(dir_, "other"));
  const CommandResult mismatch =
      start({}, Config(dir_.path() + "/server.crt", dir_.path() + "/other.key"));
  EXPECT_EQ(mismatch.exit_status, 2) << mismatch.output;
  EXPECT_NE(mismatch.output.find("cannot load web.tls.key_file " + dir_.path() + "/other.key"),
            std::string::npos)
      << mismatch.output;
  EXPECT_NE(mismatch.output.find("key values mismatch"), std::string::npos) << mismatch.output;

  // CivetWeb loads libssl.so by name at run time: a broken one found first must stop the start
  // with a message that says so (not a crash at the first connection).
  const std::string libs = dir_.path() + "/badlibs";
  dir_.Write("badlibs/libssl.so", "not a library");
  const CommandResult no_ssl =
      start({"env", "LD_LIBRARY_PATH=" + libs},
            Config(dir_.path() + "/server.crt", dir_.path() + "/server.key"));
  EXPECT_EQ(no_ssl.exit_status, 2) << no_ssl.output;
  EXPECT_NE(no_ssl.output.find("libssl.so cannot be loaded"), std::string::npos) << no_ssl.output;
  EXPECT_NE(no_ssl.output.find("libssl-dev"), std::string::npos) << no_ssl.output;
}

}  // namespace
}  // namespace upkeep::testing
