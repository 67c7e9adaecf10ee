#include "auth/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "common/text.h"

namespace upkeep {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress address;
  in_addr v4{};
  if (::inet_pton(AF_INET, buffer, &v4) == 1) {
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes_.begin());
    std::memcpy(address.bytes_.data() + 12, &v4, 4);
    return address;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, buffer, &v6) == 1) {
    std::memcpy(address.bytes_.data(), &v6, 16);
    return address;
  }
  return std::nullopt;
}

bool IpAddress::is_v4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes_.begin());
}

bool IpAddress::IsLoopback() const {
  if (is_v4()) return bytes_[12] == 127;
  static constexpr std::array<uint8_t, 16> kLoopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                        0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kLoopback;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN];
  if (is_v4()) {
    ::inet_ntop(AF_INET, bytes_.data() + 12, text, sizeof text);
  } else {
    ::inet_ntop(AF_INET6, bytes_.data(), text, sizeof text);
  }
  return text;
}

uint64_t IpAddress::LockoutKey() const {
  uint64_t key = 0;
  if (is_v4()) {
    for (size_t i = 12; i < 16; ++i) key = key << 8 | bytes_[i];
    return key | uint64_t{1} << 32;
  }
  for (size_t i = 0; i < 8; ++i) key = key << 8 | bytes_[i];
  return key;
}

Result<Cidr> Cidr::Parse(std::string_view text) {
  const auto fail = [text](const std::string& why) {
    return MakeError("invalid CIDR \"" + std::string(text) + "\": " + why);
  };
  const size_t slash = text.find('/');
  const std::optional<IpAddress> base = IpAddress::Parse(text.substr(0, slash));
  if (!base) return fail("not an IPv4 or IPv6 address");
  const int max_bits = base->is_v4() ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail("the prefix length must be a number");
    }
    bits = std::stoi(std::string(digits));
    if (bits > max_bits) {
      return fail("the prefix length must be at most " + std::to_string(max_bits));
    }
  }
  Cidr cidr;
  cidr.base_ = *base;
  cidr.prefix_bits_ = base->is_v4() ? bits + 96 : bits;
  // Host bits must be zero.
  const auto& bytes = base->bytes();
  for (int bit = cidr.prefix_bits_; bit < 128; ++bit) {
    if ((bytes[static_cast<size_t>(bit / 8)] >> (7 - bit % 8)) & 1) {
      return fail("bits are set below the prefix length (did you mean the network address?)");
    }
  }
  return cidr;
}

bool Cidr::Contains(const IpAddress& address) const {
  const auto& a = address.bytes();
  const auto& b = base_.bytes();
  const size_t whole = static_cast<size_t>(prefix_bits_ / 8);
  if (!std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(whole), b.begin())) {
    return false;
  }
  const int rest = prefix_bits_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

IpAddress ResolveClientAddress(const IpAddress& peer, std::string_view forwarded_for,
                               const std::vector<Cidr>& trusted_proxies) {
  const auto trusted = [&trusted_proxies](const IpAddress& address) {
    return std::any_of(trusted_proxies.begin(), trusted_proxies.end(),
                       [&address](const Cidr& cidr) { return cidr.Contains(address); });
  };
  if (forwarded_for.empty() || !trusted(peer)) return peer;
  IpAddress client = peer;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    const std::string_view entry =
        Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const std::optional<IpAddress> hop = IpAddress::Parse(entry);
    if (!hop) return client;  // garbage: stop at the last hop we can vouch for
    client = *hop;
    if (!trusted(client)) return client;
  }
  return client;
}

}  // namespace upkeep
