// CheckTlsFiles against real certificates and keys made with the openssl CLI: the daemon's
// TLS set-up without a server.

#include "server/tls_files_check.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/daemon_process.h"
#include "tests/support/tls_test_pki.h"

namespace upkeep {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class TlsFilesCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::MakeTestPki(dir_);
    ASSERT_EQ(pki_.error, "");
    other_ = testing::MakeTestPki(other_dir_);
    ASSERT_EQ(other_.error, "");
  }
  testing::TempDir dir_;
  testing::TempDir other_dir_;
  testing::TestPki pki_;
  testing::TestPki other_;
};

TEST_F(TlsFilesCheckTest, AMatchingPairPasses) {
  const Status checked = CheckTlsFiles(pki_.cert_file, pki_.key_file);
  EXPECT_TRUE(checked.ok()) << checked.error();
}

TEST_F(TlsFilesCheckTest, AnotherCertificatesKeyFails) {
  const Status checked = CheckTlsFiles(pki_.cert_file, other_.key_file);
  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(Contains(checked.error(), "web.tls.key_file " + other_.key_file)) << checked.error();
}

TEST_F(TlsFilesCheckTest, MissingOrWrongFilesFailNamingThem) {
  Status checked = CheckTlsFiles(dir_.path() + "/none.crt", pki_.key_file);
  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(
      Contains(checked.error(), "cannot load web.tls.cert_file " + dir_.path() + "/none.crt"))
      << checked.error();
  // A key where the certificate should be.
  checked = CheckTlsFiles(pki_.key_file, pki_.key_file);
  ASSERT_FALSE(checked.ok());
  EXPECT_TRUE(Contains(checked.error(), "cannot load web.tls.cert_file")) << checked.error();
}

}  // namespace
}  // namespace upkeep
