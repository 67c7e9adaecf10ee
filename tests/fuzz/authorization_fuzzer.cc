// Authorize() on an arbitrary Authorization header (it comes straight from the request):
// no crash, no UB, and the decision holds: only the one admin token (as "Bearer <token>",
// any case of the scheme, blanks around it) opens an admin endpoint, the metrics token opens
// only /metrics, a refusal is a 401 with a challenge or a 403, and no message the client or
// the log sees repeats the credential.

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sha256.h"
#include "server/access_control.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// Token-shaped ("upk_" + 43 base64url characters), fixed so that seeds can hold them.
constexpr std::string_view kAdminToken = "upk_AdminAdminAdminAdminAdminAdminAdminAdmin012";
constexpr std::string_view kMetricsToken = "upk_ScrapeScrapeScrapeScrapeScrapeScrapeScrape_";

const upkeep::Credentials& TheCredentials() {
  static const upkeep::Credentials credentials = [] {
    std::vector<upkeep::TokenRecord> records(2);
    records[0].name = "admin";
    records[0].role = upkeep::Role::kAdmin;
    records[0].hash = upkeep::Sha256(kAdminToken);
    records[1].name = "scraper";
    records[1].role = upkeep::Role::kMetrics;
    records[1].hash = upkeep::Sha256(kMetricsToken);
    upkeep::Credentials built;
    built.tokens = upkeep::TokenSet(records);
    built.jwt.secret = "fuzz-secret-0123456789abcdef";
    return built;
  }();
  return credentials;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// "Bearer <credential>" with the scheme in any case and blanks around the credential: the
// credential, or "" when the header has another shape.
std::string_view BearerCredential(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || !IsBlank(header[kScheme.size()])) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view credential = header.substr(kScheme.size());
  while (!credential.empty() && IsBlank(credential.front())) credential.remove_prefix(1);
  while (!credential.empty() && IsBlank(credential.back())) credential.remove_suffix(1);
  return credential;
}

void CheckRefusal(const upkeep::AuthDecision& decision, std::string_view credential) {
  FUZZ_CHECK(decision.status == 401 || decision.status == 403);
  FUZZ_CHECK(!decision.message.empty());
  if (decision.status == 401) FUZZ_CHECK(!decision.authenticate.empty());
  // Nothing the client or the log gets may echo a (possibly almost right) credential. (Short
  // ones, or ones with blanks, could be words of the fixed messages themselves.)
  if (credential.size() >= 24 && credential.find_first_of(" \t") == std::string_view::npos) {
    FUZZ_CHECK(decision.message.find(credential) == std::string_view::npos);
    FUZZ_CHECK(decision.detail.find(credential) == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A C string, as CivetWeb hands the header over: it ends at the first NUL.
  const std::string header(reinterpret_cast<const char*>(data), size);
  const std::string_view seen(header.c_str());
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const upkeep::Credentials& credentials = TheCredentials();
  const std::string_view credential = BearerCredential(seen);

  const upkeep::AuthDecision admin =
      upkeep::Authorize(header.c_str(), upkeep::Access::kAdmin, &credentials, now);
  if (admin.allowed) {
    FUZZ_CHECK(credential == kAdminToken);  // forging a JWT by fuzzing would be a finding
  } else {
    CheckRefusal(admin, credential);
    FUZZ_CHECK(credential != kAdminToken);
  }

  const upkeep::AuthDecision metrics =
      upkeep::Authorize(header.c_str(), upkeep::Access::kMetrics, &credentials, now);
  if (metrics.allowed) {
    FUZZ_CHECK(credential == kAdminToken || credential == kMetricsToken);
  } else {
    CheckRefusal(metrics, credential);
  }

  // No credentials loaded: nothing but public access.
  const upkeep::AuthDecision none =
      upkeep::Authorize(header.c_str(), upkeep::Access::kAdmin, nullptr, now);
  FUZZ_CHECK(!none.allowed && none.status == 401);
  FUZZ_CHECK(upkeep::Authorize(header.c_str(), upkeep::Access::kPublic, nullptr, now).allowed);
  return 0;
}
