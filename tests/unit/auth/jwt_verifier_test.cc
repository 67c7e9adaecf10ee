#include "auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "auth/base64url.h"
#include "tests/support/jwt_signer.h"

namespace upkeep {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using testing::kHs256Header;
using testing::SignJwt;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
// A fixed "now" so that the payloads below are literal.
const system_clock::time_point kNow = system_clock::time_point(seconds(1'800'000'000));

JwtSettings Settings() {
  JwtSettings settings;
  settings.secret = kSecret;
  settings.leeway = seconds(60);
  return settings;
}

std::string Error(std::string_view token, const JwtSettings& settings = Settings()) {
  const auto claims = VerifyJwt(token, settings, kNow);
  return claims ? "<accepted>" : claims.error();
}

RoleSet RolesOf(std::string_view payload) {
  const auto claims = VerifyJwt(SignJwt(kHs256Header, payload, kSecret), Settings(), kNow);
  EXPECT_TRUE(claims) << (claims ? "" : claims.error());
  return claims ? claims->roles : RoleSet();
}

TEST(JwtVerifierTest, AcceptsAValidTokenAndReadsItsClaims) {
  const std::string token =
      SignJwt(kHs256Header, R"({"sub":"alice","exp":1800000100,"role":"admin"})", kSecret);
  const auto claims = VerifyJwt(token, Settings(), kNow);
  ASSERT_TRUE(claims) << claims.error();
  EXPECT_TRUE(claims->roles.Has(Role::kAdmin));
  EXPECT_FALSE(claims->roles.Has(Role::kMetrics));
  EXPECT_EQ(claims->subject, "alice");
  // No typ is fine too; a float exp is a valid NumericDate.
  EXPECT_TRUE(VerifyJwt(SignJwt(R"({"alg":"HS256"})", R"({"exp":1800000100.5})", kSecret),
                        Settings(), kNow));
}

TEST(JwtVerifierTest, RoleClaimMayBeAStringAnArrayOrAbsent) {
  EXPECT_TRUE(RolesOf(R"({"exp":1800000100,"role":"metrics"})").Has(Role::kMetrics));
  const RoleSet both = RolesOf(R"({"exp":1800000100,"role":["user","admin","metrics"]})");
  EXPECT_TRUE(both.Has(Role::kAdmin));
  EXPECT_TRUE(both.Has(Role::kMetrics));
  EXPECT_TRUE(RolesOf(R"({"exp":1800000100})").empty());  // valid, but no role: 403 later
  EXPECT_TRUE(RolesOf(R"({"exp":1800000100,"role":"Admin"})").empty());  // case matters
  EXPECT_TRUE(RolesOf(R"({"exp":1800000100,"role":[]})").empty());

  JwtSettings custom = Settings();
  custom.role_claim = "upkeep_roles";
  const auto claims =
      VerifyJwt(SignJwt(kHs256Header,
                        R"({"exp":1800000100,"role":"metrics","upkeep_roles":["admin"]})", kSecret),
                custom, kNow);
  ASSERT_TRUE(claims);
  EXPECT_TRUE(claims->roles.Has(Role::kAdmin));
  EXPECT_FALSE(claims->roles.Has(Role::kMetrics));

  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000100,"role":7})", kSecret)),
            "JWT role claim must be a string or an array of strings");
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000100,"role":["admin",1]})", kSecret)),
            "JWT role claim must hold strings");
}

TEST(JwtVerifierTest, ExpIsRequiredAndCheckedWithLeeway) {
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"role":"admin"})", kSecret)), "JWT has no exp claim");
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":"1800000100"})", kSecret)),
            "JWT exp is not a number");
  // Expired 61 s ago: beyond the 60 s leeway.
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1799999939})", kSecret)), "JWT expired");
  // Expired 59 s ago: within the leeway.
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1799999941})", kSecret)), "<accepted>");
  JwtSettings strict = Settings();
  strict.leeway = seconds(0);
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000000})", kSecret), strict), "JWT expired");
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1e300})", kSecret)), "<accepted>");
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":-1e300})", kSecret)), "JWT expired");
}

TEST(JwtVerifierTest, NbfIsCheckedWithLeeway) {
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000600,"nbf":1800000061})", kSecret)),
            "JWT not valid yet (nbf)");
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000600,"nbf":1800000059})", kSecret)),
            "<accepted>");
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000600,"nbf":"soon"})", kSecret)),
            "JWT nbf is not a number");
}

