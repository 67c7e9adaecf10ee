#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace upkeep {

// An IPv4 or IPv6 address. IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), so
// that "127.0.0.1" and "::ffff:127.0.0.1" (what a dual-stack socket reports) are one address.
class IpAddress {
 public:
  IpAddress() = default;
  static std::optional<IpAddress> Parse(std::string_view text);

  bool is_v4() const;
  bool IsLoopback() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  std::string ToString() const;

  // The key under which failed logins are counted: the address for IPv4, the /64 prefix for
  // IPv6 (one host usually holds a whole /64, so counting single addresses would let it
  // rotate past the lockout). IPv4 keys sit in 0:1::/32, a range no IPv6 client comes from.
  uint64_t LockoutKey() const;

  bool operator==(const IpAddress&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

// "10.0.0.0/8", "fd00::/8", or a single address ("192.0.2.1" = /32, "::1" = /128). Host bits
// below the prefix must be zero, so a typo cannot silently widen the range.
class Cidr {
 public:
  static Result<Cidr> Parse(std::string_view text);
  bool Contains(const IpAddress& address) const;

 private:
  IpAddress base_;
  int prefix_bits_ = 0;  // of the 128-bit (IPv4-mapped) form
};

// The client a request came from: the peer, unless the peer is a trusted proxy; then the
// X-Forwarded-For entries are read from the right (the nearest hop) and the first one that is
// not itself a trusted proxy is the client. An entry that is not an address ends the walk at
// the last trusted hop, so a client cannot inject a made-up address past the proxies.
IpAddress ResolveClientAddress(const IpAddress& peer, std::string_view forwarded_for,
                               const std::vector<Cidr>& trusted_proxies);

}  // namespace upkeep
