// Authorize(): the decision for one Authorization header, with literal inputs.

#include "auth/authorization.h"

#include <gtest/gtest.h>

#include "auth/api_token.h"
#include "tests/support/jwt_signer.h"

namespace upkeep {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

class AuthorizeTest : public ::testing::Test {
 protected:
  AuthorizeTest() {
    admin_token_ = *GenerateApiToken();
    metrics_token_ = *GenerateApiToken();
    std::vector<TokenRecord> records(2);
    records[0].name = "admin";
    records[0].role = Role::kAdmin;
    records[0].hash = Sha256(admin_token_);
    records[1].name = "scraper";
    records[1].role = Role::kMetrics;
    records[1].hash = Sha256(metrics_token_);
    credentials_.tokens = TokenSet(records);
    credentials_.jwt.secret = kSecret;
  }

  AuthDecision Check(const std::string& header, Access required) const {
    return Authorize(header.c_str(), required, &credentials_, system_clock::now());
  }

  std::string admin_token_;
  std::string metrics_token_;
  Credentials credentials_;
};

TEST_F(AuthorizeTest, PublicNeedsNothing) {
  EXPECT_TRUE(Authorize(nullptr, Access::kPublic, nullptr, system_clock::now()).allowed);
}

TEST_F(AuthorizeTest, MissingMalformedAndUnknownCredentialsAre401) {
  const AuthDecision missing = Authorize(nullptr, Access::kAdmin, &credentials_, {});
  EXPECT_FALSE(missing.allowed);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.reason, AuthFailure::kMissing);
  EXPECT_EQ(missing.authenticate, "WWW-Authenticate: Bearer realm=\"upkeep\"\r\n");

  for (const std::string& header :
       std::vector<std::string>{"Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "Bearer   \t",
                                "Token " + admin_token_, "Bearer" + admin_token_, ""}) {
    const AuthDecision decision = Check(header, Access::kAdmin);
    EXPECT_FALSE(decision.allowed) << header;
    EXPECT_EQ(decision.status, 401) << header;
    EXPECT_EQ(decision.reason, AuthFailure::kMalformed) << header;
  }
  for (const std::string& header : std::vector<std::string>{
           "Bearer " + *GenerateApiToken(), "Bearer upk_", "Bearer hunter2",
           "Bearer " + admin_token_ + "x", "Bearer " + admin_token_.substr(0, 20)}) {
    const AuthDecision decision = Check(header, Access::kAdmin);
    EXPECT_EQ(decision.status, 401) << header;
    EXPECT_EQ(decision.reason, AuthFailure::kUnknownToken) << header;
    EXPECT_EQ(decision.message, "invalid credentials: unknown or revoked token");
  }
}

TEST_F(AuthorizeTest, TokensGrantTheirRole) {
  EXPECT_TRUE(Check("Bearer " + admin_token_, Access::kAdmin).allowed);
  EXPECT_TRUE(Check("bearer  " + admin_token_ + " ", Access::kAdmin).allowed);  // scheme any case
  EXPECT_TRUE(Check("Bearer " + admin_token_, Access::kMetrics).allowed);       // admin ⊇ metrics
  EXPECT_TRUE(Check("Bearer " + metrics_token_, Access::kMetrics).allowed);
  const AuthDecision forbidden = Check("Bearer " + metrics_token_, Access::kAdmin);
  EXPECT_FALSE(forbidden.allowed);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.reason, AuthFailure::kForbidden);
  // Without credentials loaded yet, nothing is accepted.
  EXPECT_EQ(Authorize(("Bearer " + admin_token_).c_str(), Access::kAdmin, nullptr, {}).status, 401);
}

