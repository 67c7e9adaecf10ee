#include "controller/remote_url.h"

#include <gtest/gtest.h>

#include "controller/git_credentials.h"

namespace upkeep {
namespace {

TEST(StripUserinfoTest, UrlsLoseUserAndPassword) {
  EXPECT_EQ(StripUserinfo("https://user:tok@host/x"), "https://host/x");
  EXPECT_EQ(StripUserinfo("https://ghp_secret@github.com/o/r.git"), "https://github.com/o/r.git");
  EXPECT_EQ(StripUserinfo("ssh://git@host:2222/srv/r.git"), "ssh://host:2222/srv/r.git");
  EXPECT_EQ(StripUserinfo("https://u:p@ss@host"), "https://host");
}

TEST(StripUserinfoTest, UrlsWithoutUserinfoStayAsTheyAre) {
  EXPECT_EQ(StripUserinfo("https://host/x@y"), "https://host/x@y");
  EXPECT_EQ(StripUserinfo("file:///srv/remote.git"), "file:///srv/remote.git");
  EXPECT_EQ(StripUserinfo("/srv/remote.git"), "/srv/remote.git");
  EXPECT_EQ(StripUserinfo("git://127.0.0.1:9418/r"), "git://127.0.0.1:9418/r");
}

TEST(StripUserinfoTest, ScpSyntaxKeepsTheLoginButNotAPassword) {
  EXPECT_EQ(StripUserinfo("git@github.com:o/r.git"), "git@github.com:o/r.git");
  EXPECT_EQ(StripUserinfo("user:pw@host:o/r.git"), "host:o/r.git");
}

TEST(TransportTest, SchemesAndInsecureOnes) {
  EXPECT_EQ(TransportScheme("HTTPS://host/x"), "https");
  EXPECT_EQ(TransportScheme("git@host:x"), "ssh");
  EXPECT_EQ(TransportScheme("/srv/x"), "file");
  EXPECT_EQ(TransportScheme("./x:y"), "file");
  EXPECT_TRUE(IsInsecureTransport("git://host/x"));
  EXPECT_TRUE(IsInsecureTransport("HTTP://host/x"));
  EXPECT_FALSE(IsInsecureTransport("https://host/x"));
  EXPECT_FALSE(IsInsecureTransport("ssh://host/x"));
  EXPECT_FALSE(IsInsecureTransport("git@host:x"));
  EXPECT_FALSE(IsInsecureTransport("file:///srv/x"));
}

TEST(SshPortTest, FromTheUrlElse22) {
  EXPECT_EQ(SshPort("ssh://git@host:2222/x"), 2222);
  EXPECT_EQ(SshPort("ssh://host/x"), 22);
  EXPECT_EQ(SshPort("ssh://[::1]/x"), 22);
  EXPECT_EQ(SshPort("ssh://[::1]:2200/x"), 2200);
  EXPECT_EQ(SshPort("git@host:x"), 22);
  EXPECT_EQ(SshPort("ssh://host:99999/x"), 22);
  EXPECT_EQ(SshPort("ssh://host:abc"), 22);
}

}  // namespace
}  // namespace upkeep
