// ConfigureTlsContext against real files made with the openssl CLI, on a real SSL_CTX, and
// an in-process HttpServer refusing to start on a bad pair.

#include "server/tls_setup.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "exporter/snapshot_ring.h"
#include "server/http_server.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using Context = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Context NewContext() { return Context(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free); }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class TlsSetupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakePair("server"));
    ASSERT_TRUE(MakePair("other"));
  }

  // A P-256 key and a self-signed certificate for it: NAME.crt and NAME.key.
  bool MakePair(const std::string& name) const {
    const testing::CommandResult made = testing::RunCommand(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", Path(name + ".key"), "-out", Path(name + ".crt"), "-days", "2",
         "-subj", "/CN=upkeep-test"});
    EXPECT_EQ(made.exit_status, 0) << made.output;
    return made.exit_status == 0;
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  testing::TempDir dir_;
};

TEST_F(TlsSetupTest, MatchingPairLoadsAndRequiresTls12) {
  const Context context = NewContext();
  ASSERT_NE(context, nullptr);
  const Status loaded = ConfigureTlsContext(context.get(), Path("server.crt"), Path("server.key"));
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context.get()), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get0_certificate(context.get()), nullptr);
  EXPECT_EQ(ERR_peek_error(), 0u);  // nothing left queued for the next caller
}

TEST_F(TlsSetupTest, MismatchedPairNamesBothFilesAndTheReason) {
  const Context context = NewContext();
  const Status loaded = ConfigureTlsContext(context.get(), Path("server.crt"), Path("other.key"));
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(Contains(loaded.error(), "web.tls.key_file " + Path("other.key"))) << loaded.error();
  EXPECT_TRUE(Contains(loaded.error(), Path("server.crt"))) << loaded.error();
  EXPECT_TRUE(Contains(loaded.error(), "key values mismatch")) << loaded.error();
}

TEST_F(TlsSetupTest, MissingCertificateFile) {
  const Context context = NewContext();
  const Status loaded = ConfigureTlsContext(context.get(), Path("absent.crt"), Path("server.key"));
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(
      loaded.error().starts_with("cannot load web.tls.cert_file " + Path("absent.crt") + ": "))
      << loaded.error();
  EXPECT_TRUE(Contains(loaded.error(), "No such file or directory")) << loaded.error();
}

TEST_F(TlsSetupTest, MissingKeyFile) {
  const Context context = NewContext();
  const Status loaded = ConfigureTlsContext(context.get(), Path("server.crt"), Path("absent.key"));
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(loaded.error().starts_with("cannot load web.tls.key_file " + Path("absent.key") +
                                         " for the certificate in " + Path("server.crt") + ": "))
      << loaded.error();
  EXPECT_TRUE(Contains(loaded.error(), "No such file or directory")) << loaded.error();
}

TEST_F(TlsSetupTest, UnreadableKeyFile) {
  // Root reads a file whatever its mode, so a directory stands in for an unreadable key
  // there; otherwise the key loses its read permission.
  std::string key = Path("server.key");
  if (::geteuid() == 0) {
    key = Path("key-dir");
    ASSERT_EQ(::mkdir(key.c_str(), 0700), 0);
  } else {
    ASSERT_EQ(::chmod(key.c_str(), 0), 0);
  }
  const Context context = NewContext();
  const Status loaded = ConfigureTlsContext(context.get(), Path("server.crt"), key);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(loaded.error().starts_with("cannot load web.tls.key_file " + key)) << loaded.error();
  EXPECT_FALSE(Contains(loaded.error(), "unknown OpenSSL error")) << loaded.error();
}

TEST_F(TlsSetupTest, FilesThatAreNotPem) {
  const std::string junk = dir_.Write("junk.pem", "not a certificate\n");
  {
    const Context context = NewContext();
    const Status loaded = ConfigureTlsContext(context.get(), junk, Path("server.key"));
    ASSERT_FALSE(loaded);
    EXPECT_TRUE(loaded.error().starts_with("cannot load web.tls.cert_file " + junk))
        << loaded.error();
    EXPECT_TRUE(Contains(loaded.error(), "no start line")) << loaded.error();
  }
  {
    const Context context = NewContext();
    // The certificate given as the key, and the key given as the certificate.
    EXPECT_FALSE(ConfigureTlsContext(context.get(), Path("server.crt"), Path("server.crt")));
    EXPECT_FALSE(ConfigureTlsContext(context.get(), Path("server.key"), Path("server.key")));
  }
}

TEST(OpenSslErrorsTest, EmptyQueueSaysSo) {
  ERR_clear_error();
  EXPECT_EQ(OpenSslErrors(), "unknown OpenSSL error");
}

TEST_F(TlsSetupTest, ServerRefusesToStartOnAMismatchedPair) {
  if (const Status supported = CheckTlsSupport(); !supported) {
    GTEST_SKIP() << supported.error();
  }
  SnapshotRing ring;
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.tls_cert_file = Path("server.crt");
  options.tls_key_file = Path("other.key");
  HttpServer server(options, ring);
  try {
    server.Start();
    FAIL() << "started with a key that does not match the certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(Contains(e.what(), "does not match") || Contains(e.what(), "key values mismatch"))
        << e.what();
    EXPECT_TRUE(Contains(e.what(), Path("other.key"))) << e.what();
  }
}

}  // namespace
}  // namespace upkeep