TEST_F(AuthorizeTest, JwtsAreVerifiedAndTheirRolesChecked) {
  const int64_t now = testing::NowSeconds();
  const auto jwt = [&](const std::string& claims, std::string_view secret = kSecret) {
    return "Bearer " + testing::SignJwt(testing::kHs256Header,
                                        R"({"exp":)" + std::to_string(now + 300) + claims + "}",
                                        secret);
  };
  EXPECT_TRUE(Check(jwt(R"(,"role":"admin")"), Access::kAdmin).allowed);
  EXPECT_TRUE(Check(jwt(R"(,"role":["viewer","admin"])"), Access::kAdmin).allowed);
  EXPECT_EQ(Check(jwt(R"(,"role":"metrics")"), Access::kAdmin).status, 403);
  EXPECT_TRUE(Check(jwt(R"(,"role":"metrics")"), Access::kMetrics).allowed);
  const AuthDecision no_role = Check(jwt(R"(,"sub":"bob")"), Access::kAdmin);
  EXPECT_EQ(no_role.status, 403);
  EXPECT_EQ(no_role.detail, "JWT subject \"bob\"");
  const AuthDecision wrong = Check(jwt(R"(,"role":"admin")", "wrong secret"), Access::kAdmin);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.reason, AuthFailure::kInvalidJwt);
  EXPECT_EQ(wrong.detail, "bad JWT signature");
  EXPECT_EQ(wrong.authenticate,
            "WWW-Authenticate: Bearer realm=\"upkeep\", error=\"invalid_token\"\r\n");
  // No JWT secret configured: a JWT is refused like any bad credential.
  Credentials tokens_only;
  tokens_only.tokens = credentials_.tokens;
  const std::string header = jwt(R"(,"role":"admin")");
  EXPECT_EQ(Authorize(header.c_str(), Access::kAdmin, &tokens_only, system_clock::now()).reason,
            AuthFailure::kInvalidJwt);
}

TEST_F(AuthorizeTest, AdminAccessNamesThePrincipal) {
  EXPECT_EQ(Check("Bearer " + admin_token_, Access::kAdmin).principal, "token:admin");
  const int64_t now = testing::NowSeconds();
  const auto jwt = [&](const std::string& claims) {
    return "Bearer " + testing::SignJwt(testing::kHs256Header,
                                        R"({"exp":)" + std::to_string(now + 300) + claims + "}",
                                        kSecret);
  };
  EXPECT_EQ(Check(jwt(R"(,"role":"admin","sub":"alice@example.org")"), Access::kAdmin).principal,
            "jwt:alice@example.org");
  EXPECT_EQ(Check(jwt(R"(,"role":"admin")"), Access::kAdmin).principal, "jwt:-");
  // The subject as the JWT says it: escaping is for whoever prints it.
  EXPECT_EQ(Check(jwt(R"(,"role":"admin","sub":"a\nb")"), Access::kAdmin).principal, "jwt:a\nb");
}

TEST_F(AuthorizeTest, OnlyAdminAccessNamesThePrincipal) {
  // The scrape path stays free of allocations: metrics access names nobody, whoever calls.
  const AuthDecision admin_scrape = Check("Bearer " + admin_token_, Access::kMetrics);
  EXPECT_TRUE(admin_scrape.allowed);
  EXPECT_EQ(admin_scrape.principal, "");
  EXPECT_EQ(Check("Bearer " + metrics_token_, Access::kMetrics).principal, "");
  const int64_t now = testing::NowSeconds();
  const std::string jwt = "Bearer " + testing::SignJwt(testing::kHs256Header,
                                                       R"({"exp":)" + std::to_string(now + 300) +
                                                           R"(,"role":"admin","sub":"bob"})",
                                                       kSecret);
  const AuthDecision jwt_scrape = Check(jwt, Access::kMetrics);
  EXPECT_TRUE(jwt_scrape.allowed);
  EXPECT_EQ(jwt_scrape.principal, "");
  EXPECT_EQ(Authorize(nullptr, Access::kPublic, &credentials_, {}).principal, "");
  // Refused requests name nobody either.
  EXPECT_EQ(Check("Bearer " + metrics_token_, Access::kAdmin).principal, "");
  EXPECT_EQ(Check("Bearer " + *GenerateApiToken(), Access::kAdmin).principal, "");
}

TEST_F(AuthorizeTest, RefusalsNeverCarryTheCredential) {
  const std::string secret_looking = "upk_" + std::string(43, 'Q');
  for (const std::string& header :
       std::vector<std::string>{"Bearer " + secret_looking, "Basic " + secret_looking,
                                "Bearer a.b.c" + secret_looking}) {
    const AuthDecision decision = Check(header, Access::kAdmin);
    EXPECT_EQ(std::string(decision.message).find(secret_looking), std::string::npos);
    EXPECT_EQ(decision.detail.find(secret_looking), std::string::npos);
  }
}

}  // namespace
}  // namespace upkeep
