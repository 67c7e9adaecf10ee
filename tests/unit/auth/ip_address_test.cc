#include "auth/ip_address.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

IpAddress Ip(const char* text) {
  const auto parsed = IpAddress::Parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress());
}

std::vector<Cidr> Cidrs(std::initializer_list<const char*> texts) {
  std::vector<Cidr> out;
  for (const char* text : texts) out.push_back(Cidr::Parse(text).value());
  return out;
}

TEST(IpAddressTest, ParsesV4V6AndFoldsMappedV4) {
  EXPECT_TRUE(Ip("192.0.2.1").is_v4());
  EXPECT_EQ(Ip("192.0.2.1").ToString(), "192.0.2.1");
  EXPECT_EQ(Ip("::ffff:192.0.2.1"), Ip("192.0.2.1"));
  EXPECT_FALSE(Ip("2001:db8::1").is_v4());
  EXPECT_EQ(Ip("2001:db8:0::1").ToString(), "2001:db8::1");
  EXPECT_TRUE(Ip("127.0.0.1").IsLoopback());
  EXPECT_TRUE(Ip("127.9.9.9").IsLoopback());
  EXPECT_TRUE(Ip("::1").IsLoopback());
  EXPECT_FALSE(Ip("10.0.0.1").IsLoopback());
  for (const char* bad : {"", "localhost", "1.2.3", "1.2.3.4.5", "256.0.0.1", "::g", " 1.2.3.4",
                          "1.2.3.4/8", "[::1]"}) {
    EXPECT_FALSE(IpAddress::Parse(bad).has_value()) << bad;
  }
}

TEST(IpAddressTest, LockoutKeysAreTheV4AddressOrTheV6Slash64) {
  EXPECT_NE(Ip("192.0.2.1").LockoutKey(), Ip("192.0.2.2").LockoutKey());
  EXPECT_EQ(Ip("::ffff:192.0.2.1").LockoutKey(), Ip("192.0.2.1").LockoutKey());
  EXPECT_EQ(Ip("2001:db8:1:2::1").LockoutKey(), Ip("2001:db8:1:2:ffff::9").LockoutKey());
  EXPECT_NE(Ip("2001:db8:1:2::1").LockoutKey(), Ip("2001:db8:1:3::1").LockoutKey());
  EXPECT_NE(Ip("0.0.0.1").LockoutKey(), Ip("::1").LockoutKey());
}

TEST(CidrTest, ParsesAndContains) {
  const Cidr ten = Cidr::Parse("10.0.0.0/8").value();
  EXPECT_TRUE(ten.Contains(Ip("10.255.0.1")));
  EXPECT_FALSE(ten.Contains(Ip("11.0.0.1")));
  EXPECT_TRUE(ten.Contains(Ip("::ffff:10.1.2.3")));
  const Cidr one = Cidr::Parse("192.0.2.7").value();  // a single address
  EXPECT_TRUE(one.Contains(Ip("192.0.2.7")));
  EXPECT_FALSE(one.Contains(Ip("192.0.2.8")));
  const Cidr odd = Cidr::Parse("192.0.2.128/25").value();
  EXPECT_TRUE(odd.Contains(Ip("192.0.2.200")));
  EXPECT_FALSE(odd.Contains(Ip("192.0.2.127")));
  const Cidr v6 = Cidr::Parse("fd00::/8").value();
  EXPECT_TRUE(v6.Contains(Ip("fd12:3456::1")));
  EXPECT_FALSE(v6.Contains(Ip("fe80::1")));
  EXPECT_FALSE(v6.Contains(Ip("10.0.0.1")));
  const Cidr all = Cidr::Parse("0.0.0.0/0").value();
  EXPECT_TRUE(all.Contains(Ip("203.0.113.9")));
  EXPECT_FALSE(all.Contains(Ip("2001:db8::1")));  // an IPv4 range holds IPv4 only
}

TEST(CidrTest, RejectsBadRanges) {
  for (const char* bad :
       {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/x", "10.0.0.1/8", "fd00::/129", "fd00::1/8",
        "example.com/8", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/0008"}) {
    EXPECT_FALSE(Cidr::Parse(bad)) << bad;
  }
  EXPECT_NE(Cidr::Parse("10.0.0.1/8").error().find("bits are set below the prefix"),
            std::string::npos);
}

TEST(ResolveClientAddressTest, ForwardedForOnlyFromTrustedProxies) {
  const auto trusted = Cidrs({"127.0.0.1", "10.0.0.0/8"});
  // An untrusted peer's header is ignored.
  EXPECT_EQ(ResolveClientAddress(Ip("198.51.100.1"), "203.0.113.5", trusted), Ip("198.51.100.1"));
  // A trusted peer names the client.
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "203.0.113.5", trusted), Ip("203.0.113.5"));
  // Rightmost untrusted entry: the client cannot choose what the proxies appended.
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "1.1.1.1, 203.0.113.5, 10.0.0.2", trusted),
            Ip("203.0.113.5"));
  // Garbage stops the walk at the last trusted hop.
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "203.0.113.5, junk", trusted), Ip("127.0.0.1"));
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "junk, 10.0.0.3", trusted), Ip("10.0.0.3"));
  // Only proxies: the leftmost.
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "10.0.0.9, 10.0.0.2", trusted), Ip("10.0.0.9"));
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "", trusted), Ip("127.0.0.1"));
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), "203.0.113.5", {}), Ip("127.0.0.1"));
  EXPECT_EQ(ResolveClientAddress(Ip("127.0.0.1"), " 2001:db8::7 ", trusted), Ip("2001:db8::7"));
}

}  // namespace
}  // namespace upkeep
