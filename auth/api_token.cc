#include "auth/api_token.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "auth/base64url.h"

namespace upkeep {
namespace {
constexpr size_t kTokenBytes = 32;
constexpr size_t kEncodedLength = 43;  // ceil(32 * 4 / 3), unpadded
}  // namespace

Result<std::string> GenerateApiToken() {
  std::array<char, kTokenBytes> bytes{};
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<size_t>(n);
  }
  std::string token(kApiTokenPrefix);
  token += Base64UrlEncode(std::string_view(bytes.data(), bytes.size()));
  return token;
}

bool IsApiTokenShaped(std::string_view text) {
  if (!text.starts_with(kApiTokenPrefix)) return false;
  const std::string_view body = text.substr(kApiTokenPrefix.size());
  return body.size() == kEncodedLength && Base64UrlDecode(body).has_value();
}

}  // namespace upkeep