TEST(JwtVerifierTest, OnlyHs256IsAccepted) {
  const std::string payload = R"({"exp":1800000100,"role":"admin"})";
  // alg none with an empty signature, and with some signature.
  const std::string none_header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  EXPECT_EQ(Error(none_header + "." + Base64UrlEncode(payload) + "."),
            "malformed JWT (expected three base64url parts)");
  EXPECT_EQ(Error(SignJwt(R"({"alg":"none"})", payload, kSecret)),
            "JWT alg is not HS256 (the only algorithm accepted)");
  EXPECT_EQ(Error(SignJwt(R"({"alg":"RS256","typ":"JWT"})", payload, kSecret)),
            "JWT alg is not HS256 (the only algorithm accepted)");
  EXPECT_EQ(Error(SignJwt(R"({"alg":"HS512"})", payload, kSecret)),
            "JWT alg is not HS256 (the only algorithm accepted)");
  EXPECT_EQ(Error(SignJwt(R"({"alg":"hs256"})", payload, kSecret)),
            "JWT alg is not HS256 (the only algorithm accepted)");
  EXPECT_EQ(Error(SignJwt(R"({"typ":"JWT"})", payload, kSecret)), "JWT header has no alg");
  EXPECT_EQ(Error(SignJwt(R"({"alg":["HS256"]})", payload, kSecret)), "JWT header has no alg");
  EXPECT_EQ(Error(SignJwt(R"({"alg":"HS256","crit":["exp"]})", payload, kSecret)),
            "JWT header has critical extensions");
}

TEST(JwtVerifierTest, SignatureMustMatchTheSecretAndTheContent) {
  const std::string payload = R"({"exp":1800000100,"role":"admin"})";
  EXPECT_EQ(Error(SignJwt(kHs256Header, payload, "another secret")), "bad JWT signature");

  // Tampered payload: the signature of one payload on another.
  const std::string good = SignJwt(kHs256Header, payload, kSecret);
  const std::string signature = good.substr(good.rfind('.') + 1);
  const std::string forged = Base64UrlEncode(kHs256Header) + "." +
                             Base64UrlEncode(R"({"exp":1900000000,"role":"admin"})") + "." +
                             signature;
  EXPECT_EQ(Error(forged), "bad JWT signature");
  // Tampered header (typ changed): also covered by the signature.
  const std::string reheadered =
      Base64UrlEncode(R"({"alg":"HS256","typ":"jwt"})") + "." + good.substr(good.find('.') + 1);
  EXPECT_EQ(Error(reheadered), "bad JWT signature");
  // A signature of the wrong length, or cut short.
  EXPECT_EQ(Error(good.substr(0, good.size() - 4)), "bad JWT signature");
  EXPECT_EQ(Error(good.substr(0, good.rfind('.') + 1) + Base64UrlEncode("short")),
            "bad JWT signature");
  // No secret configured: nothing verifies.
  JwtSettings none = Settings();
  none.secret.clear();
  EXPECT_EQ(Error(good, none), "JWTs are not accepted (no secret configured)");
}

TEST(JwtVerifierTest, IssuerAndAudienceWhenConfigured) {
  JwtSettings settings = Settings();
  settings.issuer = "renderfarm";
  settings.audience = "upkeep";
  const auto check = [&](std::string_view payload) {
    return Error(SignJwt(kHs256Header, payload, kSecret), settings);
  };
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"renderfarm","aud":"upkeep"})"), "<accepted>");
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"renderfarm","aud":["web","upkeep"]})"), "<accepted>");
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"other","aud":"upkeep"})"),
            "JWT issuer does not match auth.jwt.issuer");
  EXPECT_EQ(check(R"({"exp":1800000100,"aud":"upkeep"})"),
            "JWT issuer does not match auth.jwt.issuer");
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"renderfarm","aud":"web"})"),
            "JWT audience does not include auth.jwt.audience");
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"renderfarm","aud":["web"]})"),
            "JWT audience does not include auth.jwt.audience");
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"renderfarm"})"),
            "JWT audience does not include auth.jwt.audience");
  EXPECT_EQ(check(R"({"exp":1800000100,"iss":"renderfarm","aud":7})"),
            "JWT audience does not include auth.jwt.audience");
  // Unconfigured: not checked.
  EXPECT_EQ(Error(SignJwt(kHs256Header, R"({"exp":1800000100,"iss":"x","aud":"y"})", kSecret)),
            "<accepted>");
}

