#include "tests/support/jwt_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <vector>

namespace upkeep::testing {
namespace {

// base64url through OpenSSL's standard base64 (not the daemon's encoder, so that the two
// are checked against each other).
std::string Base64Url(std::string_view bytes) {
  std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  std::string text(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(n));
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& ch : text) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  return text;
}

}  // namespace

std::string SignJwt(std::string_view header_json, std::string_view payload_json,
                    std::string_view secret) {
  const std::string input = Base64Url(header_json) + "." + Base64Url(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return input + "." + Base64Url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace upkeep::testing
