// The table of update-check error kinds: each kind's JSON code and HTTP status, and the way
// back from a code (how the helper's answer is read).

#include "controller/check_error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace upkeep {
namespace {

constexpr CheckErrorKind kEveryKind[] = {
    CheckErrorKind::kNotConfigured,    CheckErrorKind::kRepoUnavailable,
    CheckErrorKind::kRepoPermission,   CheckErrorKind::kRemoteUnavailable,
    CheckErrorKind::kFetchFailed,      CheckErrorKind::kInsecureTransport,
    CheckErrorKind::kUpdateInProgress, CheckErrorKind::kInternal,
};

TEST(CheckErrorTest, EveryKindRoundTripsThroughItsCode) {
  std::set<std::string_view> codes;
  for (const CheckErrorKind kind : kEveryKind) {
    const CheckErrorCode code = CheckErrorCodeOf(kind);
    SCOPED_TRACE(std::string(code.code));
    EXPECT_FALSE(code.code.empty());
    const std::optional<CheckErrorKind> back = CheckErrorKindNamed(code.code);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, kind);
    codes.insert(code.code);
  }
  // One code per kind: a client can tell them all apart.
  EXPECT_EQ(codes.size(), std::size(kEveryKind));
}

TEST(CheckErrorTest, CodesAndStatusesAreTheDocumentedOnes) {
  struct Expected {
    CheckErrorKind kind;
    std::string_view code;
    int status;
  };
  // 503: the admin can fix it on the host; 502: the remote failed us; 409: an update runs.
  const Expected table[] = {
      {CheckErrorKind::kNotConfigured, "update_not_configured", 503},
      {CheckErrorKind::kRepoUnavailable, "repo_unavailable", 503},
      {CheckErrorKind::kRepoPermission, "repo_permission", 503},
      {CheckErrorKind::kRemoteUnavailable, "remote_unavailable", 503},
      {CheckErrorKind::kFetchFailed, "fetch_failed", 502},
      {CheckErrorKind::kInsecureTransport, "insecure_transport", 503},
      {CheckErrorKind::kUpdateInProgress, "update_in_progress", 409},
      {CheckErrorKind::kInternal, "internal", 500},
  };
  for (const Expected& e : table) {
    SCOPED_TRACE(std::string(e.code));
    EXPECT_EQ(CheckErrorCodeOf(e.kind).code, e.code);
    EXPECT_EQ(CheckErrorCodeOf(e.kind).http_status, e.status);
  }
}

TEST(CheckErrorTest, AKindOutsideTheTableIsInternal) {
  const CheckErrorCode code = CheckErrorCodeOf(static_cast<CheckErrorKind>(99));
  EXPECT_EQ(code.code, "internal");
  EXPECT_EQ(code.http_status, 500);
}

TEST(CheckErrorTest, UnknownCodesHaveNoKind) {
  for (const char* code :
       {"", "fetch", "FETCH_FAILED", "fetch_failed ", " internal", "not_configured", "unknown"}) {
    EXPECT_EQ(CheckErrorKindNamed(code), std::nullopt) << code;
  }
}

TEST(CheckErrorTest, MakeCheckErrorKeepsKindAndMessage) {
  const CheckError error = MakeCheckError(CheckErrorKind::kFetchFailed, "timed out after 30s");
  EXPECT_EQ(error.kind, CheckErrorKind::kFetchFailed);
  EXPECT_EQ(error.message, "timed out after 30s");
  // A default CheckError is internal: an error nobody classified is not blamed on the admin.
  EXPECT_EQ(CheckError{}.kind, CheckErrorKind::kInternal);
}

}  // namespace
}  // namespace upkeep