TEST(JwtVerifierTest, GarbageAndTruncatedInputAreRejected) {
  const std::string good = SignJwt(kHs256Header, R"({"exp":1800000100,"role":"admin"})", kSecret);
  for (const std::string& bad : {
           std::string(""), std::string("."), std::string(".."), std::string("..."),
           std::string("a.b"), std::string("a.b.c.d"), std::string("not a jwt"),
           std::string("\xff\xfe.\x01.\x02"), good.substr(0, good.find('.')),  // header only
           good.substr(0, good.rfind('.')),                                    // no signature part
           good.substr(0, good.find('.') - 1) + good.substr(good.find('.')),   // truncated header
           good + ".",                                                         // four parts
           "=" + good,                                                         // padding
           good.substr(0, 5) + "+" + good.substr(6),                           // standard alphabet
           std::string(10000, 'a') + "." + "b" + "." + "c",                    // too long
           Base64UrlEncode("not json") + ".e30.AAAA",
           Base64UrlEncode("[1,2]") + ".e30.AAAA",               // header not an object
           Base64UrlEncode("{\"alg\":\"HS256\"") + ".e30.AAAA",  // truncated JSON
       }) {
    EXPECT_NE(Error(bad), "<accepted>") << bad;
  }
  // A correctly signed payload that is not a JSON object.
  EXPECT_EQ(Error(SignJwt(kHs256Header, "[]", kSecret)), "malformed JWT payload");
  EXPECT_EQ(Error(SignJwt(kHs256Header, "{", kSecret)), "malformed JWT payload");
  EXPECT_EQ(
      Error(SignJwt(kHs256Header, std::string("{\"exp\":1800000100,\"s\":\"\xff\"}"), kSecret)),
      "malformed JWT payload");  // invalid UTF-8
}

TEST(JwtVerifierTest, NormalizeJwtSecretStripsOnlyTrailingLineEnds) {
  const std::string key(kSecret);
  for (const std::string& content : {key, key + "\n", key + "\r\n", key + "\r\n\r\n", key + "\r"}) {
    const Result<std::string> secret = NormalizeJwtSecret(content);
    ASSERT_TRUE(secret) << secret.error();
    EXPECT_EQ(*secret, key);
  }
  // Other whitespace is part of the key, and so are line ends inside it.
  EXPECT_EQ(*NormalizeJwtSecret(key + " \n"), key + " ");
  EXPECT_EQ(*NormalizeJwtSecret(" " + key + "\t"), " " + key + "\t");
  EXPECT_EQ(*NormalizeJwtSecret("a\r\nb" + key), "a\r\nb" + key);
  // Exactly 32 bytes is enough; binary bytes are fine.
  EXPECT_TRUE(NormalizeJwtSecret(std::string(32, '\0')));
}

TEST(JwtVerifierTest, NormalizeJwtSecretRefusesShortAndBlankSecrets) {
  const auto error = [](std::string_view content) {
    const Result<std::string> secret = NormalizeJwtSecret(content);
    return secret ? "<accepted>" : secret.error();
  };
  EXPECT_EQ(error(""), "the JWT secret is empty");
  EXPECT_EQ(error("\r\n"), "the JWT secret is empty");
  EXPECT_EQ(error(std::string(40, ' ')), "the JWT secret holds only whitespace");
  EXPECT_EQ(error(" \t \r\n \n"), "the JWT secret holds only whitespace");
  EXPECT_EQ(error("abc\n"),
            "the JWT secret is 3 bytes; HS256 needs at least 32 (RFC 7518 3.2), e.g. from "
            "`openssl rand -base64 48`");
  // 31 bytes plus a line end is still 31.
  EXPECT_NE(error(std::string(31, 'k') + "\r\n"), "<accepted>");
  // The message never holds the secret.
  EXPECT_EQ(error("hunter2").find("hunter2"), std::string::npos);
}

TEST(JwtVerifierTest, ShapeCheck) {
  EXPECT_TRUE(IsJwtShaped("a.b.c"));
  EXPECT_FALSE(IsJwtShaped("a.b"));
  EXPECT_FALSE(IsJwtShaped("a..c"));
  EXPECT_FALSE(IsJwtShaped("a.b.c.d"));
  EXPECT_FALSE(IsJwtShaped("upk_abc"));
}

}  // namespace
}  // namespace upkeep
